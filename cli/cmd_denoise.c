/* SPDX-License-Identifier: MIT */
/* cmd_denoise.c — aekit denoise: corrupted images in, cleaned images out,
 * and the classic picture: noisy inputs, denoised outputs, clean targets. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage =
    "usage: aekit denoise MODEL [--data FILE | IMAGE.png ...] [--noise SPEC] -o OUT.png|OUT.npy|OUT.csv\n"
    "                     [--grid GRID.png]\n\n"
    "Reconstruct (denoise) every image of a data set (IDX, CSV, NPY, NPZ, PNG or\n"
    "JPEG; PNG and JPEG files may also be listed after the model, read gray or\n"
    "RGB as the model takes them; default: the Fashion-MNIST test\n"
    "set) with a denoising autoencoder. With\n"
    "--noise the clean images are first corrupted as given (the tutorial's\n"
    "demonstration) and MSE/PSNR against the clean images are printed;\n"
    "without it the data is taken as already noisy. -o writes the denoised\n"
    "images (PNG grid, or NPY/CSV rows); --grid writes the first -n images as\n"
    "rows: noisy input, denoised output and, with --noise, the clean image.";

static const char *colorize_usage =
    "usage: aekit colorize MODEL [--data FILE | IMAGE.png|IMAGE.jpg ...] -o OUT.png|OUT.npy|OUT.csv\n"
    "                      [--grid GRID.png]\n\n"
    "Colour images with a model trained with --noise grey (a 3-channel model\n"
    "that learned colour from luminance): each image, gray or colour, is first\n"
    "made its luminance (Rec. 709), then the model gives it colour. For colour\n"
    "images it prints the PSNR of the grey input and of the colourised result\n"
    "against them; --grid draws grey / colourised / original rows. It is\n"
    "aekit denoise --noise grey.";

/* denoise, or colorize (cmd: its name; noise fixed to grey). */
static int run_denoise(int argc, char **argv, const char *cmd) {
  int colorize = !strcmp(cmd, "colorize");
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL, *grid = NULL, *noise = colorize ? "grey" : NULL;
  uint64_t seed = 1;
  int count = 10;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, colorize ? "colourised images: .png grid, .npy or .csv" : "denoised images: .png grid, .npy or .csv"},
      {"--grid", NULL, OPT_OUTPUT, &grid, colorize ? "PNG: grey / colourised / original rows" : "PNG: noisy / denoised / clean rows"},
      {"--count", "-n", OPT_INT, &count, "images in the --grid picture (default 10)"},
      {"--noise", NULL, OPT_STRING, &noise, "corrupt clean data first: gaussian:MEAN,STD, masking:P, salt-pepper:P or grey (RGB to luminance)"},
      {"--seed", NULL, OPT_U64, &seed, "seed of the corruption (default 1)"},
      DATA_OPTS(d), OPTS_END};
  const cli_opt *shown = opts;
  cli_opt copts[sizeof opts / sizeof opts[0]];
  if (colorize) { /* the same options less --noise and --seed */
    size_t k = 0;
    for (const cli_opt *o = opts; o->name; o++)
      if (strcmp(o->name, "--noise") && strcmp(o->name, "--seed")) copts[k++] = *o;
    copts[k] = (cli_opt)OPTS_END;
    shown = copts;
  }
  enum { MAX_FILES = 1000 };
  const char *pos[1 + MAX_FILES];
  int npos;
  int r = cli_parse(argc, argv, cmd, colorize ? colorize_usage : usage, shown, pos, 1 + MAX_FILES,
                    &npos);
  if (r) return r == 2 ? 0 : 1;
  if (npos < 1) return cli_error("%s: no model file given (see aekit %s --help)", cmd, cmd);
  if (npos > 1 && d.path) return cli_error("%s: give --data or image files, not both", cmd);
  model = pos[0];
  if (!output && !grid)
    return cli_error("%s: nothing to write (give -o OUT.png|.npy or --grid GRID.png)", cmd);
  if (count < 1 || count > 1000) return cli_error("%s: --count %d must be in 1..1000", cmd, count);
  ae_model *m = NULL;
  ae_dataset *ds = NULL;
  if (npos > 1 ? cli_load_images(&m, &ds, model, pos + 1, npos - 1, d.threads)
               : cli_load_for_model(&m, &ds, model, &d))
    return 1;
  size_t n = ae_dataset_count(ds), dim = ae_model_input_dim(m), total = n * dim;
  int c, h, w, rc = 1;
  ae_model_input_shape(m, &c, &h, &w);
  const float *clean = ae_dataset_data(ds);
  float *noisy = malloc(total * sizeof(float)), *out = malloc(total * sizeof(float));
  float *pic = NULL;
  if (!noisy || !out) {
    cli_error("%s: out of memory", cmd);
    goto done;
  }
  memcpy(noisy, clean, total * sizeof(float));
  if (noise && ae_noise_corrupt_images(noisy, n, c, h, w, noise, seed)) goto fail;
  if (ae_model_reconstruct(m, out, noisy, n)) goto fail;
  if (noise) {
    ae_eval_result nr, dr;
    if (ae_model_evaluate_denoising(m, &nr, &dr, ds, noise, seed)) goto fail;
    if (colorize)
      printf("grey vs original:       mse %.6f  psnr %.2f dB\ncolourised vs original: mse %.6f  psnr %.2f dB\n",
           nr.mse, nr.psnr, dr.mse, dr.psnr);
    else
      printf("noisy vs clean:    mse %.6f  psnr %.2f dB\ndenoised vs clean: mse %.6f  psnr %.2f dB\n",
           nr.mse, nr.psnr, dr.mse, dr.psnr);
  }
  if (output) {
    if (cli_write_images(output, out, n, m)) goto done;
    fprintf(cli_notes(output), "wrote %zu %s images to %s\n", n, colorize ? "colourised" : "denoised", output);
  }
  if (grid) {
    size_t k = n < (size_t)count ? n : (size_t)count;
    int rows = noise ? 3 : 2;
    if (c != 1 && c != 3) {
      cli_error("%s: pictures need gray or RGB images (these have %d channels)", grid, c);
      goto done;
    }
    if (!(pic = malloc((size_t)rows * k * dim * sizeof(float)))) {
      cli_error("%s: out of memory", cmd);
      goto done;
    }
    memcpy(pic, noisy, k * dim * sizeof(float));
    memcpy(pic + k * dim, out, k * dim * sizeof(float));
    if (noise) memcpy(pic + 2 * k * dim, clean, k * dim * sizeof(float));
    if (ae_png_write_grid_c(grid, pic, c, rows, (int)k, h, w, 2, 2)) goto fail;
    printf("wrote %s: %s\n", grid, colorize ? "grey (top), colourised, original (bottom)"
                                   : noise ? "noisy (top), denoised, clean (bottom)"
                                           : "input (top), denoised (bottom)");
  }
  rc = 0;
  goto done;
fail:
  cli_fail();
done:
  free(pic);
  free(noisy);
  free(out);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

int cmd_denoise(int argc, char **argv) { return run_denoise(argc, argv, "denoise"); }

int cmd_colorize(int argc, char **argv) { return run_denoise(argc, argv, "colorize"); }
