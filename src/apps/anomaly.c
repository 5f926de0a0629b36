/* SPDX-License-Identifier: MIT */
/* anomaly.c — anomaly detection: metrics of scores against truth (ROC AUC,
 * average precision, ROC curve, precision/recall/F1, best F1), thresholds
 * from a contamination rate or a percentile, and a model as a detector
 * (reconstruction error per sample, fit, threshold, predict; PyOD's
 * contract). The threshold lives in the model's "detector" metadata.
 * Legend: N samples, D input features, B samples per scoring chunk. */
#include "error.h"
#include "model.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_CHUNK 1024 /* B: samples reconstructed at a time */

/* ---- metrics ------------------------------------------------------------ */

typedef struct scored {
  float s;
  int y; /* 1 = anomaly */
} scored;

static int by_score_desc(const void *a, const void *b) {
  float x = ((const scored *)a)->s, y = ((const scored *)b)->s;
  return (x < y) - (x > y);
}

/* Scores with their truth, sorted highest first; counts of each class.
 * need_both: 2 = both classes required, 1 = at least one anomaly. */
static ae_status sorted_pairs(scored **out, size_t *pos, size_t *neg, const float *scores,
                              const int *is_anomaly, size_t n, const char *what, int need_both) {
  *out = NULL;
  if (!scores || !is_anomaly) return ae_set_error(AE_ERR_ARG, "%s: no scores or labels", what);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "%s: no samples", what);
  if (!ae_fits(n, 1, sizeof(scored)))
    return ae_set_error(AE_ERR_ARG, "%s: %zu samples cannot be in memory", what, n);
  scored *p = malloc(n * sizeof *p); /* (N) */
  if (!p) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", what);
  size_t np = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(scores[i])) {
      free(p);
      return ae_set_error(AE_ERR_NUMERIC, "%s: score %zu is NaN", what, i);
    }
    p[i].s = scores[i];
    p[i].y = is_anomaly[i] != 0;
    np += (size_t)p[i].y;
  }
  if (np == 0 || (need_both == 2 && np == n)) {
    free(p);
    return ae_set_error(AE_ERR_ARG, "%s: needs %s among the %zu samples", what,
                        np == 0 ? "at least one anomaly" : "at least one normal sample", n);
  }
  qsort(p, n, sizeof *p, by_score_desc);
  *out = p, *pos = np, *neg = n - np;
  return AE_OK;
}

/* End (exclusive) of the group of equal scores starting at i. */
static size_t group_end(const scored *p, size_t i, size_t n) {
  size_t j = i + 1;
  while (j < n && p[j].s == p[i].s) j++;
  return j;
}

ae_status ae_roc_auc(double *auc, const float *scores, const int *is_anomaly, size_t n) {
  AE_ARG(auc, "ae_roc_auc", "result is NULL");
  scored *p;
  size_t np, nn;
  ae_status st = sorted_pairs(&p, &np, &nn, scores, is_anomaly, n, "ROC AUC", 2);
  if (st) return st;
  /* Mann-Whitney U of the anomalies: ranks counted from the lowest score,
   * a tie group sharing the average of its ranks. */
  double rank_sum = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = group_end(p, i, n), k = 0;
    for (size_t t = i; t < j; t++) k += (size_t)p[t].y;
    double avg = (double)(n - j + 1 + n - i) / 2.0; /* ranks n-j+1 .. n-i */
    rank_sum += avg * (double)k;
    i = j;
  }
  free(p);
  *auc = (rank_sum - (double)np * ((double)np + 1.0) / 2.0) / ((double)np * (double)nn);
  return AE_OK;
}

ae_status ae_average_precision(double *ap, const float *scores, const int *is_anomaly,
                               size_t n) {
  AE_ARG(ap, "ae_average_precision", "result is NULL");
  scored *p;
  size_t np, nn;
  ae_status st = sorted_pairs(&p, &np, &nn, scores, is_anomaly, n, "average precision", 1);
  if (st) return st;
  double sum = 0.0, prev_recall = 0.0;
  size_t tp = 0;
  for (size_t i = 0; i < n;) {
    size_t j = group_end(p, i, n);
    for (size_t t = i; t < j; t++) tp += (size_t)p[t].y;
    double recall = (double)tp / (double)np, precision = (double)tp / (double)j;
    sum += (recall - prev_recall) * precision;
    prev_recall = recall;
    i = j;
  }
  free(p);
  *ap = sum;
  return AE_OK;
}

