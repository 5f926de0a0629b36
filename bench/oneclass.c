/* oneclass.c — the one-class anomaly benchmark on Fashion-MNIST (Golan and
 * El-Yaniv 2018's protocol), on aekit's public API only.
 *
 * For each class k: train an autoencoder on the 6 000 training images of
 * class k only, score all 10 000 test images (anomaly = any other class),
 * report ROC AUC. The method was fixed before the test set was looked at,
 * and nothing is tuned on it:
 *   recon  the reconstruction error (ae_detector_scores);
 *   knn    the mean Euclidean distance of the code to its K nearest codes of
 *          the training images (the training images' own score leaves
 *          themselves out);
 *   both   the headline score: the two, each standardised by the mean and
 *          standard deviation of its scores on the training images, added.
 * recon and knn are printed as the ablation of both.
 *
 * usage: aekit-bench-oneclass [--spec SPEC] [--epochs E] [--batch B]
 *                             [--noise NOISE] [--k K] [--seeds S] [--classes LIST]
 * Legend: N training images of the class, T test images, D 784, Z code. */
#include <aekit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FASHION "/usr/share/datasets/fashion-mnist/"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what) {
  fprintf(stderr, "oneclass: %s: %s\n", what, ae_last_error());
  return 1;
}

/* Mean and standard deviation of n scores. */
static void moments(const float *s, size_t n, double *mean, double *sd) {
  double a = 0.0, b = 0.0;
  for (size_t i = 0; i < n; i++) a += s[i];
  a /= (double)n;
  for (size_t i = 0; i < n; i++) b += ((double)s[i] - a) * ((double)s[i] - a);
  *mean = a;
  *sd = sqrt(b / (double)(n > 1 ? n - 1 : 1));
  if (!(*sd > 0.0)) *sd = 1.0;
}

/* Mean distance to the k nearest training codes (skip = 1: the nearest,
 * which is the query itself, is left out). */
static int knn_scores(float *out, const float *train, size_t n, const float *q, size_t nq,
                      size_t z, int k, int skip) {
  size_t *idx = malloc(nq * (size_t)(k + skip) * sizeof *idx);
  float *dist = malloc(nq * (size_t)(k + skip) * sizeof *dist);
  int rc = !idx || !dist ||
           ae_knn_search(idx, dist, train, n, q, nq, z, k + skip, AE_METRIC_EUCLIDEAN);
  for (size_t i = 0; !rc && i < nq; i++) {
    double s = 0.0;
    for (int j = skip; j < k + skip; j++) s += dist[i * (size_t)(k + skip) + (size_t)j];
    out[i] = (float)(s / k);
  }
  free(idx);
  free(dist);
  return rc;
}

