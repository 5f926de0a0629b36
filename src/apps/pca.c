/* SPDX-License-Identifier: MIT */
/* pca.c — principal component analysis as an ordinary aekit model: the
 * covariance is accumulated in double (cblas_dsyrk over blocks of rows),
 * its eigenvectors come from LAPACKE_dsyevd, and the top k become a linear
 * autoencoder "dense:k:identity|dense:D:identity;loss=mse" with
 *   encoder weight = components (k, D), encoder bias = -components . mean,
 *   decoder weight = components^T (D, k), decoder bias = mean,
 * so encode gives the PCA scores and reconstruct the PCA reconstruction.
 * Each component's largest entry (in absolute value) is made positive.
 * Legend: N rows, D features, K components, B rows per block. */
#include "dataset.h"
#include "error.h"
#include "model.h"

#include <cJSON.h>
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCA_BLOCK 512 /* B */

/* Mean (D) and covariance (D, D; upper triangle, divided by N - 1). */
static ae_status covariance(double *mean, double *cov, const float *x, size_t n, size_t d) {
  double *blk = malloc(PCA_BLOCK * d * sizeof *blk); /* (B, D) */
  if (!blk) return ae_set_error(AE_ERR_NOMEM, "PCA: out of memory");
  memset(mean, 0, d * sizeof *mean);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (size_t j = 0; j < d; j++) mean[j] /= (double)n;
  memset(cov, 0, d * d * sizeof *cov);
  for (size_t i0 = 0; i0 < n; i0 += PCA_BLOCK) {
    size_t b = n - i0 < PCA_BLOCK ? n - i0 : PCA_BLOCK;
    for (size_t i = 0; i < b; i++)
      for (size_t j = 0; j < d; j++) blk[i * d + j] = x[(i0 + i) * d + j] - mean[j];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)b, 1.0 / (double)(n - 1), blk,
                (int)d, 1.0, cov, (int)d);
  }
  free(blk);
  return AE_OK;
}

/* {"components":k,"samples":n,"explained_variance":[..],"explained_variance_ratio":[..]} */
static ae_status record(ae_model *m, const double *ev, int k, double total, size_t n) {
  cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray(), *r = cJSON_CreateArray();
  if (!o || !a || !r) {
    cJSON_Delete(o), cJSON_Delete(a), cJSON_Delete(r);
    return ae_set_error(AE_ERR_NOMEM, "out of memory");
  }
  cJSON_AddNumberToObject(o, "components", k);
  cJSON_AddNumberToObject(o, "samples", (double)n);
  for (int t = 0; t < k; t++) {
    cJSON_AddItemToArray(a, cJSON_CreateNumber(ev[t]));
    cJSON_AddItemToArray(r, cJSON_CreateNumber(total > 0.0 ? ev[t] / total : 0.0));
  }
  cJSON_AddItemToObject(o, "explained_variance", a);
  cJSON_AddItemToObject(o, "explained_variance_ratio", r);
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!s) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_status st = ae_model_set_meta(&m->pca_json, s);
  free(s);
  return st;
}

ae_status ae_pca_fit(ae_model **out, const ae_dataset *ds, int k, double *ratio) {
  AE_ARG(out && ds, "ae_pca_fit", "out and data must not be NULL");
  *out = NULL;
  size_t n = ae_dataset_count(ds), d = ae_dataset_dim(ds);
  if (k < 1 || (size_t)k > d)
    return ae_set_error(AE_ERR_ARG, "PCA: %d components: must be in 1..%zu (the data dimension)",
                        k, d);
  if (n < 2) return ae_set_error(AE_ERR_ARG, "PCA: needs at least 2 samples (got %zu)", n);
  if ((size_t)k > n)
    return ae_set_error(AE_ERR_ARG, "PCA: %d components from %zu samples: at most %zu", k, n, n);
  if (d > 16384)
    return ae_set_error(AE_ERR_ARG, "PCA: %zu features: at most 16384 (the covariance is D x D)", d);
  const float *x = ae_dataset_data(ds);
  int c, h, w;
  ae_dataset_shape(ds, &c, &h, &w);
  double *mean = malloc(d * sizeof *mean), *cov = malloc(d * d * sizeof *cov);
  double *eig = malloc(d * sizeof *eig), *ev = malloc((size_t)k * sizeof *ev); /* (D), (K) */
  ae_model *m = NULL;
  ae_status st = AE_OK;
  if (!x || !mean || !cov || !eig || !ev) {
    st = ae_set_error(AE_ERR_NOMEM, "PCA: out of memory");
    goto done;
  }
  if ((st = covariance(mean, cov, x, n, d))) goto done;
  double total = 0.0;
  for (size_t j = 0; j < d; j++) total += cov[j * d + j];
  /* eigenvalues ascending; eigenvector j in column j of cov */
  lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, cov, (lapack_int)d, eig);
  if (info != 0) {
    st = ae_set_error(info < 0 ? AE_ERR_INTERNAL : AE_ERR_NUMERIC,
                      "PCA: LAPACKE_dsyevd failed (info %d)", (int)info);
    goto done;
  }
  char spec[96];
  snprintf(spec, sizeof spec, "dense:%d:identity|dense:%zu:identity;loss=mse", k, d);
  if ((st = ae_model_create(&m, spec, c, h, w, 0))) goto done;
  float *p = ae_model_params(m);
  float *we = p, *be = p + (size_t)k * d, *wd = be + k, *bd = wd + d * (size_t)k;
  for (int t = 0; t < k; t++) {
    size_t col = d - 1 - (size_t)t;
    size_t big = 0;
    for (size_t j = 1; j < d; j++)
      if (fabs(cov[j * d + col]) > fabs(cov[big * d + col])) big = j;
    double sign = cov[big * d + col] < 0.0 ? -1.0 : 1.0, dot = 0.0;
    for (size_t j = 0; j < d; j++) {
      double v = sign * cov[j * d + col];
      we[(size_t)t * d + j] = (float)v;
      wd[j * (size_t)k + (size_t)t] = (float)v;
      dot += v * mean[j];
    }
    be[t] = (float)-dot;
    ev[t] = eig[col] > 0.0 ? eig[col] : 0.0;
    if (ratio) ratio[t] = total > 0.0 ? ev[t] / total : 0.0;
  }
  for (size_t j = 0; j < d; j++) bd[j] = (float)mean[j];
  st = record(m, ev, k, total, n);
done:
  free(mean);
  free(cov);
  free(eig);
  free(ev);
  if (st) ae_model_free(m);
  else *out = m;
  return st;
}
