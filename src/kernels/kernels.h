/* SPDX-License-Identifier: MIT */
/* kernels.h — the math, as plain functions over float arrays.
 *
 * Dimension letters: N batch, I input features, O output features, P number
 * of parameters. Arrays are row-major. Outputs come first, sizes last.
 * Backward functions ADD into parameter gradients (the model zeroes them once
 * per step) and OVERWRITE input gradients. No kernel allocates, keeps state or
 * does I/O. */
#ifndef AE_KERNELS_H
#define AE_KERNELS_H

#include <stddef.h>

/* Element-wise kernels are compiled twice on x86-64, for AVX2 and for the
 * baseline, and the loader picks the one the CPU runs (GNU ifunc). gcc only:
 * clang 14 wants the attribute on every declaration as well. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    defined(__linux__) && !defined(AE_NO_CLONES)
#define AE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define AE_VECTOR_CLONES
#endif

typedef enum ae_act {
  AE_ACT_IDENTITY = 0,
  AE_ACT_RELU,
  AE_ACT_LEAKY_RELU,
  AE_ACT_SIGMOID,
  AE_ACT_TANH
} ae_act;

/* ---- dense + activation (k_dense.c) ---- */

/* y = act(x W^T + b).  y (N, O), x (N, I), w (O, I), b (O). */
void ae_dense_forward(float *y, const float *x, const float *w, const float *b,
                      ae_act act, float slope, int n, int in_dim, int out_dim);

/* Given dy (N, O) = dL/dy, which is overwritten with dL/d(pre-activation),
 * and y (N, O) from the forward pass: dw (O, I) += ..., db (O) += ...,
 * dx (N, I) = ... (skipped when dx is NULL). */
void ae_dense_backward(float *dx, float *dw, float *db, float *dy,
                       const float *y, const float *x, const float *w,
                       ae_act act, float slope, int n, int in_dim,
                       int out_dim);

/* In place y = act(y + b) for y (N, O); b may be NULL. */
void ae_bias_act_forward(float *y, const float *b, ae_act act, float slope,
                         int n, int out_dim);
/* y = sigmoid(z) for `count` values (y and z may be the same array). */
void ae_sigmoid_forward(float *y, const float *z, size_t count);
/* In place dy *= act'(.) expressed through the output y (N*O values). */
void ae_act_backward(float *dy, const float *y, ae_act act, float slope,
                     size_t count);

/* db (C) += the column sums of g (rows, C), rows in order (deterministic):
 * the bias gradient of every layer that adds a bias per column. */
void ae_add_col_sums(float *db, const float *g, size_t rows, int cols);

/* ---- matrix product (k_gemm.c) ---- */

/* C (M, N) = alpha op(A) op(B) + beta C, row-major; op(A) is (M, K): A
 * itself (ta = 0, rows lda apart) or A^T (ta = 1, A is (K, M)); likewise
 * op(B) (K, N) with tb. beta == 0 never reads C. Single-threaded. On a CPU
 * with AVX-512 it runs its own packed kernel, with `pack` as scratch of
 * ae_gemm_pack_floats() floats; elsewhere, when pack is NULL, and for a C
 * narrower than 16 columns or alpha = 0, it calls cblas_sgemm. The same
 * shapes give the same bits. */
void ae_gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc, float *pack);
/* Floats of packing scratch ae_gemm wants (a constant, about 320 KiB). */
size_t ae_gemm_pack_floats(void);
/* 1 when ae_gemm runs its own kernel on this CPU, 0 when it calls CBLAS. */
int ae_gemm_native(void);

/* ---- losses (k_loss.c): mean over all N*D elements ---- */

/* Binary cross-entropy of sigmoid(z) against t, computed from the logits z,
 * so a saturated output never gives NaN. Returns the SUM over elements (the
 * caller divides); writes dz = (sigmoid(z) - t) * scale when dz != NULL. */
double ae_bce_logits(float *dz, const float *z, const float *t, float scale,
                     size_t count);
