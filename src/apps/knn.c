/* SPDX-License-Identifier: MIT */
/* knn.c — nearest neighbours of codes: Euclidean and cosine distances from
 * blocked matrix products (|q|^2 + |r|^2 - 2 q.r, one cblas_sgemm per
 * block), k-NN classification by majority vote, binary codes and Hamming
 * search by popcount.
 * Legend: N database rows, Q queries, D features, K neighbours,
 * QB / RB queries / rows per block, W 64-bit words per binary code. */
#include "error.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QB 256  /* queries per block */
#define RB 2048 /* database rows per block: a QB x RB tile is 2 MiB */

/* Insert (v, j) into the sorted top-k lists (best[0] nearest) of one query
 * holding `have` entries; equal distances stay in arrival (row) order. */
static inline void topk_insert(float *bd, size_t *bi, int *have, int k, float v, size_t j) {
  if (*have == k && !(v < bd[k - 1])) return;
  int p = *have < k ? (*have)++ : k - 1;
  while (p > 0 && bd[p - 1] > v) {
    bd[p] = bd[p - 1];
    bi[p] = bi[p - 1];
    p--;
  }
  bd[p] = v;
  bi[p] = j;
}

static ae_status check_args(const void *db, size_t n, const void *q, size_t nq, size_t d, int k,
                            const char *what) {
  if (!db || !q || n == 0 || nq == 0 || d == 0)
    return ae_set_error(AE_ERR_ARG, "%s: no rows (database %zu, queries %zu, dim %zu)", what, n,
                        nq, d);
  if (k < 1 || (size_t)k > n)
    return ae_set_error(AE_ERR_ARG, "%s: k = %d must be in 1..%zu (the database rows)", what, k, n);
  if (!ae_fits(n, d, sizeof(float)) || !ae_fits(nq, d, sizeof(float)) ||
      !ae_fits(nq, (size_t)k, sizeof(size_t)))
    return ae_set_error(AE_ERR_ARG, "%s: %zu x %zu and %zu x %zu values cannot be in memory", what,
                        n, d, nq, d);
  return AE_OK;
}

/* Rows scaled to unit length (zero rows stay zero); caller frees. */
static float *normalized(const float *x, size_t n, size_t d) {
  float *y = malloc(n * d * sizeof *y); /* (n, D) */
  if (!y) return NULL;
  for (size_t i = 0; i < n; i++) {
    double s = 0.0;
    for (size_t j = 0; j < d; j++) s += (double)x[i * d + j] * x[i * d + j];
    float inv = s > 0.0 ? (float)(1.0 / sqrt(s)) : 0.0f;
    for (size_t j = 0; j < d; j++) y[i * d + j] = x[i * d + j] * inv;
  }
  return y;
}

static void row_norms(float *out, const float *x, size_t n, size_t d) {
  for (size_t i = 0; i < n; i++) {
    double s = 0.0;
    for (size_t j = 0; j < d; j++) s += (double)x[i * d + j] * x[i * d + j];
    out[i] = (float)s;
  }
}

ae_status ae_knn_search(size_t *idx, float *dist, const float *db, size_t n, const float *queries,
                        size_t nq, size_t d, int k, ae_metric metric) {
  AE_ARG(idx, "ae_knn_search", "idx is NULL");
  ae_status st = check_args(db, n, queries, nq, d, k, "nearest neighbours");
  if (st) return st;
  if (metric != AE_METRIC_EUCLIDEAN && metric != AE_METRIC_COSINE)
    return ae_set_error(AE_ERR_ARG, "nearest neighbours: unknown metric %d", (int)metric);
  int cos = metric == AE_METRIC_COSINE;
  float *ndb = NULL, *nq_ = NULL;
  float *tile = malloc((size_t)QB * RB * sizeof *tile); /* (QB, RB) */
  float *rn = malloc(n * sizeof *rn), *qn = malloc(QB * sizeof *qn); /* (N), (QB) */
  float *bd = malloc((size_t)QB * (size_t)k * sizeof *bd);          /* (QB, K) */
  size_t *bi = malloc((size_t)QB * (size_t)k * sizeof *bi);         /* (QB, K) */
  int *have = malloc(QB * sizeof *have);
  if (cos) {
    ndb = normalized(db, n, d);
    nq_ = normalized(queries, nq, d);
  }
  if (!tile || !rn || !qn || !bd || !bi || !have || (cos && (!ndb || !nq_))) {
    st = ae_set_error(AE_ERR_NOMEM, "nearest neighbours: out of memory");
    goto done;
  }
  const float *R = cos ? ndb : db, *Qx = cos ? nq_ : queries;
  row_norms(rn, R, n, d);
  for (size_t q0 = 0; q0 < nq; q0 += QB) {
    size_t qb = nq - q0 < QB ? nq - q0 : QB;
    row_norms(qn, Qx + q0 * d, qb, d);
    memset(have, 0, qb * sizeof *have);
    for (size_t r0 = 0; r0 < n; r0 += RB) {
      size_t rb = n - r0 < RB ? n - r0 : RB;
      /* tile = Q_block . R_block^T  (qb, rb) */
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)qb, (int)rb, (int)d, 1.0f,
                  Qx + q0 * d, (int)d, R + r0 * d, (int)d, 0.0f, tile, (int)rb);
      for (size_t i = 0; i < qb; i++) {
        const float *t = tile + i * rb;
        for (size_t j = 0; j < rb; j++) {
          float v = cos ? 1.0f - t[j] : qn[i] + rn[r0 + j] - 2.0f * t[j];
          if (!cos && v < 0.0f) v = 0.0f;
          topk_insert(bd + i * (size_t)k, bi + i * (size_t)k, &have[i], k, v, r0 + j);
        }
      }
    }
    for (size_t i = 0; i < qb; i++)
      for (int j = 0; j < k; j++) {
        size_t o = (q0 + i) * (size_t)k + (size_t)j;
        idx[o] = bi[i * (size_t)k + (size_t)j];
        if (dist) {
          float v = bd[i * (size_t)k + (size_t)j];
          dist[o] = cos ? v : sqrtf(v);
        }
      }
  }