int main(int argc, char **argv) {
  const char *spec = "conv", *noise = NULL, *classes = "0,1,2,3,4,5,6,7,8,9";
  int epochs = 20, batch = 64, k = 5, seeds = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--spec")) spec = argv[i + 1];
    else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--noise")) noise = argv[i + 1];
    else if (!strcmp(argv[i], "--k")) k = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--seeds")) seeds = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--classes")) classes = argv[i + 1];
    else {
      fprintf(stderr, "oneclass: unknown option %s\n", argv[i]);
      return 1;
    }
  }
  if (epochs < 1 || batch < 1 || k < 1 || seeds < 1) {
    fprintf(stderr, "oneclass: --epochs, --batch, --k and --seeds must be positive\n");
    return 1;
  }
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  ae_dataset *train_all = NULL, *test = NULL;
  lo.labels_path = FASHION "train-labels-idx1-ubyte.gz";
  if (ae_dataset_load(&train_all, FASHION "train-images-idx3-ubyte.gz", &lo)) return fail("train");
  lo.labels_path = FASHION "t10k-labels-idx1-ubyte.gz";
  if (ae_dataset_load(&test, FASHION "t10k-images-idx3-ubyte.gz", &lo)) return fail("test");
  if (ae_dataset_scale(train_all, 0.0f, 255.0f) || ae_dataset_scale(test, 0.0f, 255.0f))
    return fail("scale");
  size_t nt = ae_dataset_count(test), d = ae_dataset_dim(test);
  const int32_t *tl = ae_dataset_labels(test);
  /* published mean AUROC of the same protocol (Golan and El-Yaniv 2018) */
  static const double geom[10] = {99.4, 97.6, 91.1, 89.9, 92.1, 93.4, 83.3, 98.9, 90.8, 99.2};
  static const double ocsvm[10] = {91.9, 99.0, 89.4, 94.2, 90.7, 91.8, 83.4, 98.8, 90.3, 98.2};
  printf("one-class Fashion-MNIST: spec %s, %d epochs, batch %d%s%s, k %d, %d seed%s\n", spec,
         epochs, batch, noise ? ", noise " : "", noise ? noise : "", k, seeds, seeds > 1 ? "s" : "");
  printf("| class | recon | knn | both | RAW-OC-SVM | GEOM | seconds |\n|---|---|---|---|---|---|---|\n");
  double sum[3] = {0}, sum_geom = 0.0, sum_oc = 0.0;
  int done = 0;
  int32_t list[10];
  int nlist = 0;
  for (const char *p = classes; *p && nlist < 10;) {
    list[nlist++] = (int32_t)strtol(p, (char **)&p, 10);
    if (*p == ',') p++;
  }
  float *rec_t = malloc(nt * sizeof(float)), *knn_t = malloc(nt * sizeof(float));
  float *both = malloc(nt * sizeof(float)), *acc = malloc(nt * sizeof(float));
  int *y = malloc(nt * sizeof(int));
  for (int c = 0; c < nlist; c++) {
    int32_t cls = list[c];
    double t0 = now_s();
    ae_dataset *train = NULL;
    if (ae_dataset_select_labels(&train, train_all, &cls, 1)) return fail("select");
    size_t n = ae_dataset_count(train);
    for (size_t i = 0; i < nt; i++) y[i] = tl[i] != cls, acc[i] = 0.0f;
    double auc[3] = {0};
    for (int s = 0; s < seeds; s++) {
      ae_model *m = NULL;
      ae_train_options o;
      ae_train_options_defaults(&o);
      o.epochs = epochs, o.batch_size = batch, o.noise = noise, o.seed = 1000 + (uint64_t)s;
      if (ae_model_create(&m, spec, 1, 28, 28, o.seed) || ae_train(m, train, NULL, &o, NULL))
        return fail("train");
      size_t z = ae_model_code_dim(m);
      float *rec_n = malloc(n * sizeof(float)), *knn_n = malloc(n * sizeof(float));
      float *code_n = malloc(n * z * sizeof(float)), *code_t = malloc(nt * z * sizeof(float));
      if (ae_detector_scores(m, rec_n, ae_dataset_data(train), n) ||
          ae_detector_scores(m, rec_t, ae_dataset_data(test), nt) ||
          ae_model_encode(m, code_n, ae_dataset_data(train), n) ||
          ae_model_encode(m, code_t, ae_dataset_data(test), nt) ||
          knn_scores(knn_n, code_n, n, code_n, n, z, k, 1) ||
          knn_scores(knn_t, code_n, n, code_t, nt, z, k, 0))
        return fail("score");
      double rm, rs, km, ks;
      moments(rec_n, n, &rm, &rs);
      moments(knn_n, n, &km, &ks);
      for (size_t i = 0; i < nt; i++) {
        both[i] = (float)((rec_t[i] - rm) / rs + (knn_t[i] - km) / ks);
        acc[i] += both[i];
      }
      double a[3];
      if (ae_roc_auc(&a[0], rec_t, y, nt) || ae_roc_auc(&a[1], knn_t, y, nt) ||
          ae_roc_auc(&a[2], both, y, nt))
        return fail("auc");
      for (int j = 0; j < 3; j++) auc[j] += a[j] / seeds;
      free(rec_n), free(knn_n), free(code_n), free(code_t);
      ae_model_free(m);
    }
    if (seeds > 1 && ae_roc_auc(&auc[2], acc, y, nt)) return fail("auc"); /* the ensemble */
    printf("| %d | %.1f | %.1f | **%.1f** | %.1f | %.1f | %.0f |\n", (int)cls, 100 * auc[0],
           100 * auc[1], 100 * auc[2], ocsvm[cls % 10], geom[cls % 10], now_s() - t0);
    fflush(stdout);
    for (int j = 0; j < 3; j++) sum[j] += auc[j];
    sum_geom += geom[cls % 10], sum_oc += ocsvm[cls % 10];
    done++;
    ae_dataset_free(train);
  }
  printf("| mean | %.1f | %.1f | **%.1f** | %.1f | %.1f | |\n", 100 * sum[0] / done,
         100 * sum[1] / done, 100 * sum[2] / done, sum_oc / done, sum_geom / done);
  (void)d;
  free(rec_t), free(knn_t), free(both), free(acc), free(y);
  ae_dataset_free(train_all);
  ae_dataset_free(test);
  return 0;
}
