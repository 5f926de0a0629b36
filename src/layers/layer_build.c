/* layer_build.c — from a parsed spec layer and an input shape to a layer:
 * kind parameters, output shape, and the checks that the shape fits. */
#include "error.h"
#include "kernels_conv.h"
#include "layer.h"

#include <math.h>

static ae_status too_small(int index, const char *what, ae_shape in) {
  return ae_set_error(AE_ERR_SHAPE,
                      "layer %d (%s): input of shape (%d, %d, %d) is too small for it", index,
                      what, in.c, in.h, in.w);
}

ae_status ae_layer_build(ae_layer *l, const ae_spec_layer *s, ae_shape in, int index) {
  l->kind = s->kind;
  l->in = in;
  ae_shape out = in;
  switch (s->kind) {
  case AE_LAYER_DENSE:
    l->ops = &ae_dense_ops;
    l->u.dense = (ae_dense_params){s->act, s->act, s->slope, 0.0f};
    out = (ae_shape){s->units, 1, 1};
    break;
  case AE_LAYER_CONV2D:
  case AE_LAYER_CONV_TRANSPOSE2D: {
    int t = s->kind == AE_LAYER_CONV_TRANSPOSE2D;
    l->ops = t ? &ae_conv_transpose2d_ops : &ae_conv2d_ops;
    ae_conv_params *p = &l->u.conv;
    *p = (ae_conv_params){s->units, s->kernel, s->stride, s->pad, s->dil, s->outpad, s->same,
                          s->act, s->act, s->slope};
    if (p->same) p->pad = p->dil * (p->kernel - 1) / 2;
    if (t && !(p->outpad < p->stride || p->outpad < p->dil))
      return ae_set_error(AE_ERR_ARG, "layer %d (convt): outpad=%d must be smaller than stride or dil",
                          index, p->outpad);
    if (t) {
      out.h = ae_conv_transpose_out_size(in.h, p->kernel, p->stride, p->pad, p->outpad, p->dil);
      out.w = ae_conv_transpose_out_size(in.w, p->kernel, p->stride, p->pad, p->outpad, p->dil);
    } else {
      out.h = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, p->dil);
      out.w = ae_conv_out_size(in.w, p->kernel, p->stride, p->pad, p->dil);
    }
    if (out.h < 1 || out.w < 1) return too_small(index, t ? "convt" : "conv", in);
    out.c = p->filters;
    break;
  }
  case AE_LAYER_BATCHNORM:
    l->ops = &ae_batchnorm_ops;
    l->u.bn = (ae_bn_params){s->momentum, s->eps};
    break;
  case AE_LAYER_MAXPOOL2D: {
    l->ops = &ae_maxpool2d_ops;
    ae_pool_params *p = &l->u.pool;
    *p = (ae_pool_params){s->kernel, s->stride, s->pad};
    if (2 * p->pad > p->kernel)
      return ae_set_error(AE_ERR_ARG, "layer %d (maxpool): pad=%d exceeds half the kernel %d",
                          index, p->pad, p->kernel);
    out.h = ae_conv_out_size(in.h, p->kernel, p->stride, p->pad, 1);
    out.w = ae_conv_out_size(in.w, p->kernel, p->stride, p->pad, 1);
    if (out.h < 1 || out.w < 1) return too_small(index, "maxpool", in);
    break;
  }
  case AE_LAYER_UPSAMPLE2D:
    l->ops = &ae_upsample2d_ops;
    l->u.pool = (ae_pool_params){s->kernel, s->kernel, 0};
    out.h = in.h * s->kernel, out.w = in.w * s->kernel;
    break;
  case AE_LAYER_DROPOUT:
    l->ops = &ae_dropout_ops;
    l->u.dropout.p = s->p;
    break;
  case AE_LAYER_FLATTEN:
    l->ops = &ae_flatten_ops;
    out = (ae_shape){in.c * in.h * in.w, 1, 1};
    break;
  case AE_LAYER_RESHAPE:
    l->ops = &ae_reshape_ops;
    out = s->reshape;
    if ((long long)out.c * out.h * out.w != (long long)in.c * in.h * in.w)
      return ae_set_error(AE_ERR_SHAPE,
                          "layer %d (reshape:%d:%d:%d): %d values cannot take that shape", index,
                          out.c, out.h, out.w, in.c * in.h * in.w);
    break;
  case AE_LAYER_SAMPLE: {
    int d = in.c * in.h * in.w;
    l->ops = &ae_sample_ops;
    l->u.sample = (ae_sample_params){1.0f, NULL};
    if (d % 2)
      return ae_set_error(AE_ERR_SHAPE,
                          "layer %d (sample): takes [mu | log variance], an even number of values, "
                          "not %d", index, d);
    out = (ae_shape){d / 2, 1, 1};
    break;
  }
  }
  if ((long long)out.c * out.h * out.w > (1 << 26))
    return ae_set_error(AE_ERR_SHAPE, "layer %d: output of shape (%d, %d, %d) is too large", index,
                        out.c, out.h, out.w);
  l->out = out;
  l->in_dim = in.c * in.h * in.w;
  l->out_dim = out.c * out.h * out.w;
  return AE_OK;
}

void ae_init_weights(float *w, size_t nw, float *b, size_t nb, ae_init scheme, ae_act act,
                     double fan_in, double fan_out, ae_rng *rng) {
  double limit = (act == AE_ACT_RELU || act == AE_ACT_LEAKY_RELU) ? sqrt(6.0 / fan_in)
                                                                   : sqrt(6.0 / (fan_in + fan_out));
  double bias_limit = 0.0;
  if (scheme == AE_INIT_TORCH) limit = bias_limit = 1.0 / sqrt(fan_in);
  for (size_t k = 0; k < nw; k++) w[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * limit);
  for (size_t k = 0; k < nb; k++)
    b[k] = (float)((2.0 * ae_rng_uniform_double(rng) - 1.0) * bias_limit);
}
