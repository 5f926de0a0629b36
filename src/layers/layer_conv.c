/* SPDX-License-Identifier: MIT */
/* layer_conv.c — conv2d and conv_transpose2d layers with a fused
 * activation (im2col/col2im + GEMM kernels in k_conv.c).
 * Legend: N batch, C in channels, K out channels, KH KW kernel, H W in,
 * OH OW out. Parameters: weight then bias (K), PyTorch layouts: conv2d
 * (K, C, KH, KW), conv_transpose2d (C, K, KH, KW). Scratch: the batch's
 * column matrix, so each layer is one large GEMM per worker. */
#include "kernels_conv.h"
#include "layer.h"
#include "layer_onnx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

extern const ae_layer_desc ae_conv_transpose2d_desc;

static int is_transpose(const ae_layer *l) { return l->desc == &ae_conv_transpose2d_desc; }

static size_t conv_weight_count(const ae_layer *l) {
  const ae_conv_params *p = &l->u.conv;
  return (size_t)l->in.c * p->filters * p->kernel * p->kernel;
}

static size_t conv_param_count(const ae_layer *l) {
  return conv_weight_count(l) + (size_t)l->u.conv.filters;
}

/* The batch's column matrix and GEMM output (k_conv.c). */
static size_t conv_scratch_count(const ae_layer *l, int n) {
  const ae_conv_params *p = &l->u.conv;
  return is_transpose(l) ? ae_conv_transpose2d_scratch(n, l->in.c, l->in.h, l->in.w, p->filters,
                                                       p->kernel, p->kernel)
                         : ae_conv2d_scratch(n, l->in.c, l->in.h, l->in.w, p->filters, p->kernel,
                                             p->kernel, p->stride, p->pad, p->dil);
}

/* Keras: He/Glorot uniform with fan_in = C KH KW, fan_out = K KH KW (for the
 * transpose the two swap, as in Keras and PyTorch); PyTorch: weights and
 * biases U(+-1/sqrt(fan_in)). */
static void conv_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  const ae_conv_params *p = &l->u.conv;
  double kk = (double)p->kernel * p->kernel;
  double fan_in = kk * (is_transpose(l) ? p->filters : l->in.c);
  double fan_out = kk * (is_transpose(l) ? l->in.c : p->filters);
  size_t nw = conv_weight_count(l);
  ae_init_weights(l->params, nw, l->params + nw, (size_t)p->filters, scheme, p->act, fan_in,
                  fan_out, rng);
}

static void conv_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)train;
  const ae_conv_params *p = &l->u.conv;
  const float *w = l->params, *b = w + conv_weight_count(l);
  if (is_transpose(l))
    ae_conv_transpose2d_forward(y, x, w, b, ctx->scratch, n, l->in.c, l->in.h, l->in.w,
                                p->filters, p->kernel, p->kernel, p->stride, p->pad, p->outpad,
                                p->dil);
  else
    ae_conv2d_forward(y, x, w, b, ctx->scratch, n, l->in.c, l->in.h, l->in.w, p->filters,
                      p->kernel, p->kernel, p->stride, p->pad, p->dil);
  ae_bias_act_forward(y, NULL, p->run_act, p->slope, n, l->out_dim);
}

static void conv_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  const ae_conv_params *p = &l->u.conv;
  const float *w = l->params;
  float *dw = grads, *db = grads + conv_weight_count(l);
  ae_act_backward(dy, y, p->run_act, p->slope, (size_t)n * l->out_dim);
  if (is_transpose(l))
    ae_conv_transpose2d_backward(dx, dw, db, dy, x, w, ctx->scratch, n, l->in.c, l->in.h,
                                 l->in.w, p->filters, p->kernel, p->kernel, p->stride, p->pad,
                                 p->outpad, p->dil);
  else
    ae_conv2d_backward(dx, dw, db, dy, x, w, ctx->scratch, n, l->in.c, l->in.h, l->in.w,
                       p->filters, p->kernel, p->kernel, p->stride, p->pad, p->dil);
}

static int conv_spec(const ae_layer *l, char *buf, size_t len) {
  const ae_conv_params *p = &l->u.conv;
  return ae_conv_spec_text(buf, len, is_transpose(l) ? "convt" : "conv", p->filters, p->kernel,
                           p->stride, p->same, p->pad, p->dil, p->outpad, p->act, p->slope);
}

static int conv_tensors(const ae_layer *l, ae_tensor_view *t) {
  const ae_conv_params *p = &l->u.conv;
  int a = is_transpose(l) ? l->in.c : p->filters, b = is_transpose(l) ? p->filters : l->in.c;
  t[0] = (ae_tensor_view){"weight", 4, {a, b, p->kernel, p->kernel}, 0, 0, 1};
  t[1] = (ae_tensor_view){"bias", 1, {p->filters, 0, 0, 0}, 0, conv_weight_count(l), 0};
  return 2;
}

static ae_act *conv_run_act(ae_layer *l) { return &l->u.conv.run_act; }

/* Conv or ConvTranspose (symmetric padding, the weights as stored), then
 * the activation. */
