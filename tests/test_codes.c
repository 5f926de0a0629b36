/* SPDX-License-Identifier: MIT */
/* test_codes.c — nearest neighbours of codes against brute force
 * (Euclidean, cosine across several blocks, Hamming), k-NN voting and its
 * tie rule, the linear probe on separable data, refused input. */
#include "aekit.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_u64(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}
static float uniform(void) { return (float)((next_u64() >> 40) / (double)(1 << 24)); }

/* Brute force: the k smallest of dist[0..n) in order, ties by index. */
static void brute_topk(size_t *idx, const double *dist, size_t n, int k) {
  char *used = calloc(n, 1);
  for (int j = 0; j < k; j++) {
    size_t best = n;
    for (size_t i = 0; i < n; i++)
      if (!used[i] && (best == n || dist[i] < dist[best])) best = i;
    used[best] = 1;
    idx[j] = best;
  }
  free(used);
}

static void euclidean_and_cosine(void) {
  enum { N = 2500, Q = 300, D = 7, K = 5 }; /* N > one block of rows, Q > one of queries */
  float *db = malloc(N * D * sizeof *db), *q = malloc(Q * D * sizeof *q);
  for (int i = 0; i < N * D; i++) db[i] = uniform() * 2 - 1;
  for (int i = 0; i < Q * D; i++) q[i] = uniform() * 2 - 1;
  size_t idx[Q * K], want[K];
  float dist[Q * K];
  double *ref = malloc(N * sizeof *ref);
  for (int metric = 0; metric < 2; metric++) {
    CHECK_OK(ae_knn_search(idx, dist, db, N, q, Q, D, K, (ae_metric)metric));
    int bad = 0;
    for (int i = 0; i < Q; i++) {
      for (int j = 0; j < N; j++) {
        double s = 0, qq = 0, rr = 0, dot = 0;
        for (int t = 0; t < D; t++) {
          double a = q[i * D + t], b = db[j * D + t];
          s += (a - b) * (a - b), qq += a * a, rr += b * b, dot += a * b;
        }
        ref[j] = metric == 0 ? sqrt(s) : 1.0 - dot / sqrt(qq * rr);
      }
      brute_topk(want, ref, N, K);
      for (int j = 0; j < K; j++) {
        /* the same distances; the same rows unless two are within float noise */
        if (fabs(dist[i * K + j] - ref[want[j]]) > 1e-4) bad++;
        if (idx[i * K + j] != want[j] && fabs(ref[idx[i * K + j]] - ref[want[j]]) > 1e-5) bad++;
      }
    }
    if (bad) fprintf(stderr, "metric %d: %d mismatches against brute force\n", metric, bad);
    CHECK(bad == 0);
    /* queries in slices of 256 (the program's progress slices are multiples
     * of it): the same neighbours and the same bits of every distance */
    size_t sidx[Q * K];
    float sdist[Q * K];
    for (int q0 = 0; q0 < Q; q0 += 256) {
      int b = Q - q0 < 256 ? Q - q0 : 256;
      CHECK_OK(ae_knn_search(sidx + q0 * K, sdist + q0 * K, db, N, q + q0 * D, (size_t)b, D, K,
                             (ae_metric)metric));
    }
    CHECK(!memcmp(sidx, idx, sizeof idx) && !memcmp(sdist, dist, sizeof dist));
  }
  free(ref);
  free(db);
  free(q);
}

