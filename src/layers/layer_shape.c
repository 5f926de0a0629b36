/* layer_shape.c — layers without parameters: maxpool2d, upsample2d
 * (nearest), dropout (inverted), flatten and reshape.
 * Legend: N batch, C channels, H W in, OH OW out, D = C*H*W. */
#include "kernels_conv.h"
#include "layer.h"

#include <stdio.h>
#include <string.h>

static size_t no_params(const ae_layer *l) {
  (void)l;
  return 0;
}

static int no_tensors(const ae_layer *l, ae_tensor_view *t) {
  (void)l, (void)t;
  return 0;
}

/* ---- maxpool2d: scratch holds the argmax indices (N, C, OH, OW) ---- */

static size_t pool_scratch_count(const ae_layer *l, int n) {
  return (size_t)n * l->out_dim; /* int32 indices, one float slot each */
}

static void pool_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)train;
  const ae_pool_params *p = &l->u.pool;
  ae_maxpool2d_forward(y, (int32_t *)(void *)ctx->scratch, x, n, l->in.c, l->in.h, l->in.w,
                       p->kernel, p->stride, p->pad);
}

static void pool_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)x, (void)y;
  const ae_pool_params *p = &l->u.pool;
  if (dx)
    ae_maxpool2d_backward(dx, dy, (const int32_t *)(const void *)ctx->scratch, n, l->in.c,
                          l->in.h, l->in.w, p->kernel, p->stride, p->pad);
}

static int pool_spec(const ae_layer *l, char *buf, size_t len) {
  const ae_pool_params *p = &l->u.pool;
  int k = snprintf(buf, len, "maxpool:%d", p->kernel);
  if (p->stride != p->kernel) k += snprintf(buf + k, len - (size_t)k, ":stride=%d", p->stride);
  if (p->pad) k += snprintf(buf + k, len - (size_t)k, ":pad=%d", p->pad);
  return k;
}

const ae_layer_ops ae_maxpool2d_ops = {
    .name = "maxpool",
    .param_count = no_params,
    .scratch_count = pool_scratch_count,
    .forward = pool_forward,
    .backward = pool_backward,
    .spec = pool_spec,
    .tensors = no_tensors,
};

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

const ae_layer_ops ae_upsample2d_ops = {
    .name = "upsample",
    .param_count = no_params,
    .forward = up_forward,
    .backward = up_backward,
    .spec = up_spec,
    .tensors = no_tensors,
};

/* ---- dropout: scratch holds the mask (N, D); identity in evaluation ---- */

static size_t drop_scratch_count(const ae_layer *l, int n) { return (size_t)n * l->out_dim; }

static void drop_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  size_t count = (size_t)n * l->out_dim;
  if (!train) {
    memcpy(y, x, count * sizeof(float));
    return;
  }
  float *mask = ctx->scratch; /* (N, D): first the uniforms, then the mask */
  for (size_t k = 0; k < count; k++) mask[k] = ae_rng_uniform(ctx->rng);
  ae_dropout_forward(y, mask, x, mask, l->u.dropout.p, count);
}

static void drop_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)grads, (void)x, (void)y;
  if (dx) ae_dropout_backward(dx, dy, ctx->scratch, (size_t)n * l->out_dim);
}

static int drop_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "dropout:%g", (double)l->u.dropout.p);
}

const ae_layer_ops ae_dropout_ops = {
    .name = "dropout",
    .param_count = no_params,
    .scratch_count = drop_scratch_count,
    .forward = drop_forward,
    .backward = drop_backward,
    .spec = drop_spec,
    .tensors = no_tensors,
};

/* ---- flatten and reshape: the same values under another shape ---- */

static void copy_forward(ae_layer *l, const ae_layer_ctx *ctx, float *y, const float *x, int n,
                         int train) {
  (void)ctx, (void)train;
  memcpy(y, x, (size_t)n * l->out_dim * sizeof(float));
}

static void copy_backward(ae_layer *l, const ae_layer_ctx *ctx, float *grads, float *dx,
                          float *dy, const float *x, const float *y, int n) {
  (void)ctx, (void)grads, (void)x, (void)y;
  if (dx) memcpy(dx, dy, (size_t)n * l->out_dim * sizeof(float));
}

static int flatten_spec(const ae_layer *l, char *buf, size_t len) {
  (void)l;
  return snprintf(buf, len, "flatten");
}

static int reshape_spec(const ae_layer *l, char *buf, size_t len) {
  return snprintf(buf, len, "reshape:%d:%d:%d", l->out.c, l->out.h, l->out.w);
}

const ae_layer_ops ae_flatten_ops = {
    .name = "flatten",
    .param_count = no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = flatten_spec,
    .tensors = no_tensors,
};

const ae_layer_ops ae_reshape_ops = {
    .name = "reshape",
    .param_count = no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = reshape_spec,
    .tensors = no_tensors,
};
