/* SPDX-License-Identifier: MIT */
/* registry.c — the table of layer kinds, the common spec syntax of a layer
 * (KIND { ":" FIELD }), building a layer from its fields, and the weight
 * initialisers the kinds share. Adding a kind: its file and one line in
 * ae_layer_registry. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "layer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each kind's file exports its descriptor; this table is the only other
 * place that names it. */
extern const ae_layer_desc ae_conv2d_desc, ae_conv_transpose2d_desc, ae_batchnorm_desc,
    ae_maxpool2d_desc, ae_upsample2d_desc, ae_dropout_desc, ae_flatten_desc, ae_reshape_desc,
    ae_lstm_desc, ae_gru_desc, ae_conv1d_desc, ae_convt1d_desc, ae_maxpool1d_desc,
    ae_upsample1d_desc, ae_repeat_desc, ae_tdense_desc;

const ae_layer_desc *const ae_layer_registry[] = {
    &ae_dense_desc,     &ae_conv2d_desc,  &ae_conv_transpose2d_desc, &ae_batchnorm_desc,
    &ae_maxpool2d_desc, &ae_upsample2d_desc, &ae_dropout_desc,       &ae_flatten_desc,
    &ae_reshape_desc,   &ae_sample_desc,  &ae_lstm_desc,  &ae_gru_desc,  &ae_conv1d_desc,
    &ae_convt1d_desc,   &ae_maxpool1d_desc, &ae_upsample1d_desc, &ae_repeat_desc,
    &ae_tdense_desc,    NULL};

const ae_layer_desc *ae_layer_find(const char *name) {
  for (int i = 0; ae_layer_registry[i]; i++)
    if (!strcmp(ae_layer_registry[i]->name, name)) return ae_layer_registry[i];
  return NULL;
}

#define BAD(...) ae_set_error(AE_ERR_ARG, __VA_ARGS__)

/* Parse a whole-string float in [lo, hi]. */
static int parse_float(const char *s, double lo, double hi, float *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || end == s || !(v >= lo && v <= hi)) return -1;
  *out = (float)v;
  return 0;
}

static int is_number(const char *s) {
  return *s && (isdigit((unsigned char)*s) || *s == '.' || *s == '-');
}

int ae_act_parse(const char *s, ae_act *act) {
  if (!strcmp(s, "relu")) *act = AE_ACT_RELU;
  else if (!strcmp(s, "leaky_relu")) *act = AE_ACT_LEAKY_RELU;
  else if (!strcmp(s, "sigmoid")) *act = AE_ACT_SIGMOID;
  else if (!strcmp(s, "tanh")) *act = AE_ACT_TANH;
  else if (!strcmp(s, "identity") || !strcmp(s, "linear")) *act = AE_ACT_IDENTITY;
  else return -1;
  return 0;
}

/* Is `key` one of the comma-separated names in `keys`? */
static int has_key(const char *keys, const char *key) {
  size_t n = strlen(key);
  for (const char *p = keys; p && *p;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (len == n && !strncmp(p, key, n)) return 1;
    p = c ? c + 1 : NULL;
  }
  return 0;
}

static int copy_field(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) return -1;
  memcpy(dst, src, n + 1);
  return 0;
}

