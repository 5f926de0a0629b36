/* SPDX-License-Identifier: MIT */
/* scaling.c — a model's input scaling, fitted on training data and applied
 * to every later input: the range lo/hi (x -> (x - lo) / (hi - lo)) and,
 * for a table, per-feature shift and scale applied before it (the model
 * then keeps lo/hi at 0/1). The program and the Python binding both go
 * through here, so a sample is scaled the same way, to the bit, whoever
 * reads it. A series model's windows are scaled per channel when they are
 * cut (ae_dataset_windows); their lo/hi is 0/1. */
#include "error.h"
#include "model.h"

#include <math.h>
#include <stdlib.h>

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
  return ae_model_set_scaling(m, lo, hi);
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
