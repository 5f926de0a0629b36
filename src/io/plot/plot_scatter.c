/* SPDX-License-Identifier: MIT */
/* plot_scatter.c — points coloured by label as a PNG picture (PLplot,
 * through plot.c's page machinery). */
#include "error.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct scatter_job {
  const float *xy;          /* (n, 2) */
  const int32_t *labels;    /* (n) or NULL */
  size_t n;
  double dot_scale;         /* dot size, relative to the text */
  int nlabels;              /* distinct labels found, at most LEGEND_MAX + 1 */
  int32_t label[LEGEND_MAX + 1]; /* the smallest of them, ascending */
  const char *const *names; /* (n_names) class names, or NULL */
  int n_names;
} scatter_job;

/* A legend entry: "3" or "3 Dress" (a long name cut at a character's
 * start); its length in bytes. */
static int legend_text(const scatter_job *j, int32_t label, char *buf, size_t size) {
  const char *name = label >= 0 && label < j->n_names ? j->names[label] : NULL;
  int len = snprintf(buf, size, name ? "%d %s" : "%d", (int)label, name);
  if (len >= (int)size) { /* cut, not inside a UTF-8 sequence */
    len = (int)size - 1;
    while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80) len--;
    buf[len] = 0;
  }
  return len;
}

static PLINT label_color(int32_t label) {
  return label < 0 ? COL_GREY : COL_PAL + label % NPAL;
}

/* The LEGEND_MAX + 1 smallest distinct labels: enough to tell whether all
 * fit in the legend. */
static void find_labels(scatter_job *j) {
  const int cap = LEGEND_MAX + 1;
  int k = 0;
  for (size_t i = 0; i < j->n; i++) {
    int32_t v = j->labels[i];
    if (i > 0 && v == j->labels[i - 1]) continue;
    int lo = 0, hi = k;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (j->label[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo == cap || (lo < k && j->label[lo] == v)) continue;
    int keep = k < cap ? k : cap - 1; /* when full, the largest drops out */
    memmove(j->label + lo + 1, j->label + lo, (size_t)(keep - lo) * sizeof *j->label);
    j->label[lo] = v;
    if (k < cap) k++;
  }
  j->nlabels = k;
}

static void draw_scatter(const plot_page *pg, const void *data) {
  const scatter_job *j = data;
  ae_plot_begin_frame(pg);
  /* One colour at a time, in chunks: grey (negative labels) at the bottom. */
  PLFLT x[DOT_CHUNK], y[DOT_CHUNK];
  plschr(0.0, j->dot_scale);
  for (PLINT c = j->labels ? COL_GREY : COL_PAL; c < (j->labels ? NCOL : COL_PAL + 1); c++) {
    plcol0(c);
    PLINT k = 0;
    for (size_t i = 0; i < j->n; i++) {
      if (j->labels && label_color(j->labels[i]) != c) continue;
      x[k] = j->xy[2 * i];
      y[k] = j->xy[2 * i + 1];
      if (++k == DOT_CHUNK) {
        plstring(k, x, y, ae_plot_dot_glyph);
        k = 0;
      }
    }
    if (k) plstring(k, x, y, ae_plot_dot_glyph);
  }
  plschr(0.0, 1.0);
  ae_plot_end_frame(pg);
  if (!j->labels) return;

  /* The labels present, ascending; past LEGEND_MAX, the last entry says
   * there are more. */
  PLINT n = j->nlabels, opt[LEGEND_MAX], col[LEGEND_MAX];
  char buf[LEGEND_MAX][48];
  const char *text[LEGEND_MAX], *sym[LEGEND_MAX];
  if (n > LEGEND_MAX) n = LEGEND_MAX;
  for (PLINT i = 0; i < n; i++) {
    legend_text(j, j->label[i], buf[i], sizeof buf[i]);
    text[i] = buf[i];
    sym[i] = ae_plot_dot_glyph;
    opt[i] = PL_LEGEND_SYMBOL;
    col[i] = label_color(j->label[i]);
  }
  if (j->nlabels > LEGEND_MAX) {
    text[n - 1] = "\xe2\x80\xa6"; /* U+2026 ellipsis */
    opt[n - 1] = PL_LEGEND_NONE;
  }
  ae_plot_legend(n, opt, text, col, sym, 0.9, 0.03);
}

ae_status ae_plot_scatter(const char *path, const float *xy, const int32_t *labels,
                          size_t n, const char *const *class_names, int n_classes,
                          const char *title, const char *xlabel, const char *ylabel) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_plot_scatter: no file name");
  if (!xy) return ae_set_error(AE_ERR_ARG, "%s: no points to plot", path);
  if (n < 1 || n > PLOT_MAX_POINTS)
    return ae_set_error(AE_ERR_ARG, "%s: %zu points: need 1..%d", path, n,
                        PLOT_MAX_POINTS);
  double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
  for (size_t i = 0; i < n; i++)
    for (int d = 0; d < 2; d++) {
      float v = xy[2 * i + d];
      if (!isfinite(v))
        return ae_set_error(AE_ERR_NUMERIC, "%s: point %zu (counting from 0) is (%g, %g): "
                            "cannot plot it", path, i, (double)xy[2 * i],
                            (double)xy[2 * i + 1]);
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }

  plot_page pg = {.width = SCATTER_WIDTH, .height = SCATTER_HEIGHT, .title = title,
                  .xlabel = xlabel, .ylabel = ylabel, .right = 0.95};
  /* The x tick labels sit side by side: fewer ticks where they are long. */
  double ticks = 8.0;
  int fit = ae_plot_axis_fit(&pg.x, lo[0], hi[0], ticks);
  while (fit == 0 && ticks > 3.0 &&
         (pg.x.hi - pg.x.lo) / pg.x.tick * (pg.x.label_len + 2) > 56.0)
    fit = ae_plot_axis_fit(&pg.x, lo[0], hi[0], --ticks);
  if (fit != 0 || ae_plot_axis_fit(&pg.y, lo[1], hi[1], 8.0) != 0)
    return ae_set_error(AE_ERR_INTERNAL, "%s: no window for the points", path);
  /* Dots grow a little where there are few of them. */
  double dot = DOT_SCALE + 0.1 * log10(10000.0 / (double)n);
  scatter_job job = {xy, labels, n, fmin(fmax(dot, DOT_SCALE), 0.5), 0, {0}, class_names,
                     class_names ? n_classes : 0};
  if (labels) {
    find_labels(&job);
    /* Room for the legend: its symbol, the longest label (the first or the
     * last one shown), the margins. */
    int last = (job.nlabels < LEGEND_MAX ? job.nlabels : LEGEND_MAX) - 1;
    int len = 0;
    char text[48];
    for (int i = 0; i <= last; i++) { /* the longest entry shown (UTF-8 counted as bytes) */
      int l = legend_text(&job, job.label[i], text, sizeof text);
      if (l > len) len = l;
    }
    pg.right = 1.0 - (80.0 + 10.0 * len) / pg.width;
  }
  return ae_plot_write(path, pg, draw_scatter, &job);
}
