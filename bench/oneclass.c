/* SPDX-License-Identifier: MIT */
/* oneclass.c — the one-class anomaly benchmark on Fashion-MNIST (Golan and
 * El-Yaniv 2018's protocol), on aekit's public API only.
 *
 * For each class k: train an autoencoder on the 6 000 training images of
 * class k only, score all 10 000 test images (anomaly = any other class),
 * report ROC AUC for each score:
 *   recon  the reconstruction error (ae_detector_scores);
 *   ssim   1 - SSIM of the image and its reconstruction (ae_ssim);
 *   code   the mean Euclidean distance of the code to its K nearest codes of
 *          the training images;
 *   pixel  the same in pixel space (no model);
 *   r+c    recon and code, each standardised by the mean and standard
 *          deviation of its scores on the training images, added;
 *   s+c    ssim and code, standardised the same way, added: the headline,
 *          chosen on --validate.
 * The training images' own k-NN scores leave themselves out.
 *
 * --dump DIR writes the arrays (images, labels, reconstructions and codes of
 * the images and of their mirror images) as NPY files, to study other
 * scores offline without training again (bench/oneclass_scores.py).
 *
 * --validate: choose settings without the test set. The last 1 000 training
 * images of every class are held out; class k's model trains on its other
 * 5 000 and is scored on the 10 000 held out (anomaly = another class).
 *
 * usage: aekit-bench-oneclass [--spec SPEC] [--epochs E] [--batch B]
 *                             [--noise NOISE] [--k K] [--seeds S]
 *                             [--classes LIST] [--validate] [--dump DIR]
 * Legend: N training images of the class, T scored images, D 784, Z code. */
#define _POSIX_C_SOURCE 200809L
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

/* --dump DIR: an (n, dim) array as DIR/NAME.npy (ae_array_save). */
static int dump(const char *dir, const char *name, const float *x, size_t n, size_t dim) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.npy", dir, name);
  if (!ae_array_save(path, x, n, dim)) return 0;
  fprintf(stderr, "oneclass: --dump: %s\n", ae_last_error());
  return 1;
}

