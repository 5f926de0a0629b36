/* SPDX-License-Identifier: MIT */
/* cmd_use.c — the commands that use a trained model: eval, encode, decode,
 * reconstruct, info. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int cmd_eval(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *noise = NULL;
  uint64_t seed = 1;
  int iw = 0;
  const cli_opt opts[] = {
      {"--noise", NULL, OPT_STRING, &noise, "corrupt the inputs first: gaussian:MEAN,STD, masking:P, salt-pepper:P or grey (RGB to luminance)"},
      {"--seed", NULL, OPT_U64, &seed, "seed of the corruption and of --iw-samples (default 1)"},
      {"--iw-samples", NULL, OPT_INT, &iw, "VAE: importance-weighted -log p(x) with N draws"},
      DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "eval",
                          "usage: aekit eval MODEL [options]\n\n"
                          "Loss, MSE per pixel and PSNR of the model on a data set, the\n"
                          "code's mean and fraction of near-zero values (|h| < 0.01) and,\n"
                          "for a dense code layer, the mean Frobenius norm of its Jacobian.\n"
                          "A VAE reports reconstruction, KL and negative ELBO in nats per\n"
                          "sample, and with --iw-samples N the importance-weighted estimate\n"
                          "of -log p(x). With --noise: MSE and PSNR of the corrupted inputs\n"
                          "and of their denoised reconstructions, both against the clean data.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (iw < 0) return cli_error("eval: --iw-samples must be >= 1 (got %d)", iw);
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  cli_progress_model(m, "eval");
  ae_eval_result res, noisy;
  const char *loss = ae_model_loss(m) == AE_LOSS_BCE ? "bce" : "mse";
  int rc = 0;
  if (noise) {
    if (ae_model_evaluate_denoising(m, &noisy, &res, ds, noise, seed)) rc = cli_fail();
    else
      printf("samples %zu\nnoise %s\nnoisy vs clean:    mse %.6f  psnr %.2f dB\n"
             "denoised vs clean: mse %.6f  psnr %.2f dB  loss (%s) %.6f\n",
             res.count, noise, noisy.mse, noisy.psnr, res.mse, res.psnr, loss, res.loss);
  } else if (ae_model_evaluate(m, &res, ds)) {
    rc = cli_error("%s: %s", model, ae_last_error()); /* name the model: NaN weights, say */
  } else if (ae_model_is_variational(m)) {
    printf("samples %zu\nreconstruction (%s) %.4f nats per sample\nkl %.4f nats per sample\n"
           "negative elbo %.4f nats per sample\nmse %.6f\npsnr %.2f dB\n",
           res.count, loss, res.recon, res.kl, res.nelbo, res.mse, res.psnr);
  } else {
    printf("samples %zu\nloss (%s, mean per element) %.6f\nmse %.6f\npsnr %.2f dB\n", res.count,
           loss, res.loss, res.mse, res.psnr);
  }
  if (!rc && !noise) {
    printf("code mean %.6f\ncode near zero %.4f\n", res.code_mean, res.code_zero);
    if (res.jacobian == res.jacobian) printf("jacobian norm %.6f\n", res.jacobian);
  }
  if (!rc && iw) {
    double nll;
    if (ae_model_evaluate_iw(m, &nll, ds, iw, seed)) rc = cli_fail();
    else printf("iw nll (k=%d) %.4f nats per sample\n", iw, nll);
  }
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

int cmd_encode(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "codes file: .npy or .csv"}, DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "encode",
                          "usage: aekit encode MODEL -o CODES.npy|CODES.csv [options]\n\n"
                          "Write the code of every sample, one row per sample.",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("encode: no output file (give -o CODES.npy or .csv)");
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  cli_progress_model(m, "encode");
  size_t n = ae_dataset_count(ds), z = ae_model_code_dim(m);
  float *codes = malloc(n * z * sizeof(float));
  int rc = 0;
  if (!codes) rc = cli_error("encode: out of memory");
  else if (ae_model_encode(m, codes, ae_dataset_data(ds), n) ||
           (ae_mpi_rank() == 0 && ae_array_save(output, codes, n, z))) /* rank 0 writes */
    rc = cli_fail();
  else
    fprintf(cli_notes(output), "wrote %zu codes of %zu values to %s\n", n, z, output);
  free(codes);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

