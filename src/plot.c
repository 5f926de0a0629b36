/* plot.c — loss curves as PNG pictures, drawn by PLplot's pngcairo driver.
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
 * drives PLplot itself and installs its own handlers must reinstall them. */
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

#define PLOT_WIDTH 800
#define PLOT_HEIGHT 500
#define PLOT_MAX_EPOCHS 1000000
#define PLOT_MAX_MARKED 100 /* more epochs than this: lines without markers */
#define MARK_SCALE 0.7      /* marker size, relative to the text */

/* cmap0 entries. Index 0 is the background. */
enum { COL_BG = 0, COL_FG = 1, COL_TRAIN = 2, COL_VAL = 3, COL_GRID = 4, NCOL = 16 };
static const PLINT cmap_r[NCOL] = {255, 25, 20, 200, 215};
static const PLINT cmap_g[NCOL] = {255, 25, 85, 70, 215};
static const PLINT cmap_b[NCOL] = {255, 25, 165, 0, 215};

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

typedef struct plot_job {
  const double *train, *val; /* (epochs), val may be NULL */
  const double *x;          /* (epochs): 1..epochs */
  int epochs;
  const char *title;        /* sanitized, PLplot escapes doubled */
  double x0, x1, y0, y1;    /* window */
  double xtick;
  int nxsub;
  double ytick;
  int ydec;                 /* decimals of the y labels; -1: %g form */
  int yprec;                /* significant digits in %g form */
  int ylabel_len;           /* longest y tick label, in characters */
} plot_job;

/* y tick labels with the decimals the tick step needs ("0.30"), or %g for
 * very large or small values. PLplot's own labels would move a common factor
 * into a "(x10^-3)" note above the frame, where it is easily cut off. */
static int format_y(const plot_job *j, double value, char *label, size_t length) {
  if (fabs(value) < (j->y1 - j->y0) * 1e-9) value = 0.0; /* no "-0.00" */
  if (j->ydec >= 0) return snprintf(label, length, "%.*f", j->ydec, value);
  return snprintf(label, length, "%.*g", j->yprec, value);
}

static void label_y(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data) {
  if (axis == PL_Y_AXIS) format_y(data, value, label, (size_t)length);
  else snprintf(label, (size_t)length, "%g", value);
}

/* The loss curve, in the current (fresh) stream (see ae_plot_png). */
static void draw(void *ctx) {
  const plot_job *j = ctx;
  plscmap0(cmap_r, cmap_g, cmap_b, NCOL);
  plinit();
  pladv(0);
  /* Room on the left for the y tick labels and, beyond them, "loss". */
  PLFLT chr_def, chr_mm, sx0, sx1, sy0, sy1;
  plgchr(&chr_def, &chr_mm);
  plgspa(&sx0, &sx1, &sy0, &sy1);
  double ydisp = fmax(5.0, 2.2 + 0.72 * j->ylabel_len); /* in character heights */
  double left = fmin(fmax(0.11, (ydisp + 1.5) * chr_mm / (sx1 - sx0)), 0.4);
  plvpor(left, 0.77, 0.12, 0.90);
  plwind(j->x0, j->x1, j->y0, j->y1);

  plcol0(COL_GRID);
  plwidth(1.0);
  plbox("g", j->xtick, j->nxsub, "g", j->ytick, 0);

  const int marked = j->epochs <= PLOT_MAX_MARKED;
  const char *train_mark = "\xe2\x97\x8f"; /* U+25CF black circle */
  const char *val_mark = "\xe2\x96\xa0";   /* U+25A0 black square */
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
  plschr(0.0, 1.0);

  plwidth(1.0);
  plcol0(COL_FG);
  plslabelfunc(label_y, (PLPointer)j);
  plbox("bcnst", j->xtick, j->nxsub, "bcnstvo", j->ytick, 0);
  pllab("epoch", "", j->title);
  plmtex("l", ydisp, 0.5, 0.5, "loss");

  /* The legend sits outside the frame, right of it: it never hides data. */
  PLINT n = j->val ? 2 : 1;
  PLINT opt[2], text_col[2] = {COL_FG, COL_FG}, line_col[2] = {COL_TRAIN, COL_VAL};
  PLINT line_sty[2] = {1, 1}, sym_col[2] = {COL_TRAIN, COL_VAL}, sym_num[2] = {1, 1};
  PLFLT line_w[2] = {2.0, 2.0}, sym_scale[2] = {MARK_SCALE, MARK_SCALE};
  const char *text[2] = {"train", "validation"};
  const char *sym[2] = {train_mark, val_mark};
  opt[0] = opt[1] = PL_LEGEND_LINE | (marked ? PL_LEGEND_SYMBOL : 0);
  PLFLT lw, lh;
  pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.06,
           COL_BG, COL_FG, 1, 0, 0, n, opt, 1.0, 1.0, 2.0, 0.0, text_col, text,
           NULL, NULL, NULL, NULL, line_col, line_sty, line_w, sym_col, sym_scale,
           sym_num, sym);
}

typedef struct plot_run {
  const char *tmp; /* file PLplot writes */
  int width, height;
  ae_plot_fn fn;
  void *ctx;
} plot_run;

