/* SPDX-License-Identifier: MIT */
/* test_pca.c — PCA as a model: a decomposition known by hand, then
 * scikit-learn's PCA (tests/ref/make_app_fixtures.py): components (same
 * sign rule), explained variance ratios, scores and reconstructions through
 * the ordinary model API, the metadata across save/load; refused k. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* (+-2, 0, 0) and (0, +-1, 0) around (1, 2, 3): variances 8/3 and 2/3 along
 * x and y (N - 1 = 3), none along z. */
static void known(void) {
  const float x[12] = {3, 2, 3, -1, 2, 3, 1, 3, 3, 1, 1, 3};
  ae_dataset *ds = NULL;
  ae_model *m = NULL;
  CHECK_OK(ae_dataset_from_array(&ds, x, 4, 3, NULL));
  double ratio[2];
  CHECK_OK(ae_pca_fit(&m, ds, 2, ratio));
  if (!m) goto out;
  CHECK_NEAR(ratio[0], 0.8, 1e-12);
  CHECK_NEAR(ratio[1], 0.2, 1e-12);
  CHECK(!strcmp(ae_model_spec(m), "dense:2:identity|dense:3:identity;loss=mse"));
  const float *p = ae_model_params(m); /* enc W (2,3), b (2); dec W (3,2), b (3) */
  const float want[2 * 3 + 2 + 3 * 2 + 3] = {1, 0, 0, 0, 1, 0, -1, -2,
                                             1, 0, 0, 1, 0, 0, 1, 2, 3};
  for (int i = 0; i < 17; i++) CHECK_NEAR(p[i], want[i], 1e-6);
  float z[8], r[12];
  CHECK_OK(ae_model_encode(m, z, x, 4));
  const float wz[8] = {2, 0, -2, 0, 0, 1, 0, -1};
  for (int i = 0; i < 8; i++) CHECK_NEAR(z[i], wz[i], 1e-6);
  CHECK_OK(ae_model_reconstruct(m, r, x, 4));
  for (int i = 0; i < 12; i++) CHECK_NEAR(r[i], x[i], 1e-6);
  ae_model *three = NULL;
  CHECK_OK(ae_pca_fit(&three, ds, 3, NULL));
  ae_model_free(three);
  CHECK_FAILS(ae_pca_fit(&three, ds, 4, NULL), AE_ERR_ARG, "data dimension");
  CHECK_FAILS(ae_pca_fit(&three, ds, 0, NULL), AE_ERR_ARG, "components");
  CHECK(three == NULL);
out:
  ae_model_free(m);
  ae_dataset_free(ds);
}

static void against_sklearn(void) {
  fx_file *f = fx_load("pca.fx");
  size_t nx, nc;
  const float *x = fx_get(f, "x", &nx);
  int k = (int)fx_get(f, "k", NULL)[0];
  const size_t d = 6, n = nx / d;
  ae_dataset *ds = NULL;
  ae_model *m = NULL;
  CHECK_OK(ae_dataset_from_array(&ds, x, n, d, NULL));
  double ratio[8];
  CHECK_OK(ae_pca_fit(&m, ds, k, ratio));
  if (!m) goto out;
  const float *comp = fx_get(f, "components", &nc), *mean = fx_get(f, "mean", NULL);
  const float *evr = fx_get(f, "explained_variance_ratio", NULL);
  CHECK(nc == (size_t)k * d);
  const float *p = ae_model_params(m);
  check_failures += fx_check_close("components", p, comp, nc, 1e-5, 1e-4);
  check_failures += fx_check_close("mean", p + (size_t)k * d + (size_t)k + d * (size_t)k, mean, d, 1e-5, 1e-5);
  for (int t = 0; t < k; t++) CHECK_NEAR(ratio[t], evr[t], 1e-6);
  float *z = malloc(n * (size_t)k * sizeof *z), *r = malloc(nx * sizeof *r);
  CHECK_OK(ae_model_encode(m, z, x, n));
  CHECK_OK(ae_model_reconstruct(m, r, x, n));
  check_failures += fx_check_close("codes", z, fx_get(f, "codes", NULL), n * (size_t)k, 1e-4, 1e-4);
  check_failures += fx_check_close("recon", r, fx_get(f, "recon", NULL), nx, 1e-4, 1e-4);
  /* the metadata says it is a PCA, and the file keeps it */
  CHECK(strstr(ae_model_metadata(m), "explained_variance_ratio") != NULL);
  char dir[] = "/tmp/aekit-pca-XXXXXX", path[64];
  CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/p.safetensors", dir);
  CHECK_OK(ae_model_save(m, path));
  ae_model *back = NULL;
  CHECK_OK(ae_model_load(&back, path));
  if (back) {
    CHECK(strstr(ae_model_metadata(back), "\"pca\"") != NULL);
    float *r2 = malloc(nx * sizeof *r2);
    CHECK_OK(ae_model_reconstruct(back, r2, x, n));
    CHECK(!memcmp(r, r2, nx * sizeof *r));
    free(r2);
  }
  ae_model_free(back);
  remove(path);
  rmdir(dir);
  free(z);
  free(r);
out:
  ae_model_free(m);
  ae_dataset_free(ds);
  fx_free(f);
}

int main(void) {
  known();
  against_sklearn();
  CHECK_DONE();
}
