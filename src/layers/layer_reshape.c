/* SPDX-License-Identifier: MIT */
/* layer_reshape.c — flatten and reshape:C:H:W, the same values under
 * another shape (one body, two kinds). */
#include "error.h"
#include "kernels_conv.h"
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>
#include <string.h>

/* ---- flatten and reshape: the same values under another shape ---- */

static void copy_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)ctx, (void)train;
  memcpy(y, x, (size_t)n * l->out_dim * sizeof(float));
}

static void copy_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)ctx, (void)grads, (void)x, (void)y;
  if (dx) memcpy(dx, dy, (size_t)n * l->out_dim * sizeof(float));
}

static int flatten_spec(const ae_layer *l, char *buf, size_t len) {
  (void)l;
  return snprintf(buf, len, "flatten");
}

static int reshape_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "reshape:%d:%d:%d", l->out.c, l->out.h, l->out.w);
}

static const ae_layer_ops ae_flatten_ops = {
    .name = "flatten",
    .param_count = ae_layer_no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = flatten_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = ae_onnx_pass,
};

static const ae_layer_ops ae_reshape_ops = {
    .name = "reshape",
    .param_count = ae_layer_no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = reshape_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = ae_onnx_pass,
};

/* flatten */
static ae_status flatten_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                               const ae_build_ctx *c) {
  (void)l, (void)f, (void)c;
  *out = (ae_shape){in.c * in.h * in.w, 1, 1};
  return AE_OK;
}

/* reshape:C:H:W */
static ae_status reshape_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                               const ae_build_ctx *c) {
  ae_shape to;
  ae_status st;
  if ((st = ae_field_int(c, f->pos[0], 1, 1 << 24, &to.c)) ||
      (st = ae_field_int(c, f->pos[1], 1, 1 << 24, &to.h)) ||
      (st = ae_field_int(c, f->pos[2], 1, 1 << 24, &to.w)))
    return st;
  if ((long long)to.c * to.h * to.w != (long long)in.c * in.h * in.w)
    return ae_set_error(AE_ERR_SHAPE,
                        "layer %d (reshape:%d:%d:%d): %d values cannot take that shape", c->index,
                        to.c, to.h, to.w, in.c * in.h * in.w);
  l->u.reshape.to = to;
  *out = to;
  return AE_OK;
}

const ae_layer_desc ae_flatten_desc = {"flatten", &ae_flatten_ops, 0, 0, "", flatten_build, 0};
const ae_layer_desc ae_reshape_desc = {"reshape", &ae_reshape_ops, 3, 0, "", reshape_build, 0};
