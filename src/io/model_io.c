/* SPDX-License-Identifier: MIT */
/* model_io.c — a model as a .safetensors file.
 *
 * Tensors: "encoder.<i>.<name>" then "decoder.<j>.<name>", float32, in
 * PyTorch's layouts: dense weight (O, I), conv weight (K, C, KH, KW),
 * transposed conv weight (C, K, KH, KW), bias (K); batch norm weight, bias,
 * running_mean, running_var (C). Layers without parameters store nothing
 * but keep their index. __metadata__ (string values):
 *   format        "aekit/1"
 *   spec          canonical spec, e.g. "dense:32:relu|dense:784:sigmoid;loss=bce"
 *   input_shape   "[1,28,28]"
 *   scaling       {"lo":0,"hi":255}
 *   seed          "42"
 *   init          "keras" or "pytorch": how the weights were first drawn
 *   training      JSON of the training settings (when trained)
 *   history       JSON summary of the training history (when trained)
 *   detector      {"threshold":..,"rule":..,"value":..} (anomaly detection)
 *   pca           {"components":k,"explained_variance_ratio":[..]} (aekit pca)
 *   series        {"window":W,"stride":S,"channels":F,"scaling":"zscore","shift":[..],
 *                 "scale":[..]} (a model of windows of a series)
 *   features      {"scaling":"zscore","shift":[..],"scale":[..]} (per-feature scaling,
 *                 input_dim values each: train --scale standard|minmax)
 *   checkpoint    training state (src/core/train.c), with tensors optim.*
 *                 and train.* beside the model's
 * Loading rebuilds the model from spec and input_shape, then requires every
 * tensor to be present with exactly the expected shape, and no others but
 * a checkpoint's optim.* and train.* tensors. */
#include "error.h"
#include "model.h"
#include "safetensors.h"

#include <cJSON.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AE_MAX_TENSORS (AE_MAX_LAYER_TENSORS * AE_MAX_LAYERS)

/* Name of layer i's tensor: "encoder.<i>.<suffix>" or "decoder.<j>.<suffix>". */
static void tensor_name(const ae_model *m, int i, const char *suffix, char *buf, size_t len) {
  int enc = i < m->n_enc;
  snprintf(buf, len, "%s.%d.%s", enc ? "encoder" : "decoder", enc ? i : i - m->n_enc, suffix);
}

/* Where a tensor's floats live in the model, and how many there are. */
static float *tensor_data(const ae_layer *l, const ae_tensor_view *v, size_t *count) {
  size_t k = 1;
  for (int d = 0; d < v->ndim; d++) k *= (size_t)v->shape[d];
  *count = k;
  return (v->state ? l->state : l->params) + v->offset;
}

ae_status ae_model_save(const ae_model *m, const char *path) {
  if (!m || !path) return ae_set_error(AE_ERR_ARG, "ae_model_save: model and path must not be NULL");
  return ae_model_save_with(m, path, NULL, 0, NULL, NULL);
}

ae_status ae_model_save_with(const ae_model *m, const char *path, const ae_st_tensor *extra,
                             int n_extra, const char *key, const char *value) {
  ae_st_tensor t[AE_MAX_TENSORS + 8];
  if (n_extra < 0 || n_extra > 8) return ae_set_error(AE_ERR_ARG, "too many extra tensors");
  char names[AE_MAX_TENSORS][48];
  int nt = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const ae_layer *l = &m->layers[i];
    ae_tensor_view v[AE_MAX_LAYER_TENSORS];
    int nv = l->ops->tensors(l, v);
    for (int k = 0; k < nv; k++, nt++) {
      size_t count;
      tensor_name(m, i, v[k].suffix, names[nt], sizeof names[nt]);
      t[nt].name = names[nt];
      t[nt].ndim = v[k].ndim;
      for (int d = 0; d < 4; d++) t[nt].shape[d] = v[k].shape[d];
      t[nt].data = tensor_data(l, &v[k], &count);
    }
  }
  char shape[64], scaling[96], seed[32];
  snprintf(shape, sizeof shape, "[%d,%d,%d]", m->c, m->h, m->w);
  snprintf(scaling, sizeof scaling, "{\"lo\":%.9g,\"hi\":%.9g}", (double)m->lo, (double)m->hi);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  const char *keys[16] = {"format", "spec", "input_shape", "scaling", "seed", "init"};
  const char *vals[16] = {"aekit/1", m->spec, shape, scaling, seed,
                         m->init == AE_INIT_TORCH ? "pytorch" : "keras"};
  int nm = 6;
  if (m->training_json) keys[nm] = "training", vals[nm++] = m->training_json;
  if (m->history_json) keys[nm] = "history", vals[nm++] = m->history_json;
  if (m->detector_json) keys[nm] = "detector", vals[nm++] = m->detector_json;
  if (m->pca_json) keys[nm] = "pca", vals[nm++] = m->pca_json;
  if (m->series_json) keys[nm] = "series", vals[nm++] = m->series_json;
  if (m->features_json) keys[nm] = "features", vals[nm++] = m->features_json;
  if (m->range_json) keys[nm] = "range", vals[nm++] = m->range_json;
  if (m->classes_json) keys[nm] = "classes", vals[nm++] = m->classes_json;
  if (key) keys[nm] = key, vals[nm++] = value;
  for (int k = 0; k < n_extra; k++) t[nt++] = extra[k];
  return ae_st_write(path, t, nt, keys, vals, nm);
}

