/* SPDX-License-Identifier: MIT */
/* scaling.c — a model's input scaling, fitted on training data and applied
 * to every later input: the range lo/hi (x -> (x - lo) / (hi - lo)) and,
 * for a table, per-feature shift and scale applied before it (the model
 * then keeps lo/hi at 0/1). The program and the Python binding both go
 * through here, so a sample is scaled the same way, to the bit, whoever
 * reads it. A series model's windows are scaled per channel when they are
 * cut (ae_dataset_windows); their lo/hi is 0/1. */
#include "dataset.h"
#include "error.h"
#include "model.h"

#include <cJSON.h>

#include <float.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

/* ---- the training data's range ---- */

/* Record the range of the raw training data ds in m's scaled units: the
 * per-feature minima and maxima, scaled as every input is (a monotone
 * map, so the extremes stay the extremes). */
static ae_status record_range(ae_model *m, const ae_dataset *ds) {
  size_t d = (size_t)m->input_dim, n = ae_dataset_count(ds);
  ae_model_set_meta(&m->range_json, NULL);
  if (n == 0) return AE_OK;
  enum { ROWS = 256 };
  float *mn = malloc((2 + ROWS) * d * sizeof(float)); /* (D) min, (D) max, (ROWS, D) rows */
  if (!mn) return ae_set_error(AE_ERR_NOMEM, "out of memory fitting the scaling");
  float *mx = mn + d, *rows = mx + d;
  for (size_t j = 0; j < d; j++) mn[j] = INFINITY, mx[j] = -INFINITY;
  for (size_t i = 0; i < n; i += ROWS) {
    size_t k = n - i < ROWS ? n - i : ROWS;
    ae_dataset_rows(rows, ds, NULL, i, k);
    for (size_t r = 0; r < k; r++)
      for (size_t j = 0; j < d; j++) {
        float v = rows[r * d + j];
        if (v < mn[j]) mn[j] = v;
        if (v > mx[j]) mx[j] = v;
      }
  }
  ae_status st = ae_model_scale_inputs(m, mn, 2); /* both rows, as inputs are scaled */
  int per_feature = ae_model_feature_scaling(m, NULL, NULL, NULL);
  float lo = INFINITY, hi = -INFINITY;
  for (size_t j = 0; j < d; j++) {
    if (mn[j] < lo) lo = mn[j];
    if (mx[j] > hi) hi = mx[j];
  }
  cJSON *o = st ? NULL : cJSON_CreateObject();
  if (o && isfinite(lo) && isfinite(hi)) {
    cJSON_AddNumberToObject(o, "min", lo);
    cJSON_AddNumberToObject(o, "max", hi);
    if (per_feature) {
      cJSON *a = cJSON_AddArrayToObject(o, "feature_min"), *b = cJSON_AddArrayToObject(o, "feature_max");
      for (size_t j = 0; j < d; j++) {
        cJSON_AddItemToArray(a, cJSON_CreateNumber(mn[j]));
        cJSON_AddItemToArray(b, cJSON_CreateNumber(mx[j]));
      }
    }
    char *text = cJSON_PrintUnformatted(o);
    st = text ? ae_model_set_meta(&m->range_json, text)
              : ae_set_error(AE_ERR_NOMEM, "out of memory fitting the scaling");
    free(text);
  }
  cJSON_Delete(o);
  free(mn);
  return st;
}

/* The recorded range: overall lo/hi, and per feature into fmin/fmax (D
 * floats each, may be NULL) when recorded so (*per = 1). 0 or -1. */