done:
  free(tile);
  free(rn);
  free(qn);
  free(bd);
  free(bi);
  free(have);
  free(ndb);
  free(nq_);
  return st;
}

ae_status ae_knn_classify(int32_t *pred, const float *train, const int32_t *labels, size_t n,
                          const float *queries, size_t nq, size_t d, int k) {
  AE_ARG(pred, "ae_knn_classify", "pred is NULL");
  if (!labels) return ae_set_error(AE_ERR_ARG, "k-NN classification: no labels");
  ae_status st = check_args(train, n, queries, nq, d, k, "k-NN classification");
  if (st) return st;
  size_t *idx = malloc(nq * (size_t)k * sizeof *idx); /* (Q, K) */
  if (!idx) return ae_set_error(AE_ERR_NOMEM, "k-NN classification: out of memory");
  if (!(st = ae_knn_search(idx, NULL, train, n, queries, nq, d, k, AE_METRIC_EUCLIDEAN))) {
    for (size_t i = 0; i < nq; i++) {
      const size_t *nb = idx + i * (size_t)k;
      int best = 0, best_count = 0;
      for (int a = 0; a < k; a++) { /* in rank order: a tie keeps the nearer */
        int count = 0;
        for (int b = 0; b < k; b++) count += labels[nb[b]] == labels[nb[a]];
        if (count > best_count) best = a, best_count = count;
      }
      pred[i] = labels[nb[best]];
    }
  }
  free(idx);
  return st;
}

/* ---- binary codes --------------------------------------------------------- */

size_t ae_code_words(size_t d) { return d / 64 + (d % 64 != 0); }

ae_status ae_codes_binarize(uint64_t *bits, const float *codes, size_t n, size_t d,
                            float threshold) {
  if (!bits || !codes || d == 0) return ae_set_error(AE_ERR_ARG, "binary codes: no codes");
  if (isnan(threshold)) return ae_set_error(AE_ERR_ARG, "binary codes: the threshold is NaN");
  size_t w = ae_code_words(d);
  if (!ae_fits(n, d, sizeof(float)) || !ae_fits(n, w, sizeof *bits))
    return ae_set_error(AE_ERR_ARG, "binary codes: %zu x %zu values cannot be in memory", n, d);
  memset(bits, 0, n * w * sizeof *bits);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      if (codes[i * d + j] > threshold) bits[i * w + j / 64] |= (uint64_t)1 << (j % 64);
  return AE_OK;
}

ae_status ae_hamming_search(size_t *idx, int *dist, const uint64_t *db, size_t n,
                            const uint64_t *queries, size_t nq, size_t words, int k) {
  AE_ARG(idx, "ae_hamming_search", "idx is NULL");
  ae_status st = check_args(db, n, queries, nq, words, k, "Hamming search");
  if (st) return st;
  float *bd = malloc((size_t)k * sizeof *bd); /* (K) distances as floats: exact below 2^24 */
  size_t *bi = malloc((size_t)k * sizeof *bi);
  if (!bd || !bi) {
    free(bd);
    free(bi);
    return ae_set_error(AE_ERR_NOMEM, "Hamming search: out of memory");
  }
  for (size_t i = 0; i < nq; i++) {
    const uint64_t *q = queries + i * words;
    int have = 0;
    for (size_t j = 0; j < n; j++) {
      const uint64_t *r = db + j * words;
      int h = 0;
      for (size_t w = 0; w < words; w++) h += __builtin_popcountll(q[w] ^ r[w]);
      topk_insert(bd, bi, &have, k, (float)h, j);
    }
    for (int j = 0; j < k; j++) {
      idx[i * (size_t)k + (size_t)j] = bi[j];
      if (dist) dist[i * (size_t)k + (size_t)j] = (int)bd[j];
    }
  }
  free(bd);
  free(bi);
  return AE_OK;
}
