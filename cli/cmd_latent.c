/* SPDX-License-Identifier: MIT */
/* cmd_latent.c — the latent space: generate (VAE samples), interpolate
 * (decodings along the line between two codes), manifold (decodings over a
 * 2-d code plane). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_generate(int argc, char **argv) {
  const char *model = NULL, *output = NULL;
  int count = 100, threads = 0;
  uint64_t seed = 1;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "images out: .png (grid of 10 columns), .npy or .csv"},
      {"--count", "-n", OPT_INT, &count, "samples to draw (default 100)"},
      {"--seed", NULL, OPT_U64, &seed, "seed of z ~ N(0, I) (default 1)"},
      {"--threads", "-t", OPT_INT, &threads, "threads (default: all cores)"},
      OPTS_END};
  int r = cli_parse_model(argc, argv, "generate",
                          "usage: aekit generate MODEL -o GRID.png|OUT.npy|OUT.csv [options]\n\n"
                          "Sample a variational autoencoder: draw codes z ~ N(0, I) and decode\n"
                          "them. Other autoencoders have no prior over their codes; decode\n"
                          "chosen codes with aekit decode instead.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("generate: no output file (give -o GRID.png, .npy or .csv)");
  if (count < 1 || count > 1000000) return cli_error("generate: --count %d must be in 1..1000000", count);
  ae_model *m = NULL;
  float *x = NULL;
  int rc = 1;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, threads)) goto fail;
  if (!ae_model_is_variational(m)) {
    cli_error("%s: generate needs a variational autoencoder (spec with 'sample'); "
              "this model has no prior over its codes", model);
    goto out;
  }
  if (!(x = malloc((size_t)count * ae_model_input_dim(m) * sizeof(float)))) {
    cli_error("generate: out of memory");
    goto out;
  }
  if (ae_model_generate(m, x, (size_t)count, seed)) goto fail;
  if (cli_write_images(output, x, (size_t)count, m)) goto out;
  fprintf(cli_notes(output), "wrote %d generated samples to %s\n", count, output);
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(x);
  ae_model_free(m);
  return rc;
}

int cmd_interpolate(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  int from = 0, to = 1, steps = 10;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "strip out: .png, .npy or .csv"},
      {"--from", NULL, OPT_INT, &from, "index of the first sample (default 0)"},
      {"--to", NULL, OPT_INT, &to, "index of the second sample (default 1)"},
      {"--steps", NULL, OPT_INT, &steps, "decodings along the line, ends included (default 10)"},
      DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "interpolate",
                          "usage: aekit interpolate MODEL -o STRIP.png|OUT.npy|OUT.csv [options]\n\n"
                          "Encode two samples (a VAE: their means), decode evenly spaced points\n"
                          "on the line between the two codes. The strip shows the first\n"
                          "input, the decodings, then the second input.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("interpolate: no output file (give -o STRIP.png)");
  if (steps < 2 || steps > 1000) return cli_error("interpolate: --steps %d must be in 2..1000", steps);
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  size_t n = ae_dataset_count(ds), dim = ae_model_input_dim(m), z = ae_model_code_dim(m);
  int rc = 1;
  float *codes = NULL, *strip = NULL; /* (steps, Z), (steps + 2, D) */
  if (from < 0 || to < 0 || (size_t)from >= n || (size_t)to >= n) {
    cli_error("interpolate: --from %d / --to %d: the data has %zu samples", from, to, n);
    goto out;
  }
  codes = malloc(((size_t)steps + 2) * z * sizeof(float));
  strip = malloc(((size_t)steps + 2) * dim * sizeof(float));
  if (!codes || !strip) {
    cli_error("interpolate: out of memory");
    goto out;
  }
  const float *x = ae_dataset_data(ds);
  memcpy(strip, x + (size_t)from * dim, dim * sizeof(float));
  memcpy(strip + dim, x + (size_t)to * dim, dim * sizeof(float));
  float *ends = codes + (size_t)steps * z; /* (2, Z) */
  if (ae_model_encode(m, ends, strip, 2)) goto fail;
  memcpy(strip + ((size_t)steps + 1) * dim, x + (size_t)to * dim, dim * sizeof(float));
  for (int s = 0; s < steps; s++) {
    float t = (float)s / (float)(steps - 1);
    for (size_t j = 0; j < z; j++) codes[(size_t)s * z + j] = (1.0f - t) * ends[j] + t * ends[z + j];
  }
  if (ae_model_decode(m, strip + dim, codes, (size_t)steps)) goto fail;
  int c, h, w;
  ae_model_input_shape(m, &c, &h, &w);
  if (!cli_ends_with(output, ".png")) {
    if (ae_array_save(output, strip, (size_t)steps + 2, dim)) goto fail;
  } else if (c != 1 && c != 3) {
    cli_error("%s: PNG output needs gray or RGB images (these have %d channels); use .npy",
              output, c);
    goto out;
  } else if (ae_png_write_grid_c(output, strip, c, 1, steps + 2, h, w, 2, 2)) {
    goto fail;
  }
  fprintf(cli_notes(output), "wrote %s: sample %d, %d decodings, sample %d\n", output, from, steps, to);
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(codes);
  free(strip);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

