/* SPDX-License-Identifier: MIT */
/* layer_seq.c — the layers over sequences (1, T, C) that are not recurrent:
 *   conv1d:FILTERS:KERNEL[:stride=S][:pad=P|same][:dil=D][:ACT]
 *   convt1d:FILTERS:KERNEL[:stride=S][:pad=P|same][:outpad=O][:dil=D][:ACT]
 *   maxpool1d:K[:stride=S][:pad=P]     upsample1d:S     repeat:T
 *   tdense:UNITS[:ACT]   (a dense layer applied to every step: Keras'
 *                         TimeDistributed(Dense), PyTorch's Linear on (N, T, F))
 * Channels are last (Keras' channels_last), weights in PyTorch's layouts:
 * conv1d (O, C, K), convt1d (C, O, K), tdense (U, F). pad=P is PyTorch's
 * symmetric padding; pad=same is Keras' (output ceil(T/S) steps, or T*S for
 * the transpose, the extra padding on the right), which for stride 1 and an
 * odd kernel is also PyTorch's padding="same". Kernels: k_seq.c. */
#include "error.h"
#include "kernels_conv.h" /* the output sizes of a convolution and its transpose */
#include "kernels_seq.h"
#include "layer.h"
#include "layer_onnx.h"

#include <stdio.h>
#include <string.h>

extern const ae_layer_desc ae_conv1d_desc, ae_convt1d_desc, ae_maxpool1d_desc,
    ae_upsample1d_desc, ae_repeat_desc, ae_tdense_desc;

typedef struct seq_params {
  int filters, kernel, stride, pad, dil, outpad, same;
  int shift;  /* conv1d: left padding; convt1d: steps cropped on the left */
  ae_act act, run_act;
  float slope;
  int units;  /* tdense; repeat: the steps; upsample1d: the scale */
} seq_params;
_Static_assert(sizeof(seq_params) <= sizeof(((ae_layer *)0)->u), "seq_params fits in u");

static seq_params *P(ae_layer *l) { return (seq_params *)(void *)l->u.raw; }
static const seq_params *PC(const ae_layer *l) {
  return (const seq_params *)(const void *)l->u.raw;
}

/* (1, T, C) of a sequence layer's input and output */
#define T_IN(l) ((l)->in.h)
#define C_IN(l) ((l)->in.w)
#define T_OUT(l) ((l)->out.h)
#define C_OUT(l) ((l)->out.w)

/* ---- conv1d and convt1d ---------------------------------------------------- */

static int is_transpose(const ae_layer *l) { return l->desc == &ae_convt1d_desc; }

static size_t conv_weights(const ae_layer *l) {
  const seq_params *p = PC(l);
  return (size_t)C_IN(l) * p->filters * p->kernel;
}

static size_t conv_param_count(const ae_layer *l) { return conv_weights(l) + PC(l)->filters; }

static size_t conv_scratch_count(const ae_layer *l, int n) {
  const seq_params *p = PC(l);
  return is_transpose(l) ? ae_conv_transpose1d_scratch(n, T_IN(l), p->filters, p->kernel)
                         : ae_conv1d_scratch(n, T_OUT(l), C_IN(l), p->kernel);
}

static void conv_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  const seq_params *p = PC(l);
  double fan_in = (double)p->kernel * (is_transpose(l) ? p->filters : C_IN(l));
  double fan_out = (double)p->kernel * (is_transpose(l) ? C_IN(l) : p->filters);
  size_t nw = conv_weights(l);
  ae_init_weights(l->params, nw, l->params + nw, (size_t)p->filters, scheme, p->act, fan_in,
                  fan_out, rng);
}

static void conv_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)train;
  const seq_params *p = PC(l);
  const float *w = l->params, *b = w + conv_weights(l);
  if (is_transpose(l))
    ae_conv_transpose1d_forward(y, x, w, b, ctx->scratch, n, T_IN(l), C_IN(l), p->filters,
                                p->kernel, p->stride, p->shift, p->dil, T_OUT(l));
  else
    ae_conv1d_forward(y, x, w, b, ctx->scratch, n, T_IN(l), C_IN(l), p->filters, p->kernel,
                      p->stride, p->shift, p->dil, T_OUT(l));
  ae_bias_act_forward(y, NULL, p->run_act, p->slope, n, l->out_dim);
}

