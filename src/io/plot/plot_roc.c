/* SPDX-License-Identifier: MIT */
/* plot_roc.c — a ROC curve as a PNG picture (PLplot, through plot.c's page
 * machinery): the curve, the chance diagonal, the point of a threshold, a
 * legend with the AUC and that threshold. */
#include "error.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ROC_WIDTH 760
#define ROC_WIDTH_MARKED 1000 /* room for the threshold's legend entry */
#define ROC_HEIGHT 600

typedef struct roc_job {
  const double *fpr, *tpr; /* (count) */
  PLINT count;
  char legend[64];
  int marked;              /* the threshold's point: (mx, my) */
  PLFLT mx, my;
  char mark[96];
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
  if (j->marked) {
    PLFLT x = j->mx, y = j->my;
    plcol0(COL_VAL);
    plschr(0.0, 1.6);
    plstring(1, &x, &y, ae_plot_dot_glyph);
    plschr(0.0, 1.0);
  }
  ae_plot_end_frame(pg);
  const PLINT opt[3] = {PL_LEGEND_LINE, PL_LEGEND_LINE, PL_LEGEND_SYMBOL};
  const PLINT col[3] = {COL_TRAIN, COL_GREY, COL_VAL};
  const char *text[3] = {j->legend, "chance", j->mark};
  const char *sym[3] = {ae_plot_dot_glyph, ae_plot_dot_glyph, ae_plot_dot_glyph};
  ae_plot_legend(j->marked ? 3 : 2, opt, text, col, sym, 1.6, 0.06);
}

ae_status ae_plot_roc_curve(const char *path, const double *fpr, const double *tpr,
                            size_t count, double auc, const char *title,
                            const ae_binary_metrics *mark, const char *mark_name) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_plot_roc_curve: no file name");
  if (!fpr || !tpr || count < 2 || count > 100000000)
    return ae_set_error(AE_ERR_ARG, "%s: a ROC curve needs 2 to 1e8 points (got %zu)", path,
                        count);
  for (size_t i = 0; i < count; i++)
    if (!(fpr[i] >= 0.0 && fpr[i] <= 1.0 && tpr[i] >= 0.0 && tpr[i] <= 1.0))
      return ae_set_error(AE_ERR_ARG, "%s: ROC point %zu (%g, %g) is outside [0, 1]", path, i,
                          fpr[i], tpr[i]);
  roc_job job = {fpr, tpr, (PLINT)count, {0}, 0, 0.0, 0.0, {0}};
  if (mark) { /* where score > threshold puts the curve */
    size_t neg = mark->fp + mark->tn, pos = mark->tp + mark->fn;
    if (!neg || !pos || !isfinite(mark->threshold))
      return ae_set_error(AE_ERR_ARG, "%s: the marked threshold %g has %zu anomalies and %zu "
                          "normal samples: it has no point on a ROC curve", path,
                          mark->threshold, pos, neg);
    job.marked = 1;
    job.mx = (double)mark->fp / (double)neg;
    job.my = (double)mark->tp / (double)pos;
    snprintf(job.mark, sizeof job.mark, "%.40s %.3g: TPR %.2f, FPR %.2f",
             mark_name && mark_name[0] ? mark_name : "threshold", mark->threshold, job.my,
             job.mx);
  }
  if (isfinite(auc)) snprintf(job.legend, sizeof job.legend, "ROC, AUC %.4f", auc);
  else snprintf(job.legend, sizeof job.legend, "ROC");
  plot_page pg = {.width = job.marked ? ROC_WIDTH_MARKED : ROC_WIDTH, .height = ROC_HEIGHT,
                  .title = title,
                  .xlabel = "false positive rate", .ylabel = "true positive rate",
                  .right = job.marked ? 0.5 : 0.66};
  ae_plot_axis_fit(&pg.x, 0.0, 1.0, 8.0);
  ae_plot_axis_fit(&pg.y, 0.0, 1.0, 8.0);
  return ae_plot_write(path, pg, draw_roc, &job);
}
