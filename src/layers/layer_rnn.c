/* SPDX-License-Identifier: MIT */
/* layer_rnn.c — recurrent layers: lstm:H and gru:H[:bi=1][:out=seq|last],
 * PyTorch's nn.LSTM / nn.GRU with batch_first=True and one layer (stack them
 * by repeating the layer). Input: a sequence (1, T, F) — T steps of F values
 * (a grey image is H steps of W values). Output: the whole sequence
 * (1, T, D*H), D = 2 when bidirectional (forward then reverse halves, as
 * PyTorch), or with out=last the last state (1, 1, D*H): the forward h at
 * step T-1 and the reverse h at step 0 (PyTorch's h_n, Keras'
 * return_sequences=False).
 *
 * Parameters per direction, PyTorch's layouts and names: weight_ih_l0
 * (G*H, F), weight_hh_l0 (G*H, H), bias_ih_l0, bias_hh_l0 (G*H), G = 4
 * (i f g o) or 3 (r z n); the reverse direction's end in _reverse.
 * Scratch: the input time-major, and per direction the states, gates and
 * cell states (or the GRU's W_hn h) the backward reads; then backward space
 * and GEMM packing. */
#include "error.h"
#include "kernels_seq.h"
#include "layer.h"
#include "layer_onnx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rnn_params {
  int hidden, dirs, last, gates; /* gates: 4 LSTM, 3 GRU */
} rnn_params;
_Static_assert(sizeof(rnn_params) <= sizeof(((ae_layer *)0)->u), "rnn_params fits in u");

extern const ae_layer_desc ae_lstm_desc, ae_gru_desc;

static rnn_params *P(ae_layer *l) { return (rnn_params *)(void *)l->u.raw; }
static const rnn_params *PC(const ae_layer *l) { return (const rnn_params *)(const void *)l->u.raw; }

static int is_lstm(const ae_layer *l) { return PC(l)->gates == 4; }

/* Floats of one direction's parameters. */
static size_t dir_params(const ae_layer *l) {
  const rnn_params *p = PC(l);
  size_t gh = (size_t)p->gates * p->hidden;
  return gh * l->in.w + gh * p->hidden + 2 * gh;
}

static size_t rnn_param_count(const ae_layer *l) { return PC(l)->dirs * dir_params(l); }

/* One direction's views. */
typedef struct dir_w {
  float *w_ih, *w_hh, *b_ih, *b_hh;
} dir_w;

static dir_w dir_view(float *base, const ae_layer *l, int d) {
  const rnn_params *p = PC(l);
  size_t gh = (size_t)p->gates * p->hidden;
  float *w = base + d * dir_params(l);
  dir_w v = {w, w + gh * l->in.w, NULL, NULL};
  v.b_ih = v.w_hh + gh * p->hidden;
  v.b_hh = v.b_ih + gh;
  return v;
}

/* Scratch layout for a batch of n, in floats: the input time-major (T, N,
 * F), then one block per direction (offsets inside it: hs at 0, gates, aux
 * = cell states and their tanh, or W_hn h, dh, and dhp for the GRU), then backward work,
 * the input gradient time-major, GEMM packing. */
typedef struct rnn_plan {
  size_t dirs, dir, gates, aux, dh, dhp, work, dxt, pack, total;
} rnn_plan;

static rnn_plan plan(const ae_layer *l, int n) {
  const rnn_params *p = PC(l);
  size_t t = (size_t)l->in.h, f = (size_t)l->in.w, h = (size_t)p->hidden, g = (size_t)p->gates;
  size_t tnh = t * n * h;
  rnn_plan s;
  s.gates = (t + 1) * n * h;
  s.aux = s.gates + t * n * g * h;
  s.dh = s.aux + (g == 4 ? 2 : 1) * tnh; /* the LSTM keeps tanh(c) too */
  s.dhp = s.dh + tnh;
  s.dir = s.dhp + (g == 3 ? t * n * g * h : 0);
  s.dirs = t * n * f;
  s.work = s.dirs + (size_t)p->dirs * s.dir;
  s.dxt = s.work + 3 * (size_t)n * h;
  s.pack = s.dxt + t * n * f;
  s.total = s.pack + ae_gemm_pack_floats();
  return s;
}

static size_t rnn_scratch_count(const ae_layer *l, int n) { return plan(l, n).total; }

