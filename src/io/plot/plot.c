/* SPDX-License-Identifier: MIT */
/* plot.c — loss curves and scatter plots as PNG pictures, drawn by PLplot's
 * pngcairo driver.
 *
 * PLplot keeps a process-wide "current stream" and process-wide error
 * handlers, prints warnings to stderr and calls exit() on fatal errors. So:
 * - every plot runs under one mutex, in a stream of its own (plmkstrm),
 *   ended with plend1 and the caller's current stream restored after;
 * - everything PLplot would complain about is checked first (arguments,
 *   finite values, a writable target, the driver being installed);
 * - plsError() makes PLplot's "abort operation" errors silent, and our
 *   plsabort() handler records their message;
 * - our plsexit() handler longjmps back out of a fatal error instead of
 *   letting PLplot call exit(); the stream is then abandoned (a leak, on a
 *   path the checks above should make unreachable).
 * The handlers are reset to PLplot's defaults afterwards: a program that
 * drives PLplot itself and installs its own handlers must reinstall them.
 *
 * Both pictures go through ae_plot_write() (probe, draw under the lock, verify,
 * commit) with a draw function of their own, framed by ae_plot_begin_frame() and
 * ae_plot_end_frame() and labelled by ae_plot_legend(). */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "fileio.h"
#include "plot.h"
#include "pngio.h"

#include <plplot.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLOT_MAX_EPOCHS 1000000
#define PLOT_MAX_MARKED 100 /* more epochs than this: lines without markers */
#define MARK_SCALE 0.7      /* loss-curve marker size, relative to the text */
#define LOSS_WIDTH 800
#define LOSS_HEIGHT 500

const char *const ae_plot_dot_glyph = "\xe2\x97\x8f"; /* U+25CF black circle */

static const PLINT cmap_r[NCOL] = {255, 25, 20, 200, 215, 199,
                                   31, 255, 44, 214, 148, 140, 227, 127, 188, 23};
static const PLINT cmap_g[NCOL] = {255, 25, 85, 70, 215, 199,
                                   119, 127, 160, 39, 103, 86, 119, 127, 189, 190};
static const PLINT cmap_b[NCOL] = {255, 25, 165, 0, 215, 199,
                                   180, 14, 44, 40, 189, 75, 194, 127, 34, 207};

/* Guarded by plot_lock: PLplot itself is one global state machine. */
static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf plot_escape;
static char plot_msg[256];     /* PLplot's first complaint in this plot */
static PLINT plot_errcode;     /* plsError() targets */
static char plot_errmsg[1024];

static int on_plexit(PLCHAR_VECTOR msg) {
  if (!plot_msg[0])
    snprintf(plot_msg, sizeof plot_msg, "%s", msg && msg[0] ? msg : "fatal error");
  longjmp(plot_escape, 1);
}

static void on_plabort(PLCHAR_VECTOR msg) {
  if (!plot_msg[0])
    snprintf(plot_msg, sizeof plot_msg, "%s", msg && msg[0] ? msg : "error");
}

/* One axis: its window, ticks and how the tick labels are written. */
/* Tick labels with the decimals the tick step needs ("0.30"), or %g for
 * very large or small values. PLplot's own labels would move a common factor
 * into a "(x10^-3)" note beside the frame, where it is easily cut off. */
static int format_tick(const plot_axis *a, double value, char *label, size_t length) {
  if (fabs(value) < (a->hi - a->lo) * 1e-9) value = 0.0; /* no "-0.00" */
  if (a->dec >= 0) return snprintf(label, length, "%.*f", a->dec, value);
  return snprintf(label, length, "%.*g", a->prec, value);
}

static void label_axes(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data) {
  const plot_page *pg = data;
  format_tick(axis == PL_X_AXIS ? &pg->x : &pg->y, value, label, (size_t)length);
}

/* Distance of the y axis title from the frame, in character heights:
 * beyond the longest y tick label. */
static double ylabel_disp(const plot_page *pg) {
  return fmax(5.0, 2.2 + 0.72 * pg->y.label_len);
}

