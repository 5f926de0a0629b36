/* SPDX-License-Identifier: MIT */
/* plot_roc.c — a ROC curve as a PNG picture (PLplot, through plot.c's page
 * machinery): the curve, the chance diagonal, a legend with the AUC. */
#include "error.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ROC_WIDTH 760
#define ROC_HEIGHT 600

typedef struct roc_job {
  const double *fpr, *tpr; /* (count) */
  PLINT count;
  char legend[64];
} roc_job;

static void draw_roc(const plot_page *pg, const void *data) {
  const roc_job *j = data;
  ae_plot_begin_frame(pg);
  PLFLT d[2] = {0.0, 1.0};
  plcol0(COL_GREY);
  plwidth(1.0);
  pllsty(2);
  plline(2, d, d);
  pllsty(1);
  plcol0(COL_TRAIN);
  plwidth(2.0);
  plline(j->count, j->fpr, j->tpr);
  ae_plot_end_frame(pg);
  const PLINT opt[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, col[2] = {COL_TRAIN, COL_GREY};
  const char *text[2] = {j->legend, "chance"};
  ae_plot_legend(2, opt, text, col, NULL, 1.0, 0.06);
}

ae_status ae_plot_roc_curve(const char *path, const double *fpr, const double *tpr,
                            size_t count, double auc, const char *title) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_plot_roc_curve: no file name");
  if (!fpr || !tpr || count < 2 || count > 100000000)
    return ae_set_error(AE_ERR_ARG, "%s: a ROC curve needs 2 to 1e8 points (got %zu)", path,
                        count);
  for (size_t i = 0; i < count; i++)
    if (!(fpr[i] >= 0.0 && fpr[i] <= 1.0 && tpr[i] >= 0.0 && tpr[i] <= 1.0))
      return ae_set_error(AE_ERR_ARG, "%s: ROC point %zu (%g, %g) is outside [0, 1]", path, i,
                          fpr[i], tpr[i]);
  roc_job job = {fpr, tpr, (PLINT)count, {0}};
  if (isfinite(auc)) snprintf(job.legend, sizeof job.legend, "ROC, AUC %.4f", auc);
  else snprintf(job.legend, sizeof job.legend, "ROC");
  plot_page pg = {.width = ROC_WIDTH, .height = ROC_HEIGHT, .title = title,
                  .xlabel = "false positive rate", .ylabel = "true positive rate",
                  .right = 0.66};
  ae_plot_axis_fit(&pg.x, 0.0, 1.0, 8.0);
  ae_plot_axis_fit(&pg.y, 0.0, 1.0, 8.0);
  return ae_plot_write(path, pg, draw_roc, &job);
}
