/* SPDX-License-Identifier: MIT */
/* test_pictures.c — PNG grids, loss-curve and scatter plots: sizes, exact
 * pixels, colours, refused arguments, failures that leave nothing behind. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "pngio.h"

#include <dirent.h>
#include <math.h>
#include <png.h>
#include <jpeglib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char *in_dir(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/%s", dir, name);
  return buf;
}

/* Files in the scratch directory (to see that failures leave nothing). */
static int count_files(void) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static void remove_all(void) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      remove(in_dir(p, sizeof p, e->d_name));
  closedir(d);
  rmdir(dir);
}

/* Distinct gray levels in a picture. */
static int gray_levels(const unsigned char *pix, int n) {
  int seen[256] = {0}, k = 0;
  for (int i = 0; i < n; i++)
    if (!seen[pix[i]]++) k++;
  return k;
}

enum { ROWS = 2, COLS = 3, H = 4, W = 5, ZOOM = 3, PAD = 2 };

/* Image i, pixel (y, x): a value that differs everywhere, some out of range. */
static float synth(int i, int y, int x) {
  if (i == 1 && y == 0 && x == 0) return -0.5f;     /* clamps to 0 */
  if (i == 1 && y == 0 && x == 1) return 7.0f;      /* clamps to 255 */
  if (i == 1 && y == 0 && x == 2) return NAN;       /* drawn as 0 */
  if (i == 1 && y == 0 && x == 3) return INFINITY;  /* clamps to 255 */
  return (float)(i * H * W + y * W + x) / (float)(ROWS * COLS * H * W - 1);
}

/* The documented mapping: clamp to [0, 1], NaN -> 0, round to 0..255. */
static unsigned char expect(float v) {
  if (!(v > 0.0f)) return 0;
  if (v >= 1.0f) return 255;
  return (unsigned char)floor((double)v * 255.0 + 0.5);
}

static void test_grid(void) {
  float img[ROWS * COLS * H * W]; /* (ROWS*COLS, H, W) */
  for (int i = 0; i < ROWS * COLS; i++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) img[(i * H + y) * W + x] = synth(i, y, x);
  char p[512];
  in_dir(p, sizeof p, "grid.png");
  CHECK_OK(ae_png_write_grid(p, img, ROWS, COLS, H, W, ZOOM, PAD));
  unsigned char *pix = NULL;
  int w = 0, h = 0;
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == COLS * W * ZOOM + (COLS - 1) * PAD);
  CHECK(h == ROWS * H * ZOOM + (ROWS - 1) * PAD);
  if (pix && w == 51 && h == 26) {
    /* every pixel of every image, zoomed */
    int bad = 0;
    for (int i = 0; i < ROWS * COLS; i++) {
      int r = i / COLS, k = i % COLS;
      for (int y = 0; y < H * ZOOM; y++)
        for (int x = 0; x < W * ZOOM; x++) {
          int gy = r * (H * ZOOM + PAD) + y, gx = k * (W * ZOOM + PAD) + x;
          unsigned char want = expect(synth(i, y / ZOOM, x / ZOOM));
          if (pix[gy * w + gx] != want && bad++ < 5)
            fprintf(stderr, "grid pixel (%d, %d) of image %d: %d, want %d\n", y, x, i,
                    pix[gy * w + gx], want);
        }
    }
    CHECK(bad == 0);
    /* a few spots spelled out */
    CHECK(pix[0] == 0);                              /* image 0, value 0 */
    CHECK(pix[(h - 1) * w + (w - 1)] == 255);        /* last image, value 1 */
    CHECK(pix[0 * w + 15] == 128 && pix[0 * w + 16] == 128); /* pad column */
    CHECK(pix[12 * w + 0] == 128 && pix[13 * w + 50] == 128); /* pad row */
    CHECK(pix[0 * w + 17] == 0);                     /* image 1 (0,0): -0.5 */
    CHECK(pix[2 * w + 20] == 255);                   /* image 1 (0,1): 7 */
    CHECK(pix[1 * w + 23] == 0);                     /* image 1 (0,2): NaN */
    CHECK(pix[0 * w + 26] == 255);                   /* image 1 (0,3): inf */
    /* image 3 (row 1, col 0), pixel (1, 2): value 67/119 -> 144 */
    CHECK(pix[(14 + 1 * 3) * w + 2 * 3] == 144);
  }
  free(pix);

  /* zoom 1, pad 0: the images side by side, exactly w*h */
  CHECK_OK(ae_png_write_grid(p, img, 1, 1, H, W, 1, 0));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == W && h == H);
  if (pix && w == W && h == H) CHECK(pix[3 * W + 4] == expect(synth(0, 3, 4)));
  free(pix);
  remove(p);
}