/* Start the picture: device, page, colours, the frame's viewport (room on
 * the left for the y tick labels and title, below for the x ones, above
 * for the title; in character heights, which grow with the page) and
 * window, the grid. */
void ae_plot_begin_frame(const plot_page *pg) {
  plsdev("pngcairo");
  plsfnam(pg->tmp);
  plspage(0.0, 0.0, pg->width, pg->height, 0, 0);
  plscmap0(cmap_r, cmap_g, cmap_b, NCOL);
  plinit();
  pladv(0);
  PLFLT chr_def, chr_mm, sx0, sx1, sy0, sy1;
  plgchr(&chr_def, &chr_mm);
  plgspa(&sx0, &sx1, &sy0, &sy1);
  double left = fmin(fmax(0.11, (ylabel_disp(pg) + 1.5) * chr_mm / (sx1 - sx0)), 0.4);
  double bottom = 4.615 * chr_mm / (sy1 - sy0), top = 3.846 * chr_mm / (sy1 - sy0);
  plvpor(left, pg->right, bottom, 1.0 - top);
  plwind(pg->x.lo, pg->x.hi, pg->y.lo, pg->y.hi);
  plcol0(COL_GRID);
  plwidth(1.0);
  plbox("g", pg->x.tick, pg->x.nsub, "g", pg->y.tick, 0);
}

/* Finish the frame over the data: box, ticks, tick labels, texts. */
void ae_plot_end_frame(const plot_page *pg) {
  plwidth(1.0);
  plcol0(COL_FG);
  plslabelfunc(label_axes, (PLPointer)pg);
  plbox("bcnsto", pg->x.tick, pg->x.nsub, "bcnstvo", pg->y.tick, 0);
  pllab(pg->xlabel, "", pg->title);
  plmtex("l", ylabel_disp(pg), 0.5, 0.5, pg->ylabel);
}

/* A legend of n <= LEGEND_MAX entries outside the frame, right of it: it
 * never hides data. Entry i is drawn in colour col[i] as opt[i] says (line,
 * symbol sym[i]), `width` is its line/symbol area in viewport units. */
void ae_plot_legend(PLINT n, const PLINT *opt, const char *const *text,
                        const PLINT *col, const char *const *sym, PLFLT sym_scale,
                        PLFLT width) {
  PLINT text_col[LEGEND_MAX], line_sty[LEGEND_MAX], sym_num[LEGEND_MAX];
  PLFLT line_w[LEGEND_MAX], scale[LEGEND_MAX];
  for (PLINT i = 0; i < n; i++) {
    text_col[i] = COL_FG;
    line_sty[i] = sym_num[i] = 1;
    line_w[i] = 2.0;
    scale[i] = sym_scale;
  }
  PLFLT lw, lh;
  pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, width,
           COL_BG, COL_FG, 1, 0, 0, n, opt, 1.0, 1.0, 2.0, 0.0, text_col, text,
           NULL, NULL, NULL, NULL, col, line_sty, line_w, col, scale, sym_num, sym);
}

/* Run draw() in a stream of its own; PLplot's fatal errors come back here.
 * Called with plot_lock held. */
static ae_status run_plot(plot_draw_fn draw, const plot_page *pg, const void *job,
                          const char *path) {
  PLINT prev = 0;
  volatile PLINT strm = -1;
  plot_msg[0] = 0;
  plot_errcode = 0;
  plot_errmsg[0] = 0;
  plgstrm(&prev);
  plsexit(on_plexit);
  plsabort(on_plabort);
  if (setjmp(plot_escape) == 0) {
    PLINT s = -1;
    plmkstrm(&s);
    if (s >= 0) {
      strm = s;
      plsError(&plot_errcode, plot_errmsg);
      draw(pg, job);
      strm = -1; /* past this point plend1 is never tried twice */
      plend1();
    } else if (!plot_msg[0]) {
      snprintf(plot_msg, sizeof plot_msg, "cannot create a plot stream");
    }
  }
  if (strm >= 0 && setjmp(plot_escape) == 0) {
    /* A fatal error left our stream open: try to release it. */
    strm = -1;
    plend1();
  }
  plsstrm(prev);
  plsexit(NULL);
  plsabort(NULL);
  if (plot_msg[0] || plot_errcode)
    return ae_set_error(AE_ERR_IO, "%s: PLplot: %s", path,
                        plot_msg[0] ? plot_msg : "plotting failed");
  return AE_OK;
}

