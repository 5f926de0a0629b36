/* SPDX-License-Identifier: MIT */
/* layer_bn.c — batch norm (BatchNorm2d over (N, C, H, W), BatchNorm1d over
 * (N, C) when H = W = 1), PyTorch semantics: batch statistics (biased
 * variance) in training, running statistics in evaluation, running_var
 * updated with the unbiased variance, momentum and eps as given.
 *
 * Legend: N this worker's samples, M = N_total * S values per channel over
 * the whole batch, C channels, S = H*W.
 * Parameters: weight = gamma (C), bias = beta (C). State: running_mean (C),
 * running_var (C). Scratch: mean (C), invstd (C) of the last forward.
 * Sync: per worker 4C doubles: sum x, sum (x - mean)^2, sum dy, sum dy xhat.
 * With several workers each puts its slice's sums there and the team adds
 * them up in worker order (ae_team_sum): every worker normalises with the
 * statistics of the whole batch, as one thread would. The math is the
 * batch-norm stages of k_bn.c; this file only puts the team between them. */
#include "layer.h"
#include "layer_onnx.h"
#include "kernels_conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t bn_param_count(const ae_layer *l) { return 2 * (size_t)l->in.c; }
static size_t bn_state_count(const ae_layer *l) { return 2 * (size_t)l->in.c; }
static size_t bn_scratch_count(const ae_layer *l, int n) {
  (void)n;
  return 2 * (size_t)l->in.c;
}
static size_t bn_sync_count(const ae_layer *l) { return 4 * (size_t)l->in.c; }

/* gamma 1, beta 0, running mean 0, running var 1 (both schemes). */
static void bn_init(ae_layer *l, ae_init scheme, ae_rng *rng) {
  (void)scheme, (void)rng;
  int c = l->in.c;
  for (int k = 0; k < c; k++) {
    l->params[k] = 1.0f, l->params[c + k] = 0.0f;
    l->state[k] = 0.0f, l->state[c + k] = 1.0f;
  }
}

static void bn_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                       int train) {
  int c = l->in.c, s = l->in.h * l->in.w;
  const float *gamma = l->params, *beta = l->params + c;
  float *mean = ctx->scratch, *invstd = ctx->scratch + c; /* (C), (C) */
  const ae_bn_params *p = &l->u.bn;
  if (train) {
    double *sums = ctx->sync; /* (4C): this worker's, then the team's */
    double m = (double)ctx->n_total * s;
    ae_bn_sums(sums, x, NULL, n, c, s);
    ae_team_sum(ctx->tm, ctx->worker, sums, (size_t)c);
    ae_bn_mean(mean, sums, m, c);
    ae_bn_sums(sums + c, x, mean, n, c, s); /* two passes: no cancellation */
    ae_team_sum(ctx->tm, ctx->worker, sums + c, (size_t)c);
    /* one writer of the running statistics; nobody reads them while training */
    ae_bn_finish(invstd, ctx->worker == 0 ? l->state : NULL,
                 ctx->worker == 0 ? l->state + c : NULL, mean, sums + c, m, p->momentum, p->eps,
                 c);
  } else {
    ae_bn_eval_stats(mean, invstd, l->state, l->state + c, p->eps, c);
  }
  ae_bn_apply(y, x, gamma, beta, mean, invstd, n, c, s);
}

static void bn_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx, float *dy,
                        const float *x, const float *y, int n) {
  (void)y;
  int c = l->in.c, s = l->in.h * l->in.w;
  const float *mean = ctx->scratch, *invstd = ctx->scratch + c;
  double *sums = ctx->sync + 2 * c; /* (2C): sum dy, sum dy xhat */
  ae_bn_grad_sums(sums, sums + c, grads, grads + c, dy, x, mean, invstd, n, c, s);
  if (!dx) return; /* every worker has the same layers: all return here */
  ae_team_sum(ctx->tm, ctx->worker, sums, 2 * (size_t)c);
  ae_bn_backward_dx(dx, dy, x, l->params, mean, invstd, sums, sums + c,
                    (double)ctx->n_total * s, n, c, s);
}

static int bn_spec(const ae_layer *l, char *buf, size_t len) {
  const ae_bn_params *p = &l->u.bn;
  int k = snprintf(buf, len, "bn");
  if (p->momentum != 0.1f) k += snprintf(buf + k, len - (size_t)k, ":momentum=%g", (double)p->momentum);
  if (p->eps != 1e-5f) k += snprintf(buf + k, len - (size_t)k, ":eps=%g", (double)p->eps);
  return k;
}

static int bn_tensors(const ae_layer *l, ae_tensor_view *t) {
  int c = l->in.c;
  t[0] = (ae_tensor_view){"weight", 1, {c, 0, 0, 0}, 0, 0, 0};
  t[1] = (ae_tensor_view){"bias", 1, {c, 0, 0, 0}, 0, (size_t)c, 0};
  t[2] = (ae_tensor_view){"running_mean", 1, {c, 0, 0, 0}, 1, 0, 0};
  t[3] = (ae_tensor_view){"running_var", 1, {c, 0, 0, 0}, 1, (size_t)c, 0};
  return 4;
}

/* BatchNormalization with the running statistics, on (N, C, H, W) (a flat
 * input is (N, C, 1, 1)). */
static ae_status bn_onnx(const ae_layer *l, ae_onnx *g) {
  const char *x = ae_onnx_take(g, AE_ONNX_IMAGE);
  const char *w = ae_onnx_stored(g, l, "weight"), *b = ae_onnx_stored(g, l, "bias"),
             *m = ae_onnx_stored(g, l, "running_mean"), *v = ae_onnx_stored(g, l, "running_var");
  const char *y = ae_onnx_fresh(g, "bn");
  ae_onnx_node(g, "BatchNormalization", y, 5, x, w, b, m, v);
  ae_onnx_attr_float(g, "epsilon", l->u.bn.eps);
  ae_onnx_give(g, y, AE_ONNX_IMAGE, l->out);
  return AE_OK;
}

/* A float KEY=VALUE in [lo, hi], if given. */
static ae_status key_float(const ae_build_ctx *c, const ae_layer_fields *f, const char *key,
                           double lo, double hi, float *out) {
  const char *v = ae_field_key(f, key);
  char *end;
  if (!v) return AE_OK;
  double x = strtod(v, &end);
  if (*end || end == v || !(x >= lo && x <= hi))
    return ae_set_error(AE_ERR_ARG, "spec '%s': layer %d (%s): %s='%s' is out of range", c->spec,
                        c->index, c->kind, key, v);
  *out = (float)x;
  return AE_OK;
}

/* bn[:momentum=M][:eps=E] */
static ae_status bn_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                          const ae_build_ctx *c) {
  l->u.bn = (ae_bn_params){0.1f, 1e-5f};
  *out = in;
  ae_status st = key_float(c, f, "momentum", 0.0, 1.0, &l->u.bn.momentum);
  return st ? st : key_float(c, f, "eps", 1e-12, 1.0, &l->u.bn.eps);
}

static const ae_layer_ops ae_batchnorm_ops = {
    .name = "bn",
    .param_count = bn_param_count,
    .state_count = bn_state_count,
    .scratch_count = bn_scratch_count,
    .sync_count = bn_sync_count,
    .init = bn_init,
    .forward = bn_forward,
    .backward = bn_backward,
    .spec = bn_spec,
    .tensors = bn_tensors,
    .onnx = bn_onnx,
};

const ae_layer_desc ae_batchnorm_desc = {"bn", &ae_batchnorm_ops, 0, 0, "momentum,eps", bn_build, 0};
