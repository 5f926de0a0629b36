/* SPDX-License-Identifier: MIT */
/* layer_upsample.c — nearest-neighbour upsampling by an integer factor
 * (upsample:SCALE), PyTorch's Upsample(mode="nearest"). */
#include "error.h"
#include "kernels_conv.h"
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>
#include <string.h>

/* ---- upsample2d: nearest, integer scale (kept in pool.kernel) ---- */

static void up_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                       int train) {
  (void)ctx, (void)train;
  ae_upsample_nearest2d_forward(y, x, n, l->in.c, l->in.h, l->in.w, l->u.pool.kernel);
}

static void up_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx, float *dy,
                        const float *x, const float *y, int n) {
  (void)ctx, (void)grads, (void)x, (void)y;
  if (dx) ae_upsample_nearest2d_backward(dx, dy, n, l->in.c, l->in.h, l->in.w, l->u.pool.kernel);
}

static int up_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "upsample:%d", l->u.pool.kernel);
}

static ae_status up_onnx(const ae_layer *l, ae_onnx *g) {
  float k = (float)l->u.pool.kernel, scales[4] = {1.0f, 1.0f, k, k};
  const char *x = ae_onnx_take(g, AE_ONNX_IMAGE);
  ae_onnx_give(g, ae_onnx_upsample(g, x, scales, 4), AE_ONNX_IMAGE, l->out);
  return AE_OK;
}

static const ae_layer_ops ae_upsample2d_ops = {
    .name = "upsample",
    .param_count = ae_layer_no_params,
    .forward = up_forward,
    .backward = up_backward,
    .spec = up_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = up_onnx,
};

/* upsample:SCALE */
static ae_status up_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                          const ae_build_ctx *c) {
  int k;
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &k);
  if (st) return st;
  l->u.pool = (ae_pool_params){k, k, 0};
  *out = (ae_shape){in.c, in.h * k, in.w * k};
  return AE_OK;
}

const ae_layer_desc ae_upsample2d_desc = {"upsample", &ae_upsample2d_ops, 1, 0, "", up_build, 0};