static void test_grid_refuses(void) {
  float img[16] = {0};
  char p[512];
  in_dir(p, sizeof p, "bad.png");
  CHECK_FAILS(ae_png_write_grid(p, img, 0, 1, 4, 4, 1, 0), AE_ERR_ARG, "bad.png");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, -1, 4, 4, 1, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 0, 4, 1, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 4, 0, 1, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 4, 4, 0, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 4, 4, 1, -1), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(p, NULL, 1, 1, 4, 4, 1, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_png_write_grid(NULL, img, 1, 1, 4, 4, 1, 0), AE_ERR_ARG, "");
  /* too large: never reads the (small) image array */
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 4, 4, 5000, 0), AE_ERR_ARG, "larger");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 2, 4, 4, 1, 20000), AE_ERR_ARG, "larger");
  CHECK_FAILS(ae_png_write_grid(p, img, 1, 1, 4, 2147483647, 2147483647, 0),
              AE_ERR_ARG, "larger");
  CHECK(count_files() == 0);

  /* a directory that does not exist: AE_ERR_IO, nothing left anywhere */
  char q[512];
  in_dir(q, sizeof q, "missing/grid.png");
  CHECK_FAILS(ae_png_write_grid(q, img, 1, 1, 4, 4, 1, 0), AE_ERR_IO, "missing/grid.png");
  CHECK(count_files() == 0);
  /* the target is a directory */
  CHECK_FAILS(ae_png_write_grid(dir, img, 1, 1, 4, 4, 1, 0), AE_ERR_IO, "");
  CHECK(count_files() == 0);
}

static void test_read_refuses(void) {
  unsigned char *pix = (unsigned char *)1;
  int w = 1, h = 1;
  char p[512];
  CHECK_FAILS(ae_png_read_gray(in_dir(p, sizeof p, "nope.png"), &pix, &w, &h), AE_ERR_IO,
              "nope.png");
  CHECK(pix == NULL && w == 0 && h == 0);
  FILE *f = fopen(in_dir(p, sizeof p, "fake.png"), "wb");
  if (f) {
    fputs("not a png at all", f);
    fclose(f);
  }
  CHECK_FAILS(ae_png_read_gray(p, &pix, &w, &h), AE_ERR_FORMAT, "fake.png");
  remove(p);
  /* a real PNG cut short */
  unsigned char img[64 * 64];
  for (int i = 0; i < 64 * 64; i++) img[i] = (unsigned char)(i * 37);
  CHECK_OK(ae_png_write_gray(p, img, 64, 64));
  f = fopen(p, "r+b");
  if (f) {
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    CHECK(truncate(p, n / 2) == 0);
  }
  CHECK_FAILS(ae_png_read_gray(p, &pix, &w, &h), AE_ERR_FORMAT, "fake.png");
  CHECK(pix == NULL);
  remove(p);
  CHECK(count_files() == 0);
}