static void hamming(void) {
  enum { N = 700, Q = 40, D = 100, K = 9 };
  float *codes = malloc((N + Q) * D * sizeof *codes);
  /* few bits set: many equal distances, so the tie order is tested too */
  for (int i = 0; i < (N + Q) * D; i++) codes[i] = uniform() < 0.1f ? 0.9f : 0.2f;
  size_t w = ae_code_words(D);
  CHECK(w == 2);
  uint64_t *bits = malloc((N + Q) * w * sizeof *bits);
  CHECK_OK(ae_codes_binarize(bits, codes, N + Q, D, 0.5f));
  /* bit j of row i is codes > 0.5 */
  int okbits = 1;
  for (int i = 0; i < N + Q; i++)
    for (int j = 0; j < D; j++)
      okbits &= (int)((bits[i * w + j / 64] >> (j % 64)) & 1) == (codes[i * D + j] > 0.5f);
  CHECK(okbits);
  size_t idx[Q * K], want[K];
  int dist[Q * K];
  double ref[N];
  CHECK_OK(ae_hamming_search(idx, dist, bits, N, bits + N * w, Q, w, K));
  int bad = 0;
  for (int i = 0; i < Q; i++) {
    for (int j = 0; j < N; j++) {
      int h = 0;
      for (int t = 0; t < D; t++) h += (codes[(N + i) * D + t] > 0.5f) != (codes[j * D + t] > 0.5f);
      ref[j] = h;
    }
    brute_topk(want, ref, N, K);
    for (int j = 0; j < K; j++) bad += idx[i * K + j] != want[j] || dist[i * K + j] != (int)ref[want[j]];
  }
  CHECK(bad == 0);
  /* a row is at distance 0 from itself */
  CHECK_OK(ae_hamming_search(idx, dist, bits, N, bits + 5 * w, 1, w, 1));
  CHECK(dist[0] == 0);
  free(codes);
  free(bits);
}

static void classify(void) {
  /* 1-D: rows at 0, 1, 2, 10, 11 with labels 7, 7, 3, 3, 3 */
  const float db[5] = {0, 1, 2, 10, 11};
  const int32_t lab[5] = {7, 7, 3, 3, 3};
  const float q[3] = {0.2f, 1.6f, 10.4f};
  int32_t pred[3];
  CHECK_OK(ae_knn_classify(pred, db, lab, 5, q, 3, 1, 3));
  CHECK(pred[0] == 7 && pred[1] == 7 && pred[2] == 3); /* 1.6: 2(3), 1(7), 0(7) */
  /* k = 2 at 1.6: neighbours 2 (label 3) and 1 (label 7) tie: the nearer wins */
  CHECK_OK(ae_knn_classify(pred, db, lab, 5, q, 3, 1, 2));
  CHECK(pred[1] == 3);
  CHECK_FAILS(ae_knn_classify(pred, db, lab, 5, q, 3, 1, 6), AE_ERR_ARG, "k = 6");
  CHECK_FAILS(ae_knn_classify(pred, db, lab, 5, q, 3, 1, 0), AE_ERR_ARG, "k = 0");
}

static void linear_probe(void) {
  /* three Gaussian blobs in 4-D, labels 10, 20, 30 */
  enum { N = 600, Q = 300, D = 4 };
  float *x = malloc((N + Q) * D * sizeof *x);
  int32_t *y = malloc((N + Q) * sizeof *y), pred[Q];
  for (int i = 0; i < N + Q; i++) {
    int c = i % 3;
    y[i] = 10 * (c + 1);
    for (int t = 0; t < D; t++) x[i * D + t] = (t == c ? 3.0f : 0.0f) + (uniform() - 0.5f) * 2.0f;
  }
  CHECK_OK(ae_linear_probe(pred, x, y, N, x + N * D, Q, D, 100));
  int right = 0;
  for (int i = 0; i < Q; i++) right += pred[i] == y[N + i];
  CHECK(right >= Q * 98 / 100);
  int32_t again[Q];
  CHECK_OK(ae_linear_probe(again, x, y, N, x + N * D, Q, D, 100));
  CHECK(!memcmp(pred, again, sizeof again)); /* deterministic */
  int32_t one[3] = {1, 1, 1};
  CHECK_FAILS(ae_linear_probe(pred, x, one, 3, x, 1, D, 10), AE_ERR_ARG, "one class");
  free(x);
  free(y);
}

int main(void) {
  euclidean_and_cosine();
  hamming();
  classify();
  linear_probe();
  CHECK_DONE();
}
