/* SPDX-License-Identifier: MIT */
/* onnx_export.c — a model, or its encoder or decoder, as an ONNX file
 * (ae_model_export_onnx). Each layer kind maps itself (its ops' `onnx`
 * hook); this file walks the layers, names the graph's input and output,
 * adds the metadata, and writes the file atomically. */
#include "error.h"
#include "fileio.h"
#include "model.h"
#include "onnx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const unsigned char *p;
  size_t n;
} bytes_ctx;

static ae_status write_bytes(FILE *f, void *ctx) {
  const bytes_ctx *b = ctx;
  fwrite(b->p, 1, b->n, f);
  return AE_OK;
}

/* Layers [from, to) into g. */
static ae_status add_layers(const ae_model *m, ae_onnx *g, int from, int to) {
  for (int i = from; i < to; i++) {
    const ae_layer *l = &m->layers[i];
    char prefix[32];
    int enc = i < m->n_enc;
    snprintf(prefix, sizeof prefix, "%s.%d", enc ? "encoder" : "decoder", enc ? i : i - m->n_enc);
    if (!l->ops->onnx)
      return ae_set_error(AE_ERR_ARG, "layer %d (%s) has no ONNX form", i + 1, l->desc->name);
    ae_onnx_layer(g, prefix);
    ae_status st = l->ops->onnx(l, g);
    if (!st) st = ae_onnx_status(g);
    if (st) return st;
  }
  return AE_OK;
}

static ae_shape input_shape(const ae_model *m) { return (ae_shape){m->c, m->h, m->w}; }

/* The form the model's own input takes in ONNX (what its first layer
 * takes): a decoder's output has it too. */
static ae_status input_form(const ae_model *m, ae_onnx_form *form) {
  ae_onnx *g = ae_onnx_new();
  if (!g) return ae_set_error(AE_ERR_NOMEM, "out of memory building the ONNX graph");
  ae_onnx_begin(g, "input", input_shape(m), 0, AE_ONNX_FLAT);
  ae_status st = add_layers(m, g, 0, m->n_layers > 0 ? 1 : 0);
  *form = ae_onnx_input_form(g);
  ae_onnx_free(g);
  return st;
}

static ae_status build(const ae_model *m, ae_export_part part, unsigned char **out,
                       size_t *size) {
  static const char *parts[] = {"full", "encoder", "decoder"};
  ae_onnx_form data_form = AE_ONNX_FLAT;
  ae_status st = input_form(m, &data_form);
  if (st) return st;
  ae_onnx *g = ae_onnx_new();
  if (!g) return ae_set_error(AE_ERR_NOMEM, "out of memory building the ONNX graph");
  ae_shape enc = m->layers[m->n_enc - 1].out, code = {enc.c * enc.h * enc.w, 1, 1};
  if (part == AE_EXPORT_DECODER) { /* codes (N, Z), as ae_model_decode */
    ae_onnx_begin(g, "code", code, 1, AE_ONNX_FLAT);
    ae_onnx_same(g, enc);
  } else {
    ae_onnx_begin(g, "input", input_shape(m), 1, data_form);
  }
  int from = part == AE_EXPORT_DECODER ? m->n_enc : 0;
  int to = part == AE_EXPORT_ENCODER ? m->n_enc : m->n_layers;
  st = add_layers(m, g, from, to);
  if (!st && part == AE_EXPORT_ENCODER) ae_onnx_same(g, code); /* (N, Z), as ae_model_encode */
  char shape[64], scaling[96];
  snprintf(shape, sizeof shape, "[%d,%d,%d]", m->c, m->h, m->w);
  snprintf(scaling, sizeof scaling, "{\"lo\":%.9g,\"hi\":%.9g}", (double)m->lo, (double)m->hi);
  const char *meta[16] = {"aekit.spec", m->spec, "aekit.part", parts[part],
                          "aekit.input_shape", shape, "aekit.scaling", scaling};
  int nm = 4;
  if (m->features_json) meta[2 * nm] = "aekit.features", meta[2 * nm++ + 1] = m->features_json;
  if (m->series_json) meta[2 * nm] = "aekit.series", meta[2 * nm++ + 1] = m->series_json;
  if (!st)
    st = ae_onnx_finish(g, part == AE_EXPORT_ENCODER ? "code" : "output",
                        part == AE_EXPORT_ENCODER ? AE_ONNX_FLAT : data_form, meta, nm, out, size);
  ae_onnx_free(g);
  return st;
}

ae_status ae_model_export_onnx(const ae_model *m, const char *path, ae_export_part part) {
  AE_ARG(m && path, "ae_model_export_onnx", "model and path must not be NULL");
  if (part != AE_EXPORT_FULL && part != AE_EXPORT_ENCODER && part != AE_EXPORT_DECODER)
    return ae_set_error(AE_ERR_ARG, "%s: unknown part %d to export", path, (int)part);
  unsigned char *p;
  size_t n;
  ae_status st = build(m, part, &p, &n);
  if (st) {
    ae_error_prefix(path);
    return st;
  }
  bytes_ctx b = {p, n};
  st = ae_write_atomic(path, write_bytes, &b);
  free(p);
  return st;
}
