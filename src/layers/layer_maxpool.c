/* SPDX-License-Identifier: MIT */
/* layer_maxpool.c — 2-d max pooling (maxpool:K[:stride=S][:pad=P]),
 * PyTorch's MaxPool2d. Legend: N batch, C channels,
 * OH OW out. */
#include "error.h"
#include "kernels_conv.h"
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>
#include <string.h>

/* ---- maxpool2d: scratch holds the argmax indices (N, C, OH, OW) ---- */

static size_t pool_scratch_count(const ae_layer *l, int n) {
  return (size_t)n * l->out_dim; /* int32 indices, one float slot each */
}

static void pool_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)train;
  const ae_pool_params *p = &l->u.pool;
  ae_maxpool2d_forward(y, (int32_t *)(void *)ctx->scratch, x, n, l->in.c, l->in.h, l->in.w,
                       p->kernel, p->stride, p->pad);
}

static void pool_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)x, (void)y;
  const ae_pool_params *p = &l->u.pool;
  if (dx)
    ae_maxpool2d_backward(dx, dy, (const int32_t *)(const void *)ctx->scratch, n, l->in.c,
                          l->in.h, l->in.w, p->kernel, p->stride, p->pad);
}

static int pool_spec(const ae_layer *l, char *buf, size_t len) {
  const ae_pool_params *p = &l->u.pool;
  return ae_pool_spec_text(buf, len, "maxpool", p->kernel, p->stride, p->pad);
}

/* MaxPool, padding that never wins (PyTorch's -inf), floor sizes. */
static ae_status pool_onnx(const ae_layer *l, ae_onnx *g) {
  const ae_pool_params *p = &l->u.pool;
  const char *x = ae_onnx_take(g, AE_ONNX_IMAGE), *y = ae_onnx_fresh(g, "maxpool");
  int64_t k[2] = {p->kernel, p->kernel}, s[2] = {p->stride, p->stride},
          pads[4] = {p->pad, p->pad, p->pad, p->pad};
  ae_onnx_node(g, "MaxPool", y, 1, x);
  ae_onnx_attr_ints(g, "kernel_shape", k, 2);
  ae_onnx_attr_ints(g, "strides", s, 2);
  ae_onnx_attr_ints(g, "pads", pads, 4);
  ae_onnx_give(g, y, AE_ONNX_IMAGE, l->out);
  return AE_OK;
}

static const ae_layer_ops ae_maxpool2d_ops = {
    .name = "maxpool",
    .param_count = ae_layer_no_params,
    .scratch_count = pool_scratch_count,
    .forward = pool_forward,
    .backward = pool_backward,
    .spec = pool_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = pool_onnx,
};

/* maxpool:K[:stride=S][:pad=P] (stride defaults to K, as PyTorch) */
static ae_status pool_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  ae_pool_params *p = &l->u.pool;
  *p = (ae_pool_params){0, 0, 0};
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &p->kernel);
  if (st) return st;
  p->stride = p->kernel;
  if ((st = ae_field_key_int(c, f, "stride", 1, 64, &p->stride)) ||
      (st = ae_field_key_int(c, f, "pad", 0, 64, &p->pad)))
    return st;
  if (2 * p->pad > p->kernel)
    return ae_set_error(AE_ERR_ARG, "layer %d (maxpool): pad=%d exceeds half the kernel %d",
                        c->index, p->pad, p->kernel);
  *out = in;
  out->h = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, 1);
  out->w = ae_conv_out_size(in.w, p->kernel, p->stride, p->pad, 1);
  if (out->h < 1 || out->w < 1) return ae_layer_too_small(c, in);
  return AE_OK;
}

const ae_layer_desc ae_maxpool2d_desc = {"maxpool", &ae_maxpool2d_ops, 1, 0, "stride,pad", pool_build, 0};