static void test_plots(void) {
  double train[5] = {0.9, 0.5, 0.35, 0.3, 0.28};
  double val[5] = {0.95, 0.6, 0.45, 0.42, 0.43};
  char p[512];
  unsigned char *pix = NULL;
  int w = 0, h = 0;

  in_dir(p, sizeof p, "loss.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 5, "dense #1: 100% (α)", NULL, 0));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) {
    CHECK(gray_levels(pix, w * h) > 2);
    CHECK(pix[0] == 255); /* white background in the corner */
  }
  free(pix);
  pix = NULL;

  in_dir(p, sizeof p, "loss_train.png");
  CHECK_OK(ae_plot_loss_curve(p, train, NULL, 5, NULL, NULL, 0));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) CHECK(gray_levels(pix, w * h) > 2);
  free(pix);
  pix = NULL;

  in_dir(p, sizeof p, "loss_one.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 1, "one epoch", NULL, 0));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) CHECK(gray_levels(pix, w * h) > 2);
  free(pix);
  pix = NULL;

  /* flat curve, many epochs, odd title bytes: must still work */
  double flat[300];
  for (int i = 0; i < 300; i++) flat[i] = 0.125;
  in_dir(p, sizeof p, "loss_flat.png");
  CHECK_OK(ae_plot_loss_curve(p, flat, NULL, 300, "bad \xff\xfe utf8\n", NULL, 0));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  free(pix);
  pix = NULL;
  CHECK(count_files() == 4);

  /* refused */
  double bad[5] = {0.9, NAN, 0.3, 0.2, 0.1};
  in_dir(p, sizeof p, "refused.png");
  CHECK_FAILS(ae_plot_loss_curve(p, bad, NULL, 5, "t", NULL, 0), AE_ERR_NUMERIC, "epoch 2");
  CHECK_FAILS(ae_plot_loss_curve(p, train, bad, 5, "t", NULL, 0), AE_ERR_NUMERIC, "validation");
  bad[1] = INFINITY;
  CHECK_FAILS(ae_plot_loss_curve(p, bad, NULL, 5, "t", NULL, 0), AE_ERR_NUMERIC, "");
  CHECK_FAILS(ae_plot_loss_curve(p, train, NULL, 0, "t", NULL, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_plot_loss_curve(p, NULL, NULL, 5, "t", NULL, 0), AE_ERR_ARG, "");
  CHECK_FAILS(ae_plot_loss_curve(NULL, train, NULL, 5, "t", NULL, 0), AE_ERR_ARG, "");
  double huge[2] = {-1e308, 1e308};
  CHECK_FAILS(ae_plot_loss_curve(p, huge, NULL, 2, "t", NULL, 0), AE_ERR_NUMERIC, "");
  CHECK(count_files() == 4);

  /* an unwritable target: AE_ERR_IO, no exit(), nothing left behind */
  in_dir(p, sizeof p, "missing/loss.png");
  CHECK_FAILS(ae_plot_loss_curve(p, train, val, 5, "t", NULL, 0), AE_ERR_IO, "missing/loss.png");
  CHECK_FAILS(ae_plot_loss_curve(dir, train, val, 5, "t", NULL, 0), AE_ERR_IO, "");
  CHECK(count_files() == 4);

  /* still works after the failures (PLplot state was left clean) */
  in_dir(p, sizeof p, "loss.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 5, "again", NULL, 0));
  CHECK(count_files() == 4);
}

/* A PNG as 8-bit RGB (libpng's simplified API); caller frees. */
static unsigned char *read_rgb(const char *path, int *w, int *h) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  *w = *h = 0;
  if (!png_image_begin_read_from_file(&im, path)) return NULL;
  im.format = PNG_FORMAT_RGB;
  unsigned char *rgb = malloc(PNG_IMAGE_SIZE(im));
  if (!rgb || !png_image_finish_read(&im, NULL, rgb, 0, NULL)) {
    png_image_free(&im);
    free(rgb);
    return NULL;
  }
  *w = (int)im.width;
  *h = (int)im.height;
  return rgb;
}

/* matplotlib's tab10, the scatter plot's colours for labels 0..9. */
static const unsigned char tab10[10][3] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189},
    {140, 86, 75}, {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

/* Per tab10 colour: pixels of exactly that colour left of column x_end,
 * and the sum of their columns. */
static void palette_pixels(const unsigned char *rgb, int w, int h, int x_end,
                           long count[10], double colsum[10]) {
  for (int k = 0; k < 10; k++) count[k] = 0, colsum[k] = 0.0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < x_end && x < w; x++)
      for (int k = 0; k < 10; k++)
        if (!memcmp(rgb + 3 * ((size_t)y * w + x), tab10[k], 3)) {
          count[k]++;
          colsum[k] += x;
        }
}

enum { NPTS = 400, SC_W = 800, SC_H = 700 };

