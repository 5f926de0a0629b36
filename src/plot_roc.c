/* plot_roc.c — a ROC curve as a PNG picture (PLplot, through plot.c). */
#include "error.h"
#include "plot.h"

#include <plplot.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ROC_SIDE 600

/* cmap0 entries. Index 0 is the background. */
enum { COL_BG = 0, COL_FG = 1, COL_ROC = 2, COL_CHANCE = 3, COL_GRID = 4, NCOL = 16 };
static const PLINT cmap_r[NCOL] = {255, 25, 20, 150, 215};
static const PLINT cmap_g[NCOL] = {255, 25, 85, 150, 215};
static const PLINT cmap_b[NCOL] = {255, 25, 165, 150, 215};

typedef struct roc_job {
  const double *fpr, *tpr; /* (count) */
  int count;
  const char *title; /* sanitised */
  char legend[64];
} roc_job;

static void draw_roc(void *ctx) {
  const roc_job *j = ctx;
  plscmap0(cmap_r, cmap_g, cmap_b, NCOL);
  plinit();
  pladv(0);
  plvpor(0.12, 0.95, 0.10, 0.92);
  plwind(-0.01, 1.01, -0.01, 1.01);
  plcol0(COL_GRID);
  plwidth(1.0);
  plbox("g", 0.1, 0, "g", 0.1, 0);
  PLFLT d[2] = {0.0, 1.0};
  plcol0(COL_CHANCE);
  pllsty(2);
  plline(2, d, d);
  pllsty(1);
  plcol0(COL_ROC);
  plwidth(2.0);
  plline(j->count, j->fpr, j->tpr);
  plwidth(1.0);
  plcol0(COL_FG);
  plbox("bcnst", 0.2, 2, "bcnstv", 0.2, 2);
  pllab("false positive rate", "true positive rate", j->title);
  PLINT opt[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, text_col[2] = {COL_FG, COL_FG};
  PLINT line_col[2] = {COL_ROC, COL_CHANCE}, line_sty[2] = {1, 2};
  PLFLT line_w[2] = {2.0, 1.0};
  const char *text[2] = {j->legend, "chance"};
  PLFLT lw, lh;
  pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_RIGHT | PL_POSITION_BOTTOM | PL_POSITION_INSIDE, 0.03, 0.03, 0.1,
           COL_BG, COL_FG, 1, 0, 0, 2, opt, 1.0, 1.0, 2.0, 0.0, text_col, text,
           NULL, NULL, NULL, NULL, line_col, line_sty, line_w, NULL, NULL, NULL, NULL);
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
  roc_job job = {fpr, tpr, (int)count, NULL, {0}};
  if (isfinite(auc)) snprintf(job.legend, sizeof job.legend, "ROC, AUC %.4f", auc);
  else snprintf(job.legend, sizeof job.legend, "ROC");
  char *t = ae_plot_title(title);
  if (!t) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  job.title = t;
  ae_status st = ae_plot_png(path, ROC_SIDE, ROC_SIDE, draw_roc, &job);
  free(t);
  return st;
}
