/* SPDX-License-Identifier: MIT */
/* cmd_probe.c — aekit probe: how well the codes of a model separate the
 * classes: k-nearest-neighbour and linear-probe accuracy on a test set. */
#include "apps.h"

#include <stdio.h>
#include <stdlib.h>

int apps_encode(float **codes, ae_model *m, const ae_dataset *ds) {
  size_t n = ae_dataset_count(ds), z = ae_model_code_dim(m);
  if (!(*codes = malloc(n * z * sizeof **codes))) return cli_error("out of memory");
  char phase[48];
  snprintf(phase, sizeof phase, "encoding %zu samples", n);
  cli_progress_model(m, phase);
  if (ae_model_encode(m, *codes, ae_dataset_data(ds), n)) {
    free(*codes);
    *codes = NULL;
    return cli_fail();
  }
  return 0;
}

int apps_probe(double *knn, double *lp, const float *train, const int32_t *train_labels,
               size_t n, const float *test, const int32_t *test_labels, size_t nt, size_t z,
               int k, int steps) {
  int32_t *pred = malloc(nt * sizeof *pred);
  if (!pred) return cli_error("probe: out of memory");
  int rc = 0;
  size_t right = 0;
  cli_progress_phase("k-NN");
  cli_progress_update(0, nt);
  for (size_t q = 0; !rc && q < nt; q += APPS_QUERY_SLICE) { /* slices for the bar */
    size_t b = nt - q < APPS_QUERY_SLICE ? nt - q : APPS_QUERY_SLICE;
    if (ae_knn_classify(pred + q, train, train_labels, n, test + q * z, b, z, k)) rc = cli_fail();
    cli_progress_update(q + b, nt);
  }
  for (size_t i = 0; !rc && i < nt; i++) right += pred[i] == test_labels[i];
  *knn = (double)right / (double)nt;
  if (!rc && lp) {
    right = 0;
    cli_progress_phase("linear probe");
    cli_progress_update(0, 0);
    if (ae_linear_probe(pred, train, train_labels, n, test, nt, z, steps)) rc = cli_fail();
    cli_progress_end();
    for (size_t i = 0; !rc && i < nt; i++) right += pred[i] == test_labels[i];
    *lp = (double)right / (double)nt;
  }
  free(pred);
  return rc;
}

static const char *usage =
    "usage: aekit probe MODEL [--data TRAIN --labels TRAIN_LABELS]\n"
    "                   [--test-data TEST --test-labels TEST_LABELS] [--k 5]\n\n"
    "Classification accuracy of the model's codes on the test set: by the\n"
    "majority of the k nearest training codes (Euclidean; a tied vote goes\n"
    "to the nearer neighbour), and by a linear probe (multinomial logistic\n"
    "regression on the standardised codes, --steps full-batch Adam steps).\n"
    "Default data: Fashion-MNIST's training and test sets with their labels.";

int cmd_probe(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT, t = CLI_DATA_INIT;
  const char *model = NULL;
  int k = 5, steps = 100, no_linear = 0;
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "model file (or give it as MODEL)"},
      {"--test-data", NULL, OPT_STRING, &t.path, "test data (default: Fashion-MNIST test set)"},
      {"--test-labels", NULL, OPT_STRING, &t.labels, "labels of the test data (IDX)"},
      {"--test-limit", NULL, OPT_INT, &t.limit, "use only the first N test samples"},
      {"--k", "-k", OPT_INT, &k, "neighbours that vote (default 5)"},
      {"--steps", NULL, OPT_INT, &steps, "linear-probe Adam steps (default 100)"},
      {"--no-linear", NULL, OPT_FLAG, &no_linear, "k-NN only"},
      DATA_OPTS_DEFAULT(d, "training set"), OPTS_END};
  int r = apps_parse(argc, argv, "probe", usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  if (k < 1) return cli_error("probe: --k %d must be at least 1", k);
  if (steps < 1) return cli_error("probe: --steps %d must be at least 1", steps);
  t.header = d.header, t.label_column = d.label_column, t.drop = d.drop;
  ae_model *m = NULL;
  ae_dataset *train = NULL, *test = NULL;
  float *ctrain = NULL, *ctest = NULL;
  int rc = 1;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, d.threads)) {
    cli_fail();
    goto out;
  }
  if (cli_load_data_for(&train, m, model, &d, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz") ||
      cli_load_data_for(&test, m, model, &t, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))
    goto out;
  if (!ae_dataset_labels(train) || !ae_dataset_labels(test)) {
    cli_error("probe: no labels for the %s data (--%slabels FILE)",
              ae_dataset_labels(train) ? "test" : "training", ae_dataset_labels(train) ? "test-" : "");
    goto out;
  }
  size_t n = ae_dataset_count(train), nt = ae_dataset_count(test), z = ae_model_code_dim(m);
  if ((size_t)k > n) {
    cli_error("probe: --k %d is more than the %zu training samples", k, n);
    goto out;
  }
  if (apps_encode(&ctrain, m, train) || apps_encode(&ctest, m, test)) goto out;
  double knn, lp;
  if (apps_probe(&knn, no_linear ? NULL : &lp, ctrain, ae_dataset_labels(train), n, ctest,
                 ae_dataset_labels(test), nt, z, k, steps))
    goto out;
  printf("codes %zu, training samples %zu, test samples %zu\n", z, n, nt);
  printf("knn accuracy (k=%d) %.4f\n", k, knn);
  if (!no_linear) printf("linear probe accuracy %.4f\n", lp);
  rc = 0;
out:
  free(ctrain);
  free(ctest);
  ae_model_free(m);
  ae_dataset_free(train);
  ae_dataset_free(test);
  return rc;
}
