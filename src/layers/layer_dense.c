/* layer_dense.c — fully connected layer with a fused activation. It takes
 * any input shape as a flat vector of in_dim values (N, I).
 * Parameters: weight (O, I) row-major, then bias (O) — PyTorch's layout. */
#include "layer.h"

#include <math.h>
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

/* f'(a) and f''(a) of the activation, from its output y. */
static void act_derivs(ae_act act, float slope, float y, float *d1, float *d2) {
  switch (act) {
  case AE_ACT_SIGMOID: *d1 = y * (1.0f - y), *d2 = *d1 * (1.0f - 2.0f * y); return;
  case AE_ACT_TANH: *d1 = 1.0f - y * y, *d2 = -2.0f * y * *d1; return;
  case AE_ACT_RELU: *d1 = y > 0.0f ? 1.0f : 0.0f, *d2 = 0.0f; return;
  case AE_ACT_LEAKY_RELU: *d1 = y > 0.0f ? 1.0f : slope, *d2 = 0.0f; return;
  case AE_ACT_IDENTITY: break;
  }
  *d1 = 1.0f, *d2 = 0.0f;
}

/* Squared norm of row j of w (O, I). */
static double row_sq(const float *w, int j, int in_dim) {
  double s = 0.0;
  for (int i = 0; i < in_dim; i++) s += (double)w[(size_t)j * in_dim + i] * w[(size_t)j * in_dim + i];
  return s;
}

double ae_dense_jacobian_sq(const ae_layer *l, const float *y, int n, double *norms) {
  int o = l->out_dim;
  const ae_dense_params *p = &l->u.dense;
  double total = 0.0, c[64]; /* |W_j|^2 of a block of 64 units */
  for (int i = 0; i < n; i++)
    if (norms) norms[i] = 0.0;
  for (int j0 = 0; j0 < o; j0 += 64) { /* each row norm once, not once per sample */
    int nj = o - j0 < 64 ? o - j0 : 64;
    for (int j = 0; j < nj; j++) c[j] = row_sq(l->params, j0 + j, l->in_dim);
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int j = 0; j < nj; j++) {
        float d1, d2;
        act_derivs(p->run_act, p->slope, y[(size_t)i * o + j0 + j], &d1, &d2);
        s += (double)d1 * d1 * c[j];
      }
      if (norms) norms[i] += s;
      total += s;
    }
  }
  if (norms)
    for (int i = 0; i < n; i++) norms[i] = sqrt(norms[i]);
  return total;
}

/* The contractive penalty P = lambda sum_n sum_j f'(a_nj)^2 |W_j|^2 (Rifai
 * et al. 2011), weighted by `scale`: turns dy into dL/da including
 * dP/da = lambda 2 f' f'' |W_j|^2, and adds the direct part of dP/dW_j =
 * lambda 2 (sum_n f'(a_nj)^2) W_j to dw. The a -> W, b, x part then goes
 * through the ordinary backward. */
static void contractive_backward(const ae_layer *l, float *dw, float *dy, const float *y, int n,
                                 float scale) {
  int o = l->out_dim, in = l->in_dim;
  const ae_dense_params *p = &l->u.dense;
  float lam = p->contractive * scale;
  for (int j = 0; j < o; j++) {
    float c = (float)row_sq(l->params, j, in);
    double g2 = 0.0;
    for (int i = 0; i < n; i++) {
      size_t k = (size_t)i * o + j;
      float d1, d2;
      act_derivs(p->run_act, p->slope, y[k], &d1, &d2);
      dy[k] = dy[k] * d1 + lam * 2.0f * d1 * d2 * c;
      g2 += (double)d1 * d1;
    }
    float f = lam * 2.0f * (float)g2;
    const float *wj = l->params + (size_t)j * in;
    float *dwj = dw + (size_t)j * in;
    for (int i = 0; i < in; i++) dwj[i] += f * wj[i];
  }
}

static void dense_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                           float *dy, const float *x, const float *y, int n) {
  const float *w = l->params;
  float *dw = grads, *db = dw + (size_t)l->out_dim * l->in_dim;
  ae_act act = l->u.dense.run_act;
  if (l->u.dense.contractive > 0.0f) { /* dy becomes dL/da here */
    contractive_backward(l, dw, dy, y, n, ctx->pen_scale);
    act = AE_ACT_IDENTITY;
  }
  ae_dense_backward(dx, dw, db, dy, y, x, w, act, l->u.dense.slope, n, l->in_dim, l->out_dim);
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

/* dense:UNITS[:ACT] */
static ae_status dense_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                             const ae_build_ctx *c) {
  (void)in;
  int units;
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &units);
  if (st) return st;
  l->u.dense = (ae_dense_params){units, f->act, f->act, f->slope, 0.0f};
  *out = (ae_shape){units, 1, 1};
  return AE_OK;
}

static const ae_layer_ops ae_dense_ops = {
    .name = "dense",
    .param_count = dense_param_count,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
    .spec = dense_spec,
    .tensors = dense_tensors,
    .run_act = dense_run_act,
};

const ae_layer_desc ae_dense_desc = {"dense", &ae_dense_ops, 1, 1, "", dense_build, 0};