static void test_scatter(void) {
  float xy[NPTS * 2]; /* (NPTS, 2) */
  int32_t labels[NPTS];
  /* label k: a cloud around (k, sin k); clouds left to right by label */
  for (int i = 0; i < NPTS; i++) {
    int k = i % 10;
    labels[i] = k;
    xy[2 * i] = (float)(k + 0.3 * sin(i * 1.7));
    xy[2 * i + 1] = (float)(sin(k) + 0.3 * cos(i * 2.3));
  }
  char p[512];
  int files = count_files();
  in_dir(p, sizeof p, "scatter.png");
  CHECK_OK(ae_plot_scatter(p, xy, labels, NPTS, NULL, 0, "latent #1: 100% (μ)", "z[0]", "z[1]"));
  unsigned char *pix = NULL;
  int w = 0, h = 0;
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == SC_W && h == SC_H);
  free(pix);
  unsigned char *rgb = read_rgb(p, &w, &h);
  CHECK(rgb && w == SC_W && h == SC_H);
  if (rgb && w == SC_W && h == SC_H) {
    CHECK(!memcmp(rgb, "\xff\xff\xff", 3)); /* white background in the corner */
    /* dots in the frame (the legend is right of column 700) */
    long count[10];
    double colsum[10];
    palette_pixels(rgb, w, h, 700, count, colsum);
    int colours = 0;
    for (int k = 0; k < 10; k++) colours += count[k] >= 20;
    if (colours < 10) fprintf(stderr, "scatter: %d of 10 label colours drawn\n", colours);
    CHECK(colours >= 3);
    /* each label's dots lie right of the previous label's */
    for (int k = 1; k < 10; k++)
      if (count[k - 1] && count[k])
        CHECK(colsum[k] / count[k] > colsum[k - 1] / count[k - 1]);
    /* the legend shows every label's colour right of the frame */
    long all[10];
    palette_pixels(rgb, w, h, w, all, colsum);
    for (int k = 0; k < 10; k++) CHECK(all[k] > count[k]);
  }
  free(rgb);

  /* class names in the legend ("3 Dress"): the legend, wider, takes more
   * ink right of the frame than the bare numbers */
  long ink[2];
  for (int named = 0; named < 2; named++) {
    in_dir(p, sizeof p, named ? "scatter_named.png" : "scatter_numbers.png");
    CHECK_OK(ae_plot_scatter(p, xy, labels, NPTS, named ? ae_fashion_mnist_classes() : NULL,
                             named ? 10 : 0, "named", "x", "y"));
    unsigned char *g = NULL;
    int gw = 0, gh = 0;
    ink[named] = 0;
    CHECK_OK(ae_png_read_gray(p, &g, &gw, &gh));
    for (int y = 0; g && y < gh; y++)
      for (int x = gw - 160; x < gw; x++) ink[named] += g[(size_t)y * gw + x] < 128;
    free(g);
    unlink(p);
  }
  CHECK(ink[1] > ink[0] + 200);

  /* no labels: one colour, no legend; labels past 9 wrap, negative ones
   * are grey; one point, all points equal: a window of their own */
  in_dir(p, sizeof p, "scatter_plain.png");
  CHECK_OK(ae_plot_scatter(p, xy, NULL, NPTS, NULL, 0, NULL, NULL, NULL));
  rgb = read_rgb(p, &w, &h);
  CHECK(rgb && w == SC_W && h == SC_H);
  if (rgb && w == SC_W && h == SC_H) {
    long count[10];
    double colsum[10];
    palette_pixels(rgb, w, h, w, count, colsum);
    CHECK(count[0] > 100);
    for (int k = 1; k < 10; k++)
      if (k != 7) CHECK(count[k] == 0); /* tab10's grey is also in the text's edges */
  }
  free(rgb);
  int32_t odd[NPTS];
  for (int i = 0; i < NPTS; i++) odd[i] = i % 3 == 0 ? -1 - i : 10 + i;
  CHECK_OK(ae_plot_scatter(p, xy, odd, NPTS, NULL, 0, "wrap", "x", "y"));
  float same[6] = {2.5f, -1.0f, 2.5f, -1.0f, 2.5f, -1.0f};
  CHECK_OK(ae_plot_scatter(p, same, NULL, 3, NULL, 0, "same", "x", "y"));
  CHECK_OK(ae_plot_scatter(p, same, labels, 1, NULL, 0, "one", "x", "y"));
  float zero[2] = {0.0f, 0.0f};
  CHECK_OK(ae_plot_scatter(p, zero, labels, 1, NULL, 0, "zero", "x", "y"));
  CHECK(count_files() == files + 2);

  /* refused, nothing written */
  in_dir(p, sizeof p, "scatter_refused.png");
  CHECK_FAILS(ae_plot_scatter(p, xy, labels, 0, NULL, 0, "t", "x", "y"), AE_ERR_ARG,
              "scatter_refused.png");
  CHECK_FAILS(ae_plot_scatter(p, NULL, labels, 5, NULL, 0, "t", "x", "y"), AE_ERR_ARG,
              "scatter_refused.png");
  CHECK_FAILS(ae_plot_scatter(NULL, xy, labels, 5, NULL, 0, "t", "x", "y"), AE_ERR_ARG, "");
  CHECK_FAILS(ae_plot_scatter("", xy, labels, 5, NULL, 0, "t", "x", "y"), AE_ERR_ARG, "");
  /* too many: refused before the (small) array is read */
  CHECK_FAILS(ae_plot_scatter(p, xy, labels, 10000001, NULL, 0, "t", "x", "y"), AE_ERR_ARG, "10000001");
  float bad[NPTS * 2];
  memcpy(bad, xy, sizeof bad);
  bad[2 * 7 + 1] = NAN;
  CHECK_FAILS(ae_plot_scatter(p, bad, labels, NPTS, NULL, 0, "t", "x", "y"), AE_ERR_NUMERIC,
              "point 7 ");
  bad[2 * 7 + 1] = 0.0f;
  bad[2 * 3] = -INFINITY;
  CHECK_FAILS(ae_plot_scatter(p, bad, NULL, NPTS, NULL, 0, "t", "x", "y"), AE_ERR_NUMERIC,
              "point 3 ");
  CHECK(count_files() == files + 2);

  /* an unwritable target: AE_ERR_IO, no exit(), nothing left behind */
  in_dir(p, sizeof p, "missing/scatter.png");
  CHECK_FAILS(ae_plot_scatter(p, xy, labels, NPTS, NULL, 0, "t", "x", "y"), AE_ERR_IO,
              "missing/scatter.png");
  CHECK_FAILS(ae_plot_scatter(dir, xy, labels, NPTS, NULL, 0, "t", "x", "y"), AE_ERR_IO, "");
  CHECK(count_files() == files + 2);

  /* and again, after the failures */
  in_dir(p, sizeof p, "scatter.png");
  CHECK_OK(ae_plot_scatter(p, xy, labels, NPTS, NULL, 0, "again", "x", "y"));
  CHECK(count_files() == files + 2);
}

