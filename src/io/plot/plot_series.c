/* SPDX-License-Identifier: MIT */
/* plot_series.c — a time series as a PNG picture (PLplot, through plot.c's
 * page machinery): the values of one channel, the per-step anomaly score
 * drawn to the frame's height, and the flagged spans shaded. */
#include "error.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SERIES_WIDTH 1200
#define SERIES_HEIGHT 500
#define COL_SPAN (COL_PAL + 3) /* tab10 red */
#define COL_SCORE (COL_PAL + 1) /* tab10 orange */

typedef struct series_job {
  const float *values, *score;
  const unsigned char *flagged;
  size_t steps;
  double slo, shi; /* score range, drawn onto the y window */
  PLFLT *x, *y;    /* (steps) scratch */
} series_job;

/* Draw the runs of finite points of v (already in window units) as lines. */
static void draw_runs(const series_job *j, const PLFLT *v) {
  size_t t = 0;
  while (t < j->steps) {
    while (t < j->steps && !isfinite(v[t])) t++;
    size_t a = t;
    while (t < j->steps && isfinite(v[t])) t++;
    if (t - a >= 2) plline((PLINT)(t - a), j->x + a, (PLFLT *)v + a);
    else if (t - a == 1) plstring(1, j->x + a, (PLFLT *)v + a, ae_plot_dot_glyph);
  }
}

static void draw_series(const plot_page *pg, const void *data) {
  const series_job *j = data;
  ae_plot_begin_frame(pg);
  if (j->flagged) { /* the flagged spans, shaded behind the lines */
    plcol0(COL_SPAN);
    for (size_t t = 0; t < j->steps;) {
      if (!j->flagged[t]) {
        t++;
        continue;
      }
      size_t a = t;
      while (t < j->steps && j->flagged[t]) t++;
      PLFLT xs[4] = {j->x[a] - 0.5, j->x[t - 1] + 0.5, j->x[t - 1] + 0.5, j->x[a] - 0.5};
      PLFLT ys[4] = {pg->y.lo, pg->y.lo, pg->y.hi, pg->y.hi};
      plfill(4, xs, ys);
    }
  }
  plwidth(1.5);
  if (j->score) {
    double span = j->shi > j->slo ? j->shi - j->slo : 1.0;
    for (size_t t = 0; t < j->steps; t++)
      j->y[t] = isfinite(j->score[t])
                    ? pg->y.lo + (pg->y.hi - pg->y.lo) * 0.9 * (j->score[t] - j->slo) / span
                    : NAN;
    plcol0(COL_SCORE);
    draw_runs(j, j->y);
  }
  for (size_t t = 0; t < j->steps; t++) j->y[t] = j->values[t];
  plcol0(COL_TRAIN);
  draw_runs(j, j->y);
  ae_plot_end_frame(pg);
  const PLINT opt[3] = {PL_LEGEND_LINE, PL_LEGEND_LINE, PL_LEGEND_LINE};
  const PLINT col[3] = {COL_TRAIN, COL_SCORE, COL_SPAN};
  const char *text[3] = {"series", "score", "flagged"};
  PLINT n = 1;
  PLINT o2[3] = {opt[0]}, c2[3] = {col[0]};
  const char *t2[3] = {text[0]};
  if (j->score) o2[n] = opt[1], c2[n] = col[1], t2[n++] = text[1];
  if (j->flagged) o2[n] = opt[2], c2[n] = col[2], t2[n++] = text[2];
  ae_plot_legend(n, o2, t2, c2, NULL, 1.0, 0.05);
}

ae_status ae_plot_series(const char *path, const float *values, const float *score,
                         const unsigned char *flagged, size_t steps, size_t first,
                         const char *title) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_plot_series: no file name");
  if (!values || steps < 2 || steps > PLOT_MAX_POINTS)
    return ae_set_error(AE_ERR_ARG, "%s: a series picture needs 2 to %d steps (got %zu)", path,
                        PLOT_MAX_POINTS, steps);
  double lo = HUGE_VAL, hi = -HUGE_VAL, slo = HUGE_VAL, shi = -HUGE_VAL;
  for (size_t t = 0; t < steps; t++) {
    if (isfinite(values[t])) lo = fmin(lo, values[t]), hi = fmax(hi, values[t]);
    if (score && isfinite(score[t])) slo = fmin(slo, score[t]), shi = fmax(shi, score[t]);
  }
  if (!(lo <= hi)) return ae_set_error(AE_ERR_NUMERIC, "%s: the series has no finite value", path);
  plot_page pg = {.width = SERIES_WIDTH, .height = SERIES_HEIGHT, .title = title,
                  .xlabel = "step", .ylabel = "value", .right = 0.82};
  if (ae_plot_axis_fit(&pg.y, lo, hi > lo ? hi : lo + 1.0, 6.0) ||
      ae_plot_axis_fit(&pg.x, (double)first, (double)(first + steps - 1), 10.0))
    return ae_set_error(AE_ERR_NUMERIC, "%s: values from %g to %g are too large to plot", path,
                        lo, hi);
  series_job job = {values, score && slo <= shi ? score : NULL, flagged, steps, slo, shi, NULL,
                    NULL};
  job.x = malloc(2 * steps * sizeof(PLFLT));
  if (!job.x) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  job.y = job.x + steps;
  for (size_t t = 0; t < steps; t++) job.x[t] = (PLFLT)(first + t);
  ae_status st = ae_plot_write(path, pg, draw_series, &job);
  free(job.x);
  return st;
}