static int parse_range(const ae_model *m, const char *json, float *lo, float *hi, int *per,
                       float *fmin, float *fmax) {
  cJSON *o = cJSON_Parse(json);
  cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "min"), *b = cJSON_GetObjectItemCaseSensitive(o, "max");
  cJSON *fa = cJSON_GetObjectItemCaseSensitive(o, "feature_min");
  cJSON *fb = cJSON_GetObjectItemCaseSensitive(o, "feature_max");
  int ok = cJSON_IsNumber(a) && cJSON_IsNumber(b) && fabs(a->valuedouble) <= FLT_MAX &&
           fabs(b->valuedouble) <= FLT_MAX && a->valuedouble <= b->valuedouble;
  int has = ok && (fa || fb);
  if (has) ok = cJSON_IsArray(fa) && cJSON_IsArray(fb) && cJSON_GetArraySize(fa) == m->input_dim &&
                cJSON_GetArraySize(fb) == m->input_dim;
  if (ok) *lo = (float)a->valuedouble, *hi = (float)b->valuedouble, *per = has;
  cJSON *x = has && ok ? fa->child : NULL, *y = has && ok ? fb->child : NULL;
  for (int j = 0; x && y; j++, x = x->next, y = y->next) {
    ok = cJSON_IsNumber(x) && cJSON_IsNumber(y) && fabs(x->valuedouble) <= FLT_MAX &&
         fabs(y->valuedouble) <= FLT_MAX && x->valuedouble <= y->valuedouble;
    if (!ok) break;
    if (fmin) fmin[j] = (float)x->valuedouble;
    if (fmax) fmax[j] = (float)y->valuedouble;
  }
  cJSON_Delete(o);
  return ok ? 0 : -1;
}

ae_status ae_model_check_range_meta(const ae_model *m, const char *json) {
  float lo, hi;
  int per;
  if (parse_range(m, json, &lo, &hi, &per, NULL, NULL))
    return ae_set_error(AE_ERR_FORMAT, "metadata 'range' is malformed or not for %d features",
                        m->input_dim);
  return AE_OK;
}

ae_status ae_model_check_range(const ae_model *m, const float *x, size_t n, ae_range_check *out) {
  AE_ARG(m && out && (x || n == 0), "ae_model_check_range", "model, inputs and out must not be NULL");
  memset(out, 0, sizeof *out);
  if (!m->range_json) return AE_OK;
  size_t d = (size_t)m->input_dim;
  float lo, hi, *f = malloc(2 * d * sizeof(float)); /* (D) min, (D) max */
  int per = 0;
  if (!f) return ae_set_error(AE_ERR_NOMEM, "out of memory checking the inputs' range");
  if (parse_range(m, m->range_json, &lo, &hi, &per, f, f + d)) {
    free(f);
    return ae_set_error(AE_ERR_FORMAT, "metadata 'range' is malformed");
  }
  double all = (double)hi - lo > 0.0 ? (double)hi - lo : 1.0;
  out->recorded = 1;
  for (size_t i = 0; i < n; i++) {
    int far = 0;
    for (size_t j = 0; j < d; j++) {
      double v = x[i * d + j], a = per ? f[j] : lo, b = per ? f[d + j] : hi;
      double w = b - a > 0.0 ? b - a : all, beyond = v < a ? (a - v) / w : v > b ? (v - b) / w : 0.0;
      if (!(beyond > 1.0) && !isnan(v)) continue;
      if (isnan(v)) beyond = INFINITY;
      far = 1;
      out->values++;
      if (beyond > out->widths) {
        out->widths = beyond, out->sample = i, out->feature = (int)j, out->value = (float)v;
        out->lo = (float)a, out->hi = (float)b;
      }
    }
    out->outside += far;
  }
  free(f);
  return AE_OK;
}

