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

int cmd_denoise(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL, *grid = NULL, *noise = NULL;
  uint64_t seed = 1;
  int count = 10;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "denoised images: .png grid, .npy or .csv"},
      {"--grid", NULL, OPT_OUTPUT, &grid, "PNG: noisy / denoised / clean rows"},
      {"--count", "-n", OPT_INT, &count, "images in the --grid picture (default 10)"},
      {"--noise", NULL, OPT_STRING, &noise, "corrupt clean data first: gaussian:MEAN,STD, masking:P, salt-pepper:P or grey (RGB to luminance)"},
      {"--seed", NULL, OPT_U64, &seed, "seed of the corruption (default 1)"},
      DATA_OPTS(d), OPTS_END};
  enum { MAX_FILES = 1000 };
  const char *pos[1 + MAX_FILES];
  int npos;
  int r = cli_parse(argc, argv, "denoise", usage, opts, pos, 1 + MAX_FILES, &npos);
  if (r) return r == 2 ? 0 : 1;
  if (npos < 1) return cli_error("denoise: no model file given (see aekit denoise --help)");
  if (npos > 1 && d.path) return cli_error("denoise: give --data or image files, not both");
  model = pos[0];
  if (!output && !grid) return cli_error("denoise: nothing to write (give -o OUT.png|.npy or --grid GRID.png)");
  if (count < 1 || count > 1000) return cli_error("denoise: --count %d must be in 1..1000", count);
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
    cli_error("denoise: out of memory");
    goto done;
  }
  memcpy(noisy, clean, total * sizeof(float));
  if (noise && ae_noise_corrupt_images(noisy, n, c, h, w, noise, seed)) goto fail;
  if (ae_model_reconstruct(m, out, noisy, n)) goto fail;
  if (noise) {
    ae_eval_result nr, dr;
    if (ae_model_evaluate_denoising(m, &nr, &dr, ds, noise, seed)) goto fail;
    printf("noisy vs clean:    mse %.6f  psnr %.2f dB\ndenoised vs clean: mse %.6f  psnr %.2f dB\n",
           nr.mse, nr.psnr, dr.mse, dr.psnr);
  }
  if (output) {
    if (cli_write_images(output, out, n, m)) goto done;
    fprintf(cli_notes(output), "wrote %zu denoised images to %s\n", n, output);
  }
  if (grid) {
    size_t k = n < (size_t)count ? n : (size_t)count;
    int rows = noise ? 3 : 2;
    if (c != 1 && c != 3) {
      cli_error("%s: pictures need gray or RGB images (these have %d channels)", grid, c);
      goto done;
    }
    if (!(pic = malloc((size_t)rows * k * dim * sizeof(float)))) {
      cli_error("denoise: out of memory");
      goto done;
    }
    memcpy(pic, noisy, k * dim * sizeof(float));
    memcpy(pic + k * dim, out, k * dim * sizeof(float));
    if (noise) memcpy(pic + 2 * k * dim, clean, k * dim * sizeof(float));
    if (ae_png_write_grid_c(grid, pic, c, rows, (int)k, h, w, 2, 2)) goto fail;
    printf("wrote %s: %s\n", grid, noise ? "noisy (top), denoised, clean (bottom)" : "input (top), denoised (bottom)");
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
