/* SPDX-License-Identifier: MIT */
/* probe.c — linear probe: multinomial logistic regression on standardised
 * features, full-batch Adam from zero weights (deterministic).
 * Legend: N training rows, Q queries, D features, C classes. */
#include "error.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_LR 0.05f
#define PROBE_MAX_CLASSES 4096

static int cmp_i32(const void *a, const void *b) {
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

/* Index of label v in the sorted class list (it is there). */
static int class_of(const int32_t *cls, int c, int32_t v) {
  int lo = 0, hi = c - 1;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (cls[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Logits (rows, C) = X W^T + b, then softmax in place. */
static void softmax_rows(float *p, const float *x, const float *w, const float *b, size_t rows,
                         size_t d, int c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, c, (int)d, 1.0f, x, (int)d, w,
              (int)d, 0.0f, p, c);
  for (size_t i = 0; i < rows; i++) {
    float *r = p + i * (size_t)c, mx = -INFINITY;
    for (int j = 0; j < c; j++) mx = fmaxf(mx, r[j] += b[j]);
    double s = 0.0;
    for (int j = 0; j < c; j++) s += (r[j] = expf(r[j] - mx));
    for (int j = 0; j < c; j++) r[j] = (float)(r[j] / s);
  }
}

ae_status ae_linear_probe(int32_t *pred, const float *train, const int32_t *labels, size_t n,
                          const float *queries, size_t nq, size_t d, int steps) {
  AE_ARG(pred, "ae_linear_probe", "pred is NULL");
  if (!train || !labels || !queries || n == 0 || nq == 0 || d == 0)
    return ae_set_error(AE_ERR_ARG, "linear probe: no data");
  if (steps < 1) return ae_set_error(AE_ERR_ARG, "linear probe: %d steps", steps);
  if (!ae_fits(n, d, sizeof(float)) || !ae_fits(nq, d, sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "linear probe: %zu x %zu values cannot be in memory", n, d);
  for (size_t i = 0; i < n * d; i++)
    if (!isfinite(train[i]))
      return ae_set_error(AE_ERR_NUMERIC, "linear probe: training feature %zu of row %zu is not "
                          "finite", i % d, i / d);
  for (size_t i = 0; i < nq * d; i++)
    if (!isfinite(queries[i]))
      return ae_set_error(AE_ERR_NUMERIC, "linear probe: query feature %zu of row %zu is not "
                          "finite", i % d, i / d);
  ae_status st = AE_OK;
  int32_t *cls = malloc(n * sizeof *cls);
  float *mu = calloc(d, sizeof *mu), *sd = calloc(d, sizeof *sd);    /* (D) */
  float *x = malloc(n * d * sizeof *x), *xq = malloc(nq * d * sizeof *xq); /* (N, D), (Q, D) */
  float *p = NULL, *w = NULL, *g = NULL, *m1 = NULL, *m2 = NULL;
  int *y = malloc(n * sizeof *y);
  if (!cls || !mu || !sd || !x || !xq || !y) goto nomem;
  memcpy(cls, labels, n * sizeof *cls);
  qsort(cls, n, sizeof *cls, cmp_i32);
  int c = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || cls[i] != cls[c - 1]) {
      if (c == PROBE_MAX_CLASSES) {
        st = ae_set_error(AE_ERR_ARG, "linear probe: more than %d classes", PROBE_MAX_CLASSES);
        goto done;
      }
      cls[c++] = cls[i];
    }
  if (c < 2) {
    st = ae_set_error(AE_ERR_ARG, "linear probe: the training labels hold only one class");
    goto done;
  }
  for (size_t i = 0; i < n; i++) y[i] = class_of(cls, c, labels[i]);
  /* standardise with the training rows' mean and std */
  for (size_t j = 0; j < d; j++) {
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) s += train[i * d + j];
    double mean = s / (double)n;
    for (size_t i = 0; i < n; i++) s2 += (train[i * d + j] - mean) * (train[i * d + j] - mean);
    double std = sqrt(s2 / (double)n);
    mu[j] = (float)mean;
    sd[j] = std > 1e-12 ? (float)(1.0 / std) : 0.0f;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) x[i * d + j] = (train[i * d + j] - mu[j]) * sd[j];
  for (size_t i = 0; i < nq; i++)
    for (size_t j = 0; j < d; j++) xq[i * d + j] = (queries[i * d + j] - mu[j]) * sd[j];

  size_t np = (size_t)c * (d + 1); /* W (C, D) then b (C) */
  p = malloc((n > nq ? n : nq) * (size_t)c * sizeof *p); /* (N, C) */
  w = calloc(np, sizeof *w);
  g = malloc(np * sizeof *g);
  m1 = calloc(np, sizeof *m1);
  m2 = calloc(np, sizeof *m2);
  if (!p || !w || !g || !m1 || !m2) goto nomem;
  float *b = w + (size_t)c * d, *gb = g + (size_t)c * d;
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  for (int t = 1; t <= steps; t++) {
    softmax_rows(p, x, w, b, n, d, c);
    /* dL/dlogits = (softmax - onehot) / N, mean cross-entropy */
    for (size_t i = 0; i < n; i++) p[i * (size_t)c + (size_t)y[i]] -= 1.0f;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c, (int)d, (int)n, 1.0f / (float)n, p, c,
                x, (int)d, 0.0f, g, (int)d);
    for (int j = 0; j < c; j++) {
      double s = 0.0;
      for (size_t i = 0; i < n; i++) s += p[i * (size_t)c + (size_t)j];
      gb[j] = (float)(s / (double)n);
    }
    float c1 = 1.0f - powf(b1, (float)t), c2 = 1.0f - powf(b2, (float)t);
    for (size_t k = 0; k < np; k++) {
      m1[k] = b1 * m1[k] + (1.0f - b1) * g[k];
      m2[k] = b2 * m2[k] + (1.0f - b2) * g[k] * g[k];
      w[k] -= PROBE_LR * (m1[k] / c1) / (sqrtf(m2[k] / c2) + eps);
    }
  }
  softmax_rows(p, xq, w, b, nq, d, c);
  for (size_t i = 0; i < nq; i++) {
    int best = 0;
    for (int j = 1; j < c; j++)
      if (p[i * (size_t)c + (size_t)j] > p[i * (size_t)c + (size_t)best]) best = j;
    pred[i] = cls[best];
  }
  goto done;
nomem:
  st = ae_set_error(AE_ERR_NOMEM, "linear probe: out of memory");
done:
  free(cls);
  free(mu);
  free(sd);
  free(x);
  free(xq);
  free(y);
  free(p);
  free(w);
  free(g);
  free(m1);
  free(m2);
  return st;
}
