/* SPDX-License-Identifier: MIT */
/* onnx.h — building an ONNX graph (opset 17, IR version 8) in protobuf's
 * wire format, written by hand: no protobuf runtime (onnx.c). The layers'
 * side is layer_onnx.h; this is the exporter's (onnx_export.c). */
#ifndef AE_ONNX_H
#define AE_ONNX_H

#include "layer_onnx.h"

#include <stddef.h>

/* ---- for the exporter ---- */
ae_onnx *ae_onnx_new(void);
void ae_onnx_free(ae_onnx *g);
/* The graph's input: `name`, per-sample shape s. With `fixed`, its form
 * is `form`; without, the first ae_onnx_take decides it (the form the
 * layer takes, or (N, T, F) where it takes channels first). */
void ae_onnx_begin(ae_onnx *g, const char *name, ae_shape s, int fixed, ae_onnx_form form);
/* The form the graph's input has (decided now if no layer took it). */
ae_onnx_form ae_onnx_input_form(ae_onnx *g);
/* Name the layer whose nodes come next ("encoder.3": its prefix). */
void ae_onnx_layer(ae_onnx *g, const char *prefix);
/* The first failure so far (AE_OK: none). */
ae_status ae_onnx_status(const ae_onnx *g);
/* End the graph: its current tensor, as `form`, becomes output `name`.
 * Then serialise the model with n_meta key/value pairs (meta[2k] the key,
 * meta[2k+1] the value) into *out (malloc'd, *size bytes). */
ae_status ae_onnx_finish(ae_onnx *g, const char *name, ae_onnx_form form,
                         const char *const *meta, int n_meta, unsigned char **out, size_t *size);

#endif