static void conv_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  const seq_params *p = PC(l);
  const float *w = l->params;
  float *dw = grads, *db = grads + conv_weights(l);
  ae_act_backward(dy, y, p->run_act, p->slope, (size_t)n * l->out_dim);
  if (is_transpose(l))
    ae_conv_transpose1d_backward(dx, dw, db, dy, x, w, ctx->scratch, n, T_IN(l), C_IN(l),
                                 p->filters, p->kernel, p->stride, p->shift, p->dil, T_OUT(l));
  else
    ae_conv1d_backward(dx, dw, db, dy, w, ctx->scratch, n, T_IN(l), C_IN(l), p->filters,
                       p->kernel, p->stride, p->shift, p->dil, T_OUT(l));
}

static int conv_spec(const ae_layer *l, char *buf, size_t len) {
  const seq_params *p = PC(l);
  return ae_conv_spec_text(buf, len, l->desc->name, p->filters, p->kernel, p->stride, p->same,
                           p->pad, p->dil, p->outpad, p->act, p->slope);
}

static int conv_tensors(const ae_layer *l, ae_tensor_view *t) {
  const seq_params *p = PC(l);
  int a = is_transpose(l) ? C_IN(l) : p->filters, b = is_transpose(l) ? p->filters : C_IN(l);
  t[0] = (ae_tensor_view){"weight", 3, {a, b, p->kernel, 0}, 0, 0, 1};
  t[1] = (ae_tensor_view){"bias", 1, {p->filters, 0, 0, 0}, 0, conv_weights(l), 0};
  return 2;
}

static ae_act *seq_run_act(ae_layer *l) { return &P(l)->run_act; }

/* Conv or ConvTranspose over (N, C, T). The kernels pad `shift` steps on
 * the left and as many on the right as the output size needs (conv1d), or
 * crop `shift` steps of the full transposed output on the left and keep
 * T_OUT steps (convt1d): ONNX's pads, and output_padding where T_OUT runs
 * past the full output. */
static ae_status conv_onnx(const ae_layer *l, ae_onnx *g) {
  const seq_params *p = PC(l);
  int tr = is_transpose(l), span = p->dil * (p->kernel - 1) + 1;
  const char *x = ae_onnx_take(g, AE_ONNX_SEQ_CF);
  const char *w = ae_onnx_stored(g, l, "weight"), *b = ae_onnx_stored(g, l, "bias");
  const char *y = ae_onnx_fresh(g, tr ? "convt1d" : "conv1d");
  int64_t k = p->kernel, s = p->stride, d = p->dil, pads[2] = {p->shift, 0}, op = 0;
  if (tr) {
    int64_t full = (int64_t)(T_IN(l) - 1) * p->stride + span;
    pads[1] = full - p->shift - T_OUT(l) > 0 ? full - p->shift - T_OUT(l) : 0;
    op = T_OUT(l) - (full - p->shift) > 0 ? T_OUT(l) - (full - p->shift) : 0;
  } else {
    int64_t total = (int64_t)(T_OUT(l) - 1) * p->stride + span - T_IN(l);
    pads[1] = total - p->shift > 0 ? total - p->shift : 0;
  }
  ae_onnx_node(g, tr ? "ConvTranspose" : "Conv", y, 3, x, w, b);
  ae_onnx_attr_ints(g, "kernel_shape", &k, 1);
  ae_onnx_attr_ints(g, "strides", &s, 1);
  ae_onnx_attr_ints(g, "dilations", &d, 1);
  ae_onnx_attr_ints(g, "pads", pads, 2);
  if (op) ae_onnx_attr_ints(g, "output_padding", &op, 1);
  ae_onnx_give(g, ae_onnx_act(g, y, p->act, p->slope), AE_ONNX_SEQ_CF, l->out);
  return AE_OK;
}