int cmd_decode(int argc, char **argv) {
  const char *model = NULL, *codes_path = NULL, *output = NULL;
  int threads = 0;
  const cli_opt opts[] = {
      {"--codes", NULL, OPT_STRING, &codes_path, "codes to decode: .npy or .csv, one row each"},
      {"--threads", "-t", OPT_INT, &threads, "threads (default: all cores)"},
      {"--output", "-o", OPT_OUTPUT, &output, "images out: .png (grid), .npy or .csv"},
      OPTS_END};
  int r = cli_parse_model(argc, argv, "decode",
                          "usage: aekit decode MODEL --codes CODES.npy|CODES.csv -o OUT.png|OUT.npy|OUT.csv\n\n"
                          "Turn codes back into images (values in the model's [0,1] scale).",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!codes_path) return cli_error("decode: no codes given (--codes FILE)");
  if (!output) return cli_error("decode: no output file (give -o OUT.png, .npy or .csv)");
  ae_model *m = NULL;
  ae_dataset *codes = NULL;
  float *out = NULL;
  int rc = 1;
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.csv_header = 0;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, threads) ||
      ae_dataset_load(&codes, codes_path, &lo))
    goto fail;
  size_t n = ae_dataset_count(codes), d = ae_model_input_dim(m);
  if (ae_dataset_dim(codes) != ae_model_code_dim(m)) {
    cli_error("%s: codes have %zu values, model %s has a code of %zu", codes_path,
              ae_dataset_dim(codes), model, ae_model_code_dim(m));
    goto out;
  }
  if (!(out = malloc(n * d * sizeof(float)))) {
    cli_error("decode: out of memory");
    goto out;
  }
  if (ae_model_decode(m, out, ae_dataset_data(codes), n)) goto fail;
  if (cli_write_images(output, out, n, m)) goto out;
  fprintf(cli_notes(output), "decoded %zu codes to %s\n", n, output);
  rc = 0;
  goto out;
fail:
  cli_fail();
out:
  free(out);
  ae_model_free(m);
  ae_dataset_free(codes);
  return rc;
}

