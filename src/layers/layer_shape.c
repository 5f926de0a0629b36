/* layer_shape.c — layers without parameters: maxpool2d, upsample2d
 * (nearest), dropout (inverted), flatten and reshape.
 * Legend: N batch, C channels, H W in, OH OW out, D = C*H*W. */
#include "kernels_conv.h"
#include "error.h"
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

static const ae_layer_ops ae_maxpool2d_ops = {
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

static const ae_layer_ops ae_upsample2d_ops = {
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

static const ae_layer_ops ae_dropout_ops = {
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

static const ae_layer_ops ae_flatten_ops = {
    .name = "flatten",
    .param_count = no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = flatten_spec,
    .tensors = no_tensors,
};

static const ae_layer_ops ae_reshape_ops = {
    .name = "reshape",
    .param_count = no_params,
    .forward = copy_forward,
    .backward = copy_backward,
    .spec = reshape_spec,
    .tensors = no_tensors,
};

/* ---- building them from their fields ---- */

/* maxpool:K[:stride=S][:pad=P] (stride defaults to K, as PyTorch) */
static ae_status pool_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  ae_pool_params *p = &l->u.pool;
  *p = (ae_pool_params){0, 0, 0};
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &p->kernel);
  if (st) return st;
  p->stride = p->kernel;
  if ((st = ae_field_key_int(c, f, "stride", 1, 64, &p->stride)) ||
      (st = ae_field_key_int(c, f, "pad", 0, 64, &p->pad)))
    return st;
  if (2 * p->pad > p->kernel)
    return ae_set_error(AE_ERR_ARG, "layer %d (maxpool): pad=%d exceeds half the kernel %d",
                        c->index, p->pad, p->kernel);
  *out = in;
  out->h = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, 1);
  out->w = ae_conv_out_size(in.w, p->kernel, p->stride, p->pad, 1);
  if (out->h < 1 || out->w < 1) return ae_layer_too_small(c, in);
  return AE_OK;
}

/* upsample:SCALE */
static ae_status up_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                          const ae_build_ctx *c) {
  int k;
  ae_status st = ae_field_int(c, f->pos[0], 1, 1 << 24, &k);
  if (st) return st;
  l->u.pool = (ae_pool_params){k, k, 0};
  *out = (ae_shape){in.c, in.h * k, in.w * k};
  return AE_OK;
}

/* dropout:P */
static ae_status drop_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                            const ae_build_ctx *c) {
  *out = in;
  return ae_field_float(c, "dropout rate", f->pos[0], 0.0, 0.999999, &l->u.dropout.p);
}

/* flatten */
static ae_status flatten_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                               const ae_build_ctx *c) {
  (void)l, (void)f, (void)c;
  *out = (ae_shape){in.c * in.h * in.w, 1, 1};
  return AE_OK;
}

/* reshape:C:H:W */
static ae_status reshape_build(ae_layer *l, const ae_layer_fields *f, ae_shape in, ae_shape *out,
                               const ae_build_ctx *c) {
  ae_shape to;
  ae_status st;
  if ((st = ae_field_int(c, f->pos[0], 1, 1 << 24, &to.c)) ||
      (st = ae_field_int(c, f->pos[1], 1, 1 << 24, &to.h)) ||
      (st = ae_field_int(c, f->pos[2], 1, 1 << 24, &to.w)))
    return st;
  if ((long long)to.c * to.h * to.w != (long long)in.c * in.h * in.w)
    return ae_set_error(AE_ERR_SHAPE,
                        "layer %d (reshape:%d:%d:%d): %d values cannot take that shape", c->index,
                        to.c, to.h, to.w, in.c * in.h * in.w);
  l->u.reshape.to = to;
  *out = to;
  return AE_OK;
}

const ae_layer_desc ae_maxpool2d_desc = {"maxpool", &ae_maxpool2d_ops, 1, 0, "stride,pad", pool_build, 0};
const ae_layer_desc ae_upsample2d_desc = {"upsample", &ae_upsample2d_ops, 1, 0, "", up_build, 0};
const ae_layer_desc ae_dropout_desc = {"dropout", &ae_dropout_ops, 1, 0, "", drop_build, 1};
const ae_layer_desc ae_flatten_desc = {"flatten", &ae_flatten_ops, 0, 0, "", flatten_build, 0};
const ae_layer_desc ae_reshape_desc = {"reshape", &ae_reshape_ops, 3, 0, "", reshape_build, 0};
