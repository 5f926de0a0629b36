/* SPDX-License-Identifier: MIT */
/* cmd_search.c — aekit search: nearest neighbours of query images in code
 * space (Euclidean, cosine, or Hamming on binary codes), precision@k with
 * labels, and a picture of each query followed by its neighbours. */
#include "apps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 0.5 for codes from a sigmoid layer, else 0. */
static float code_threshold(const ae_model *m) {
  const char *spec = ae_model_spec(m), *bar = strchr(spec, '|');
  size_t len = bar ? (size_t)(bar - spec) : strcspn(spec, ";");
  const char *suffix = ":sigmoid";
  size_t sl = strlen(suffix);
  return len >= sl && !strncmp(spec + len - sl, suffix, sl) ? 0.5f : 0.0f;
}

static const char *usage =
    "usage: aekit search MODEL [--data DB] [--queries Q] [--k 10]\n"
    "                    [--metric euclidean|cosine|hamming] [--png OUT.png]\n\n"
    "The k nearest database samples of every query in code space. hamming:\n"
    "codes made binary (a unit is on above 0.5 for a sigmoid code, above 0\n"
    "otherwise; --bit-threshold sets it), compared by popcount. With labels on\n"
    "both sides, precision@k: the fraction of neighbours of the query's class.\n"
    "--png: one row per query (at most --rows), the query then its neighbours.\n"
    "Default data: Fashion-MNIST's training set (database) and test set (queries).";