int cmd_reconstruct(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *model = NULL, *output = NULL;
  int count = 0;
  const cli_opt opts[] = {{"--output", "-o", OPT_OUTPUT, &output, "PNG grid, or .npy/.csv numbers"},
                          {"--count", "-n", OPT_INT, &count, "samples (default: 10 in a grid, all as numbers)"},
                          DATA_OPTS(d), OPTS_END};
  int r = cli_parse_model(argc, argv, "reconstruct",
                          "usage: aekit reconstruct MODEL -o GRID.png|OUT.npy|OUT.csv [options]\n\n"
                          "A PNG shows originals in the top row, their reconstructions below;\n"
                          "an .npy or .csv file holds the reconstructions as numbers, one row per\n"
                          "sample (in the model's scaled units).",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("reconstruct: no output file (give -o GRID.png or -o OUT.npy)");
  int png = cli_ends_with(output, ".png");
  if (count < 0 || (png && count > 1000))
    return cli_error("reconstruct: --count %d must be in 1..%s", count, png ? "1000" : "the data's size");
  if (!count && png) count = 10;
  ae_model *m;
  ae_dataset *ds;
  if (cli_load_for_model(&m, &ds, model, &d)) return 1;
  cli_progress_model(m, "reconstruct");
  int c, h, w, rc = 0;
  ae_model_input_shape(m, &c, &h, &w);
  size_t n = ae_dataset_count(ds);
  if (count && (size_t)count < n) n = (size_t)count;
  size_t dim = ae_model_input_dim(m);
  float *grid = malloc(2 * n * dim * sizeof(float));
  if (png && c != 1 && c != 3)
    rc = cli_error("%s: reconstruction grids need gray or RGB images (these have %d channels); "
                   "use -o OUT.npy", model, c);
  else if (!grid) rc = cli_error("reconstruct: out of memory");
  else if (ae_model_reconstruct(m, grid + n * dim, ae_dataset_data(ds), n)) rc = cli_fail();
  else if (!png) {
    if (ae_mpi_rank() == 0 && ae_array_save(output, grid + n * dim, n, dim)) rc = cli_fail();
    else fprintf(cli_notes(output), "wrote %zu reconstructions of %zu values to %s\n", n, dim, output);
  } else {
    memcpy(grid, ae_dataset_data(ds), n * dim * sizeof(float));
    if (ae_png_write_grid_c(output, grid, c, 2, (int)n, h, w, 2, 2))
      rc = cli_fail();
    else
      fprintf(cli_notes(output), "wrote %s: %zu originals (top) and reconstructions (bottom)\n", output, n);
  }
  free(grid);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

/* "12 345" */
static void group_digits(char *buf, size_t len, size_t v) {
  char raw[32];
  int n = snprintf(raw, sizeof raw, "%zu", v), k = 0;
  for (int i = 0; i < n && (size_t)k + 2 < len; i++) {
    if (i && (n - i) % 3 == 0) buf[k++] = ' ';
    buf[k++] = raw[i];
  }
  buf[k] = 0;
}

/* 1234567 -> "1.23 M" */
static void flops_text(char *buf, size_t cap, double f) {
  const char *unit[] = {"", " k", " M", " G", " T"};
  int u = 0;
  while (f >= 1000.0 && u < 4) f /= 1000.0, u++;
  snprintf(buf, cap, u ? "%.3g%s" : "%.0f%s", f, unit[u]);
}

int cmd_info(int argc, char **argv) {
  const char *model = NULL;
  int json = 0;
  const cli_opt opts[] = {
      {"--json", NULL, OPT_FLAG, &json, "only the metadata, as JSON"}, OPTS_END};
  int r = cli_parse_model(argc, argv, "info",
                          "usage: aekit info MODEL [--json]\n\n"
                          "Show a model file's layers (each with its output shape and parameters,\n"
                          "as Keras' summary()), then its architecture, scaling, training settings\n"
                          "and history as JSON (--json: the JSON alone).",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  ae_model *m;
  if (ae_model_load(&m, model)) return cli_fail();
  if (!json) {
    int c, h, w, n = ae_model_layer_count(m), enc = 0;
    char shape[48], num[32];
    ae_model_input_shape(m, &c, &h, &w);
    printf("%-44s %-16s %-12s %s\n", "layer", "output shape", "parameters", "FLOPs");
    snprintf(shape, sizeof shape, "(%d, %d, %d)", c, h, w);
    printf("%-44s %s\n", "input", shape);
    for (int i = 0; i < n; i++) {
      ae_layer_summary s;
      if (ae_model_layer_summary(m, i, &s)) {
        ae_model_free(m);
        return cli_fail();
      }
      char name[64];
      int k = s.decoder ? i - enc + 1 : ++enc;
      snprintf(name, sizeof name, "%s %d  %.40s", s.decoder ? "decoder" : "encoder", k, s.spec);
      snprintf(shape, sizeof shape, "(%d, %d, %d)", s.c, s.h, s.w);
      group_digits(num, sizeof num, s.params);
      char fl[24] = "";
      if (s.flops > 0) flops_text(fl, sizeof fl, s.flops);
      if (fl[0]) printf("%-44s %-16s %-12s %s\n", name, shape, num, fl);
      else printf("%-44s %-16s %s\n", name, shape, num);
    }
    group_digits(num, sizeof num, ae_model_param_count(m));
    char fl[24];
    flops_text(fl, sizeof fl, ae_model_flops(m));
    printf("total %s parameters, code of %zu values; %s FLOPs a sample forward (weight "
           "products; a training step about 3x)\n", num, ae_model_code_dim(m), fl);
    int k = ae_model_class_count(m);
    for (int i = 0; i < k; i++)
      printf("%s%d %s%s", i ? ", " : "classes: ", i, ae_model_class_name(m, i), i == k - 1 ? "\n" : "");
    printf("\n");
  }
  printf("%s\n", ae_model_metadata(m));
  ae_model_free(m);
  return 0;
}

int cmd_export(int argc, char **argv) {
  const char *model = NULL, *output = NULL, *part = "full";
  const cli_opt opts[] = {
      {"--output", "-o", OPT_OUTPUT, &output, "the ONNX file to write (model.onnx)"},
      {"--part", NULL, OPT_STRING, &part, "full (default), encoder or decoder"}, OPTS_END};
  int r = cli_parse_model(argc, argv, "export",
                          "usage: aekit export MODEL -o MODEL.onnx [--part full|encoder|decoder]\n\n"
                          "Write the model as ONNX (opset 17) for ONNX Runtime and other\n"
                          "runtimes: the whole autoencoder (input -> output), its encoder\n"
                          "(input -> code) or its decoder (code -> output), in evaluation\n"
                          "mode, with a symbolic batch size. Inputs are scaled as the model\n"
                          "says ((x - lo) / (hi - lo): the aekit.scaling metadata).",
                          opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("export: no output file (give -o MODEL.onnx)");
  ae_export_part p;
  if (!strcmp(part, "full")) p = AE_EXPORT_FULL;
  else if (!strcmp(part, "encoder")) p = AE_EXPORT_ENCODER;
  else if (!strcmp(part, "decoder")) p = AE_EXPORT_DECODER;
  else return cli_error("export: --part '%s' must be full, encoder or decoder", part);
  ae_model *m;
  if (ae_model_load(&m, model)) return cli_fail();
  int rc = 0;
  if (ae_model_export_onnx(m, output, p)) rc = cli_fail();
  else fprintf(cli_notes(output), "wrote the %s model as ONNX to %s\n", part, output);
  ae_model_free(m);
  return rc;
}