/* Pixels of exactly colour rgb[3] in columns [x0, x1). */
static long colour_pixels(const unsigned char *img, int w, int h, int x0, int x1,
                          const unsigned char rgb[3]) {
  long n = 0;
  for (int y = 0; y < h; y++)
    for (int x = x0; x < x1 && x < w; x++) n += !memcmp(img + 3 * ((size_t)y * w + x), rgb, 3);
  return n;
}

/* The marks: the best epoch's ring on a loss curve (dark pixels added
 * inside the frame, at the validation curve's epoch 4, not elsewhere), the
 * threshold's point on a ROC curve (the validation colour, absent without
 * a mark), and their refusals. */
static void test_marks(void) {
  double train[5] = {0.9, 0.5, 0.35, 0.3, 0.28};
  double val[5] = {0.95, 0.6, 0.45, 0.42, 0.43};
  const unsigned char dark[3] = {25, 25, 25}, orange[3] = {200, 70, 0};
  char p[512], q[512];
  int w = 0, h = 0, w2 = 0, h2 = 0;
  in_dir(p, sizeof p, "plain.png");
  in_dir(q, sizeof q, "best.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 5, "t", "BCE per value", 0));
  CHECK_OK(ae_plot_loss_curve(q, train, val, 5, "t", "BCE per value", 4));
  unsigned char *a = read_rgb(p, &w, &h), *b = read_rgb(q, &w2, &h2);
  CHECK(a && b && w == 800 && h == 500 && w2 == w && h2 == h);
  if (a && b && w2 == w && h2 == h) {
    /* epoch 4 of 1..5 is drawn near column 450 (the frame spans about
     * 90..575 of 800): the columns around it against those around epoch 2 */
    long near4 = colour_pixels(b, w, h, 400, 500, dark) - colour_pixels(a, w, h, 400, 500, dark);
    long near2 = colour_pixels(b, w, h, 180, 280, dark) - colour_pixels(a, w, h, 180, 280, dark);
    long legend = colour_pixels(b, w, h, 590, w, dark) - colour_pixels(a, w, h, 590, w, dark);
    printf("best-epoch ring: %ld dark pixels near epoch 4, %ld near epoch 2, %ld in the legend\n",
           near4, near2, legend);
    CHECK(near4 > 10 && near2 == 0 && legend > 100);
  }
  free(a);
  free(b);
  CHECK_FAILS(ae_plot_loss_curve(p, train, val, 5, "t", NULL, 6), AE_ERR_ARG, "best epoch 6");
  CHECK_FAILS(ae_plot_loss_curve(p, train, val, 5, "t", NULL, -1), AE_ERR_ARG, "best epoch -1");

  double fpr[4] = {0.0, 0.25, 0.5, 1.0}, tpr[4] = {0.0, 0.75, 0.9, 1.0};
  ae_binary_metrics at = {.threshold = 0.5, .tp = 6, .fn = 2, .fp = 1, .tn = 3};
  in_dir(p, sizeof p, "roc.png");
  in_dir(q, sizeof q, "roc_marked.png");
  CHECK_OK(ae_plot_roc_curve(p, fpr, tpr, 4, 0.8, "t", NULL, NULL));
  CHECK_OK(ae_plot_roc_curve(q, fpr, tpr, 4, 0.8, "t", &at, "threshold"));
  a = read_rgb(p, &w, &h);
  b = read_rgb(q, &w2, &h2);
  CHECK(a && b && w == 760 && h == 600 && w2 == 1000 && h2 == h);
  if (a && b && w2 == 1000 && h2 == h) {
    long none = colour_pixels(a, w, h, 0, w, orange);
    long frame = colour_pixels(b, w2, h, 0, 500, orange);
    long legend = colour_pixels(b, w2, h, 500, w2, orange);
    printf("ROC threshold point: %ld pixels in the frame, %ld in the legend, %ld unmarked\n",
           frame, legend, none);
    CHECK(none == 0 && frame > 30 && legend > 30);
  }
  free(a);
  free(b);
  ae_binary_metrics one_class = {.threshold = 0.5, .tp = 3, .fn = 1};
  CHECK_FAILS(ae_plot_roc_curve(p, fpr, tpr, 4, 0.8, "t", &one_class, NULL), AE_ERR_ARG,
              "no point on a ROC curve");
}

/* Colour: a grid of (3, H, W) images drawn as RGB, every channel of every
 * pixel where it belongs; such a PNG read back as (3, H, W) planar, as
 * gray (image_channels 1: libpng's luminance, the same bytes as
 * ae_png_read_gray), and a gray PNG as RGB (image_channels 3: copied). */
static void test_colour(void) {
  enum { N = 2, C = 3, CH = 2, CW = 3 };
  float img[N * C * CH * CW]; /* (N, C, CH, CW) */
  for (int i = 0; i < N * C * CH * CW; i++) img[i] = (float)((i * 37) % 256) / 255.0f;
  char p[512], q[512];
  in_dir(p, sizeof p, "colour.png");
  CHECK_OK(ae_png_write_grid_c(p, img, C, 1, N, CH, CW, 1, 0)); /* side by side: 6 x 2 */
  int w = 0, h = 0, bad = 0;
  unsigned char *rgb = read_rgb(p, &w, &h);
  CHECK(rgb && w == N * CW && h == CH);
  if (rgb && w == N * CW && h == CH)
    for (int i = 0; i < N; i++)
      for (int k = 0; k < C; k++)
        for (int y = 0; y < CH; y++)
          for (int x = 0; x < CW; x++) {
            unsigned char want = expect(img[((i * C + k) * CH + y) * CW + x]);
            unsigned char got = rgb[(y * w + i * CW + x) * 3 + k];
            if (got != want && bad++ < 5)
              fprintf(stderr, "colour grid: image %d channel %d (%d, %d): %d, want %d\n", i, k, y,
                      x, got, want);
          }
  CHECK(bad == 0);
  CHECK(ae_png_write_grid_c(p, img, 2, 1, N, CH, CW, 1, 0) == AE_ERR_ARG); /* 2 channels */
  /* read back: planar (3, H, W), the bytes of the file */
  ae_dataset *ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds && rgb) {
    int c, hh, ww;
    ae_dataset_shape(ds, &c, &hh, &ww);
    CHECK(c == 3 && hh == CH && ww == N * CW && ae_dataset_dim(ds) == (size_t)3 * w * h);
    const float *v = ae_dataset_data(ds);
    bad = 0;
    for (int k = 0; k < 3 && c == 3; k++)
      for (int j = 0; j < w * h; j++)
        if (v[k * w * h + j] != (float)rgb[j * 3 + k] && bad++ < 5)
          fprintf(stderr, "colour PNG read: channel %d pixel %d: %g, want %d\n", k, j, v[k * w * h + j],
                  rgb[j * 3 + k]);
    CHECK(bad == 0);
  }
  ae_dataset_free(ds);
  /* as gray: what the gray reader gives */
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.image_channels = 1;
  unsigned char *gray = NULL;
  int gw = 0, gh = 0;
  CHECK_OK(ae_png_read_gray(p, &gray, &gw, &gh));
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &lo));
  if (ds && gray) {
    CHECK(ae_dataset_dim(ds) == (size_t)gw * gh);
    const float *v = ae_dataset_data(ds);
    bad = 0;
    for (int j = 0; j < gw * gh && ae_dataset_dim(ds) == (size_t)gw * gh; j++) bad += v[j] != gray[j];
    CHECK(bad == 0);
    /* and that gray written and read as RGB: three equal planes */
    in_dir(q, sizeof q, "gray.png");
    CHECK_OK(ae_png_write_gray(q, gray, gw, gh));
    ae_dataset *g3 = NULL;
    lo.image_channels = 3;
    CHECK_OK(ae_dataset_load(&g3, q, &lo));
    if (g3) {
      const float *t = ae_dataset_data(g3);
      CHECK(ae_dataset_dim(g3) == (size_t)3 * gw * gh);
      bad = 0;
      for (int k = 0; k < 3 && ae_dataset_dim(g3) == (size_t)3 * gw * gh; k++)
        for (int j = 0; j < gw * gh; j++) bad += t[k * gw * gh + j] != gray[j];
      CHECK(bad == 0);
    }
    ae_dataset_free(g3);
    lo.image_channels = 2;
    g3 = NULL;
    CHECK(ae_dataset_load(&g3, q, &lo) == AE_ERR_ARG && !g3);
  }
  ae_dataset_free(ds);
  free(gray);
  free(rgb);
}