/* Keras: weight_ih Glorot uniform, weight_hh orthogonal (Keras' (H, G*H)
 * recurrent kernel with orthonormal rows is our (G*H, H) with orthonormal
 * columns), biases 0 with the
 * LSTM's forget gate at 1 (unit_forget_bias). PyTorch: all U(+-1/sqrt(H)). */
static void orthogonal(float *w, int rows, int cols, ae_rng *rng) {
  /* rows >= cols: Gram-Schmidt on the columns of a normal draw */
  for (size_t k = 0; k < (size_t)rows * cols; k++) w[k] = (float)ae_rng_normal(rng);
  for (int j = 0; j < cols; j++) {
    for (int pass = 0; pass < 2; pass++)
      for (int q = 0; q < j; q++) {
        double dot = 0.0;
        for (int r = 0; r < rows; r++) dot += (double)w[(size_t)r * cols + j] * w[(size_t)r * cols + q];
        for (int r = 0; r < rows; r++) w[(size_t)r * cols + j] -= (float)(dot * w[(size_t)r * cols + q]);
      }
    double norm = 0.0;
    for (int r = 0; r < rows; r++) norm += (double)w[(size_t)r * cols + j] * w[(size_t)r * cols + j];
    norm = norm > 0.0 ? 1.0 / sqrt(norm) : 0.0;
    for (int r = 0; r < rows; r++) w[(size_t)r * cols + j] = (float)(w[(size_t)r * cols + j] * norm);
  }
}

static void rnn_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  const rnn_params *p = PC(l);
  int h = p->hidden, gh = p->gates * h, f = l->in.w;
  for (int d = 0; d < p->dirs; d++) {
    dir_w v = dir_view(l->params, l, d);
    if (scheme == AE_INIT_TORCH) {
      double lim = 1.0 / sqrt((double)h);
      size_t count = dir_params(l);
      for (size_t k = 0; k < count; k++)
        v.w_ih[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * lim);
      continue;
    }
    ae_init_weights(v.w_ih, (size_t)gh * f, NULL, 0, scheme, AE_ACT_TANH, f, gh, rng);
    orthogonal(v.w_hh, gh, h, rng);
    memset(v.b_ih, 0, sizeof(float) * 2 * (size_t)gh);
    if (p->gates == 4)
      for (int j = 0; j < h; j++) v.b_ih[h + j] = 1.0f;
  }
}

static void rnn_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                        int train) {
  (void)train;
  const rnn_params *p = PC(l);
  int t = l->in.h, f = l->in.w, h = p->hidden, dh2 = p->dirs * h;
  rnn_plan s = plan(l, n);
  float *sc = ctx->scratch, *xt = sc, *pack = sc + s.pack;
  size_t nh = (size_t)n * h;
  ae_swap_axes(xt, x, n, t, f, 0); /* (T, N, F) */
  for (int d = 0; d < p->dirs; d++) {
    float *b = sc + s.dirs + d * s.dir, *hs = b, *gates = b + s.gates, *aux = b + s.aux;
    dir_w v = dir_view(l->params, l, d);
    if (is_lstm(l))
      ae_lstm_forward(hs, gates, aux, xt, v.w_ih, v.w_hh, v.b_ih, v.b_hh, t, n, f, h, d,
                      pack);
    else
      ae_gru_forward(hs, gates, aux, xt, v.w_ih, v.w_hh, v.b_ih, v.b_hh, t, n, f, h, d,
                     sc + s.work, pack);
    /* outputs h_0..h_{T-1} are rows [1, T+1) forward, [0, T) reverse */
    const float *out = hs + (d ? 0 : nh);
    if (p->last) {
      const float *hl = out + (size_t)(d ? 0 : t - 1) * nh;
      for (int i = 0; i < n; i++)
        memcpy(y + (size_t)i * dh2 + d * h, hl + (size_t)i * h, sizeof(float) * h);
    } else {
      for (int tt = 0; tt < t; tt++)
        for (int i = 0; i < n; i++)
          memcpy(y + ((size_t)i * t + tt) * dh2 + d * h, out + ((size_t)tt * n + i) * h,
                 sizeof(float) * h);
    }
  }
}

