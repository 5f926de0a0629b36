/* SPDX-License-Identifier: MIT */
/* layer_dropout.c — inverted dropout (dropout:P): masks from the
 * worker's generator in training, the identity in evaluation. Legend: N
 * batch, D = C*H*W. */
#include "error.h"
#include "kernels_conv.h"
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>
#include <string.h>

/* ---- dropout: scratch holds the mask (N, D); identity in evaluation ---- */

static size_t drop_scratch_count(const ae_layer *l, int n) { return (size_t)n * l->out_dim; }

static void drop_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  size_t count = (size_t)n * l->out_dim;
  if (!train) {
    memcpy(y, x, count * sizeof(float));
    return;
  }
  float *mask = ctx->scratch; /* (N, D): first the uniforms, then the mask */
  for (size_t k = 0; k < count; k++) mask[k] = ae_rng_uniform(ctx->rng);
  ae_dropout_forward(y, mask, x, mask, l->u.dropout.p, count);
}

static void drop_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)x, (void)y;
  if (dx) ae_dropout_backward(dx, dy, ctx->scratch, (size_t)n * l->out_dim);
}

static int drop_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "dropout:%g", (double)l->u.dropout.p);
}

static const ae_layer_ops ae_dropout_ops = {
    .name = "dropout",
    .param_count = ae_layer_no_params,
    .scratch_count = drop_scratch_count,
    .forward = drop_forward,
    .backward = drop_backward,
    .spec = drop_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = ae_onnx_pass,
};

/* dropout:P */
static ae_status drop_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  *out = in;
  return ae_field_float(c, "dropout rate", f->pos[0], 0.0, 0.999999, &l->u.dropout.p);
}

const ae_layer_desc ae_dropout_desc = {"dropout", &ae_dropout_ops, 1, 0, "", drop_build, 1};
