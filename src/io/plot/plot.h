/* SPDX-License-Identifier: MIT */
/* plot.h — what the PLplot pictures share (plot.c): one page with a frame,
 * two axes and texts, drawn safely (one mutex around PLplot's global state,
 * its errors caught instead of exit(), the picture checked and renamed into
 * place). The pictures: plot.c (loss curves), plot_scatter.c, plot_roc.c. */
#ifndef AE_PLOT_H
#define AE_PLOT_H

#include "aekit.h"

#include <plplot.h>

#define SCATTER_WIDTH 800
#define SCATTER_HEIGHT 700
#define PLOT_MAX_POINTS 10000000
#define DOT_SCALE 0.3       /* scatter dot size for 10 000 points and more */
#define DOT_CHUNK 1024      /* scatter points handed to PLplot per call */
#define LEGEND_MAX 20       /* legend entries, at most */

extern const char *const ae_plot_dot_glyph; /* U+25CF black circle */

/* cmap0 entries (plot.c). Index 0 is the background; COL_PAL.. is
 * matplotlib's "tab10" palette, for scatter labels 0..9 (and 10.. again);
 * COL_GREY is tab20's light grey, for negative labels. */
enum {
  COL_BG = 0, COL_FG = 1, COL_TRAIN = 2, COL_VAL = 3, COL_GRID = 4,
  COL_GREY = 5, COL_PAL = 6, NPAL = 10, NCOL = COL_PAL + NPAL
};

typedef struct plot_axis {
  double lo, hi;  /* window */
  double tick;    /* major tick step */
  int nsub;       /* minor intervals per major tick; 0: PLplot's choice */
  int dec;        /* decimals of the tick labels; -1: %g form */
  int prec;       /* significant digits in %g form */
  int label_len;  /* longest tick label, in characters */
} plot_axis;

/* What every picture has: a file, a size, a frame with two axes, texts. */
typedef struct plot_page {
  const char *tmp;                     /* file PLplot writes */
  int width, height;                   /* pixels */
  const char *title, *xlabel, *ylabel; /* sanitized, PLplot escapes doubled */
  plot_axis x, y;
  double right;                        /* frame's right edge (0..1): room for a legend */
} plot_page;

/* Draws one picture's data, between begin_frame() and end_frame() of its
 * own, in the current (fresh) stream. */
typedef void (*plot_draw_fn)(const plot_page *pg, const void *job);

/* Start the picture: device, page, colours, frame, window, grid. */
void ae_plot_begin_frame(const plot_page *pg);
/* Finish the frame over the data: box, ticks, tick labels, texts. */
void ae_plot_end_frame(const plot_page *pg);
/* A legend of n <= LEGEND_MAX entries outside the frame, right of it. Entry
 * i is drawn in colour col[i] as opt[i] says (line, symbol sym[i]); `width`
 * is its line/symbol area in viewport units. */
void ae_plot_legend(PLINT n, const PLINT *opt, const char *const *text, const PLINT *col,
                    const char *const *sym, PLFLT sym_scale, PLFLT width);
/* Tick labels for an axis whose window and tick step are set. */
void ae_plot_axis_labels(plot_axis *a);
/* An axis for data in [lo, hi]: padded by 5%, about `ticks` nice ticks,
 * labels. -1 if the window is not finite. */
int ae_plot_axis_fit(plot_axis *a, double lo, double hi, double ticks);
/* Draw one picture into `path` (pg: size, frame, raw texts) through draw,
 * atomically; on failure nothing is left behind. */
ae_status ae_plot_write(const char *path, plot_page pg, plot_draw_fn draw, const void *job);

#endif