/* Parse "[c,h,w]". */
static int parse_shape(const char *s, int *c, int *h, int *w) {
  cJSON *a = cJSON_Parse(s);
  int ok = cJSON_IsArray(a) && cJSON_GetArraySize(a) == 3;
  int v[3] = {0, 0, 0};
  for (int i = 0; ok && i < 3; i++) {
    cJSON *e = cJSON_GetArrayItem(a, i);
    ok = cJSON_IsNumber(e) && e->valuedouble >= 1 && e->valuedouble <= (1 << 24) &&
         e->valuedouble == (double)(int)e->valuedouble;
    if (ok) v[i] = (int)e->valuedouble;
  }
  cJSON_Delete(a);
  *c = v[0], *h = v[1], *w = v[2];
  return ok ? 0 : -1;
}

/* Parse {"lo":..,"hi":..}. */
static int parse_scaling(const char *s, float *lo, float *hi) {
  cJSON *o = cJSON_Parse(s);
  cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "lo");
  cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hi");
  /* finite as float32 too, or the model saves a scaling it cannot load */
  int ok = cJSON_IsNumber(l) && cJSON_IsNumber(h) && fabs(l->valuedouble) <= FLT_MAX &&
           fabs(h->valuedouble) <= FLT_MAX && (float)h->valuedouble > (float)l->valuedouble;
  if (ok) *lo = (float)l->valuedouble, *hi = (float)h->valuedouble;
  cJSON_Delete(o);
  return ok ? 0 : -1;
}

/* Copy every tensor of f into m after checking names and shapes. */
static ae_status copy_weights(ae_model *m, const ae_st_file *f, const char *path) {
  int expected = 0;
  for (int i = 0; i < m->n_layers; i++) {
    ae_layer *l = &m->layers[i];
    ae_tensor_view v[AE_MAX_LAYER_TENSORS];
    int nv = l->ops->tensors(l, v);
    for (int k = 0; k < nv; k++, expected++) {
      char name[48];
      tensor_name(m, i, v[k].suffix, name, sizeof name);
      const ae_st_tensor *t = ae_st_find(f, name);
      if (!t)
        return ae_set_error(AE_ERR_FORMAT, "%s: tensor '%s' is missing (spec %s)", path, name, m->spec);
      int ok = t->ndim == v[k].ndim;
      for (int d = 0; ok && d < v[k].ndim; d++) ok = t->shape[d] == v[k].shape[d];
      if (!ok)
        return ae_set_error(AE_ERR_SHAPE, "%s: tensor '%s' has the wrong shape for spec %s", path,
                            name, m->spec);
      size_t count;
      float *dst = tensor_data(l, &v[k], &count);
      memcpy(dst, t->data, count * sizeof(float));
      int var = v[k].state && strstr(v[k].suffix, "var") != NULL;
      for (size_t j = 0; j < count; j++)
        if (!isfinite(dst[j]) || (var && dst[j] < 0.0f))
          return ae_set_error(AE_ERR_NUMERIC, "%s: tensor '%s' holds %s at index %zu", path, name,
                              isfinite(dst[j]) ? "a negative variance" : "a non-finite value", j);
    }
  }
  for (int k = 0; k < ae_st_count(f); k++) { /* a checkpoint's training state */
    const char *name = ae_st_get(f, k)->name;
    if (!strncmp(name, "optim.", 6) || !strncmp(name, "train.", 6)) expected++;
  }
  if (ae_st_count(f) != expected)
    return ae_set_error(AE_ERR_FORMAT, "%s: holds %d tensors, spec %s has %d", path, ae_st_count(f),
                        m->spec, expected);
  return AE_OK;
}

/* Build a model from the file's metadata (without weights). */
/* The metadata `key` of f into *slot after check(m, text) (absent: NULL);
 * errors name the file. */
static ae_status checked_meta(const ae_model *m, const ae_st_file *f, const char *key, char **slot,
                              ae_status (*check)(const ae_model *, const char *),
                              const char *path) {
  const char *text = ae_st_meta(f, key);
  ae_status st = text ? check(m, text) : AE_OK;
  if (st) {
    ae_error_prefix(path);
    return st;
  }
  return ae_model_set_meta(slot, text);
}