ae_status ae_roc_curve(double *fpr, double *tpr, size_t *count, const float *scores,
                       const int *is_anomaly, size_t n) {
  AE_ARG(fpr && tpr && count, "ae_roc_curve", "an output is NULL");
  scored *p;
  size_t np, nn;
  *count = 0;
  ae_status st = sorted_pairs(&p, &np, &nn, scores, is_anomaly, n, "ROC curve", 2);
  if (st) return st;
  size_t k = 0, tp = 0;
  fpr[k] = 0.0, tpr[k++] = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = group_end(p, i, n);
    for (size_t t = i; t < j; t++) tp += (size_t)p[t].y;
    fpr[k] = (double)(j - tp) / (double)nn;
    tpr[k++] = (double)tp / (double)np;
    i = j;
  }
  free(p);
  *count = k;
  return AE_OK;
}

static void fill_rates(ae_binary_metrics *m) {
  m->precision = m->tp + m->fp ? (double)m->tp / (double)(m->tp + m->fp) : 0.0;
  m->recall = m->tp + m->fn ? (double)m->tp / (double)(m->tp + m->fn) : 0.0;
  m->f1 = m->precision + m->recall > 0.0
              ? 2.0 * m->precision * m->recall / (m->precision + m->recall)
              : 0.0;
}

ae_status ae_binary_metrics_at(ae_binary_metrics *out, const float *scores,
                               const int *is_anomaly, size_t n, double threshold) {
  AE_ARG(out, "ae_binary_metrics_at", "result is NULL");
  memset(out, 0, sizeof *out);
  if (!scores || !is_anomaly || n == 0)
    return ae_set_error(AE_ERR_ARG, "precision/recall: no samples");
  if (isnan(threshold)) return ae_set_error(AE_ERR_NUMERIC, "precision/recall: threshold is NaN");
  out->threshold = threshold;
  for (size_t i = 0; i < n; i++) {
    if (isnan(scores[i]))
      return ae_set_error(AE_ERR_NUMERIC, "precision/recall: score %zu is NaN", i);
    int pred = (double)scores[i] > threshold, y = is_anomaly[i] != 0;
    if (pred && y) out->tp++;
    else if (pred) out->fp++;
    else if (y) out->fn++;
    else out->tn++;
  }
  fill_rates(out);
  return AE_OK;
}

ae_status ae_best_f1(ae_binary_metrics *out, const float *scores, const int *is_anomaly,
                     size_t n) {
  AE_ARG(out, "ae_best_f1", "result is NULL");
  memset(out, 0, sizeof *out);
  scored *p;
  size_t np, nn;
  ae_status st = sorted_pairs(&p, &np, &nn, scores, is_anomaly, n, "best F1", 1);
  if (st) return st;
  ae_binary_metrics cur = {0}, best = {0};
  best.f1 = -1.0;
  size_t tp = 0;
  for (size_t i = 0; i < n;) {
    size_t j = group_end(p, i, n);
    for (size_t t = i; t < j; t++) tp += (size_t)p[t].y;
    cur.tp = tp, cur.fp = j - tp, cur.fn = np - tp, cur.tn = nn - (j - tp);
    fill_rates(&cur);
    if (cur.f1 > best.f1) {
      best = cur;
      best.threshold = j < n ? ((double)p[i].s + (double)p[j].s) / 2.0
                             : nextafter((double)p[i].s, -INFINITY);
    }
    i = j;
  }
  free(p);
  *out = best;
  return AE_OK;
}

/* ---- thresholds --------------------------------------------------------- */

static int by_value(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* numpy.quantile(scores, q) with linear interpolation, 0 <= q <= 1. */
static ae_status quantile(double *out, const float *scores, size_t n, double q, const char *what) {
  if (!scores || n == 0) return ae_set_error(AE_ERR_ARG, "%s: no scores", what);
  if (!ae_fits(n, 1, sizeof(double)))
    return ae_set_error(AE_ERR_ARG, "%s: %zu scores cannot be in memory", what, n);
  float *s = malloc(n * sizeof *s); /* (N) */
  if (!s) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", what);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(scores[i])) {
      free(s);
      return ae_set_error(AE_ERR_NUMERIC, "%s: score %zu is %g", what, i, (double)scores[i]);
    }
    s[i] = scores[i];
  }
  qsort(s, n, sizeof *s, by_value);
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  if (lo >= n - 1) *out = s[n - 1];
  else *out = (double)s[lo] + (pos - (double)lo) * ((double)s[lo + 1] - (double)s[lo]);
  free(s);
  return AE_OK;
}

