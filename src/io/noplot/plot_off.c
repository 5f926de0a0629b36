/* SPDX-License-Identifier: MIT */
/* plot_off.c — the pictures drawn with PLplot (loss curves, scatter plots,
 * ROC curves, series), in a build without PLplot (cmake -DAE_PLOTS=OFF):
 * each checks its file name and answers AE_ERR_UNSUPPORTED, naming the
 * file, so a program can go on without the picture. PNG grids
 * (ae_png_write_grid) need only libpng and stay. src/io/plot/ holds the
 * real ones; the CMake option picks one folder. */
#include "aekit.h"
#include "error.h"

static ae_status no_plots(const char *path, const char *fn) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "%s: no file name", fn);
  return ae_set_error(AE_ERR_UNSUPPORTED,
                      "%s: this aekit was built without PLplot (AE_PLOTS=OFF): no plots", path);
}

int ae_have_plots(void) { return 0; }

ae_status ae_plot_loss_curve(const char *path, const double *train_loss,
                             const double *val_loss, int epochs, const char *title,
                             const char *ylabel, int best_epoch) {
  (void)train_loss, (void)val_loss, (void)epochs, (void)title, (void)ylabel, (void)best_epoch;
  return no_plots(path, "ae_plot_loss_curve");
}

ae_status ae_plot_scatter(const char *path, const float *xy, const int32_t *labels, size_t n,
                          const char *const *class_names, int n_classes, const char *title,
                          const char *xlabel, const char *ylabel) {
  (void)xy, (void)labels, (void)n, (void)class_names, (void)n_classes, (void)title, (void)xlabel,
      (void)ylabel;
  return no_plots(path, "ae_plot_scatter");
}

ae_status ae_plot_series(const char *path, const float *values, const float *score,
                         const unsigned char *flagged, size_t steps, size_t first,
                         const char *title) {
  (void)values, (void)score, (void)flagged, (void)steps, (void)first, (void)title;
  return no_plots(path, "ae_plot_series");
}

ae_status ae_plot_roc_curve(const char *path, const double *fpr, const double *tpr,
                            size_t count, double auc, const char *title,
                            const ae_binary_metrics *mark, const char *mark_name) {
  (void)fpr, (void)tpr, (void)count, (void)auc, (void)title, (void)mark, (void)mark_name;
  return no_plots(path, "ae_plot_roc_curve");
}