/* Is PLplot's pngcairo driver installed? (If not, plinit would prompt for
 * a device on stdin.) Called with plot_lock held. */
static int have_pngcairo(void) {
  const char *menu[128], *names[128];
  const char **pm = menu, **pn = names;
  int n = 128;
  plgFileDevs(&pm, &pn, &n);
  for (int i = 0; i < n && names[i]; i++)
    if (strcmp(names[i], "pngcairo") == 0) return 1;
  return 0;
}

/* A title or axis label as PLplot should show it: invalid UTF-8 and
 * control characters become '?', PLplot's escape character '#' is doubled.
 * NULL is "". Caller frees. */
static char *plot_text(const char *text) {
  if (!text) text = "";
  size_t len = strlen(text);
  char *out = malloc(2 * len + 1);
  if (!out) return NULL;
  const unsigned char *s = (const unsigned char *)text;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    unsigned c = s[i];
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
             : (c & 0xf8) == 0xf0 ? 4 : 0;
    int ok = n > 0 && i + n <= len && !(n == 2 && c < 0xc2) && !(n == 4 && c > 0xf4);
    for (size_t k = 1; ok && k < n; k++) ok = (s[i + k] & 0xc0) == 0x80;
    if (ok && n == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
      ok = 0; /* overlong, surrogate */
    if (ok && n == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
      ok = 0; /* overlong, beyond U+10FFFF */
    if (!ok) {
      out[o++] = '?';
      i++;
    } else if (n == 1) {
      if (c < 0x20 || c == 0x7f) out[o++] = '?';
      else {
        if (c == '#') out[o++] = '#';
        out[o++] = (char)c;
      }
      i++;
    } else {
      memcpy(out + o, s + i, n);
      o += n;
      i += n;
    }
  }
  out[o] = 0;
  return out;
}

/* A "nice" integer tick step (1, 2, 5 x 10^k) giving at most ~10 ticks,
 * and the minor subdivisions that go with it. */
static void epoch_ticks(int epochs, double *step, int *nsub) {
  double s = 1.0;
  int mant = 1;
  while ((epochs - 1) / s > 10.0) {
    if (mant == 1) { s *= 2.0; mant = 2; }
    else if (mant == 2) { s *= 2.5; mant = 5; }
    else { s *= 2.0; mant = 1; }
  }
  *step = s;
  *nsub = s == 1.0 ? 1 : mant == 5 ? 5 : 2;
}

/* The smallest of 1, 2, 5 x 10^k that is >= raw (raw > 0). */
static double nice_step(double raw) {
  double p = pow(10.0, floor(log10(raw)));
  if (p >= raw) return p;
  if (2.0 * p >= raw) return 2.0 * p;
  if (5.0 * p >= raw) return 5.0 * p;
  return 10.0 * p;
}

/* Tick labels for a window and tick step already set: the decimals the step
 * needs ("0.30", "0.35"); very large or small values in %g form with enough
 * digits to tell the ticks apart. */
void ae_plot_axis_labels(plot_axis *a) {
  double mag = fmax(fabs(a->lo), fabs(a->hi));
  a->dec = a->tick >= 1.0 ? 0 : (int)ceil(-log10(a->tick) - 1e-9);
  if (mag >= 1e6 || a->dec > 6) a->dec = -1;
  a->prec = 2 + (int)ceil(log10(fmax(mag / a->tick, 1.0)));
  if (a->prec > 15) a->prec = 15;
  a->label_len = 0;
  for (double t = ceil(a->lo / a->tick); t * a->tick <= a->hi; t += 1.0) {
    char label[64];
    int n = format_tick(a, t * a->tick, label, sizeof label);
    if (n > a->label_len) a->label_len = n;
  }
}

/* An axis for data in [lo, hi]: the range padded by 5% (a flat one gets a
 * span of its own), a nice tick step giving about `ticks` ticks (0.4 to 1
 * times that many), its labels. -1 if the window is not finite. */
int ae_plot_axis_fit(plot_axis *a, double lo, double hi, double ticks) {
  double span = hi - lo, mag = fmax(fabs(lo), fabs(hi));
  if (span < mag * 1e-4) span = mag > 0 ? mag * 0.1 : 1.0;
  if (span < 1e-200) span = 1e-200; /* PLplot's tick code needs a span */
  a->lo = lo - 0.05 * span;
  a->hi = hi + 0.05 * span;
  if (!isfinite(a->lo) || !isfinite(a->hi) || !(a->hi > a->lo)) return -1;
  a->tick = nice_step((a->hi - a->lo) / ticks);
  a->nsub = 0;
  ae_plot_axis_labels(a);
  return 0;
}

/* Draw one picture into `path`: pg has its size, frame and raw texts. The
 * texts are sanitized, the target is checked to be writable (PLplot would
 * exit() otherwise), draw() runs under plot_lock, and the file PLplot wrote
 * must be a whole picture before it is fsynced and renamed into place. On
 * failure nothing is left behind. */
ae_status ae_plot_write(const char *path, plot_page pg, plot_draw_fn draw,
                          const void *job) {
  ae_out out;
  ae_status st = ae_out_open(&out, path, 1);
  if (st != AE_OK) return st;
  char *title = plot_text(pg.title), *xlabel = plot_text(pg.xlabel);
  char *ylabel = plot_text(pg.ylabel);
  if (!title || !xlabel || !ylabel) {
    st = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  pg.tmp = out.tmp;
  pg.title = title;
  pg.xlabel = xlabel;
  pg.ylabel = ylabel;

  pthread_mutex_lock(&plot_lock);
  if (!have_pngcairo())
    st = ae_set_error(AE_ERR_IO, "%s: PLplot's pngcairo driver is not installed "
                      "(Debian package plplot-driver-cairo)", path);
  else
    st = run_plot(draw, &pg, job, path);
  pthread_mutex_unlock(&plot_lock);
  if (st != AE_OK) goto fail;

  /* PLplot ignores write errors: check that a whole picture is there. */
  unsigned char *pix = NULL;
  int w = 0, h = 0;
  st = ae_png_read_gray(out.tmp, &pix, &w, &h);
  free(pix);
  if (st != AE_OK || w != pg.width || h != pg.height) {
    st = ae_set_error(AE_ERR_IO, "%s: PLplot did not write a complete %dx%d picture",
                      path, pg.width, pg.height);
    goto fail;
  }
  st = ae_out_commit(&out);
  goto done;

fail:
  ae_out_abort(&out);
done:
  free(title);
  free(xlabel);
  free(ylabel);
  return st;
}

/* ---- loss curves ---------------------------------------------------------- */

typedef struct loss_job {
  const double *train, *val; /* (epochs), val may be NULL */
  const double *x;           /* (epochs): 1..epochs */
  int epochs;
  int best;                  /* 1-based epoch marked, 0: none */
  char best_text[64];        /* its legend entry */
} loss_job;

static void draw_loss(const plot_page *pg, const void *data) {
  const loss_job *j = data;
  ae_plot_begin_frame(pg);
  const int marked = j->epochs <= PLOT_MAX_MARKED;
  const char *train_mark = ae_plot_dot_glyph;
  const char *val_mark = "\xe2\x96\xa0";  /* U+25A0 black square */
  const char *best_mark = "\xe2\x97\x8b"; /* U+25CB white circle: a ring */
  plwidth(2.0);
  plschr(0.0, MARK_SCALE); /* plstring draws its glyph at character size */
  plcol0(COL_TRAIN);
  plline(j->epochs, j->x, j->train);
  if (marked) plstring(j->epochs, j->x, j->train, train_mark);
  if (j->val) {
    plcol0(COL_VAL);
    plline(j->epochs, j->x, j->val);
    if (marked) plstring(j->epochs, j->x, j->val, val_mark);
  }
  if (j->best) { /* a ring around the best epoch's point, on the curve it was chosen by */
    PLFLT bx = j->x[j->best - 1], by = (j->val ? j->val : j->train)[j->best - 1];
    plcol0(COL_FG);
    plschr(0.0, 2.2 * MARK_SCALE);
    plstring(1, &bx, &by, best_mark);
  }
  plschr(0.0, 1.0);
  ae_plot_end_frame(pg);

  /* train, validation where there is one, the best epoch where marked */
  PLINT opt = PL_LEGEND_LINE | (marked ? PL_LEGEND_SYMBOL : 0);
  PLINT opts[3] = {opt, opt, PL_LEGEND_SYMBOL}, col[3] = {COL_TRAIN, COL_VAL, COL_FG};
  const char *text[3] = {"train", "validation", j->best_text};
  const char *sym[3] = {train_mark, val_mark, best_mark};
  PLINT n = 1;
  if (j->val) n++;
  else opts[1] = opts[2], col[1] = col[2], text[1] = text[2], sym[1] = sym[2];
  if (j->best) n++;
  ae_plot_legend(n, opts, text, col, sym, MARK_SCALE, 0.06);
}

static ae_status check_series(const char *path, const double *v, int epochs,
                              const char *name, double *lo, double *hi) {
  for (int i = 0; i < epochs; i++) {
    if (!isfinite(v[i]))
      return ae_set_error(AE_ERR_NUMERIC, "%s: %s loss at epoch %d is %g: cannot plot it",
                          path, name, i + 1, v[i]);
    if (v[i] < *lo) *lo = v[i];
    if (v[i] > *hi) *hi = v[i];
  }
  return AE_OK;
}

int ae_have_plots(void) { return 1; }

ae_status ae_plot_loss_curve(const char *path, const double *train_loss,
                             const double *val_loss, int epochs,
                             const char *title, const char *ylabel, int best_epoch) {
  if (!path || !path[0])
    return ae_set_error(AE_ERR_ARG, "ae_plot_loss_curve: no file name");
  if (!train_loss) return ae_set_error(AE_ERR_ARG, "%s: no training losses to plot", path);
  if (epochs < 1 || epochs > PLOT_MAX_EPOCHS)
    return ae_set_error(AE_ERR_ARG, "%s: %d epochs: need 1..%d", path, epochs,
                        PLOT_MAX_EPOCHS);
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  ae_status st = check_series(path, train_loss, epochs, "training", &lo, &hi);
  if (st == AE_OK && val_loss)
    st = check_series(path, val_loss, epochs, "validation", &lo, &hi);
  if (st != AE_OK) return st;
  if (best_epoch < 0 || best_epoch > epochs)
    return ae_set_error(AE_ERR_ARG, "%s: best epoch %d is not one of the %d epochs", path,
                        best_epoch, epochs);

  plot_page pg = {.width = LOSS_WIDTH, .height = LOSS_HEIGHT, .title = title,
                  .xlabel = "epoch", .ylabel = ylabel && ylabel[0] ? ylabel : "loss",
                  .right = 0.72};
  if (ae_plot_axis_fit(&pg.y, lo, hi, 6.0) != 0)
    return ae_set_error(AE_ERR_NUMERIC, "%s: losses from %g to %g are too large to plot",
                        path, lo, hi);
  /* x: epochs 1..epochs, with a little room (2% of the range, at most half
   * an epoch) so the first and last markers are not cut by the frame; a
   * single epoch sits in the middle of [0.5, 1.5]. */
  double xpad = epochs > 1 ? fmin(0.02 * (epochs - 1), 0.5) : 0.5;
  pg.x.lo = 1.0 - xpad;
  pg.x.hi = epochs + xpad;
  epoch_ticks(epochs, &pg.x.tick, &pg.x.nsub);
  ae_plot_axis_labels(&pg.x);

  double *x = malloc((size_t)epochs * sizeof *x); /* (epochs) */
  if (!x) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  for (int i = 0; i < epochs; i++) x[i] = i + 1;
  loss_job job = {train_loss, val_loss, x, epochs, best_epoch, {0}};
  if (best_epoch)
    snprintf(job.best_text, sizeof job.best_text, "best: epoch %d", best_epoch);
  st = ae_plot_write(path, pg, draw_loss, &job);
  free(x);
  return st;
}