static void rnn_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                         float *dy, const float *x, const float *y, int n) {
  (void)x, (void)y;
  const rnn_params *p = PC(l);
  int t = l->in.h, f = l->in.w, h = p->hidden, dh2 = p->dirs * h;
  rnn_plan s = plan(l, n);
  float *sc = ctx->scratch, *xt = sc, *pack = sc + s.pack, *dxt = sc + s.dxt;
  size_t nh = (size_t)n * h;
  for (int d = 0; d < p->dirs; d++) {
    float *b = sc + s.dirs + d * s.dir, *hs = b, *gates = b + s.gates, *aux = b + s.aux;
    float *dh = b + s.dh; /* (T, N, H) */
    if (p->last) {
      memset(dh, 0, sizeof(float) * (size_t)t * nh);
      float *hl = dh + (size_t)(d ? 0 : t - 1) * nh;
      for (int i = 0; i < n; i++)
        memcpy(hl + (size_t)i * h, dy + (size_t)i * dh2 + d * h, sizeof(float) * h);
    } else {
      for (int tt = 0; tt < t; tt++)
        for (int i = 0; i < n; i++)
          memcpy(dh + ((size_t)tt * n + i) * h, dy + ((size_t)i * t + tt) * dh2 + d * h,
                 sizeof(float) * h);
    }
    dir_w v = dir_view(l->params, l, d), g = dir_view(grads, l, d);
    float *dxd = dx ? dxt : NULL;
    if (is_lstm(l))
      ae_lstm_backward(dxd, g.w_ih, g.w_hh, g.b_ih, g.b_hh, dh, gates, aux, hs, xt, v.w_ih,
                       v.w_hh, t, n, f, h, d, d > 0, sc + s.work, pack);
    else
      ae_gru_backward(dxd, g.w_ih, g.w_hh, g.b_ih, g.b_hh, dh, gates, aux, hs, xt, v.w_ih,
                      v.w_hh, t, n, f, h, d, d > 0, b + s.dhp, sc + s.work, pack);
  }
  if (dx) ae_swap_axes(dx, dxt, t, n, f, 0); /* back to (N, T, F) */
}

static int rnn_spec(const ae_layer *l, char *buf, size_t len) {
  const rnn_params *p = PC(l);
  int k = snprintf(buf, len, "%s:%d", l->desc->name, p->hidden);
  if (p->dirs == 2) k += snprintf(buf + k, len - (size_t)k, ":bi=1");
  if (p->last) k += snprintf(buf + k, len - (size_t)k, ":out=last");
  return k;
}