ae_status ae_threshold_contamination(double *threshold, const float *scores, size_t n,
                                     double contamination) {
  AE_ARG(threshold, "ae_threshold_contamination", "result is NULL");
  if (!(contamination > 0.0 && contamination <= 0.5))
    return ae_set_error(AE_ERR_ARG, "contamination %g: must be in (0, 0.5]", contamination);
  return quantile(threshold, scores, n, 1.0 - contamination, "contamination threshold");
}

ae_status ae_threshold_percentile(double *threshold, const float *scores, size_t n,
                                  double percentile) {
  AE_ARG(threshold, "ae_threshold_percentile", "result is NULL");
  if (!(percentile >= 0.0 && percentile <= 100.0))
    return ae_set_error(AE_ERR_ARG, "percentile %g: must be in [0, 100]", percentile);
  return quantile(threshold, scores, n, percentile / 100.0, "percentile threshold");
}

/* ---- a model as a detector ---------------------------------------------- */

/* log clamped at -100, as PyTorch's binary_cross_entropy. */
static double log_clamped(double v) { return v > 0.0 ? fmax(log(v), -100.0) : -100.0; }

ae_status ae_detector_scores(ae_model *m, float *scores, const float *x, size_t n) {
  AE_ARG(m && scores && x, "ae_detector_scores", "model, scores and inputs must not be NULL");
  if (!scores || !x || n == 0) return ae_set_error(AE_ERR_ARG, "anomaly scores: no samples");
  if (!ae_fits(n, ae_model_input_dim(m), sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "anomaly scores: %zu samples cannot be in memory", n);
  size_t d = ae_model_input_dim(m), chunk = n < SCORE_CHUNK ? n : SCORE_CHUNK;
  float *xh = malloc(chunk * d * sizeof *xh); /* (B, D) */
  if (!xh) return ae_set_error(AE_ERR_NOMEM, "anomaly scores: out of memory");
  int bce = ae_model_loss(m) == AE_LOSS_BCE;
  ae_status st = AE_OK;
  if (ae_model_is_variational(m)) { /* a VAE's score: its negative ELBO */
    free(xh);
    if ((st = ae_model_sample_nelbo(m, scores, x, n))) return st;
    for (size_t i = 0; i < n; i++)
      if (!isfinite(scores[i]))
        return ae_set_error(AE_ERR_NUMERIC, "anomaly score of sample %zu is not finite", i);
    return AE_OK;
  }
  for (size_t i0 = 0; i0 < n && !st; i0 += chunk) {
    size_t b = n - i0 < chunk ? n - i0 : chunk;
    const float *xi = x + i0 * d;
    if ((st = ae_model_reconstruct(m, xh, xi, b))) break;
    for (size_t i = 0; i < b; i++) {
      double sum = 0.0;
      const float *t = xi + i * d, *y = xh + i * d;
      if (bce)
        for (size_t k = 0; k < d; k++)
          sum -= (double)t[k] * log_clamped(y[k]) + (1.0 - (double)t[k]) * log_clamped(1.0 - (double)y[k]);
      else
        for (size_t k = 0; k < d; k++) sum += ((double)y[k] - t[k]) * ((double)y[k] - t[k]);
      scores[i0 + i] = (float)(sum / (double)d);
      if (!isfinite(scores[i0 + i]))
        st = ae_set_error(AE_ERR_NUMERIC, "anomaly score of sample %zu is not finite", i0 + i);
    }
  }
  free(xh);
  return st;
}

/* Record {"threshold", "rule", "value", "samples", "score"} in the model. */
static ae_status store(ae_model *m, double threshold, const char *rule, double value,
                       size_t samples) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  cJSON_AddNumberToObject(o, "threshold", threshold);
  cJSON_AddStringToObject(o, "rule", rule);
  if (strcmp(rule, "manual")) {
    cJSON_AddNumberToObject(o, "value", value);
    cJSON_AddNumberToObject(o, "samples", (double)samples);
  }
  cJSON_AddStringToObject(o, "score", ae_model_is_variational(m) ? "negative elbo per sample"
                                      : ae_model_loss(m) == AE_LOSS_BCE ? "bce per feature"
                                                                        : "mse per feature");
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!s) return ae_set_error(AE_ERR_NOMEM, "out of memory");
  ae_status st = ae_model_set_meta(&m->detector_json, s);
  free(s);
  return st;
}

