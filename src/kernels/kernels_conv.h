/* SPDX-License-Identifier: MIT */
/* kernels_conv.h — image-layer kernels (k_conv.c): convolution, transposed
 * convolution, max pooling, nearest upsampling, batch norm, dropout.
 *
 * Legend of dimension letters (all arrays row-major, NCHW):
 *   N  batch                 C  input channels        H, W   input height, width
 *   K  output channels       KH, KW  kernel height, width
 *   OH, OW  output height, width      S  spatial size H*W (1 for 1-d batch norm)
 *
 * Semantics are PyTorch's (torch.nn.Conv2d, ConvTranspose2d, MaxPool2d,
 * Upsample(mode="nearest"), BatchNorm1d/2d, Dropout), with one integer for
 * stride, padding and dilation in both directions. Outputs come first, sizes
 * last. Backward functions ADD into parameter gradients (dw, db, dgamma,
 * dbeta) and OVERWRITE input gradients (dx). No kernel allocates: scratch
 * buffers (`col`) come from the caller, with the size given below. */
#ifndef AE_KERNELS_CONV_H
#define AE_KERNELS_CONV_H

#include <stddef.h>
#include <stdint.h>

/* Output size of a convolution or pooling along one axis:
 * (in + 2 pad - dil (k - 1) - 1) / stride + 1, floor division; <= 0 means
 * the window does not fit. */
int ae_conv_out_size(int in, int k, int stride, int pad, int dil);

/* Output size of a transposed convolution along one axis:
 * (in - 1) stride - 2 pad + dil (k - 1) + out_pad + 1. PyTorch requires
 * out_pad < stride or out_pad < dil. */
int ae_conv_transpose_out_size(int in, int k, int stride, int pad, int out_pad,
                               int dil);

/* ---- im2col / col2im: one image, OH and OW from ae_conv_out_size ---- */

/* col (C*KH*KW, OH*OW) = the receptive fields of x (C, H, W); zero padding. */
void ae_im2col(float *col, const float *x, int c, int h, int w, int kh, int kw,
               int stride, int pad, int dil);
/* x (C, H, W) += col (C*KH*KW, OH*OW) scattered back (the adjoint of
 * ae_im2col); entries that fall in the padding are dropped. */
void ae_col2im(float *x, const float *col, int c, int h, int w, int kh, int kw,
               int stride, int pad, int dil);

/* ---- convolution (Conv2d) ----
 * The whole batch is one GEMM: the images' columns sit side by side in a
 * (C*KH*KW, N*OH*OW) matrix. Scratch `col` holds ae_conv2d_scratch(...)
 * floats; the backward reads the columns the forward of the same x left in
 * it (and keeps them, so it may be called again). */

/* Scratch floats for a batch of n: N*OH*OW*(2*C*KH*KW + K), then the GEMM's
 * packing space (ae_gemm_pack_floats()). */
size_t ae_conv2d_scratch(int n, int c, int h, int w_, int k, int kh, int kw, int stride, int pad,
                         int dil);
/* Scratch floats for a transposed conv on a batch of n: N*H*W*(K*KH*KW + 2C)
 * plus the GEMM's packing space;
 * as for conv2d, the backward reads what the forward of this x left. */
size_t ae_conv_transpose2d_scratch(int n, int c, int h, int w_, int k, int kh, int kw);


/* y (N, K, OH, OW) = conv(x (N, C, H, W), w (K, C, KH, KW)) + b (K);
 * b may be NULL. col: scratch of ae_conv2d_scratch(...) floats. */
void ae_conv2d_forward(float *y, const float *x, const float *w, const float *b,
                       float *col, int n, int c, int h, int w_, int k, int kh,
                       int kw, int stride, int pad, int dil);
/* Given dy (N, K, OH, OW): dw (K, C, KH, KW) += ..., db (K) += ..., dx (N, C,
 * H, W) = ... (each skipped when NULL). col: the scratch the forward of this
 * x filled. */
void ae_conv2d_backward(float *dx, float *dw, float *db, const float *dy,
                        const float *x, const float *w, float *col, int n,
                        int c, int h, int w_, int k, int kh, int kw,
                        int stride, int pad, int dil);

/* ---- transposed convolution (ConvTranspose2d): the adjoint of conv ---- */

/* y (N, K, OH, OW) = conv_transpose(x (N, C, H, W), w (C, K, KH, KW)) + b (K);
 * OH, OW from ae_conv_transpose_out_size; b may be NULL. col: scratch of
 * ae_conv_transpose2d_scratch(...) floats. */
void ae_conv_transpose2d_forward(float *y, const float *x, const float *w,
                                 const float *b, float *col, int n, int c,
                                 int h, int w_, int k, int kh, int kw,
                                 int stride, int pad, int out_pad, int dil);
/* Given dy (N, K, OH, OW): dw (C, K, KH, KW) += ..., db (K) += ..., dx (N, C,
 * H, W) = ... (each skipped when NULL). col: the scratch the forward of this
 * x filled. */
void ae_conv_transpose2d_backward(float *dx, float *dw, float *db,
                                  const float *dy, const float *x,
                                  const float *w, float *col, int n, int c,
                                  int h, int w_, int k, int kh, int kw,
                                  int stride, int pad, int out_pad, int dil);

/* ---- max pooling (MaxPool2d, dilation 1, floor mode) ---- */

/* y (N, C, OH, OW) = window maxima of x (N, C, H, W), padding acting as
 * -inf; idx (N, C, OH, OW) gets each maximum's position ih*W + iw inside its
 * (H, W) plane (the first one on ties; NaN wins, as in PyTorch). PyTorch
 * requires pad <= kernel / 2, so no window is all padding. */
