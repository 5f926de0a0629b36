/* SPDX-License-Identifier: MIT */
/* layer_sample.c — the variational sampler (reparameterisation trick).
 * Input (N, 2Z) = [mu | log sigma^2], output z (N, Z):
 *   training (or ctx->sample): z = mu + exp(lv / 2) * eps, eps ~ N(0, I) from
 *   the worker's generator, kept in scratch (N, Z) for backward;
 *   evaluation: z = mu.
 * Its backward is the reparameterisation's alone; the KL term on
 * [mu | log sigma^2] is the objective's (objective.c).
 * Legend: N batch, Z code size. */
#include "layer.h"
#include "layer_onnx.h"

#include "error.h"

#include <stdio.h>
#include <string.h>

static size_t sample_scratch_count(const ae_layer *l, int n) {
  return (size_t)n * l->out_dim; /* eps (N, Z) */
}

static void sample_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                           int train) {
  int z = l->out_dim;
  float *eps = ctx->scratch; /* (N, Z) */
  if (!train && !ctx->sample) { /* z = mu */
    for (int i = 0; i < n; i++)
      memcpy(y + (size_t)i * z, x + (size_t)i * 2 * z, (size_t)z * sizeof(float));
    return;
  }
  if (l->u.sample.fixed_eps)
    memcpy(eps, l->u.sample.fixed_eps + (size_t)ctx->first * z, (size_t)n * z * sizeof(float));
  else
    for (size_t k = 0; k < (size_t)n * z; k++) eps[k] = (float)ae_rng_normal(ctx->rng);
  ae_reparam_forward(y, x, eps, n, z);
}

static void sample_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                            float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)y;
  if (dx) ae_reparam_backward(dx, dy, x, ctx->scratch, n, l->out_dim);
}

static int sample_spec(const ae_layer *l, char *buf, size_t len) {
  (void)l;
  return snprintf(buf, len, "sample");
}

/* Evaluation: z = mu, the first Z values (a Slice). */
static ae_status sample_onnx(const ae_layer *l, ae_onnx *g) {
  const char *x = ae_onnx_take(g, AE_ONNX_FLAT);
  int64_t from = 0, to = l->out_dim, axis = 1;
  const char *s = ae_onnx_int64s(g, &from, 1), *e = ae_onnx_int64s(g, &to, 1),
             *a = ae_onnx_int64s(g, &axis, 1);
  const char *y = ae_onnx_fresh(g, "mu");
  ae_onnx_node(g, "Slice", y, 4, x, s, e, a);
  ae_onnx_give(g, y, AE_ONNX_FLAT, l->out);
  return AE_OK;
}

/* sample: (2Z) -> (Z) */
static ae_status sample_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                              const ae_build_ctx *c) {
  (void)f;
  int d = in.c * in.h * in.w;
  l->u.sample = (ae_sample_params){NULL};
  if (d % 2)
    return ae_set_error(AE_ERR_SHAPE,
                        "layer %d (sample): takes [mu | log variance], an even number of values, "
                        "not %d", c->index, d);
  *out = (ae_shape){d / 2, 1, 1};
  return AE_OK;
}

static const ae_layer_ops ae_sample_ops = {
    .name = "sample",
    .param_count = ae_layer_no_params,
    .scratch_count = sample_scratch_count,
    .forward = sample_forward,
    .backward = sample_backward,
    .spec = sample_spec,
    .tensors = ae_layer_no_tensors,
    .onnx = sample_onnx,
};

const ae_layer_desc ae_sample_desc = {"sample", &ae_sample_ops, 0, 0, "", sample_build, 0};