/* A JPEG of w x h pixels of `comp` (1 or 3) channels at quality 100, no
 * chroma subsampling, written with libjpeg to `path`; returns 0 or -1. */
static int write_jpeg(const char *path, const unsigned char *px, int w, int h, int comp) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr e;
  c.err = jpeg_std_error(&e);
  jpeg_create_compress(&c);
  jpeg_stdio_dest(&c, f);
  c.image_width = (JDIMENSION)w, c.image_height = (JDIMENSION)h;
  c.input_components = comp;
  c.in_color_space = comp == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 100, TRUE);
  for (int i = 0; i < c.num_components; i++) c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * w * comp);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  return fclose(f) ? -1 : 0;
}

/* JPEG in: colour as (3, H, W) within JPEG's rounding of the pixels it was
 * made from (quality 100, 4:4:4), gray as (1, H, W), colour as gray on
 * request; truncated and non-JPEG files refused naming the file. */
static void test_jpeg(void) {
  enum { JW = 16, JH = 8 };
  unsigned char px[JH * JW * 3];
  for (int y = 0; y < JH; y++)
    for (int x = 0; x < JW; x++) {
      unsigned char *p = px + (y * JW + x) * 3;
      p[0] = (unsigned char)(16 * x), p[1] = (unsigned char)(30 * y), p[2] = 200;
    }
  char p[512], q[512];
  in_dir(p, sizeof p, "colour.jpg");
  CHECK(write_jpeg(p, px, JW, JH, 3) == 0);
  ae_dataset *ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    int c, h, w;
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(c == 3 && h == JH && w == JW);
    const float *v = ae_dataset_data(ds);
    double worst = 0.0;
    for (int k = 0; k < 3 && c == 3 && h == JH && w == JW; k++)
      for (int j = 0; j < JW * JH; j++) {
        double d = fabs(v[k * JW * JH + j] - px[j * 3 + k]);
        if (d > worst) worst = d;
      }
    if (worst > 4.0) fprintf(stderr, "JPEG colour read: worst difference %g (want <= 4)\n", worst);
    CHECK(worst <= 4.0);
  }
  ae_dataset_free(ds);
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.image_channels = 1;
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &lo));
  CHECK(ds && ae_dataset_dim(ds) == JW * JH);
  ae_dataset_free(ds);
  /* gray */
  unsigned char g[JH * JW];
  for (int j = 0; j < JW * JH; j++) g[j] = (unsigned char)(j * 2);
  in_dir(q, sizeof q, "gray.jpeg");
  CHECK(write_jpeg(q, g, JW, JH, 1) == 0);
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, q, NULL));
  if (ds) {
    int c, h, w;
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(c == 1 && h == JH && w == JW);
  }
  ae_dataset_free(ds);
  /* truncated: half the file */
  FILE *f = fopen(p, "rb");
  unsigned char buf[8192];
  size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
  if (f) fclose(f);
  ds = NULL;
  CHECK(ae_dataset_load_memory(&ds, buf, n / 2, "half.jpg", NULL) == AE_ERR_FORMAT && !ds);
  CHECK(strstr(ae_last_error(), "half.jpg") != NULL);
  CHECK(ae_dataset_load_memory(&ds, "not a jpeg", 10, "text.jpg", NULL) == AE_ERR_FORMAT && !ds);
  CHECK(strstr(ae_last_error(), "text.jpg: not a JPEG") != NULL);
}