/* Squared error sum; dy = 2 (y - t) * scale when dy != NULL. */
double ae_mse(float *dy, const float *y, const float *t, float scale,
              size_t count);

/* ---- the objective's other terms (k_penalty.c) ----
 * Each returns its value as a double sum and, when the gradient array is not
 * NULL, ADDS its gradient there (weighted as the caller says). */

/* L1: returns sum |h| over count values; dh += (lam scale) sign(h). */
double ae_l1_penalty(float *dh, const float *h, float lam, float scale, size_t count);
/* sums (Z) = column sums of h (N, Z) (a slice's share of the batch means). */
void ae_column_sums(double *sums, const float *h, int n, int z);
/* KL sparsity of the batch means (Z), each clamped to [1e-6, 1 - 1e-6]:
 * returns sum_j KL(rho || mean_j); dh (N, Z) += weight scale dKL/dmean_j. */
double ae_kl_sparsity(float *dh, const double *means, double rho, double weight, float scale,
                      int n, int z);
/* The VAE's KL(N(mu, sigma^2) || N(0, I)) summed over n samples of x
 * (N, 2Z) = [mu | log sigma^2]: -1/2 sum (1 + lv - mu^2 - exp(lv)); its
 * gradient, weighted, added: dx += weight (mu, (exp(lv) - 1) / 2). */
double ae_gauss_kl(const float *x, int n, int z);
void ae_gauss_kl_backward(float *dx, const float *x, float weight, int n, int z);
/* The reparameterisation z (N, Z) = mu + exp(lv / 2) eps for x (N, 2Z) =
 * [mu | lv] and eps (N, Z); its backward writes dx (N, 2Z) = (dz,
 * dz eps exp(lv / 2) / 2). */
void ae_reparam_forward(float *zout, const float *x, const float *eps, int n, int z);
void ae_reparam_backward(float *dx, const float *dz, const float *x, const float *eps, int n,
                         int z);
/* The squared Frobenius norm of a dense layer's Jacobian dy/dx summed over
 * n samples, from its output y (N, O) and weight w (O, I):
 * sum_j f'(a_j)^2 |W_j|^2. With norms (N), each sample's unsquared norm. */
double ae_dense_jacobian_sq(double *norms, const float *y, const float *w, ae_act act,
                            float slope, int n, int in_dim, int out_dim);
/* Gradient of lam sum_n |J_n|_F^2 (Rifai et al. 2011), split as the
 * layer's backward takes it: dy (N, O) += lam 2 f''(a) |W_j|^2 (the part
 * through the activation, as a gradient of the output y: the layer's
 * backward multiplies it by f'), and dw (O, I) += lam 2 (sum_n f'^2) W_j
 * (the direct part). Either may be NULL. */
void ae_contractive_backward(float *dw, float *dy, const float *y, const float *w, ae_act act,
                             float slope, float lam, int n, int in_dim, int out_dim);
/* L2: returns start + sum w^2 (added in order, so ranges chain); g += lam w. */
double ae_l2_penalty(float *g, const float *w, float lam, double start, size_t count);

/* ---- optimizers (k_optim.c): one vectorised pass over P parameters ---- */

/* y += x over count floats. */
void ae_add_into(float *y, const float *x, size_t count);

/* PyTorch Adam / AdamW (decoupled weight decay) at step t >= 1. */
void ae_adam_step(float *p, float *m, float *v, const float *g, float lr,
                  float beta1, float beta2, float eps, float weight_decay,
                  long t, size_t count);
/* The largest |x[i]| of x[0, n), or infinity if any is NaN or infinite
 * (the trainer's divergence guard). */
float ae_max_abs(const float *x, size_t n);

/* PyTorch SGD: g += wd p; buf = mu buf + g (buf = g at first step when mu >
 * 0); g = nesterov ? g + mu buf : buf; p -= lr g. `first` marks step 1. */
void ae_sgd_step(float *p, float *buf, const float *g, float lr,
                 float momentum, int nesterov, float weight_decay, int first,
                 size_t count);

#endif
