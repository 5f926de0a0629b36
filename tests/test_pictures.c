/* test_pictures.c — PNG grids and loss-curve plots: sizes, exact pixels,
 * refused arguments, failures that leave nothing behind. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "pngio.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
  CHECK_OK(ae_plot_loss_curve(p, train, val, 5, "dense #1: 100% (α)"));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) {
    CHECK(gray_levels(pix, w * h) > 2);
    CHECK(pix[0] == 255); /* white background in the corner */
  }
  free(pix);
  pix = NULL;

  in_dir(p, sizeof p, "loss_train.png");
  CHECK_OK(ae_plot_loss_curve(p, train, NULL, 5, NULL));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) CHECK(gray_levels(pix, w * h) > 2);
  free(pix);
  pix = NULL;

  in_dir(p, sizeof p, "loss_one.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 1, "one epoch"));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  if (pix && w == 800 && h == 500) CHECK(gray_levels(pix, w * h) > 2);
  free(pix);
  pix = NULL;

  /* flat curve, many epochs, odd title bytes: must still work */
  double flat[300];
  for (int i = 0; i < 300; i++) flat[i] = 0.125;
  in_dir(p, sizeof p, "loss_flat.png");
  CHECK_OK(ae_plot_loss_curve(p, flat, NULL, 300, "bad \xff\xfe utf8\n"));
  CHECK_OK(ae_png_read_gray(p, &pix, &w, &h));
  CHECK(w == 800 && h == 500);
  free(pix);
  pix = NULL;
  CHECK(count_files() == 4);

  /* refused */
  double bad[5] = {0.9, NAN, 0.3, 0.2, 0.1};
  in_dir(p, sizeof p, "refused.png");
  CHECK_FAILS(ae_plot_loss_curve(p, bad, NULL, 5, "t"), AE_ERR_NUMERIC, "epoch 2");
  CHECK_FAILS(ae_plot_loss_curve(p, train, bad, 5, "t"), AE_ERR_NUMERIC, "validation");
  bad[1] = INFINITY;
  CHECK_FAILS(ae_plot_loss_curve(p, bad, NULL, 5, "t"), AE_ERR_NUMERIC, "");
  CHECK_FAILS(ae_plot_loss_curve(p, train, NULL, 0, "t"), AE_ERR_ARG, "");
  CHECK_FAILS(ae_plot_loss_curve(p, NULL, NULL, 5, "t"), AE_ERR_ARG, "");
  CHECK_FAILS(ae_plot_loss_curve(NULL, train, NULL, 5, "t"), AE_ERR_ARG, "");
  double huge[2] = {-1e308, 1e308};
  CHECK_FAILS(ae_plot_loss_curve(p, huge, NULL, 2, "t"), AE_ERR_NUMERIC, "");
  CHECK(count_files() == 4);

  /* an unwritable target: AE_ERR_IO, no exit(), nothing left behind */
  in_dir(p, sizeof p, "missing/loss.png");
  CHECK_FAILS(ae_plot_loss_curve(p, train, val, 5, "t"), AE_ERR_IO, "missing/loss.png");
  CHECK_FAILS(ae_plot_loss_curve(dir, train, val, 5, "t"), AE_ERR_IO, "");
  CHECK(count_files() == 4);

  /* still works after the failures (PLplot state was left clean) */
  in_dir(p, sizeof p, "loss.png");
  CHECK_OK(ae_plot_loss_curve(p, train, val, 5, "again"));
  CHECK(count_files() == 4);
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
  remove_all();
  CHECK_DONE();
}