ae_status ae_detector_fit(ae_model *m, const float *x, size_t n, ae_threshold_rule rule,
                          double value) {
  AE_ARG(m && x, "ae_detector_fit", "model and inputs must not be NULL");
  AE_ARG(ae_fits(n, ae_model_input_dim(m), sizeof(float)), "ae_detector_fit",
         "the samples cannot be in memory");
  if (rule != AE_THRESHOLD_CONTAMINATION && rule != AE_THRESHOLD_PERCENTILE)
    return ae_set_error(AE_ERR_ARG, "detector: unknown threshold rule %d", (int)rule);
  if (rule == AE_THRESHOLD_CONTAMINATION && !(value > 0.0 && value <= 0.5))
    return ae_set_error(AE_ERR_ARG, "contamination %g: must be in (0, 0.5]", value);
  if (rule == AE_THRESHOLD_PERCENTILE && !(value >= 0.0 && value <= 100.0))
    return ae_set_error(AE_ERR_ARG, "percentile %g: must be in [0, 100]", value);
  if (n == 0) return ae_set_error(AE_ERR_ARG, "detector: no training samples");
  float *s = malloc(n * sizeof *s); /* (N) */
  if (!s) return ae_set_error(AE_ERR_NOMEM, "detector: out of memory");
  double t = 0.0;
  ae_status st = ae_detector_scores(m, s, x, n);
  if (!st)
    st = rule == AE_THRESHOLD_CONTAMINATION ? ae_threshold_contamination(&t, s, n, value)
                                            : ae_threshold_percentile(&t, s, n, value);
  free(s);
  if (!st)
    st = store(m, t, rule == AE_THRESHOLD_CONTAMINATION ? "contamination" : "percentile", value, n);
  return st;
}

ae_status ae_detector_set_threshold(ae_model *m, double threshold) {
  AE_ARG(m, "ae_detector_set_threshold", "model is NULL");
  if (!isfinite(threshold))
    return ae_set_error(AE_ERR_NUMERIC, "detector threshold %g is not finite", threshold);
  return store(m, threshold, "manual", 0.0, 0);
}

ae_status ae_detector_threshold(const ae_model *m, double *threshold) {
  AE_ARG(m && threshold, "ae_detector_threshold", "model and result must not be NULL");
  if (!m->detector_json)
    return ae_set_error(AE_ERR_ARG, "the model has no anomaly threshold (fit one with "
                                    "aekit fit-threshold or ae_detector_fit)");
  cJSON *o = cJSON_Parse(m->detector_json);
  cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "threshold");
  int ok = cJSON_IsNumber(t) && isfinite(t->valuedouble);
  if (ok) *threshold = t->valuedouble;
  cJSON_Delete(o);
  return ok ? AE_OK
            : ae_set_error(AE_ERR_FORMAT, "the model's 'detector' metadata has no finite threshold");
}

ae_status ae_detector_predict(ae_model *m, int *labels, const float *x, size_t n) {
  AE_ARG(m && labels && x, "ae_detector_predict", "model, labels and inputs must not be NULL");
  AE_ARG(ae_fits(n, ae_model_input_dim(m), sizeof(float)), "ae_detector_predict",
         "the samples cannot be in memory");
  double t;
  ae_status st = ae_detector_threshold(m, &t);
  if (st) return st;
  float *s = malloc((n ? n : 1) * sizeof *s); /* (N) */
  if (!s) return ae_set_error(AE_ERR_NOMEM, "detector: out of memory");
  if (!(st = ae_detector_scores(m, s, x, n)))
    for (size_t i = 0; i < n; i++) labels[i] = (double)s[i] > t;
  free(s);
  return st;
}