static ae_status conv_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  int tr = is_transpose(l);
  seq_params *p = P(l);
  memset(p, 0, sizeof *p);
  p->stride = p->dil = 1;
  p->act = p->run_act = f->act;
  p->slope = f->slope;
  ae_status st;
  const char *pad = ae_field_key(f, "pad");
  if (pad && !strcmp(pad, "same")) p->same = 1;
  if ((st = ae_field_int(c, f->pos[0], 1, 1 << 16, &p->filters)) ||
      (st = ae_field_int(c, f->pos[1], 1, 1 << 10, &p->kernel)) ||
      (st = ae_field_key_int(c, f, "stride", 1, 1 << 10, &p->stride)) ||
      (!p->same && (st = ae_field_key_int(c, f, "pad", 0, 1 << 10, &p->pad))) ||
      (st = ae_field_key_int(c, f, "dil", 1, 1 << 10, &p->dil)) ||
      (tr && (st = ae_field_key_int(c, f, "outpad", 0, 1 << 10, &p->outpad))))
    return st;
  if (in.c != 1) return ae_layer_need_sequence(c, in);
  int t = in.h, span = p->dil * (p->kernel - 1) + 1, to;
  if (tr && p->same && p->outpad)
    return ae_set_error(AE_ERR_ARG, "layer %d (convt1d): outpad with pad=same", c->index);
  if (tr && p->outpad && !(p->outpad < p->stride || p->outpad < p->dil))
    return ae_set_error(AE_ERR_ARG,
                        "layer %d (convt1d): outpad=%d must be smaller than stride or dil",
                        c->index, p->outpad);
  if (tr) {
    if (p->same) {
      to = t * p->stride;
      p->shift = (span > p->stride ? span - p->stride : 0) / 2;
    } else {
      to = ae_conv_transpose_out_size(t, p->kernel, p->stride, p->pad, p->outpad, p->dil);
      p->shift = p->pad;
    }
  } else {
    if (p->same) {
      to = (t + p->stride - 1) / p->stride;
      int total = (to - 1) * p->stride + span - t;
      p->shift = total > 0 ? total / 2 : 0;
    } else {
      to = ae_conv_out_size(t, p->kernel, p->stride, p->pad, p->dil);
      p->shift = p->pad;
    }
  }
  if (to < 1) return ae_layer_too_small(c, in);
  *out = (ae_shape){1, to, p->filters};
  return AE_OK;
}

/* Each weight once per output step (conv1d) or input step (convt1d). */
static double conv_macs(const ae_layer *l) {
  return (double)conv_weights(l) * (is_transpose(l) ? T_IN(l) : T_OUT(l));
}

static const ae_layer_ops ae_conv1d_ops = {
    .name = "conv1d",
    .param_count = conv_param_count,
    .scratch_count = conv_scratch_count,
    .init = conv_init,
    .forward = conv_forward,
    .backward = conv_backward,
    .spec = conv_spec,
    .tensors = conv_tensors,
    .run_act = seq_run_act,
    .onnx = conv_onnx,
    .macs = conv_macs,
};

const ae_layer_desc ae_conv1d_desc = {"conv1d", &ae_conv1d_ops, 2, 1, "stride,pad,dil",
                                      conv_build, 0};
const ae_layer_desc ae_convt1d_desc = {"convt1d", &ae_conv1d_ops, 2, 1, "stride,pad,outpad,dil",
                                       conv_build, 0};

/* ---- maxpool1d: scratch holds the argmax steps (N, TO, C) ------------------ */

static size_t pool_scratch_count(const ae_layer *l, int n) { return (size_t)n * l->out_dim; }

static void pool_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)train;
  const seq_params *p = PC(l);
  ae_maxpool1d_forward(y, (int32_t *)(void *)ctx->scratch, x, n, T_IN(l), C_IN(l), p->kernel,
                       p->stride, p->pad, T_OUT(l));
}

static void pool_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)x, (void)y;
  if (dx)
    ae_maxpool1d_backward(dx, dy, (const int32_t *)(const void *)ctx->scratch, n, T_IN(l),
                          C_IN(l), T_OUT(l));
}

static int pool_spec(const ae_layer *l, char *buf, size_t len) {
  const seq_params *p = PC(l);
  return ae_pool_spec_text(buf, len, "maxpool1d", p->kernel, p->stride, p->pad);
}

static ae_status pool_onnx(const ae_layer *l, ae_onnx *g) {
  const seq_params *p = PC(l);
  const char *x = ae_onnx_take(g, AE_ONNX_SEQ_CF), *y = ae_onnx_fresh(g, "maxpool1d");
  int64_t k = p->kernel, s = p->stride, pads[2] = {p->pad, p->pad};
  ae_onnx_node(g, "MaxPool", y, 1, x);
  ae_onnx_attr_ints(g, "kernel_shape", &k, 1);
  ae_onnx_attr_ints(g, "strides", &s, 1);
  ae_onnx_attr_ints(g, "pads", pads, 2);
  ae_onnx_give(g, y, AE_ONNX_SEQ_CF, l->out);
  return AE_OK;
}