ae_status ae_model_fit_scaling(ae_model *m, const ae_dataset *ds, ae_scale_kind kind) {
  AE_ARG(m && ds, "ae_model_fit_scaling", "model and data must not be NULL");
  size_t d = (size_t)m->input_dim;
  if (ae_dataset_dim(ds) != d)
    return ae_set_error(AE_ERR_SHAPE, "ae_model_fit_scaling: samples have %zu values, the model takes %zu",
                        ae_dataset_dim(ds), d);
  float lo = 0.0f, hi = 1.0f;
  switch (kind) {
  case AE_SCALE_AUTO:
    ae_dataset_range(ds, &lo, &hi);
    if (!(hi > lo)) hi = lo + 1.0f; /* constant data: shift only */
    break;
  case AE_SCALE_NONE: break;
  case AE_SCALE_STANDARD:
  case AE_SCALE_MINMAX: {
    float *shift = malloc(2 * d * sizeof(float));
    if (!shift) return ae_set_error(AE_ERR_NOMEM, "out of memory fitting the scaling");
    ae_channel_scaling ck = kind == AE_SCALE_STANDARD ? AE_CHANNELS_ZSCORE : AE_CHANNELS_MINMAX;
    ae_status st = ae_dataset_fit_channels(ds, (int)d, ck, shift, shift + d);
    if (!st) st = ae_model_set_feature_scaling(m, ck, shift, shift + d);
    free(shift);
    if (st) return st;
    break;
  }
  default:
    return ae_set_error(AE_ERR_ARG, "ae_model_fit_scaling: unknown scaling %d", (int)kind);
  }
  if (kind == AE_SCALE_AUTO || kind == AE_SCALE_NONE) ae_model_set_meta(&m->features_json, NULL);
  ae_status st = ae_model_set_scaling(m, lo, hi);
  return st ? st : record_range(m, ds);
}

/* The model's per-feature shift and scale (2 D floats, malloc'd), or NULL
 * in *out when it has none. */
static ae_status features(const ae_model *m, float **out) {
  size_t d = (size_t)m->input_dim;
  *out = NULL;
  if (!ae_model_feature_scaling(m, NULL, NULL, NULL)) return AE_OK;
  if (!(*out = malloc(2 * d * sizeof(float))))
    return ae_set_error(AE_ERR_NOMEM, "out of memory scaling the inputs");
  ae_model_feature_scaling(m, NULL, *out, *out + d);
  return AE_OK;
}

ae_status ae_model_scale_dataset(const ae_model *m, ae_dataset *ds) {
  AE_ARG(m && ds, "ae_model_scale_dataset", "model and data must not be NULL");
  size_t d = (size_t)m->input_dim;
  if (ae_dataset_dim(ds) != d)
    return ae_set_error(AE_ERR_SHAPE, "samples have %zu features, the model takes %zu",
                        ae_dataset_dim(ds), d);
  float *f;
  ae_status st = features(m, &f);
  if (!st && f) st = ae_dataset_scale_channels(ds, (int)d, f, f + d);
  free(f);
  return st ? st : ae_dataset_scale(ds, m->lo, m->hi);
}

/* The same arithmetic as ae_dataset_scale_channels and ae_dataset_scale. */
ae_status ae_model_scale_inputs(const ae_model *m, float *x, size_t n) {
  AE_ARG(m && x, "ae_model_scale_inputs", "model and inputs must not be NULL");
  size_t d = (size_t)m->input_dim;
  if (!ae_fits(n, d, sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "ae_model_scale_inputs: %zu samples cannot be in memory", n);
  float *f;
  ae_status st = features(m, &f);
  if (st) return st;
  double inv = 1.0 / ((double)m->hi - (double)m->lo);
  for (size_t i = 0; i < n; i++) {
    float *row = x + i * d;
    if (f)
      for (size_t j = 0; j < d; j++) row[j] = (row[j] - f[j]) / f[d + j];
    for (size_t j = 0; j < d; j++) row[j] = (float)(((double)row[j] - m->lo) * inv);
  }
  free(f);
  return AE_OK;
}

ae_status ae_model_copy_scaling(ae_model *dst, const ae_model *src) {
  AE_ARG(dst && src, "ae_model_copy_scaling", "models must not be NULL");
  if (dst->input_dim != src->input_dim)
    return ae_set_error(AE_ERR_SHAPE, "ae_model_copy_scaling: the models take %d and %d values",
                        dst->input_dim, src->input_dim);
  ae_status st = ae_model_set_meta(&dst->features_json, src->features_json);
  if (!st) st = ae_model_set_meta(&dst->range_json, src->range_json);
  if (!st) dst->lo = src->lo, dst->hi = src->hi;
  return st;
}