/* A folder of images as a data set: class sub-folders (labels in name
 * order, names kept), files in name order, resize, patches, gray as RGB,
 * and what it refuses: mixed sizes, images beside class folders, none. */
static void test_folder(void) {
  enum { FW = 4, FH = 6 };
  char root[512], p[600];
  in_dir(root, sizeof root, "imgs");
  const char *sub[] = {"b_dog", "a_cat"}; /* made out of order: read sorted */
  unsigned char px[(FH + 1) * (FW + 1)] = {0}; /* room for the 5x5 one below */
  mkdir(root, 0755);
  for (int k = 0; k < 2; k++) {
    snprintf(p, sizeof p, "%s/%s", root, sub[k]);
    mkdir(p, 0755);
    for (int i = 0; i < 2 - k; i++) { /* b_dog: 2 images, a_cat: 1 */
      for (int j = 0; j < FH * FW; j++) px[j] = (unsigned char)(100 * k + 10 * i + j);
      snprintf(p, sizeof p, "%s/%s/%d.png", root, sub[k], i);
      CHECK_OK(ae_png_write_gray(p, px, FW, FH));
    }
  }
  ae_dataset *ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, root, NULL));
  if (ds) {
    int c, h, w;
    ae_dataset_shape(ds, &c, &h, &w);
    const int32_t *lab = ae_dataset_labels(ds);
    CHECK(ae_dataset_count(ds) == 3 && c == 1 && h == FH && w == FW && lab);
    CHECK(ae_dataset_class_count(ds) == 2 && !strcmp(ae_dataset_class_name(ds, 0), "a_cat") &&
          !strcmp(ae_dataset_class_name(ds, 1), "b_dog"));
    const float *x = ae_dataset_data(ds);
    /* a_cat/0 (k = 1, i = 0), then b_dog/0, b_dog/1 */
    if (lab && ae_dataset_count(ds) == 3) {
      CHECK(lab[0] == 0 && lab[1] == 1 && lab[2] == 1);
      CHECK(x[0] == 100.0f && x[1 * FH * FW + 5] == 5.0f && x[2 * FH * FW] == 10.0f);
    }
  }
  ae_dataset_free(ds);
  /* resized (a constant stays constant, a ramp's ends move in), as RGB */
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.image_width = 2, lo.image_height = 3, lo.image_channels = 3;
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, root, &lo));
  if (ds) {
    int c, h, w;
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(c == 3 && h == 3 && w == 2 && ae_dataset_count(ds) == 3);
    const float *x = ae_dataset_data(ds);
    /* 4 -> 2 columns, 6 -> 3 rows: output (0, 0) samples input (0.5, 0.5):
     * the mean of pixels (0,0) (0,1) (1,0) (1,1) = 100 + (0 + 1 + 4 + 5) / 4 */
    CHECK(fabs(x[0] - 102.5f) <= 0.5f && x[6] == x[0] && x[12] == x[0]);
  }
  ae_dataset_free(ds);
  /* patches of 2 every 2: 2 x 3 of each image, the first the top-left */
  ae_load_options_defaults(&lo);
  lo.patch = 2;
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, root, &lo));
  if (ds) {
    CHECK(ae_dataset_count(ds) == 3 * 6 && ae_dataset_dim(ds) == 4);
    const float *x = ae_dataset_data(ds);
    const int32_t *lab = ae_dataset_labels(ds);
    CHECK(x[0] == 100.0f && x[1] == 101.0f && x[2] == 104.0f && x[3] == 105.0f);
    CHECK(x[4 * 1] == 102.0f);  /* the second patch: columns 2, 3 */
    CHECK(lab && lab[5] == 0 && lab[6] == 1); /* a patch keeps its image's label */
  }
  ae_dataset_free(ds);
  /* refused: a different size, images beside class folders, an empty folder */
  snprintf(p, sizeof p, "%s/b_dog/2.png", root);
  CHECK_OK(ae_png_write_gray(p, px, FW + 1, FH - 1));
  ds = NULL;
  CHECK(ae_dataset_load(&ds, root, NULL) == AE_ERR_FORMAT && !ds &&
        strstr(ae_last_error(), "b_dog/2.png") && strstr(ae_last_error(), "5x5"));
  remove(p);
  snprintf(p, sizeof p, "%s/loose.png", root);
  CHECK_OK(ae_png_write_gray(p, px, FW, FH));
  CHECK(ae_dataset_load(&ds, root, NULL) == AE_ERR_FORMAT && strstr(ae_last_error(), "loose.png"));
  remove(p);
  lo.patch = 9; /* larger than the image */
  CHECK(ae_dataset_load(&ds, root, &lo) == AE_ERR_FORMAT && strstr(ae_last_error(), "patch"));
  for (int k = 0; k < 2; k++)
    for (int i = 0; i < 2; i++) {
      snprintf(p, sizeof p, "%s/%s/%d.png", root, sub[k], i);
      remove(p);
    }
  CHECK(ae_dataset_load(&ds, root, NULL) == AE_ERR_FORMAT && strstr(ae_last_error(), "no PNG or JPEG"));
  for (int k = 0; k < 2; k++) {
    snprintf(p, sizeof p, "%s/%s", root, sub[k]);
    rmdir(p);
  }
  rmdir(root);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s", "/tmp/aekit_pictures_XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_grid();
  test_grid_refuses();
  test_read_refuses();
  test_plots();
  test_scatter();
  test_marks();
  test_colour();
  test_jpeg();
  test_folder();
  remove_all();
  CHECK_DONE();
}