/* Mirror n 28x28 images left to right. */
static void hflip(float *out, const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (int r = 0; r < 28; r++)
      for (int c = 0; c < 28; c++) out[i * 784 + (size_t)r * 28 + (size_t)c] = x[i * 784 + (size_t)r * 28 + (size_t)(27 - c)];
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

/* Standardise s (n) by the mean and sd of ref (m) and add into acc. */
static void add_z(float *acc, const float *s, size_t n, const float *ref, size_t m) {
  double mean, sd;
  moments(ref, m, &mean, &sd);
  for (size_t i = 0; i < n; i++) acc[i] += (float)((s[i] - mean) / sd);
}

enum { S_RECON, S_SSIM, S_CODE, S_PIXEL, S_RC, S_SC, NS };
static const char *const score_names[NS] = {"recon", "ssim", "code", "pixel", "r+c", "**s+c**"};

int main(int argc, char **argv) {
  const char *spec = "conv", *noise = NULL, *dumpdir = NULL, *classes = "0,1,2,3,4,5,6,7,8,9";
  int epochs = 20, batch = 64, k = 5, seeds = 1, validate = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--validate")) {
      validate = 1;
      continue;
    }
    if (i + 1 == argc) {
      fprintf(stderr, "oneclass: %s needs a value\n", argv[i]);
      return 1;
    }
    if (!strcmp(argv[i], "--spec")) spec = argv[++i];
    else if (!strcmp(argv[i], "--epochs")) epochs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--noise")) noise = argv[++i];
    else if (!strcmp(argv[i], "--k")) k = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seeds")) seeds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--classes")) classes = argv[++i];
    else if (!strcmp(argv[i], "--dump")) dumpdir = argv[++i];
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
  ae_dataset *pool = NULL, *eval = NULL;
  lo.labels_path = FASHION "train-labels-idx1-ubyte.gz";
  if (ae_dataset_load(&pool, FASHION "train-images-idx3-ubyte.gz", &lo)) return fail("train");
  if (ae_dataset_scale(pool, 0.0f, 255.0f)) return fail("scale");
  if (validate) { /* held out: the last 1 000 training images of each class */
    size_t n = ae_dataset_count(pool), d = ae_dataset_dim(pool), seen[10] = {0};
    size_t per[10] = {0}, nv = 0, nr = 0;
    const int32_t *l = ae_dataset_labels(pool);
    const float *x = ae_dataset_data(pool);
    for (size_t i = 0; i < n; i++) per[l[i] % 10]++;
    float *xv = malloc(10000 * d * sizeof(float)), *xr = malloc(n * d * sizeof(float));
    int32_t *lv = malloc(10000 * sizeof(int32_t)), *lr = malloc(n * sizeof(int32_t));
    for (size_t i = 0; i < n; i++) {
      int c = l[i] % 10;
      int held = ++seen[c] > per[c] - 1000 && nv < 10000;
      memcpy((held ? xv + nv * d : xr + nr * d), x + i * d, d * sizeof(float));
      if (held) lv[nv++] = l[i];
      else lr[nr++] = l[i];
    }
    ae_dataset *rest = NULL;
    if (ae_dataset_from_array(&eval, xv, nv, d, lv) ||
        ae_dataset_from_array(&rest, xr, nr, d, lr))
      return fail("validation split");
    free(xv), free(xr), free(lv), free(lr);
    ae_dataset_free(pool);
    pool = rest;
  } else {
    lo.labels_path = FASHION "t10k-labels-idx1-ubyte.gz";
    if (ae_dataset_load(&eval, FASHION "t10k-images-idx3-ubyte.gz", &lo) ||
        ae_dataset_scale(eval, 0.0f, 255.0f))
      return fail("test");
  }
  size_t nt = ae_dataset_count(eval), d = ae_dataset_dim(eval);
  const int32_t *tl = ae_dataset_labels(eval);
  if (dumpdir) { /* the labels as floats, as ae_array_save writes them */
    float *yf = malloc(nt * sizeof(float));
    for (size_t i = 0; yf && i < nt; i++) yf[i] = (float)tl[i];
    int bad = !yf || dump(dumpdir, "eval_x", ae_dataset_data(eval), nt, d) ||
              dump(dumpdir, "eval_y", yf, nt, 1);
    free(yf);
    if (bad) return 1;
  }
  /* published AUROC of the same protocol (Golan and El-Yaniv 2018) */
  static const double geom[10] = {99.4, 97.6, 91.1, 89.9, 92.1, 93.4, 83.3, 98.9, 90.8, 99.2};
  static const double ocsvm[10] = {91.9, 99.0, 89.4, 94.2, 90.7, 91.8, 83.4, 98.8, 90.3, 98.2};
  printf("one-class Fashion-MNIST%s: spec %s, %d epochs, batch %d%s%s, k %d, %d seed%s\n",
         validate ? " (VALIDATION: held-out training images)" : "", spec, epochs, batch,
         noise ? ", noise " : "", noise ? noise : "", k, seeds, seeds > 1 ? "s" : "");
  printf("| class |");
  for (int j = 0; j < NS; j++) printf(" %s |", score_names[j]);
  printf(" RAW-OC-SVM | GEOM | seconds |\n|---|");
  for (int j = 0; j < NS; j++) printf("---|");
  printf("---|---|---|\n");
  double sum[NS] = {0}, sum_geom = 0.0, sum_oc = 0.0;
  int done = 0;
  int32_t list[10];
  int nlist = 0;
  for (const char *p = classes; *p && nlist < 10;) {
    char *end;
    list[nlist++] = (int32_t)strtol(p, &end, 10);
    p = *end == ',' ? end + 1 : end;
  }
  float *sc[NS], *pix_n = NULL;
  for (int j = 0; j < NS; j++) sc[j] = malloc(nt * sizeof(float));
  float *rec_n = NULL, *code_n = NULL;
  int *y = malloc(nt * sizeof(int));
  for (int c = 0; c < nlist; c++) {
    int32_t cls = list[c];
    double t0 = now_s();
    ae_dataset *train = NULL;
    if (ae_dataset_select_labels(&train, pool, &cls, 1)) return fail("select");
    size_t n = ae_dataset_count(train);
    const float *xn = ae_dataset_data(train), *xt = ae_dataset_data(eval);
    for (size_t i = 0; i < nt; i++) y[i] = tl[i] != cls;
    for (int j = 0; j < NS; j++) memset(sc[j], 0, nt * sizeof(float));
    /* pixel space: no model */
    pix_n = realloc(pix_n, n * sizeof(float));
    if (knn_scores(pix_n, xn, n, xn, n, d, k, 1) || knn_scores(sc[S_PIXEL], xn, n, xt, nt, d, k, 0))
      return fail("pixel k-NN");
    float *rec_t = malloc(nt * sizeof(float)), *knn_t = malloc(nt * sizeof(float));
    float *ss_n = malloc(n * sizeof(float)), *ss_t = malloc(nt * sizeof(float));
    float *xr_n = malloc(n * d * sizeof(float)), *xr_t = malloc(nt * d * sizeof(float));
    for (int s = 0; s < seeds; s++) { /* seeds: scores averaged (standardised) */
      ae_model *m = NULL;
      ae_train_options o;
      ae_train_options_defaults(&o);
      o.epochs = epochs, o.batch_size = batch, o.noise = noise, o.seed = 1000 + (uint64_t)s;
      if (ae_model_create(&m, spec, 1, 28, 28, o.seed) || ae_train(m, train, NULL, &o, NULL))
        return fail("train");
      size_t z = ae_model_code_dim(m);
      rec_n = realloc(rec_n, n * sizeof(float));
      float *knn_n = malloc(n * sizeof(float)), *ct = malloc(nt * z * sizeof(float));
      code_n = realloc(code_n, n * z * sizeof(float));
      if (ae_detector_scores(m, rec_n, xn, n) || ae_detector_scores(m, rec_t, xt, nt) ||
          ae_model_reconstruct(m, xr_n, xn, n) || ae_model_reconstruct(m, xr_t, xt, nt) ||
          ae_ssim(ss_n, xn, xr_n, n, 1, 28, 28, 1.0f) ||
          ae_ssim(ss_t, xt, xr_t, nt, 1, 28, 28, 1.0f) ||
          ae_model_encode(m, code_n, xn, n) || ae_model_encode(m, ct, xt, nt) ||
          knn_scores(knn_n, code_n, n, code_n, n, z, k, 1) ||
          knn_scores(knn_t, code_n, n, ct, nt, z, k, 0))
        return fail("score");
      if (dumpdir) {
        size_t nn[2] = {n, nt};
        const float *xs[2] = {xn, xt};
        const char *side[2] = {"train", "eval"};
        char name[256];
        snprintf(name, sizeof name, "c%d_train_x", (int)cls);
        if (s == 0 && dump(dumpdir, name, xn, n, d)) return 1;
        const float *recs[2] = {xr_n, xr_t}, *codes[2] = {code_n, ct};
        for (int a = 0; a < 2; a++)
          for (int f = 0; f < 2; f++) { /* f: the mirror images, reconstructed here */
            float *in = NULL, *r = NULL, *cd = NULL;
            if (f) {
              in = malloc(nn[a] * d * sizeof(float)), r = malloc(nn[a] * d * sizeof(float));
              cd = malloc(nn[a] * z * sizeof(float));
              hflip(in, xs[a], nn[a]);
              if (ae_model_reconstruct(m, r, in, nn[a]) || ae_model_encode(m, cd, in, nn[a]))
                return fail("dump");
            }
            snprintf(name, sizeof name, "c%d_s%d_%s%s_rec", (int)cls, s, side[a], f ? "_f" : "");
            if (dump(dumpdir, name, f ? r : recs[a], nn[a], d)) return 1;
            snprintf(name, sizeof name, "c%d_s%d_%s%s_code", (int)cls, s, side[a], f ? "_f" : "");
            if (dump(dumpdir, name, f ? cd : codes[a], nn[a], z)) return 1;
            free(in), free(r), free(cd);
          }
      }
      for (size_t i = 0; i < n; i++) ss_n[i] = 1.0f - ss_n[i]; /* dissimilarity */
      for (size_t i = 0; i < nt; i++) ss_t[i] = 1.0f - ss_t[i];
      add_z(sc[S_RECON], rec_t, nt, rec_n, n);
      add_z(sc[S_SSIM], ss_t, nt, ss_n, n);
      add_z(sc[S_CODE], knn_t, nt, knn_n, n);
      free(knn_n), free(ct);
      ae_model_free(m);
    }
    for (size_t i = 0; i < nt; i++) {
      sc[S_RC][i] = sc[S_RECON][i] + sc[S_CODE][i];
      sc[S_SC][i] = sc[S_SSIM][i] + sc[S_CODE][i];
    }
    free(rec_t), free(knn_t), free(ss_n), free(ss_t), free(xr_n), free(xr_t);
    double auc[NS];
    for (int j = 0; j < NS; j++)
      if (ae_roc_auc(&auc[j], sc[j], y, nt)) return fail("auc");
    printf("| %d |", (int)cls);
    for (int j = 0; j < NS; j++) printf(" %.1f |", 100 * auc[j]), sum[j] += auc[j];
    printf(" %.1f | %.1f | %.0f |\n", ocsvm[cls % 10], geom[cls % 10], now_s() - t0);
    fflush(stdout);
    sum_geom += geom[cls % 10], sum_oc += ocsvm[cls % 10];
    done++;
    ae_dataset_free(train);
  }
  printf("| mean |");
  for (int j = 0; j < NS; j++) printf(" %.1f |", 100 * sum[j] / done);
  printf(" %.1f | %.1f | |\n", sum_oc / done, sum_geom / done);
  for (int j = 0; j < NS; j++) free(sc[j]);
  free(pix_n), free(rec_n), free(code_n), free(y);
  ae_dataset_free(pool);
  ae_dataset_free(eval);
  return 0;
}