static int rnn_tensors(const ae_layer *l, ae_tensor_view *t) {
  static const char *names[2][4] = {
      {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"},
      {"weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
       "bias_hh_l0_reverse"}};
  const rnn_params *p = PC(l);
  int gh = p->gates * p->hidden, k = 0;
  for (int d = 0; d < p->dirs; d++) {
    size_t o = d * dir_params(l);
    t[k++] = (ae_tensor_view){names[d][0], 2, {gh, l->in.w, 0, 0}, 0, o, 1};
    o += (size_t)gh * l->in.w;
    t[k++] = (ae_tensor_view){names[d][1], 2, {gh, p->hidden, 0, 0}, 0, o, 1};
    o += (size_t)gh * p->hidden;
    t[k++] = (ae_tensor_view){names[d][2], 1, {gh, 0, 0, 0}, 0, o, 0};
    t[k++] = (ae_tensor_view){names[d][3], 1, {gh, 0, 0, 0}, 0, o + gh, 0};
  }
  return k;
}

/* ONNX's LSTM or GRU (time-major, one node for both directions). Its
 * weights stack the directions: W (D, G*H, F), R (D, G*H, H), B (D, 2*G*H)
 * = [b_ih | b_hh], with the gates in ONNX's order: i o f c for PyTorch's
 * i f g o, z r h for PyTorch's r z n (and the GRU's linear_before_reset,
 * which is PyTorch's r * (W_hn h + b_hn)). Y (T, D, N, H) becomes
 * (N, T, D*H); Y_h (D, N, H) — the forward h at T-1, the reverse h at 0 —
 * becomes (N, 1, D*H). */
static ae_status rnn_onnx(const ae_layer *l, ae_onnx *g) {
  static const int lstm_order[4] = {0, 3, 1, 2}, gru_order[3] = {1, 0, 2};
  const rnn_params *p = PC(l);
  int h = p->hidden, gates = p->gates, f = l->in.w, dirs = p->dirs, t = l->in.h;
  const int *order = gates == 4 ? lstm_order : gru_order;
  size_t gh = (size_t)gates * h;
  float *w = malloc(sizeof(float) * (size_t)dirs * gh * (f + h + 2));
  if (!w) {
    ae_onnx_fail(g, ae_set_error(AE_ERR_NOMEM, "out of memory exporting an RNN layer"));
    return AE_ERR_NOMEM;
  }
  float *r = w + (size_t)dirs * gh * f, *b = r + (size_t)dirs * gh * h;
  for (int d = 0; d < dirs; d++) {
    dir_w v = dir_view(l->params, l, d);
    for (int k = 0; k < gates; k++) { /* ONNX gate k is PyTorch gate order[k] */
      size_t to = (size_t)d * gh + (size_t)k * h, from = (size_t)order[k] * h;
      memcpy(w + to * f, v.w_ih + from * f, sizeof(float) * (size_t)h * f);
      memcpy(r + to * h, v.w_hh + from * h, sizeof(float) * (size_t)h * h);
      memcpy(b + (size_t)d * 2 * gh + (size_t)k * h, v.b_ih + from, sizeof(float) * h);
      memcpy(b + (size_t)d * 2 * gh + gh + (size_t)k * h, v.b_hh + from, sizeof(float) * h);
    }
  }
  int64_t dw[3] = {dirs, (int64_t)gh, f}, dr[3] = {dirs, (int64_t)gh, h},
          db[2] = {dirs, 2 * (int64_t)gh};
  const char *wn = ae_onnx_weight(g, "W", dw, 3, w), *rn = ae_onnx_weight(g, "R", dr, 3, r),
             *bn = ae_onnx_weight(g, "B", db, 2, b);
  free(w);
  static const int64_t tmajor[3] = {1, 0, 2}, ymajor[4] = {2, 0, 1, 3};
  const char *x = ae_onnx_transpose(g, ae_onnx_take(g, AE_ONNX_SEQ), tmajor, 3);
  const char *y = ae_onnx_fresh(g, p->last ? "y_h" : "y");
  char outs[160];
  snprintf(outs, sizeof outs, "%s%s", p->last ? "," : "", y);
  ae_onnx_node(g, gates == 4 ? "LSTM" : "GRU", outs, 4, x, wn, rn, bn);
  ae_onnx_attr_int(g, "hidden_size", h);
  if (dirs == 2) ae_onnx_attr_str(g, "direction", "bidirectional");
  if (gates == 3) ae_onnx_attr_int(g, "linear_before_reset", 1);
  int64_t shape[2] = {p->last ? 1 : t, (int64_t)dirs * h};
  const char *bm = p->last ? ae_onnx_transpose(g, y, tmajor, 3) : ae_onnx_transpose(g, y, ymajor, 4);
  ae_onnx_give(g, ae_onnx_reshape(g, bm, shape, 2), AE_ONNX_SEQ, l->out);
  return AE_OK;
}

/* lstm:H[:bi=1][:out=seq|last], gru:H[...] */
static ae_status rnn_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                           const ae_build_ctx *c) {
  rnn_params *p = P(l);
  *p = (rnn_params){0, 1, 0, l->desc == &ae_lstm_desc ? 4 : 3};
  ae_status st;
  int bi = 0;
  if ((st = ae_field_int(c, f->pos[0], 1, 1 << 16, &p->hidden)) ||
      (st = ae_field_key_int(c, f, "bi", 0, 1, &bi)))
    return st;
  p->dirs = 1 + bi;
  const char *o = ae_field_key(f, "out");
  if (o && strcmp(o, "seq") && strcmp(o, "last"))
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d (%s): out='%s' must be seq or last",
                        c->spec, c->index, c->kind, o);
  p->last = o && !strcmp(o, "last");
  if (in.c != 1) return ae_layer_need_sequence(c, in);
  *out = (ae_shape){1, p->last ? 1 : in.h, p->dirs * p->hidden};
  return AE_OK;
}

/* Per direction and step: the input projection and the recurrent product. */
static double rnn_macs(const ae_layer *l) {
  const rnn_params *p = PC(l);
  double gh = (double)p->gates * p->hidden;
  return p->dirs * gh * (l->in.w + p->hidden) * l->in.h;
}

static const ae_layer_ops ae_rnn_ops = {
    .name = "rnn",
    .param_count = rnn_param_count,
    .scratch_count = rnn_scratch_count,
    .init = rnn_init,
    .forward = rnn_forward,
    .backward = rnn_backward,
    .spec = rnn_spec,
    .tensors = rnn_tensors,
    .onnx = rnn_onnx,
    .macs = rnn_macs,
};

const ae_layer_desc ae_lstm_desc = {"lstm", &ae_rnn_ops, 1, 0, "bi,out", rnn_build, 0};
const ae_layer_desc ae_gru_desc = {"gru", &ae_rnn_ops, 1, 0, "bi,out", rnn_build, 0};
