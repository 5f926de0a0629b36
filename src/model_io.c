/* model_io.c — a model as a .safetensors file.
 *
 * Tensors: "encoder.<i>.weight" (O, I), "encoder.<i>.bias" (O), then the
 * same for "decoder.<j>", all float32. __metadata__ (string values):
 *   format        "aekit/1"
 *   spec          canonical spec, e.g. "dense:32:relu|dense:784:sigmoid;loss=bce"
 *   input_shape   "[1,28,28]"
 *   scaling       {"lo":0,"hi":255}
 *   seed          "42"
 *   init          "keras" or "pytorch": how the weights were first drawn
 *   training      JSON of the training settings (when trained)
 *   history       JSON summary of the training history (when trained)
 * Loading rebuilds the model from spec and input_shape, then requires every
 * tensor to be present with exactly the expected shape, and no others. */
#include "error.h"
#include "model.h"
#include "safetensors.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AE_MAX_TENSORS (2 * AE_MAX_LAYERS)

/* Name of layer i's weight (bias when `bias`). */
static void tensor_name(const ae_model *m, int i, int bias, char *buf, size_t len) {
  int enc = i < m->n_enc;
  snprintf(buf, len, "%s.%d.%s", enc ? "encoder" : "decoder", enc ? i : i - m->n_enc,
           bias ? "bias" : "weight");
}

ae_status ae_model_save(const ae_model *m, const char *path) {
  ae_st_tensor t[AE_MAX_TENSORS];
  char names[AE_MAX_TENSORS][48];
  int nt = 0;
  for (int i = 0; i < m->n_layers; i++) {
    const ae_layer *l = &m->layers[i];
    for (int bias = 0; bias < 2; bias++, nt++) {
      tensor_name(m, i, bias, names[nt], sizeof names[nt]);
      t[nt].name = names[nt];
      t[nt].ndim = bias ? 1 : 2;
      t[nt].shape[0] = l->out_dim;
      t[nt].shape[1] = bias ? 0 : l->in_dim;
      t[nt].data = bias ? l->params + (size_t)l->out_dim * l->in_dim : l->params;
    }
  }
  char shape[64], scaling[96], seed[32];
  snprintf(shape, sizeof shape, "[%d,%d,%d]", m->c, m->h, m->w);
  snprintf(scaling, sizeof scaling, "{\"lo\":%.9g,\"hi\":%.9g}", (double)m->lo, (double)m->hi);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
  const char *keys[8] = {"format", "spec", "input_shape", "scaling", "seed", "init"};
  const char *vals[8] = {"aekit/1", m->spec, shape, scaling, seed,
                         m->init == AE_INIT_TORCH ? "pytorch" : "keras"};
  int nm = 6;
  if (m->training_json) keys[nm] = "training", vals[nm++] = m->training_json;
  if (m->history_json) keys[nm] = "history", vals[nm++] = m->history_json;
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
  int ok = cJSON_IsNumber(l) && cJSON_IsNumber(h) && h->valuedouble > l->valuedouble;
  if (ok) *lo = (float)l->valuedouble, *hi = (float)h->valuedouble;
  cJSON_Delete(o);
  return ok ? 0 : -1;
}

/* Copy every tensor of f into m after checking names and shapes. */
static ae_status copy_weights(ae_model *m, const ae_st_file *f, const char *path) {
  int expected = 0;
  for (int i = 0; i < m->n_layers; i++) {
    ae_layer *l = &m->layers[i];
    for (int bias = 0; bias < 2; bias++, expected++) {
      char name[48];
      tensor_name(m, i, bias, name, sizeof name);
      const ae_st_tensor *t = ae_st_find(f, name);
      if (!t)
        return ae_set_error(AE_ERR_FORMAT, "%s: tensor '%s' is missing (spec %s)", path, name, m->spec);
      int ok = bias ? t->ndim == 1 && t->shape[0] == l->out_dim
                    : t->ndim == 2 && t->shape[0] == l->out_dim && t->shape[1] == l->in_dim;
      if (!ok)
        return ae_set_error(AE_ERR_SHAPE, "%s: tensor '%s' has the wrong shape for spec %s", path,
                            name, m->spec);
      size_t count = bias ? (size_t)l->out_dim : (size_t)l->out_dim * l->in_dim;
      float *dst = bias ? l->params + (size_t)l->out_dim * l->in_dim : l->params;
      memcpy(dst, t->data, count * sizeof(float));
    }
  }
  if (ae_st_count(f) != expected)
    return ae_set_error(AE_ERR_FORMAT, "%s: holds %d tensors, spec %s has %d", path, ae_st_count(f),
                        m->spec, expected);
  return AE_OK;
}

/* Build a model from the file's metadata (without weights). */
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
  ae_model *m = NULL;
  ae_status st = ae_model_create(&m, spec, c, h, w, seed ? strtoull(seed, NULL, 10) : 0);
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
      (st = ae_model_set_meta(&m->history_json, ae_st_meta(f, "history")))) {
    ae_model_free(m);
    return st;
  }
  *out = m;
  return AE_OK;
}

ae_status ae_model_load(ae_model **out, const char *path) {
  *out = NULL;
  ae_st_file *f = NULL;
  ae_model *m = NULL;
  ae_status st = ae_st_read(&f, path);
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

ae_status ae_model_load_weights(ae_model *m, const char *path) {
  ae_model *other = NULL;
  ae_status st = ae_model_load(&other, path);
  if (st) return st;
  if (strcmp(other->spec, m->spec) || other->input_dim != m->input_dim) {
    st = ae_set_error(AE_ERR_SHAPE, "%s: architecture '%s' on %d inputs does not match '%s' on %d",
                      path, other->spec, other->input_dim, m->spec, m->input_dim);
  } else {
    memcpy(m->params, other->params, m->n_params * sizeof(float));
  }
  ae_model_free(other);
  return st;
}
