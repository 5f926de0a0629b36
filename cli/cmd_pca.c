/* SPDX-License-Identifier: MIT */
/* cmd_pca.c — aekit pca (fit PCA, save it as a model) and aekit compare
 * (an autoencoder beside a PCA: reconstruction MSE, PSNR, probe accuracy). */
#include "apps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *pca_usage =
    "usage: aekit pca --components N [--data FILE] [--scale auto|standard|minmax|none|LO,HI]\n"
    "                 -o PCA.safetensors\n\n"
    "Fit PCA with N components (LAPACK on the covariance, in double) and save\n"
    "it as an ordinary model (dense:N:identity|dense:D:identity;loss=mse):\n"
    "every command that takes a model takes it. Default data: Fashion-MNIST's\n"
    "training images, scaled as aekit train scales them.";

int cmd_pca(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT;
  const char *output = NULL, *scale = "auto";
  int k = 0;
  const cli_opt opts[] = {
      {"--components", "-c", OPT_INT, &k, "number of components (scikit-learn's n_components)"},
      {"--output", "-o", OPT_OUTPUT, &output, "model file to write (.safetensors)"},
      {"--scale", NULL, OPT_STRING, &scale, "auto (uint8: 0,255; else data min,max), standard or minmax (per feature), none, or LO,HI"},
      DATA_OPTS_DEFAULT(d, "training set"), OPTS_END};
  const char *pos[1];
  int npos;
  int r = cli_parse(argc, argv, "pca", pca_usage, opts, pos, 0, &npos);
  if (r) return r == 2 ? 0 : 1;
  if (!output) return cli_error("pca: no output file (give -o PCA.safetensors)");
  if (k < 1) return cli_error("pca: --components %d: give K >= 1", k);
  ae_dataset *ds = NULL;
  ae_model *m = NULL;
  if (cli_load(&ds, &d, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")) return 1;
  int rc = 1;
  ae_model *scaler = NULL; /* fits the scaling as aekit train does; the PCA takes it */
  int c, h, w;
  ae_dataset_shape(ds, &c, &h, &w);
  ae_scale_kind kind = AE_SCALE_AUTO;
  float lo = 0.0f, hi = 1.0f;
  char *end;
  int manual = 0;
  if (!strcmp(scale, "standard")) kind = AE_SCALE_STANDARD;
  else if (!strcmp(scale, "minmax")) kind = AE_SCALE_MINMAX;
  else if (!strcmp(scale, "none")) kind = AE_SCALE_NONE;
  else if (strcmp(scale, "auto") &&
           !(manual = (lo = strtof(scale, &end)), *end == ',' && (hi = strtof(end + 1, &end), !*end))) {
    cli_error("pca: --scale '%s' is not auto, standard, minmax, none or LO,HI", scale);
    goto out;
  }
  if (manual && hi <= lo) hi = lo + 1.0f;
  if ((size_t)k > ae_dataset_dim(ds)) {
    cli_error("pca: --components %d is larger than the data dimension %zu", k, ae_dataset_dim(ds));
    goto out;
  }
  char spec[64];
  snprintf(spec, sizeof spec, "dense:1|dense:%zu;loss=mse", ae_dataset_dim(ds));
  if (ae_model_create(&scaler, spec, c, h, w, 0) ||
      (manual ? ae_model_set_scaling(scaler, lo, hi) : ae_model_fit_scaling(scaler, ds, kind)) ||
      ae_model_scale_dataset(scaler, ds)) {
    cli_error("%s: %s", d.path ? d.path : "Fashion-MNIST", ae_last_error());
    goto out;
  }
  double *ratio = malloc((size_t)k * sizeof *ratio);
  if (!ratio) {
    cli_error("pca: out of memory");
    goto out;
  }
  if (ae_pca_fit(&m, ds, k, ratio) || ae_model_copy_scaling(m, scaler) ||
      ae_model_save(m, output)) {
    cli_fail();
  } else {
    double sum = 0.0;
    for (int t = 0; t < k; t++) sum += ratio[t];
    printf("PCA of %zu samples, %zu features: %d components explain %.2f%% of the variance\n",
           ae_dataset_count(ds), ae_dataset_dim(ds), k, 100.0 * sum);
    printf("first components:");
    for (int t = 0; t < k && t < 5; t++) printf(" %.2f%%", 100.0 * ratio[t]);
    fprintf(cli_notes(output), "\nsaved %s\n", output);
    rc = 0;
  }
  free(ratio);
out:
  ae_model_free(scaler);
  ae_model_free(m);
  ae_dataset_free(ds);
  return rc;
}

/* One row of the comparison table. */
static int compare_one(const char *name, const char *path, const cli_data *d, const cli_data *t,
                       int k, int probe) {
  ae_model *m = NULL;
  ae_dataset *ds = NULL, *train = NULL;
  float *ctrain = NULL, *ctest = NULL;
  int rc = 1;
  ae_eval_result res;
  double knn = NAN, lp = NAN;
  if (ae_model_load(&m, path) || ae_model_set_threads(m, d->threads)) {
    cli_fail();
    goto out;
  }
  if (cli_load_data_for(&ds, m, path, d, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))
    goto out;
  if (ae_model_evaluate(m, &res, ds)) {
    cli_fail();
    goto out;
  }
  if (probe) {
    if (cli_load_data_for(&train, m, path, t, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"))
      goto out;
    if (!ae_dataset_labels(train) || !ae_dataset_labels(ds)) {
      cli_error("compare: the probe needs labels for the %s data (or give --no-probe)",
                ae_dataset_labels(ds) ? "training" : "evaluation");
      goto out;
    }
    if ((size_t)k > ae_dataset_count(train)) {
      cli_error("compare: --k %d is more than the %zu training samples", k, ae_dataset_count(train));
      goto out;
    }
    if (apps_encode(&ctrain, m, train) || apps_encode(&ctest, m, ds) ||
        apps_probe(&knn, &lp, ctrain, ae_dataset_labels(train), ae_dataset_count(train), ctest,
                   ae_dataset_labels(ds), ae_dataset_count(ds), ae_model_code_dim(m), k, 100, NULL, NULL))
      goto out;
  }
  printf("| %-12s | %4zu | %9.6f | %7.2f |", name, ae_model_code_dim(m), res.mse, res.psnr);
  if (probe) printf(" %8.4f | %8.4f |", knn, lp);
  printf("\n");
  rc = 0;
out:
  free(ctrain);
  free(ctest);
  ae_model_free(m);
  ae_dataset_free(ds);
  ae_dataset_free(train);
  return rc;
}

static const char *compare_usage =
    "usage: aekit compare MODEL --pca PCA.safetensors [--data TEST --labels L]\n"
    "                     [--train-data TRAIN --train-labels L] [--k 5] [--no-probe]\n\n"
    "An autoencoder beside a PCA (aekit pca), usually at the same code size:\n"
    "reconstruction MSE per pixel and PSNR on the test data, and the k-NN and\n"
    "linear-probe accuracy of their codes (trained on the training data).\n"
    "Default data: Fashion-MNIST's test and training sets with their labels.";

int cmd_compare(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT, t = CLI_DATA_INIT;
  const char *model = NULL, *pca = NULL;
  int k = 5, no_probe = 0;
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "the autoencoder (or give it as MODEL)"},
      {"--pca", NULL, OPT_STRING, &pca, "the PCA model (aekit pca)"},
      {"--train-data", NULL, OPT_STRING, &t.path, "probe training data (default: Fashion-MNIST train)"},
      {"--train-labels", NULL, OPT_STRING, &t.labels, "its labels (IDX)"},
      {"--train-limit", NULL, OPT_INT, &t.limit, "use only the first N training samples"},
      {"--k", "-k", OPT_INT, &k, "neighbours that vote (default 5)"},
      {"--no-probe", NULL, OPT_FLAG, &no_probe, "reconstruction only"},
      DATA_OPTS(d), OPTS_END};
  int r = apps_parse(argc, argv, "compare", compare_usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (!pca) return cli_error("compare: no PCA model (give --pca PCA.safetensors, see aekit pca)");
  if (k < 1) return cli_error("compare: --k %d must be at least 1", k);
  t.header = d.header, t.label_column = d.label_column, t.drop = d.drop, t.threads = d.threads;
  printf("| model        | code |       mse | psnr dB |%s\n|---|---|---|---|%s\n",
         no_probe ? "" : " knn acc. | lin. acc. |", no_probe ? "" : "---|---|");
  if (compare_one("autoencoder", model, &d, &t, k, !no_probe) ||
      compare_one("pca", pca, &d, &t, k, !no_probe))
    return 1;
  return 0;
}