int cmd_search(int argc, char **argv) {
  cli_data d = CLI_DATA_INIT, q = CLI_DATA_INIT;
  const char *model = NULL, *metric = "euclidean", *png = NULL;
  int k = 10, rows = 10, show = 5;
  float bit_threshold = -1e30f;
  const cli_opt opts[] = {
      {"--model", "-m", OPT_STRING, &model, "model file (or give it as MODEL)"},
      {"--queries", NULL, OPT_STRING, &q.path, "query data (default: Fashion-MNIST test set)"},
      {"--query-labels", NULL, OPT_STRING, &q.labels, "labels of the queries (IDX)"},
      {"--query-limit", NULL, OPT_INT, &q.limit, "use only the first N queries"},
      {"--k", "-k", OPT_INT, &k, "neighbours per query (default 10)"},
      {"--metric", NULL, OPT_STRING, &metric, "euclidean (default), cosine or hamming"},
      {"--bit-threshold", NULL, OPT_FLOAT, &bit_threshold, "hamming: a code unit is on above this"},
      {"--png", NULL, OPT_OUTPUT, &png, "picture: each query, then its neighbours"},
      {"--rows", NULL, OPT_INT, &rows, "queries in the picture (default 10)"},
      {"--show", NULL, OPT_INT, &show, "queries whose neighbours are printed (default 5)"},
      DATA_OPTS_DEFAULT(d, "training set"), OPTS_END};
  int r = apps_parse(argc, argv, "search", usage, opts, &model);
  if (r) return r == 2 ? 0 : 1;
  int ham = !strcmp(metric, "hamming");
  ae_metric mt = !strcmp(metric, "cosine") ? AE_METRIC_COSINE : AE_METRIC_EUCLIDEAN;
  if (!ham && strcmp(metric, "cosine") && strcmp(metric, "euclidean"))
    return cli_error("search: --metric '%s' is not euclidean, cosine or hamming", metric);
  if (k < 1) return cli_error("search: --k %d must be at least 1", k);
  if (rows < 1 || rows > 100) return cli_error("search: --rows %d must be in 1..100", rows);
  q.header = d.header, q.label_column = d.label_column, q.drop = d.drop;
  ae_model *m = NULL;
  ae_dataset *db = NULL, *qs = NULL;
  float *cdb = NULL, *cq = NULL, *fdist = NULL, *pic = NULL;
  uint64_t *bdb = NULL, *bq = NULL;
  size_t *idx = NULL;
  int *idist = NULL, rc = 1;
  if (ae_model_load(&m, model) || ae_model_set_threads(m, d.threads)) {
    cli_fail();
    goto out;
  }
  if (cli_load_data_for(&db, m, model, &d, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz") ||
      cli_load_data_for(&qs, m, model, &q, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz") ||
      cli_same_classes(qs, db, q.path ? q.path : "the test set"))
    goto out;
  size_t n = ae_dataset_count(db), nq = ae_dataset_count(qs), z = ae_model_code_dim(m);
  size_t dim = ae_model_input_dim(m);
  if ((size_t)k > n) {
    cli_error("search: --k %d is more than the %zu database samples", k, n);
    goto out;
  }
  if (apps_encode(&cdb, m, db) || apps_encode(&cq, m, qs)) goto out;
  idx = malloc(nq * (size_t)k * sizeof *idx);
  if (!idx) goto nomem;
  if (ham) {
    float t = bit_threshold > -1e29f ? bit_threshold : code_threshold(m);
    size_t w = ae_code_words(z);
    bdb = malloc(n * w * sizeof *bdb);
    bq = malloc(nq * w * sizeof *bq);
    idist = malloc(nq * (size_t)k * sizeof *idist);
    if (!bdb || !bq || !idist) goto nomem;
    if (ae_codes_binarize(bdb, cdb, n, z, t) || ae_codes_binarize(bq, cq, nq, z, t)) goto fail;
    cli_progress_phase("hamming search");
    cli_progress_update(0, nq);
    for (size_t q = 0; q < nq; q += APPS_QUERY_SLICE) { /* slices for the bar */
      size_t b = nq - q < APPS_QUERY_SLICE ? nq - q : APPS_QUERY_SLICE;
      if (ae_hamming_search(idx + q * (size_t)k, idist + q * (size_t)k, bdb, n, bq + q * w, b,
                            w, k))
        goto fail;
      cli_progress_update(q + b, nq);
    }
    printf("%zu queries, %zu database samples, %zu-bit codes (on above %g), hamming\n", nq, n, z,
           (double)t);
  } else {
    if (!(fdist = malloc(nq * (size_t)k * sizeof *fdist))) goto nomem;
    cli_progress_phase("k-NN search");
    cli_progress_update(0, nq);
    for (size_t q = 0; q < nq; q += APPS_QUERY_SLICE) { /* slices for the bar */
      size_t b = nq - q < APPS_QUERY_SLICE ? nq - q : APPS_QUERY_SLICE;
      if (ae_knn_search(idx + q * (size_t)k, fdist + q * (size_t)k, cdb, n, cq + q * z, b, z, k,
                        mt))
        goto fail;
      cli_progress_update(q + b, nq);
    }
    printf("%zu queries, %zu database samples, codes of %zu, %s\n", nq, n, z, metric);
  }
  for (size_t i = 0; i < nq && i < (size_t)show; i++) {
    printf("query %zu:", i);
    for (int j = 0; j < k; j++) {
      size_t o = i * (size_t)k + (size_t)j;
      if (ham) printf(" %zu (%d)", idx[o], idist[o]);
      else printf(" %zu (%.4g)", idx[o], (double)fdist[o]);
    }
    printf("\n");
  }
  const int32_t *ldb = ae_dataset_labels(db), *lq = ae_dataset_labels(qs);
  if (ldb && lq) {
    size_t same = 0;
    for (size_t i = 0; i < nq; i++)
      for (int j = 0; j < k; j++) same += ldb[idx[i * (size_t)k + (size_t)j]] == lq[i];
    printf("precision@%d %.4f\n", k, (double)same / ((double)nq * k));
  }
  if (png) {
    int c, h, w;
    ae_model_input_shape(m, &c, &h, &w);
    if (c != 1 && c != 3) {
      cli_error("%s: pictures need gray or RGB images (these have %d channels)", png, c);
      goto out;
    }
    size_t nr = nq < (size_t)rows ? nq : (size_t)rows, cols = 1 + (size_t)k;
    if (!(pic = malloc(nr * cols * dim * sizeof *pic))) goto nomem;
    const float *xq = ae_dataset_data(qs), *xdb = ae_dataset_data(db);
    for (size_t i = 0; i < nr; i++) {
      memcpy(pic + i * cols * dim, xq + i * dim, dim * sizeof *pic);
      for (int j = 0; j < k; j++)
        memcpy(pic + (i * cols + 1 + (size_t)j) * dim, xdb + idx[i * (size_t)k + (size_t)j] * dim,
               dim * sizeof *pic);
    }
    if (ae_png_write_grid_c(png, pic, c, (int)nr, (int)cols, h, w, 2, 2)) goto fail;
    printf("wrote %s: each row a query (left) and its %d nearest, nearest first\n", png, k);
  }
  rc = 0;
  goto out;
nomem:
  cli_error("search: out of memory");
  goto out;
fail:
  cli_fail();
out:
  free(cdb);
  free(cq);
  free(fdist);
  free(pic);
  free(bdb);
  free(bq);
  free(idx);
  free(idist);
  ae_model_free(m);
  ae_dataset_free(db);
  ae_dataset_free(qs);
  return rc;
}