static ae_status model_from_meta(ae_model **out, const ae_st_file *f, const char *path) {
  const char *format = ae_st_meta(f, "format");
  if (!format || strcmp(format, "aekit/1"))
    return ae_set_error(AE_ERR_FORMAT, "%s: not an aekit model (metadata 'format' is %s%s%s)", path,
                        format ? "'" : "missing", format ? format : "", format ? "'" : "");
  const char *spec = ae_st_meta(f, "spec"), *shape = ae_st_meta(f, "input_shape");
  const char *scaling = ae_st_meta(f, "scaling"), *seed = ae_st_meta(f, "seed");
  int c, h, w;
  if (!spec || !shape || parse_shape(shape, &c, &h, &w))
    return ae_set_error(AE_ERR_FORMAT, "%s: metadata 'spec' or 'input_shape' is missing or malformed", path);
  /* the file's own tensors bound what its spec may make us allocate */
  size_t held = 0;
  for (int k = 0; k < ae_st_count(f); k++) {
    const ae_st_tensor *t = ae_st_get(f, k);
    if (!strncmp(t->name, "optim.", 6) || !strncmp(t->name, "train.", 6)) continue;
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++) count *= (size_t)t->shape[d];
    held += count;
  }
  ae_model *m = NULL;
  ae_status st = ae_model_build(&m, spec, c, h, w, seed ? strtoull(seed, NULL, 10) : 0,
                                held ? held : 1, 0);
  if (st) {
    ae_error_prefix(path);
    return st;
  }
  float lo = 0.0f, hi = 1.0f;
  if (scaling && parse_scaling(scaling, &lo, &hi)) {
    ae_model_free(m);
    return ae_set_error(AE_ERR_FORMAT, "%s: metadata 'scaling' is malformed", path);
  }
  m->lo = lo, m->hi = hi;
  const char *init = ae_st_meta(f, "init");
  m->init = init && !strcmp(init, "pytorch") ? AE_INIT_TORCH : AE_INIT_KERAS;
  if ((st = ae_model_set_meta(&m->training_json, ae_st_meta(f, "training"))) ||
      (st = ae_model_set_meta(&m->history_json, ae_st_meta(f, "history"))) ||
      (st = ae_model_set_meta(&m->detector_json, ae_st_meta(f, "detector"))) ||
      (st = ae_model_set_meta(&m->pca_json, ae_st_meta(f, "pca")))) {
    ae_model_free(m);
    return st;
  }
  if ((st = checked_meta(m, f, "series", &m->series_json, ae_model_check_series, path)) ||
      (st = checked_meta(m, f, "features", &m->features_json, ae_model_check_features, path)) ||
      (st = checked_meta(m, f, "range", &m->range_json, ae_model_check_range_meta, path))) {
    ae_model_free(m);
    return st;
  }
  const char *classes = ae_st_meta(f, "classes");
  if (classes && (st = ae_model_load_classes(m, classes))) {
    ae_error_prefix(path);
    ae_model_free(m);
    return st;
  }
  *out = m;
  return AE_OK;
}

static ae_status load_source(ae_model **out, const ae_source *src) {
  const char *path = src->name;
  *out = NULL;
  ae_st_file *f = NULL;
  ae_model *m = NULL;
  ae_status st = ae_st_read_source(&f, src);
  if (st) return st;
  if ((st = model_from_meta(&m, f, path)) || (st = copy_weights(m, f, path))) {
    ae_model_free(m);
    ae_st_free(f);
    return st;
  }
  ae_st_free(f);
  *out = m;
  return AE_OK;
}

ae_status ae_model_load(ae_model **out, const char *path) {
  if (!out || !path) return ae_set_error(AE_ERR_ARG, "ae_model_load: out and path must not be NULL");
  ae_source src = {path, NULL, 0};
  return load_source(out, &src);
}

ae_status ae_model_load_memory(ae_model **out, const void *data, size_t size, const char *name) {
  if (!out || !data || !name)
    return ae_set_error(AE_ERR_ARG, "ae_model_load_memory: out, data and name must not be NULL");
  ae_source src = {name, data, size};
  return load_source(out, &src);
}

ae_status ae_model_load_weights(ae_model *m, const char *path) {
  if (!m || !path) return ae_set_error(AE_ERR_ARG, "ae_model_load_weights: model and path must not be NULL");
  ae_model *other = NULL;
  ae_status st = ae_model_load(&other, path);
  if (st) return st;
  if (strcmp(other->spec, m->spec) || other->input_dim != m->input_dim) {
    st = ae_set_error(AE_ERR_SHAPE, "%s: architecture '%s' on %d inputs does not match '%s' on %d",
                      path, other->spec, other->input_dim, m->spec, m->input_dim);
  } else {
    memcpy(m->params, other->params, m->n_params * sizeof(float));
    memcpy(m->state, other->state, m->n_state * sizeof(float));
  }
  ae_model_free(other);
  return st;
}