static ae_status pool_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  seq_params *p = P(l);
  memset(p, 0, sizeof *p);
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 10, &p->kernel);
  if (st) return st;
  p->stride = p->kernel;
  if ((st = ae_field_key_int(c, f, "stride", 1, 1 << 10, &p->stride)) ||
      (st = ae_field_key_int(c, f, "pad", 0, 1 << 10, &p->pad)))
    return st;
  if (2 * p->pad > p->kernel)
    return ae_set_error(AE_ERR_ARG, "layer %d (maxpool1d): pad=%d exceeds half the kernel %d",
                        c->index, p->pad, p->kernel);
  if (in.c != 1) return ae_layer_need_sequence(c, in);
  int to = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, 1);
  if (to < 1) return ae_layer_too_small(c, in);
  *out = (ae_shape){1, to, in.w};
  return AE_OK;
}

static const ae_layer_ops ae_maxpool1d_ops = {
    .name = "maxpool1d",
    .param_count = ae_layer_no_params,
    .scratch_count = pool_scratch_count,
    .forward = pool_forward,
    .backward = pool_backward,
    .spec = pool_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = pool_onnx,
};

const ae_layer_desc ae_maxpool1d_desc = {"maxpool1d", &ae_maxpool1d_ops, 1, 0, "stride,pad",
                                         pool_build, 0};

/* ---- upsample1d:S and repeat:T ------------------------------------------- */

static void up_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                       int train) {
  (void)ctx, (void)train;
  ae_upsample1d_forward(y, x, n, T_IN(l), C_IN(l), PC(l)->units);
}

static void up_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx, float *dy,
                        const float *x, const float *y, int n) {
  (void)ctx, (void)grads, (void)x, (void)y;
  if (dx) ae_upsample1d_backward(dx, dy, n, T_IN(l), C_IN(l), PC(l)->units);
}

static void repeat_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                           int train) {
  (void)ctx, (void)train;
  ae_repeat_forward(y, x, n, PC(l)->units, l->in_dim);
}

static void repeat_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                            float *dy, const float *x, const float *y, int n) {
  (void)ctx, (void)grads, (void)x, (void)y;
  if (dx) ae_repeat_backward(dx, dy, n, PC(l)->units, l->in_dim);
}

static int units_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "%s:%d", l->desc->name, PC(l)->units);
}

static ae_status up_onnx(const ae_layer *l, ae_onnx *g) {
  float scales[3] = {1.0f, (float)PC(l)->units, 1.0f};
  const char *x = ae_onnx_take(g, AE_ONNX_SEQ);
  ae_onnx_give(g, ae_onnx_upsample(g, x, scales, 3), AE_ONNX_SEQ, l->out);
  return AE_OK;
}

/* (N, D) -> (N, 1, D) -> T copies along the steps. */
static ae_status repeat_onnx(const ae_layer *l, ae_onnx *g) {
  int64_t axis = 1, reps[3] = {1, PC(l)->units, 1};
  const char *x = ae_onnx_take(g, AE_ONNX_FLAT), *a = ae_onnx_int64s(g, &axis, 1);
  const char *u = ae_onnx_fresh(g, "unsqueeze"), *y = ae_onnx_fresh(g, "repeat");
  ae_onnx_node(g, "Unsqueeze", u, 2, x, a);
  ae_onnx_node(g, "Tile", y, 2, u, ae_onnx_int64s(g, reps, 3));
  ae_onnx_give(g, y, AE_ONNX_SEQ, l->out);
  return AE_OK;
}

static ae_status up_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                          const ae_build_ctx *c) {
  seq_params *p = P(l);
  memset(p, 0, sizeof *p);
  int rep = l->desc == &ae_repeat_desc;
  ae_status st = ae_field_int(c, f->pos[0], 1, rep ? 1 << 20 : 64, &p->units);
  if (st) return st;
  if (rep) {
    *out = (ae_shape){1, p->units, in.c * in.h * in.w};
    return AE_OK;
  }
  if (in.c != 1) return ae_layer_need_sequence(c, in);
  *out = (ae_shape){1, in.h * p->units, in.w};
  return AE_OK;
}

static const ae_layer_ops ae_upsample1d_ops = {
    .name = "upsample1d",
    .param_count = ae_layer_no_params,
    .forward = up_forward,
    .backward = up_backward,
    .spec = units_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = up_onnx,
};