ae_status ae_layer_parse(ae_spec_layer *s, char *text, const char *spec, int index) {
  char *fields[16];
  int nf = 0;
  char *save = NULL;
  for (char *t = strtok_r(text, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
    if (nf == 16) return BAD("spec '%s': layer %d has too many fields", spec, index);
    fields[nf++] = t;
  }
  if (!nf) return BAD("spec '%s': layer %d is empty", spec, index);
  const char *kind = fields[0];
  memset(s, 0, sizeof *s);
  s->desc = ae_layer_find(kind);
  if (!s->desc) {
    char names[256];
    size_t len = 0;
    for (int i = 0; ae_layer_registry[i] && len + 24 < sizeof names; i++)
      len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                              ae_layer_registry[i]->name);
    return BAD("spec '%s': layer %d: unknown layer kind '%s' (%s)", spec, index, kind, names);
  }
  const ae_layer_desc *d = s->desc;
  ae_layer_fields *f = &s->f;
  f->act = AE_ACT_IDENTITY;
  for (int i = 1; i < nf; i++) {
    char *t = fields[i], *eq = strchr(t, '=');
    if (eq) {
      *eq = 0;
      if (!has_key(d->keys, t))
        return BAD("spec '%s': layer %d (%s): unknown option '%s'", spec, index, kind, t);
      if (f->nkv == 8 || copy_field(f->key[f->nkv], sizeof f->key[0], t) ||
          copy_field(f->val[f->nkv], sizeof f->val[0], eq + 1))
        return BAD("spec '%s': layer %d (%s): %s='%s' is out of range", spec, index, kind, t,
                   eq + 1);
      f->nkv++;
    } else if (d->act_ok && !ae_act_parse(t, &f->act)) {
      if (f->has_act) return BAD("spec '%s': layer %d: two activations", spec, index);
      f->has_act = 1;
      if (f->act == AE_ACT_LEAKY_RELU) {
        f->slope = 0.01f; /* PyTorch's default negative slope */
        if (i + 1 < nf && is_number(fields[i + 1]) &&
            parse_float(fields[++i], 0.0, 0.999999, &f->slope))
          return BAD("spec '%s': layer %d: leaky_relu slope '%s' must be in [0, 1)", spec, index,
                     fields[i]);
      }
    } else if (is_number(t) && f->npos < d->n_pos) {
      char *end;
      errno = 0;
      long v = d->float_pos ? 1 : strtol(t, &end, 10);
      if (!d->float_pos && (errno || *end || v < 1 || v > (1 << 24)))
        return BAD("spec '%s': layer %d (%s): '%s' must be a positive integer", spec, index, kind, t);
      if (copy_field(f->pos[f->npos], sizeof f->pos[0], t))
        return BAD("spec '%s': layer %d (%s): '%s' must be a positive integer", spec, index, kind, t);
      f->npos++;
    } else {
      return BAD("spec '%s': layer %d (%s): unexpected field '%s'%s", spec, index, kind, t,
                 d->act_ok ? " (activations: relu, leaky_relu[:SLOPE], sigmoid, tanh, identity)"
                           : "");
    }
  }
  if (f->npos < d->n_pos)
    return BAD("spec '%s': layer %d (%s): expected %d size field%s (see the spec syntax)", spec,
               index, kind, d->n_pos, d->n_pos > 1 ? "s" : "");
  return AE_OK;
}

ae_status ae_field_int(const ae_build_ctx *c, const char *text, long lo, long hi, int *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || *end || end == text || v < lo || v > hi)
    return BAD("spec '%s': layer %d (%s): '%s' must be a positive integer", c->spec, c->index,
               c->kind, text);
  *out = (int)v;
  return AE_OK;
}

ae_status ae_field_float(const ae_build_ctx *c, const char *what, const char *text, double lo,
                         double hi, float *out) {
  if (parse_float(text, lo, hi, out))
    return BAD("spec '%s': layer %d: %s '%s' must be in [%g, %g%s", c->spec, c->index, what, text,
               lo, hi < 1.0 ? 1.0 : hi, hi < 1.0 ? ")" : "]");
  return AE_OK;
}

const char *ae_field_key(const ae_layer_fields *f, const char *key) {
  for (int k = f->nkv - 1; k >= 0; k--)
    if (!strcmp(f->key[k], key)) return f->val[k];
  return NULL;
}

ae_status ae_field_key_int(const ae_build_ctx *c, const ae_layer_fields *f, const char *key,
                           long lo, long hi, int *out) {
  const char *v = ae_field_key(f, key);
  if (!v) return AE_OK;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || end == v || x < lo || x > hi)
    return BAD("spec '%s': layer %d (%s): %s='%s' is out of range", c->spec, c->index, c->kind,
               key, v);
  *out = (int)x;
  return AE_OK;
}