/* The standard normal quantile of p in (0, 1), by bisection on erfc. */
static double normal_quantile(double p) {
  double lo = -10.0, hi = 10.0;
  for (int i = 0; i < 100; i++) {
    double mid = 0.5 * (lo + hi);
    if (0.5 * erfc(-mid / sqrt(2.0)) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

int cmd_manifold(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  int grid = 20;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "PNG picture to write"},
      {"--grid", NULL, OPT_INT, &grid, "decodings per side (default 20)"},
      DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "manifold",
                          "usage: aekit manifold MODEL -o MANIFOLD.png [options]\n\n"
                          "For a 2-d code: a grid of decodings over the code plane. A VAE's\n"
                          "grid follows the prior's quantiles (5%..95% of N(0, 1) on each\n"
                          "axis, as in Kingma and Welling); another model's spans the 1st to\n"
                          "99th percentile of the codes of the data (--data, default the\n"
                          "Fashion-MNIST test set). Rows go down the second code axis.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("manifold: no output file (give -o MANIFOLD.png)");
  if (grid < 2 || grid > 100) return cli_error("manifold: --grid %d must be in 2..100", grid);
  ae_model *m = NULL;
  ae_dataset *ds = NULL;
  int rc = 1;
  float *codes = NULL, *img = NULL, *dc = NULL;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, d.threads)) goto fail;
  size_t z = ae_model_code_dim(m), dim = ae_model_input_dim(m), cells = (size_t)grid * grid;
  int c, h, w;
  ae_model_input_shape(m, &c, &h, &w);
  if (z != 2) {
    cli_error("%s: the manifold picture needs a 2-d code; this model's code has %zu dimensions "
              "(see aekit scatter for a projection)", model, z);
    goto out;
  }
  if (c != 1 && c != 3) {
    cli_error("%s: the manifold picture needs gray or RGB images (these have %d channels)", model, c);
    goto out;
  }
  double lo[2], hi[2];
  if (ae_model_is_variational(m)) {
    lo[0] = lo[1] = normal_quantile(0.05), hi[0] = hi[1] = normal_quantile(0.95);
  } else { /* the spread of the data's codes */
    if (cli_load_data_for(&ds, m, model, &d, "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz"))
      goto out;
    size_t n = ae_dataset_count(ds);
    if (!(dc = malloc(n * 2 * sizeof(float))) || !(codes = malloc(n * sizeof(float)))) {
      cli_error("manifold: out of memory");
      goto out;
    }
    if (ae_model_encode(m, dc, ae_dataset_data(ds), n)) goto fail;
    for (int a = 0; a < 2; a++) {
      for (size_t i = 0; i < n; i++) codes[i] = dc[2 * i + (size_t)a];
      qsort(codes, n, sizeof(float), cmp_float);
      lo[a] = codes[(size_t)(0.01 * (double)(n - 1))];
      hi[a] = codes[(size_t)(0.99 * (double)(n - 1))];
    }
    free(codes);
    codes = NULL;
  }
  codes = malloc(cells * 2 * sizeof(float));
  img = malloc(cells * dim * sizeof(float));
  if (!codes || !img) {
    cli_error("manifold: out of memory");
    goto out;
  }
  int vae = ae_model_is_variational(m);
  for (int i = 0; i < grid; i++)
    for (int j = 0; j < grid; j++) {
      double u = (double)j / (grid - 1), v = (double)i / (grid - 1);
      float *cz = codes + ((size_t)i * grid + j) * 2;
      if (vae) { /* even steps in probability, not in z */
        cz[0] = (float)normal_quantile(0.05 + 0.9 * u);
        cz[1] = (float)normal_quantile(0.95 - 0.9 * v);
      } else {
        cz[0] = (float)(lo[0] + u * (hi[0] - lo[0]));
        cz[1] = (float)(hi[1] - v * (hi[1] - lo[1]));
      }
    }
  if (ae_model_decode(m, img, codes, cells) ||
      ae_png_write_grid_c(output, img, c, grid, grid, h, w, 1, 0))
    goto fail;
  fprintf(cli_notes(output), "wrote %s: %dx%d decodings, z1 in [%.3g, %.3g], z2 in [%.3g, %.3g]\n", output, grid, grid,
         lo[0], hi[0], lo[1], hi[1]);
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(codes);
  free(img);
  free(dc);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

int cmd_scatter(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  const cli_opt opts[] = {{"--output", "-o", OPT_OUTPUT, &output, "PNG picture to write"},
                          DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "scatter",
                          "usage: aekit scatter MODEL -o SCATTER.png [options]\n\n"
                          "The codes of a data set (default: the Fashion-MNIST test set) as\n"
                          "points coloured by label: the code itself when it has 2\n"
                          "dimensions, else its first two principal components (PCA of the\n"
                          "codes). A VAE's codes are its means.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("scatter: no output file (give -o SCATTER.png)");
  if (cli_plots_check("scatter", "-o", output)) return 1;
  ae_model *m, *pca = NULL;
  ae_dataset *ds, *cds = NULL;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  size_t n = ae_dataset_count(ds), z = ae_model_code_dim(m);
  float *codes = malloc(n * z * sizeof(float)), *xy = malloc(n * 2 * sizeof(float));
  int rc = 1;
  char title[512], xl[64], yl[64];
  if (!codes || !xy) {
    cli_error("scatter: out of memory");
    goto out;
  }
  if (z < 2) {
    cli_error("%s: a code of %zu dimension cannot make a 2-d scatter", model, z);
    goto out;
  }
  if (ae_model_encode(m, codes, ae_dataset_data(ds), n)) goto fail;
  if (z == 2) {
    memcpy(xy, codes, n * 2 * sizeof(float));
    snprintf(xl, sizeof xl, "z1"), snprintf(yl, sizeof yl, "z2");
  } else {
    double ratio[2];
    if (ae_dataset_from_array(&cds, codes, n, z, NULL) || ae_pca_fit(&pca, cds, 2, ratio) ||
        ae_model_encode(pca, xy, codes, n))
      goto fail;
    snprintf(xl, sizeof xl, "code PC1 (%.1f%% of the variance)", 100.0 * ratio[0]);
    snprintf(yl, sizeof yl, "code PC2 (%.1f%%)", 100.0 * ratio[1]);
  }
  const char *base = strrchr(model, '/');
  snprintf(title, sizeof title, "%s: codes of %zu samples by label", base ? base + 1 : model, n);
  int nc = ae_dataset_class_count(ds);
  const char **names = nc ? malloc((size_t)nc * sizeof *names) : NULL;
  for (int i = 0; names && i < nc; i++) names[i] = ae_dataset_class_name(ds, i);
  ae_status pst = ae_plot_scatter(output, xy, ae_dataset_labels(ds), n, names, names ? nc : 0,
                                  title, xl, yl);
  free(names);
  if (pst) goto fail;
  fprintf(cli_notes(output), "wrote %s: %zu codes%s\n", output, n, z > 2 ? " (first two principal components)" : "");
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(codes);
  free(xy);
  ae_model_free(pca);
  ae_dataset_free(cds);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}
