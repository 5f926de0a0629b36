/* layer_sample.c — the variational sampler (reparameterisation trick).
 * Input (N, 2Z) = [mu | log sigma^2], output z (N, Z):
 *   training (or ctx->sample): z = mu + exp(lv / 2) * eps, eps ~ N(0, I) from
 *   the worker's generator, kept in scratch (N, Z) for backward;
 *   evaluation: z = mu.
 * Its backward adds the gradient of beta * KL(q(z|x) || N(0, I)) per
 * sample, weighted by ctx->pen_scale like every penalty of the objective:
 *   KL = -1/2 sum_j (1 + lv - mu^2 - exp(lv)),
 *   dKL/dmu = mu, dKL/dlv = (exp(lv) - 1) / 2.
 * Legend: N batch, Z code size. */
#include "layer.h"

#include <math.h>
#include "error.h"

#include <stdio.h>
#include <string.h>

static size_t sample_no_params(const ae_layer *l) {
  (void)l;
  return 0;
}

static size_t sample_scratch_count(const ae_layer *l, int n) {
  return (size_t)n * l->out_dim; /* eps (N, Z) */
}

static void sample_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                           int train) {
  int z = l->out_dim;
  float *eps = ctx->scratch; /* (N, Z) */
  int draw = train || ctx->sample;
  if (draw && l->u.sample.fixed_eps)
    memcpy(eps, l->u.sample.fixed_eps + (size_t)ctx->first * z, (size_t)n * z * sizeof(float));
  else if (draw)
    for (size_t k = 0; k < (size_t)n * z; k++) eps[k] = (float)ae_rng_normal(ctx->rng);
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z;
    float *yi = y + (size_t)i * z;
    const float *e = eps + (size_t)i * z;
    if (draw)
      for (int j = 0; j < z; j++) yi[j] = mu[j] + expf(0.5f * lv[j]) * e[j];
    else
      memcpy(yi, mu, (size_t)z * sizeof(float));
  }
}

static void sample_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                            float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)y;
  if (!dx) return;
  int z = l->out_dim;
  float bs = l->u.sample.beta * ctx->pen_scale;
  const float *eps = ctx->scratch; /* (N, Z) */
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z, *dz = dy + (size_t)i * z;
    const float *e = eps + (size_t)i * z;
    float *dmu = dx + (size_t)i * 2 * z, *dlv = dmu + z;
    for (int j = 0; j < z; j++) {
      float s = expf(0.5f * lv[j]);
      dmu[j] = dz[j] + bs * mu[j];
      dlv[j] = 0.5f * dz[j] * e[j] * s + 0.5f * bs * (s * s - 1.0f);
    }
  }
}

double ae_sample_kl(const ae_layer *l, const float *x, int n) {
  int z = l->out_dim;
  double kl = 0.0;
  for (int i = 0; i < n; i++) {
    const float *mu = x + (size_t)i * 2 * z, *lv = mu + z;
    double s = 0.0;
    for (int j = 0; j < z; j++)
      s += 1.0 + (double)lv[j] - (double)mu[j] * mu[j] - exp((double)lv[j]);
    kl += -0.5 * s;
  }
  return kl;
}

static int sample_spec(const ae_layer *l, char *buf, size_t len) {
  (void)l;
  return snprintf(buf, len, "sample");
}

static int sample_tensors(const ae_layer *l, ae_tensor_view *t) {
  (void)l, (void)t;
  return 0;
}

/* sample: (2Z) -> (Z) */
static ae_status sample_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                              const ae_build_ctx *c) {
  (void)f;
  int d = in.c * in.h * in.w;
  l->u.sample = (ae_sample_params){1.0f, NULL};
  if (d % 2)
    return ae_set_error(AE_ERR_SHAPE,
                        "layer %d (sample): takes [mu | log variance], an even number of values, "
                        "not %d", c->index, d);
  *out = (ae_shape){d / 2, 1, 1};
  return AE_OK;
}

static const ae_layer_ops ae_sample_ops = {
    .name = "sample",
    .param_count = sample_no_params,
    .scratch_count = sample_scratch_count,
    .forward = sample_forward,
    .backward = sample_backward,
    .spec = sample_spec,
    .tensors = sample_tensors,
};

const ae_layer_desc ae_sample_desc = {"sample", &ae_sample_ops, 0, 0, "", sample_build, 0};
