/* SPDX-License-Identifier: MIT */
/* layer_dense.c — fully connected layer with a fused activation. It takes
 * any input shape as a flat vector of in_dim values (N, I).
 * Parameters: weight (O, I) row-major, then bias (O) — PyTorch's layout. */
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>

static size_t dense_param_count(const ae_layer *l) {
  return (size_t)l->out_dim * l->in_dim + (size_t)l->out_dim;
}

/* Keras's or PyTorch's default (ae_init_weights). */
static void dense_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  size_t nw = (size_t)l->out_dim * l->in_dim;
  ae_init_weights(l->params, nw, l->params + nw, (size_t)l->out_dim, scheme, l->u.dense.act,
                  l->in_dim, l->out_dim, rng);
}

static void dense_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                          int train) {
  (void)ctx, (void)train;
  const float *w = l->params, *b = w + (size_t)l->out_dim * l->in_dim;
  ae_dense_forward(y, x, w, b, l->u.dense.run_act, l->u.dense.slope, n,
                   l->in_dim, l->out_dim);
}

static void dense_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                           float *dy, const float *x, const float *y, int n) {
  (void)ctx;
  const float *w = l->params;
  float *dw = grads, *db = dw + (size_t)l->out_dim * l->in_dim;
  ae_dense_backward(dx, dw, db, dy, y, x, w, l->u.dense.run_act, l->u.dense.slope, n, l->in_dim,
                    l->out_dim);
}

int ae_act_spec(ae_act act, float slope, char *buf, size_t len) {
  switch (act) {
  case AE_ACT_RELU: return snprintf(buf, len, "relu");
  case AE_ACT_LEAKY_RELU: return snprintf(buf, len, "leaky_relu:%g", (double)slope);
  case AE_ACT_SIGMOID: return snprintf(buf, len, "sigmoid");
  case AE_ACT_TANH: return snprintf(buf, len, "tanh");
  case AE_ACT_IDENTITY: break;
  }
  return snprintf(buf, len, "identity");
}

static int dense_spec(const ae_layer *l, char *buf, size_t len) {
  int k = snprintf(buf, len, "dense:%d:", l->out_dim);
  return k + ae_act_spec(l->u.dense.act, l->u.dense.slope, buf + k, len - (size_t)k);
}

static int dense_tensors(const ae_layer *l, ae_tensor_view *t) {
  t[0] = (ae_tensor_view){"weight", 2, {l->out_dim, l->in_dim, 0, 0}, 0, 0, 1};
  t[1] = (ae_tensor_view){"bias", 1, {l->out_dim, 0, 0, 0}, 0, (size_t)l->out_dim * l->in_dim, 0};
  return 2;
}

static ae_act *dense_run_act(ae_layer *l) { return &l->u.dense.run_act; }

/* Gemm(x, W^T, b), then the activation. */
static ae_status dense_onnx(const ae_layer *l, ae_onnx *g) {
  const char *x = ae_onnx_take(g, AE_ONNX_FLAT);
  const char *w = ae_onnx_stored(g, l, "weight"), *b = ae_onnx_stored(g, l, "bias");
  const char *y = ae_onnx_fresh(g, "gemm");
  ae_onnx_node(g, "Gemm", y, 3, x, w, b);
  ae_onnx_attr_int(g, "transB", 1);
  ae_onnx_give(g, ae_onnx_act(g, y, l->u.dense.act, l->u.dense.slope), AE_ONNX_FLAT, l->out);
  return AE_OK;
}

/* dense:UNITS[:ACT] */
static ae_status dense_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                             const ae_build_ctx *c) {
  (void)in;
  int units;
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &units);
  if (st) return st;
  l->u.dense = (ae_dense_params){units, f->act, f->act, f->slope};
  *out = (ae_shape){units, 1, 1};
  return AE_OK;
}

static double dense_macs(const ae_layer *l) { return (double)l->in_dim * l->out_dim; }

static const ae_layer_ops ae_dense_ops = {
    .name = "dense",
    .param_count = dense_param_count,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
    .spec = dense_spec,
    .tensors = dense_tensors,
    .run_act = dense_run_act,
    .onnx = dense_onnx,
    .macs = dense_macs,
};

const ae_layer_desc ae_dense_desc = {"dense", &ae_dense_ops, 1, 1, "", dense_build, 0};
