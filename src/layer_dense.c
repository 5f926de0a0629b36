/* layer_dense.c — fully connected layer with a fused activation.
 * Parameters: weight (O, I) row-major, then bias (O) — PyTorch's layout. */
#include "layer.h"

#include <math.h>
#include <stdio.h>

static size_t dense_param_count(const ae_layer *l) {
  return (size_t)l->out_dim * l->in_dim + (size_t)l->out_dim;
}

/* Keras defaults: He uniform for relu-family layers, Glorot uniform else,
 * biases zero. PyTorch's nn.Linear: weights and biases U(+-1/sqrt(fan_in)). */
static void dense_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  const ae_dense_params *d = &l->u.dense;
  double limit = (d->act == AE_ACT_RELU || d->act == AE_ACT_LEAKY_RELU)
                     ? sqrt(6.0 / l->in_dim)
                     : sqrt(6.0 / (l->in_dim + l->out_dim));
  double bias_limit = 0.0;
  if (scheme == AE_INIT_TORCH) limit = bias_limit = 1.0 / sqrt(l->in_dim);
  size_t nw = (size_t)l->out_dim * l->in_dim;
  for (size_t k = 0; k < nw; k++)
    l->params[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * limit);
  for (int j = 0; j < l->out_dim; j++)
    l->params[nw + j] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * bias_limit);
}

static void dense_forward(ae_layer *l, float *y, const float *x, int n,
                          int train) {
  (void)train;
  const float *w = l->params, *b = w + (size_t)l->out_dim * l->in_dim;
  ae_dense_forward(y, x, w, b, l->u.dense.run_act, l->u.dense.slope, n,
                   l->in_dim, l->out_dim);
}

static void dense_backward(ae_layer *l, float *grads, float *dx, float *dy,
                           const float *x, const float *y, int n) {
  const float *w = l->params;
  float *dw = grads, *db = dw + (size_t)l->out_dim * l->in_dim;
  ae_dense_backward(dx, dw, db, dy, y, x, w, l->u.dense.run_act,
                    l->u.dense.slope, n, l->in_dim, l->out_dim);
}

static const char *act_name(ae_act a) {
  switch (a) {
  case AE_ACT_RELU: return "relu";
  case AE_ACT_LEAKY_RELU: return "leaky_relu";
  case AE_ACT_SIGMOID: return "sigmoid";
  case AE_ACT_TANH: return "tanh";
  case AE_ACT_IDENTITY: break;
  }
  return "identity";
}

static int dense_spec(const ae_layer *l, char *buf, size_t len) {
  const ae_dense_params *d = &l->u.dense;
  if (d->act == AE_ACT_LEAKY_RELU)
    return snprintf(buf, len, "dense:%d:leaky_relu:%g", l->out_dim,
                    (double)d->slope);
  return snprintf(buf, len, "dense:%d:%s", l->out_dim, act_name(d->act));
}

const ae_layer_ops ae_dense_ops = {
    .name = "dense",
    .param_count = dense_param_count,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
    .spec = dense_spec,
};