static const ae_layer_ops ae_repeat_ops = {
    .name = "repeat",
    .param_count = ae_layer_no_params,
    .forward = repeat_forward,
    .backward = repeat_backward,
    .spec = units_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = repeat_onnx,
};

const ae_layer_desc ae_upsample1d_desc = {"upsample1d", &ae_upsample1d_ops, 1, 0, "", up_build,
                                          0};
const ae_layer_desc ae_repeat_desc = {"repeat", &ae_repeat_ops, 1, 0, "", up_build, 0};

/* ---- tdense:UNITS[:ACT] --------------------------------------------------- */

static size_t td_param_count(const ae_layer *l) {
  return (size_t)PC(l)->units * C_IN(l) + PC(l)->units;
}

static void td_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  const seq_params *p = PC(l);
  size_t nw = (size_t)p->units * C_IN(l);
  ae_init_weights(l->params, nw, l->params + nw, (size_t)p->units, scheme, p->act, C_IN(l),
                  p->units, rng);
}

static void td_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                       int train) {
  (void)ctx, (void)train;
  const seq_params *p = PC(l);
  const float *w = l->params, *b = w + (size_t)p->units * C_IN(l);
  ae_dense_forward(y, x, w, b, p->run_act, p->slope, n * T_IN(l), C_IN(l), p->units);
}

static void td_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx, float *dy,
                        const float *x, const float *y, int n) {
  (void)ctx;
  const seq_params *p = PC(l);
  float *dw = grads, *db = dw + (size_t)p->units * C_IN(l);
  ae_dense_backward(dx, dw, db, dy, y, x, l->params, p->run_act, p->slope, n * T_IN(l), C_IN(l),
                    p->units);
}

static int td_spec(const ae_layer *l, char *buf, size_t len) {
  const seq_params *p = PC(l);
  int k = snprintf(buf, len, "tdense:%d:", p->units);
  return k + ae_act_spec(p->act, p->slope, buf + k, len - (size_t)k);
}

static int td_tensors(const ae_layer *l, ae_tensor_view *t) {
  const seq_params *p = PC(l);
  t[0] = (ae_tensor_view){"weight", 2, {p->units, C_IN(l), 0, 0}, 0, 0, 1};
  t[1] = (ae_tensor_view){"bias", 1, {p->units, 0, 0, 0}, 0, (size_t)p->units * C_IN(l), 0};
  return 2;
}

/* MatMul with the stored weight transposed (a constant ONNX Runtime folds),
 * the bias added, then the activation, at every step of (N, T, F). */
static ae_status td_onnx(const ae_layer *l, ae_onnx *g) {
  const seq_params *p = PC(l);
  static const int64_t perm[2] = {1, 0};
  const char *x = ae_onnx_take(g, AE_ONNX_SEQ);
  const char *w = ae_onnx_stored(g, l, "weight"), *b = ae_onnx_stored(g, l, "bias");
  const char *wt = ae_onnx_transpose(g, w, perm, 2);
  const char *xw = ae_onnx_fresh(g, "matmul"), *y = ae_onnx_fresh(g, "add");
  ae_onnx_node(g, "MatMul", xw, 2, x, wt);
  ae_onnx_node(g, "Add", y, 2, xw, b);
  ae_onnx_give(g, ae_onnx_act(g, y, p->act, p->slope), AE_ONNX_SEQ, l->out);
  return AE_OK;
}

static ae_status td_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                          const ae_build_ctx *c) {
  seq_params *p = P(l);
  memset(p, 0, sizeof *p);
  p->act = p->run_act = f->act;
  p->slope = f->slope;
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 16, &p->units);
  if (st) return st;
  if (in.c != 1) return ae_layer_need_sequence(c, in);
  *out = (ae_shape){1, in.h, p->units};
  return AE_OK;
}

static double td_macs(const ae_layer *l) { return (double)PC(l)->units * C_IN(l) * T_IN(l); }

static const ae_layer_ops ae_tdense_ops = {
    .name = "tdense",
    .param_count = td_param_count,
    .init = td_init,
    .forward = td_forward,
    .backward = td_backward,
    .spec = td_spec,
    .tensors = td_tensors,
    .run_act = seq_run_act,
    .onnx = td_onnx,
    .macs = td_macs,
};

const ae_layer_desc ae_tdense_desc = {"tdense", &ae_tdense_ops, 1, 1, "", td_build, 0};