/* Run one picture in a stream of its own; PLplot's fatal errors come back
 * here. Called with plot_lock held. */
static ae_status run_plot(const plot_run *job, const char *path) {
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
      plsdev("pngcairo");
      plsfnam(job->tmp);
      plspage(0.0, 0.0, job->width, job->height, 0, 0);
      job->fn(job->ctx);
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

/* Title as PLplot should show it: invalid UTF-8 and control characters
 * become '?', PLplot's escape character '#' is doubled. Caller frees. */
char *ae_plot_title(const char *title) {
  if (!title) title = "";
  size_t len = strlen(title);
  char *out = malloc(2 * len + 1);
  if (!out) return NULL;
  const unsigned char *s = (const unsigned char *)title;
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

ae_status ae_plot_loss_curve(const char *path, const double *train_loss,
                             const double *val_loss, int epochs,
                             const char *title) {
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

  /* y: the data padded by 5%; a flat curve gets a span of its own. */
  double span = hi - lo, mag = fmax(fabs(lo), fabs(hi));
  if (span < mag * 1e-4) span = mag > 0 ? mag * 0.1 : 1.0;
  if (span < 1e-200) span = 1e-200; /* PLplot's tick code needs a span */
  plot_job job = {0};
  job.y0 = lo - 0.05 * span;
  job.y1 = hi + 0.05 * span;
  if (!isfinite(job.y0) || !isfinite(job.y1) || !(job.y1 > job.y0))
    return ae_set_error(AE_ERR_NUMERIC, "%s: losses from %g to %g are too large to plot",
                        path, lo, hi);
  /* x: epochs 1..epochs, with a little room (2% of the range, at most half
   * an epoch) so the first and last markers are not cut by the frame; a
   * single epoch sits in the middle of [0.5, 1.5]. */
  double xpad = epochs > 1 ? fmin(0.02 * (epochs - 1), 0.5) : 0.5;
  job.x0 = 1.0 - xpad;
  job.x1 = epochs + xpad;
  epoch_ticks(epochs, &job.xtick, &job.nxsub);
  /* y ticks: a nice step giving 4..10 of them, labelled with the decimals
   * the step needs ("0.30", "0.35"); very large or small values in %g form
   * with enough digits to tell the ticks apart. */
  job.ytick = nice_step((job.y1 - job.y0) / 6.0);
  double ymag = fmax(fabs(job.y0), fabs(job.y1));
  job.ydec = job.ytick >= 1.0 ? 0 : (int)ceil(-log10(job.ytick) - 1e-9);
  if (ymag >= 1e6 || job.ydec > 6) job.ydec = -1;
  job.yprec = 2 + (int)ceil(log10(fmax(ymag / job.ytick, 1.0)));
  if (job.yprec > 15) job.yprec = 15;
  for (double t = ceil(job.y0 / job.ytick); t * job.ytick <= job.y1; t += 1.0) {
    char label[64];
    int n = format_y(&job, t * job.ytick, label, sizeof label);
    if (n > job.ylabel_len) job.ylabel_len = n;
  }

  double *x = malloc((size_t)epochs * sizeof *x); /* (epochs) */
  char *ptitle = ae_plot_title(title);
  if (!x || !ptitle) {
    free(x);
    free(ptitle);
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  }
  for (int i = 0; i < epochs; i++) x[i] = i + 1;
  job.train = train_loss;
  job.val = val_loss;
  job.x = x;
  job.epochs = epochs;
  job.title = ptitle;
  st = ae_plot_png(path, PLOT_WIDTH, PLOT_HEIGHT, draw, &job);
  free(x);
  free(ptitle);
  return st;
}

ae_status ae_plot_png(const char *path, int width, int height, ae_plot_fn fn, void *ctx) {
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory", path);
  char *tmp = ae_tmp_name(path);
  if (!tmp) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  plot_run job = {tmp, width, height, fn, ctx};
  ae_status st;

  /* The target must be writable before PLplot tries (it would exit()). */
  FILE *probe = fopen(tmp, "wb");
  if (!probe) {
    st = ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    goto done;
  }
  fclose(probe);

  pthread_mutex_lock(&plot_lock);
  if (!have_pngcairo())
    st = ae_set_error(AE_ERR_IO, "%s: PLplot's pngcairo driver is not installed "
                      "(Debian package plplot-driver-cairo)", path);
  else
    st = run_plot(&job, path);
  pthread_mutex_unlock(&plot_lock);
  if (st != AE_OK) goto fail;

  /* PLplot ignores write errors: check that a whole picture is there. */
  unsigned char *pix = NULL;
  int w = 0, h = 0;
  st = ae_png_read_gray(tmp, &pix, &w, &h);
  free(pix);
  if (st != AE_OK || w != width || h != height) {
    st = ae_set_error(AE_ERR_IO, "%s: PLplot did not write a complete %dx%d picture",
                      path, width, height);
    goto fail;
  }
  int fd = open(tmp, O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) {
    st = ae_set_error(AE_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    goto fail;
  }
  close(fd);
  st = ae_commit_tmp(tmp, path);
  goto done;

fail:
  remove(tmp);
done:
  free(tmp);
  return st;
}