void ae_maxpool2d_forward(float *y, int32_t *idx, const float *x, int n, int c,
                          int h, int w, int kernel, int stride, int pad);
/* dx (N, C, H, W) = dy (N, C, OH, OW) scattered through idx (overlapping
 * windows add). Same size arguments as the forward. */
void ae_maxpool2d_backward(float *dx, const float *dy, const int32_t *idx,
                           int n, int c, int h, int w, int kernel, int stride,
                           int pad);

/* ---- nearest-neighbour upsampling by an integer factor ---- */

/* y (N, C, H*scale, W*scale): every x (N, C, H, W) value repeated in a
 * scale x scale block. */
void ae_upsample_nearest2d_forward(float *y, const float *x, int n, int c,
                                   int h, int w, int scale);
/* dx (N, C, H, W) = block sums of dy (N, C, H*scale, W*scale). */
void ae_upsample_nearest2d_backward(float *dx, const float *dy, int n, int c,
                                    int h, int w, int scale);

/* ---- batch norm over (N, C, S): statistics per channel (k_bn.c) ----
 * In training, mean and invstd = 1 / sqrt(var + eps) come from the whole
 * batch (biased variance), and running = (1 - momentum) running + momentum
 * stat, with the UNBIASED variance entering running_var (M > 1 needed); in
 * evaluation from the running statistics. y = gamma (x - mean) invstd + beta.
 * A batch split over workers runs the stages on each slice and sums their
 * double sums over the workers between them (sums of a slice are (C)); the
 * whole-batch kernels below are the same stages back to back, so any split
 * gives the same bits. gamma or beta NULL mean 1 or 0. M = values per
 * channel in the whole batch. */

/* sums (C) = this slice's sum x per channel, or sum (x - mean)^2 when mean
 * (C) is given (the second pass). */
void ae_bn_sums(double *sums, const float *x, const float *mean, int n, int c, int s);
/* mean (C) = sums / M, in float. */
void ae_bn_mean(float *mean, const double *sums, double m, int c);
/* invstd (C) from the summed squares sq (C); updates the running statistics
 * unless NULL. */
void ae_bn_finish(float *invstd, float *running_mean, float *running_var, const float *mean,
                  const double *sq, double m, float momentum, float eps, int c);
/* Evaluation: mean, invstd (C) from the running statistics. */
void ae_bn_eval_stats(float *mean, float *invstd, const float *running_mean,
                      const float *running_var, float eps, int c);
/* y (N, C, S) = a x + b per channel, a = gamma invstd, b = beta - a mean. y
 * may be x. */
void ae_bn_apply(float *y, const float *x, const float *gamma, const float *beta,
                 const float *mean, const float *invstd, int n, int c, int s);
/* This slice's sdy (C) = sum dy and sdyx (C) = sum dy xhat per channel;
 * dgamma += sdyx and dbeta += sdy (C) unless NULL. */
void ae_bn_grad_sums(double *sdy, double *sdyx, float *dgamma, float *dbeta, const float *dy,
                     const float *x, const float *mean, const float *invstd, int n, int c,
                     int s);
/* dx (N, C, S) = gamma invstd (dy - sdy / M - xhat sdyx / M) from the whole
 * batch's sums; sdy NULL: the statistics taken as constants (evaluation),
 * dx = gamma invstd dy. dx may be dy. */
void ae_bn_backward_dx(float *dx, const float *dy, const float *x, const float *gamma,
                       const float *mean, const float *invstd, const double *sdy,
                       const double *sdyx, double m, int n, int c, int s);

/* The whole batch in one call (M = N S): training statistics, running
 * update (skipped when NULL) and y; mean, invstd (C) kept for the backward;
 * sums: (C) doubles of scratch. y may be x. */
void ae_batchnorm_forward_train(float *y, float *mean, float *invstd,
                                float *running_mean, float *running_var,
                                const float *x, const float *gamma,
                                const float *beta, float momentum, float eps,
                                double *sums, int n, int c, int s);
/* Evaluation: mean, invstd (C) receive running_mean and
 * 1 / sqrt(running_var + eps), for ae_batchnorm_backward(training = 0). */
void ae_batchnorm_forward_eval(float *y, float *mean, float *invstd,
                               const float *x, const float *gamma,
                               const float *beta, const float *running_mean,
                               const float *running_var, float eps, int n,
                               int c, int s);
/* Given dy (N, C, S), x (N, C, S) and the cached mean, invstd (C):
 * dgamma (C) += sum dy xhat, dbeta (C) += sum dy (each skipped when NULL),
 * dx (N, C, S) (skipped when NULL). training = 1 differentiates through the
 * batch statistics; 0 treats mean and invstd as constants (the eval
 * forward). sums: 2C doubles of scratch. dx may be dy. */
void ae_batchnorm_backward(float *dx, float *dgamma, float *dbeta,
                           const float *dy, const float *x, const float *gamma,
                           const float *mean, const float *invstd,
                           int training, double *sums, int n, int c, int s);

/* ---- inverted dropout (training only; eval is the identity) ---- */

/* u: `count` uniform floats in [0, 1) from the caller's generator.
 * mask = (u >= p) / (1 - p) (0 everywhere when p >= 1), y = x mask. y may
 * be x. mask (count) is kept for the backward. */
void ae_dropout_forward(float *y, float *mask, const float *x, const float *u,
                        float p, size_t count);
/* dx = dy mask (dx may be dy). */
void ae_dropout_backward(float *dx, const float *dy, const float *mask,
                         size_t count);

#endif