ae_status ae_layer_too_small(const ae_build_ctx *c, ae_shape in) {
  return ae_set_error(AE_ERR_SHAPE, "layer %d (%s): input of shape (%d, %d, %d) is too small for it",
                      c->index, c->kind, in.c, in.h, in.w);
}

ae_status ae_layer_need_sequence(const ae_build_ctx *c, ae_shape in) {
  return ae_set_error(AE_ERR_SHAPE,
                      "layer %d (%s): needs a sequence (1, T, F) as input, not (%d, %d, %d) "
                      "(reshape first)",
                      c->index, c->kind, in.c, in.h, in.w);
}

ae_status ae_layer_build(ae_layer *l, const ae_spec_layer *s, ae_shape in, int index,
                         const char *spec) {
  memset(l, 0, sizeof *l);
  l->desc = s->desc;
  l->ops = s->desc->ops;
  l->in = in;
  ae_shape out = in;
  ae_build_ctx c = {spec, index, s->desc->name};
  ae_status st = s->desc->build(l, &s->f, in, &out, &c);
  if (st) return st;
  if ((long long)out.c * out.h * out.w > (1 << 26))
    return ae_set_error(AE_ERR_SHAPE, "layer %d: output of shape (%d, %d, %d) is too large", index,
                        out.c, out.h, out.w);
  l->out = out;
  l->in_dim = in.c * in.h * in.w;
  l->out_dim = out.c * out.h * out.w;
  return AE_OK;
}

ae_status ae_layer_from_text(ae_layer *l, const char *text, ae_shape in) {
  char buf[256];
  ae_spec_layer s;
  if (copy_field(buf, sizeof buf, text)) return BAD("layer text too long");
  ae_status st = ae_layer_parse(&s, buf, text, 1);
  return st ? st : ae_layer_build(l, &s, in, 1, text);
}

void ae_init_weights(float *w, size_t nw, float *b, size_t nb, ae_init scheme, ae_act act,
                     double fan_in, double fan_out, ae_rng *rng) {
  double limit = (act == AE_ACT_RELU || act == AE_ACT_LEAKY_RELU) ? sqrt(6.0 / fan_in)
                                                                   : sqrt(6.0 / (fan_in + fan_out));
  double bias_limit = 0.0;
  if (scheme == AE_INIT_TORCH) limit = bias_limit = 1.0 / sqrt(fan_in);
  for (size_t k = 0; k < nw; k++) w[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * limit);
  for (size_t k = 0; k < nb; k++)
    b[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * bias_limit);
}

size_t ae_layer_no_params(const ae_layer *l) {
  (void)l;
  return 0;
}

int ae_layer_no_tensors(const ae_layer *l, ae_tensor_view *t) {
  (void)l, (void)t;
  return 0;
}

int ae_conv_spec_text(char *buf, size_t len, const char *kind, int filters, int kernel, int stride,
                      int same, int pad, int dil, int outpad, ae_act act, float slope) {
  size_t k = (size_t)snprintf(buf, len, "%s:%d:%d", kind, filters, kernel);
  if (stride != 1) k += (size_t)snprintf(buf + k, len - k, ":stride=%d", stride);
  if (same) k += (size_t)snprintf(buf + k, len - k, ":pad=same");
  else if (pad) k += (size_t)snprintf(buf + k, len - k, ":pad=%d", pad);
  if (dil != 1) k += (size_t)snprintf(buf + k, len - k, ":dil=%d", dil);
  if (outpad) k += (size_t)snprintf(buf + k, len - k, ":outpad=%d", outpad);
  k += (size_t)snprintf(buf + k, len - k, ":");
  return (int)k + ae_act_spec(act, slope, buf + k, len - k);
}

int ae_pool_spec_text(char *buf, size_t len, const char *kind, int kernel, int stride, int pad) {
  int k = snprintf(buf, len, "%s:%d", kind, kernel);
  if (stride != kernel) k += snprintf(buf + k, len - (size_t)k, ":stride=%d", stride);
  if (pad) k += snprintf(buf + k, len - (size_t)k, ":pad=%d", pad);
  return k;
}
