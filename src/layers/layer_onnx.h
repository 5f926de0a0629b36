/* SPDX-License-Identifier: MIT */
/* layer_onnx.h — what a layer kind says to an ONNX graph being built: the
 * interface its ops' `onnx` hook writes through. It is declared here, at the
 * layers' level, so that layers depend on nothing above them; the I/O level
 * implements it (src/io/onnx.c, which writes the protobuf) and drives it
 * (src/io/onnx_export.c).
 *
 * A hook reads the graph's current tensor with ae_onnx_take, adds nodes and
 * initializers, and leaves its output as the current tensor with
 * ae_onnx_give. It maps the layer in evaluation mode with its activation
 * as written (a sigmoid the model runs fused into the loss is a Sigmoid).
 *
 * Forms: aekit keeps a sample as C*H*W floats in that order (a sequence as
 * (1, T, F), steps first), so a reshape between the forms that follow this
 * order is free (an ONNX Reshape); only the channels-first sequence that
 * ONNX's 1-D Conv takes needs a Transpose. The builder inserts both where
 * the form a layer takes differs from the one the last layer gave, and only
 * there. Legend: N batch (the symbolic "N" dimension), D = C*H*W. */
#ifndef AE_LAYER_ONNX_H
#define AE_LAYER_ONNX_H

#include "aekit.h"
#include "layer.h"

#include <stdint.h>

typedef enum ae_onnx_form {
  AE_ONNX_FLAT,    /* (N, D) */
  AE_ONNX_IMAGE,   /* (N, C, H, W) */
  AE_ONNX_SEQ,     /* (N, T, F): a sequence (1, T, F) */
  AE_ONNX_SEQ_CF,  /* (N, F, T): the same, channels first (ONNX's 1-D Conv) */
} ae_onnx_form;

typedef struct ae_onnx ae_onnx;

/* The layer's input as `form` (its per-sample shape is the layer's input
 * shape); returns the tensor's name, valid until the next ae_onnx_give. */
const char *ae_onnx_take(ae_onnx *g, ae_onnx_form form);
/* The layer's output: tensor `name` of the given form and per-sample shape. */
void ae_onnx_give(ae_onnx *g, const char *name, ae_onnx_form form, ae_shape s);
/* The same values under per-sample shape s (flatten, reshape, dropout); no
 * node until a later layer takes them in another shape. */
void ae_onnx_same(ae_onnx *g, ae_shape s);

/* A fresh tensor name, "<layer>/<what>_<k>". Names the builder returns live
 * until 16 more were made. */
const char *ae_onnx_fresh(ae_onnx *g, const char *what);
/* Add a node: op type; outputs as comma-separated names (",y_h": an empty
 * name skips an optional output); n_in input names follow (NULL or ""
 * skips an optional input). Attributes added next belong to it. */
void ae_onnx_node(ae_onnx *g, const char *op, const char *outputs, int n_in, ...);
void ae_onnx_attr_int(ae_onnx *g, const char *name, int64_t v);
void ae_onnx_attr_ints(ae_onnx *g, const char *name, const int64_t *v, int n);
void ae_onnx_attr_float(ae_onnx *g, const char *name, float v);
void ae_onnx_attr_str(ae_onnx *g, const char *name, const char *v);

/* A float initializer "<layer>.<suffix>" of shape dims (ndim of them),
 * data copied; returns its name. */
const char *ae_onnx_weight(ae_onnx *g, const char *suffix, const int64_t *dims, int ndim,
                           const float *data);
/* Layer l's stored tensor `suffix` ("weight", "running_var") as an
 * initializer under its model-file name and shape; NULL (and the graph
 * fails) when l has none. */
const char *ae_onnx_stored(ae_onnx *g, const ae_layer *l, const char *suffix);
/* A 1-D int64 initializer (shapes, axes, repeats); returns its name. */
const char *ae_onnx_int64s(ae_onnx *g, const int64_t *v, int n);
/* A 1-D float initializer (Resize's scales); returns its name. */
const char *ae_onnx_floats(ae_onnx *g, const float *v, int n);
/* Apply an activation to x (nothing for identity); returns the output's
 * name (x itself for identity). */
const char *ae_onnx_act(ae_onnx *g, const char *x, ae_act act, float slope);
/* Reshape x to (N, dims...) (ndim per-sample dims); returns the output. */
const char *ae_onnx_reshape(ae_onnx *g, const char *x, const int64_t *dims, int ndim);
/* Transpose x by perm (n axes); returns the output. */
const char *ae_onnx_transpose(ae_onnx *g, const char *x, const int64_t *perm, int n);
/* The hook of a layer that moves no value (flatten, reshape, dropout in
 * evaluation): ae_onnx_same with its output shape. */
ae_status ae_onnx_pass(const ae_layer *l, ae_onnx *g);
/* Nearest-neighbour upsampling of x by integer scales (n of them, one per
 * axis, N's first): Resize with output index i reading input floor(i / s),
 * PyTorch's Upsample(mode="nearest"); returns the output. */
const char *ae_onnx_upsample(ae_onnx *g, const char *x, const float *scales, int n);
/* Record a failure (after ae_set_error); the export returns the first. */
void ae_onnx_fail(ae_onnx *g, ae_status st);

#endif
