/* SPDX-License-Identifier: MIT */
/* cmd_inpaint.c — aekit inpaint: a masked region of each image filled from
 * the model's reconstructions, iterated; the picture shows masked, filled
 * and original rows. */
#include "apps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mask (c*h*w, 1 = missing) from "rect:X,Y,W,H" or a PNG (white =
 * missing), the same in every channel. Returns 0, or 1 after printing. */
static int make_mask(unsigned char *mask, const char *rect, const char *png, int c, int h, int w) {
  size_t hw = (size_t)h * w;
  memset(mask, 0, (size_t)c * hw);
  if (rect) {
    int x0, y0, rw, rh, used = 0;
    if (strncmp(rect, "rect:", 5) ||
        sscanf(rect + 5, "%d,%d,%d,%d%n", &x0, &y0, &rw, &rh, &used) != 4 || rect[5 + used])
      return cli_error("inpaint: --mask '%s' is not rect:X,Y,W,H", rect);
    if (x0 < 0 || y0 < 0 || rw < 1 || rh < 1 || x0 > w - rw || y0 > h - rh)
      return cli_error("inpaint: --mask %s lies outside the %dx%d image (or is empty)", rect, w, h);
    for (int y = y0; y < y0 + rh; y++)
      for (int x = x0; x < x0 + rw; x++) mask[(size_t)y * w + x] = 1;
  } else {
    ae_dataset *img = NULL;
    ae_load_options lo;
    ae_load_options_defaults(&lo);
    lo.image_channels = 1; /* a mask is gray whatever the picture was saved as */
    if (ae_dataset_load(&img, png, &lo)) return cli_fail();
    const float *v = ae_dataset_data(img);
    int ok = v && ae_dataset_dim(img) == hw;
    if (ok)
      for (size_t j = 0; j < hw; j++) mask[j] = v[j] > 127.0f;
    ae_dataset_free(img);
    if (!ok) return cli_error("%s: the mask must be a %dx%d picture", png, w, h);
  }
  size_t on = 0;
  for (size_t j = 0; j < hw; j++) on += mask[j];
  if (!on) return cli_error("inpaint: the mask covers no pixel");
  for (int k = 1; k < c; k++) memcpy(mask + (size_t)k * hw, mask, hw);
  return 0;
}

static const char *usage =
    "usage: aekit inpaint MODEL (--mask rect:X,Y,W,H | --mask-png MASK.png) -o GRID.png\n"
    "                     [--data FILE] [--iterations 5] [-n 10]\n\n"
    "Fill a region of every image from the model: the masked pixels start\n"
    "black, and each iteration replaces them with the reconstruction of the\n"
    "current image; the other pixels stay as they are. Prints the MSE over the\n"
    "masked pixels (black fill vs inpainted, against the originals) and draws\n"
    "rows: masked input, inpainted, original. A mask PNG is white where\n"
    "pixels are missing.";

int cmd_inpaint(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *rect = NULL, *mask_png = NULL, *output = NULL;
  int iterations = 5, count = 10;
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "model file (or give it as MODEL)"},
      {"--mask", NULL, OPT_STRING, &rect, "rect:X,Y,W,H (pixels, from the top left)"},
      {"--mask-png", NULL, OPT_STRING, &mask_png, "mask picture, white = missing"},
      {"--iterations", NULL, OPT_INT, &iterations, "reconstruction rounds (default 5)"},
      {"--output", "-o", OPT_OUTPUT, &output, "PNG: masked / inpainted / original rows"},
      {"--count", "-n", OPT_INT, &count, "images in the picture (default 10)"},
      DATA_OPTS(d), OPTS_END};
  int r = apps_parse(argc, argv, "inpaint", usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!rect == !mask_png) return cli_error("inpaint: give one of --mask rect:X,Y,W,H or --mask-png FILE");
  if (!output) return cli_error("inpaint: no output file (give -o GRID.png)");
  if (iterations < 1 || iterations > 10000)
    return cli_error("inpaint: --iterations %d must be in 1..10000", iterations);
  if (count < 1 || count > 1000) return cli_error("inpaint: --count %d must be in 1..1000", count);
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  int c, h, w, rc = 1;
  ae_model_input_shape(m, &c, &h, &w);
  size_t n = ae_dataset_count(ds), dim = ae_model_input_dim(m);
  size_t k = n < (size_t)count ? n : (size_t)count;
  const float *x = ae_dataset_data(ds);
  unsigned char *mask = malloc(dim);
  float *out = malloc(n * dim * sizeof *out), *pic = malloc(3 * k * dim * sizeof *pic);
  if (!mask || !out || !pic) {
    cli_error("inpaint: out of memory");
    goto out;
  }
  if (c != 1) {
    cli_error("%s: inpainting pictures need single-channel images", model);
    goto out;
  }
  if (make_mask(mask, rect, mask_png, c, h, w)) goto out;
  if (ae_model_inpaint(m, out, x, mask, n, iterations)) {
    cli_fail();
    goto out;
  }
  double se0 = 0.0, se = 0.0;
  size_t cnt = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < dim; j++)
      if (mask[j]) {
        double t = x[i * dim + j], v = out[i * dim + j];
        se0 += t * t, se += (v - t) * (v - t), cnt++;
      }
  printf("%zu images, %zu masked values each, %d iterations\n", n, cnt / n, iterations);
  printf("mse over the masked pixels: black fill %.6f, inpainted %.6f\n", se0 / (double)cnt,
         se / (double)cnt);
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j < dim; j++) pic[i * dim + j] = mask[j] ? 0.0f : x[i * dim + j];
  memcpy(pic + k * dim, out, k * dim * sizeof *pic);
  memcpy(pic + 2 * k * dim, x, k * dim * sizeof *pic);
  if (ae_png_write_grid(output, pic, 3, (int)k, h, w, 2, 2)) {
    cli_fail();
    goto out;
  }
  fprintf(cli_notes(output), "wrote %s: masked (top), inpainted, original (bottom)\n", output);
  rc = 0;
out:
  free(mask);
  free(out);
  free(pic);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}
