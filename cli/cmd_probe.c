/* SPDX-License-Identifier: MIT */
/* cmd_probe.c — aekit probe: how well the codes of a model separate the
 * classes: k-nearest-neighbour and linear-probe accuracy on a test set. */
#include "apps.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
               int k, int steps, int32_t *knn_pred, int32_t *lp_pred) {
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
  if (!rc && knn_pred) memcpy(knn_pred, pred, nt * sizeof *pred);
  if (!rc && lp) {
    right = 0;
    cli_progress_phase("linear probe");
    cli_progress_update(0, 0);
    if (ae_linear_probe(pred, train, train_labels, n, test, nt, z, steps)) rc = cli_fail();
    cli_progress_end();
    for (size_t i = 0; !rc && i < nt; i++) right += pred[i] == test_labels[i];
    *lp = (double)right / (double)nt;
    if (!rc && lp_pred) memcpy(lp_pred, pred, nt * sizeof *pred);
  }
  free(pred);
  return rc;
}

/* Accuracy per class of the test set (by name where the labels have
 * names), at most 64 classes. */
static void per_class(const ae_dataset *test, const int32_t *truth, const int32_t *knn,
                      const int32_t *lp, size_t nt) {
  enum { MAXC = 64 };
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (size_t i = 0; i < nt; i++) {
    if (truth[i] < lo) lo = truth[i];
    if (truth[i] > hi) hi = truth[i];
  }
  if (nt == 0 || (int64_t)hi - lo >= MAXC) return;
  size_t count[MAXC] = {0}, rk[MAXC] = {0}, rl[MAXC] = {0};
  for (size_t i = 0; i < nt; i++) {
    int c = truth[i] - lo;
    count[c]++;
    rk[c] += knn[i] == truth[i];
    if (lp) rl[c] += lp[i] == truth[i];
  }
  printf("\n%-24s %8s %8s%s\n", "class", "samples", "knn", lp ? "   linear" : "");
  for (int c = 0; c <= hi - lo; c++) {
    if (!count[c]) continue;
    char name[300];
    const char *cn = ae_dataset_class_name(test, lo + c);
    if (cn) snprintf(name, sizeof name, "%d %s", lo + c, cn);
    else snprintf(name, sizeof name, "%d", lo + c);
    printf("%-24s %8zu %8.4f", name, count[c], (double)rk[c] / (double)count[c]);
    if (lp) printf(" %8.4f", (double)rl[c] / (double)count[c]);
    printf("\n");
  }
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
  int32_t *pk = NULL; /* (2, nt) the k-NN's and the probe's predictions */
  int rc = 1;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, d.threads)) {
    cli_fail();
    goto out;
  }
  if (cli_load_data_for(&train, m, model, &d, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz") ||
      cli_load_data_for(&test, m, model, &t, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz") ||
      cli_same_classes(test, train, t.path ? t.path : "the test set"))
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
  if (!(pk = malloc(2 * nt * sizeof *pk))) {
    cli_error("probe: out of memory");
    goto out;
  }
  const int32_t *truth = ae_dataset_labels(test);
  if (apps_probe(&knn, no_linear ? NULL : &lp, ctrain, ae_dataset_labels(train), n, ctest,
                 truth, nt, z, k, steps, pk, pk + nt))
    goto out;
  printf("codes %zu, training samples %zu, test samples %zu\n", z, n, nt);
  printf("knn accuracy (k=%d) %.4f\n", k, knn);
  if (!no_linear) printf("linear probe accuracy %.4f\n", lp);
  per_class(test, truth, pk, no_linear ? NULL : pk + nt, nt);
  rc = 0;
out:
  free(pk);
  free(ctrain);
  free(ctest);
  ae_model_free(m);
  ae_dataset_free(train);
  ae_dataset_free(test);
  return rc;
}