static ae_status conv_onnx(const ae_layer *l, ae_onnx *g) {
  const ae_conv_params *p = &l->u.conv;
  const char *x = ae_onnx_take(g, AE_ONNX_IMAGE);
  const char *w = ae_onnx_stored(g, l, "weight"), *b = ae_onnx_stored(g, l, "bias");
  int t = is_transpose(l);
  const char *y = ae_onnx_fresh(g, t ? "convt" : "conv");
  ae_onnx_node(g, t ? "ConvTranspose" : "Conv", y, 3, x, w, b);
  int64_t k[2] = {p->kernel, p->kernel}, s[2] = {p->stride, p->stride},
          d[2] = {p->dil, p->dil}, pads[4] = {p->pad, p->pad, p->pad, p->pad},
          op[2] = {p->outpad, p->outpad};
  ae_onnx_attr_ints(g, "kernel_shape", k, 2);
  ae_onnx_attr_ints(g, "strides", s, 2);
  ae_onnx_attr_ints(g, "dilations", d, 2);
  ae_onnx_attr_ints(g, "pads", pads, 4);
  if (t && p->outpad) ae_onnx_attr_ints(g, "output_padding", op, 2);
  ae_onnx_give(g, ae_onnx_act(g, y, p->act, p->slope), AE_ONNX_IMAGE, l->out);
  return AE_OK;
}

/* conv:FILTERS:KERNEL[:stride=S][:pad=P|same][:dil=D][:ACT] and
 * convt:FILTERS:KERNEL[:stride=S][:pad=P][:outpad=O][:dil=D][:ACT] */
static ae_status conv_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  int t = is_transpose(l);
  ae_conv_params *p = &l->u.conv;
  *p = (ae_conv_params){0, 0, 1, 0, 1, 0, 0, f->act, f->act, f->slope};
  ae_status st;
  const char *pad = ae_field_key(f, "pad");
  if (!t && pad && !strcmp(pad, "same")) p->same = 1;
  if ((st = ae_field_int(c, f->pos[0], 1, 1 << 24, &p->filters)) ||
      (st = ae_field_int(c, f->pos[1], 1, 1 << 24, &p->kernel)) ||
      (st = ae_field_key_int(c, f, "stride", 1, 64, &p->stride)) ||
      (!p->same && (st = ae_field_key_int(c, f, "pad", 0, 64, &p->pad))) ||
      (st = ae_field_key_int(c, f, "dil", 1, 64, &p->dil)) ||
      (t && (st = ae_field_key_int(c, f, "outpad", 0, 64, &p->outpad))))
    return st;
  if (p->kernel > 64)
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d: kernel %d is larger than 64", c->spec,
                        c->index, p->kernel);
  if (p->same) p->pad = p->dil * (p->kernel - 1) / 2;
  if (t && !(p->outpad < p->stride || p->outpad < p->dil))
    return ae_set_error(AE_ERR_ARG, "layer %d (convt): outpad=%d must be smaller than stride or dil",
                        c->index, p->outpad);
  *out = in;
  if (t) {
    out->h = ae_conv_transpose_out_size(in.h, p->kernel, p->stride, p->pad, p->outpad, p->dil);
    out->w = ae_conv_transpose_out_size(in.w, p->kernel, p->stride, p->pad, p->outpad, p->dil);
  } else {
    out->h = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, p->dil);
    out->w = ae_conv_out_size(in.w, p->kernel, p->stride, p->pad, p->dil);
  }
  if (out->h < 1 || out->w < 1) return ae_layer_too_small(c, in);
  out->c = p->filters;
  return AE_OK;
}

/* Each weight once per output position (conv) or input position (convt). */
static double conv_macs(const ae_layer *l) {
  const ae_shape *g = is_transpose(l) ? &l->in : &l->out;
  return (double)conv_weight_count(l) * g->h * g->w;
}

static const ae_layer_ops ae_conv2d_ops = {
    .name = "conv",
    .param_count = conv_param_count,
    .scratch_count = conv_scratch_count,
    .init = conv_init,
    .forward = conv_forward,
    .backward = conv_backward,
    .spec = conv_spec,
    .tensors = conv_tensors,
    .run_act = conv_run_act,
    .onnx = conv_onnx,
    .macs = conv_macs,
};

static const ae_layer_ops ae_conv_transpose2d_ops = {
    .name = "convt",
    .param_count = conv_param_count,
    .scratch_count = conv_scratch_count,
    .init = conv_init,
    .forward = conv_forward,
    .backward = conv_backward,
    .spec = conv_spec,
    .tensors = conv_tensors,
    .run_act = conv_run_act,
    .onnx = conv_onnx,
    .macs = conv_macs,
};

const ae_layer_desc ae_conv2d_desc = {"conv", &ae_conv2d_ops, 2, 1, "stride,pad,dil", conv_build, 0};
const ae_layer_desc ae_conv_transpose2d_desc = {"convt", &ae_conv_transpose2d_ops, 2, 1,
                                                "stride,pad,outpad,dil", conv_build, 0};
