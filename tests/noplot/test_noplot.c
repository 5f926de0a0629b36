/* SPDX-License-Identifier: MIT */
/* test_noplot.c — the library without PLplot: this program is linked from
 * every object of the library but src/io/plot (src/io/noplot instead) and
 * without -lplplot, so that it links at all shows that nothing else calls
 * PLplot. Then: ae_have_plots() is 0, every ae_plot_* function answers
 * AE_ERR_UNSUPPORTED naming its file and writes nothing, a NULL path is
 * still AE_ERR_ARG, and the rest works: a model trains 3 epochs to a lower
 * loss, saves, loads, and a PNG grid (libpng alone) is written. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  char dir[] = "/tmp/aekit_noplot_XXXXXX", p[96], q[96];
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(p, sizeof p, "%s/plot.png", dir);
  CHECK(ae_have_plots() == 0);
  double loss[3] = {0.3, 0.2, 0.1}, fpr[2] = {0, 1}, tpr[2] = {0, 1};
  float xy[4] = {0, 1, 2, 3}, series[4] = {1, 2, 3, 4};
  CHECK_FAILS(ae_plot_loss_curve(p, loss, NULL, 3, "t", NULL, 0), AE_ERR_UNSUPPORTED,
              "plot.png: this aekit was built without PLplot");
  CHECK_FAILS(ae_plot_scatter(p, xy, NULL, 2, NULL, 0, "t", "x", "y"), AE_ERR_UNSUPPORTED, "plot.png");
  CHECK_FAILS(ae_plot_series(p, series, NULL, NULL, 4, 0, "t"), AE_ERR_UNSUPPORTED, "plot.png");
  CHECK_FAILS(ae_plot_roc_curve(p, fpr, tpr, 2, 0.5, "t", NULL, NULL), AE_ERR_UNSUPPORTED,
              "plot.png");
  CHECK_FAILS(ae_plot_loss_curve(NULL, loss, NULL, 3, "t", NULL, 0), AE_ERR_ARG, "no file name");
  CHECK(access(p, F_OK) != 0);
  CHECK(strcmp(ae_status_string(AE_ERR_UNSUPPORTED), "not in this build") == 0);

  /* the rest of the library: 256 samples of 16 values on a line, learnt */
  enum { N = 256, D = 16 };
  float *x = malloc(sizeof(float) * N * D);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < D; j++) x[i * D + j] = 0.5f + 0.4f * sinf(0.37f * (float)i) * (float)(j - 8) / 8.0f;
  ae_dataset *ds = NULL;
  ae_model *m = NULL, *back = NULL;
  ae_history *h = NULL;
  CHECK_OK(ae_dataset_from_array(&ds, x, N, D, NULL));
  CHECK_OK(ae_model_create(&m, "dense:8:relu,dense:2:relu|dense:8:relu,dense:16:sigmoid", 1, 1, D, 7));
  ae_train_options o;
  ae_train_options_defaults(&o);
  o.epochs = 3;
  o.batch_size = 32;
  o.lr = 1e-2f;
  o.threads = 1;
  if (ds && m) {
    CHECK_OK(ae_train(m, ds, NULL, &o, &h));
    if (h) {
      double first = ae_history_train_loss(h, 0), last = ae_history_train_loss(h, 2);
      printf("loss %.4f -> %.4f over 3 epochs\n", first, last);
      CHECK(isfinite(last) && last < first);
    }
    snprintf(q, sizeof q, "%s/m.safetensors", dir);
    CHECK_OK(ae_model_save(m, q));
    CHECK_OK(ae_model_load(&back, q));
    if (back) CHECK(strcmp(ae_model_spec(back), ae_model_spec(m)) == 0);
    remove(q);
  }
  snprintf(q, sizeof q, "%s/grid.png", dir);
  CHECK_OK(ae_png_write_grid(q, x, 2, 2, 4, 4, 2, 1));
  CHECK(access(q, F_OK) == 0);
  remove(q);
  ae_history_free(h);
  ae_model_free(back);
  ae_model_free(m);
  ae_dataset_free(ds);
  free(x);
  rmdir(dir);
  CHECK_DONE();
}
