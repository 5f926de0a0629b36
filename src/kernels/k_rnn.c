/* SPDX-License-Identifier: MIT */
/* k_rnn.c — the LSTM and GRU recurrences (PyTorch's equations and gate
 * orders), one direction of one layer over time-major data. The input
 * projection of every step is one GEMM before the loop; each step adds one
 * (N, G*H) x (G*H, H)^T product and runs the gate math element-wise; in
 * backward the weight gradients of all steps are again one GEMM each.
 * Layouts and the arrangement of hs: kernels_seq.h.
 *
 * LSTM: i f g o = sig, sig, tanh, sig of (W_ih x + b_ih + W_hh h + b_hh)
 *       c' = f c + i g,  h' = o tanh(c')
 * GRU:  r z = sig(W_i{r,z} x + b_i{r,z} + W_h{r,z} h + b_h{r,z})
 *       n = tanh(W_in x + b_in + r (W_hn h + b_hn)),  h' = (1 - z) n + z h */
#include "kernels.h"
#include "kernels_seq.h"

#include "fastmath.h"

#include <math.h>
#include <string.h>

/* tanh through exp(-2|z|), with a short series near 0 where 1 - e cancels
 * (relative error below 1e-6 everywhere). */
static inline float fast_tanh(float z) {
  float a = fabsf(z);
  float e = ae_fast_exp_neg(-2.0f * a);
  float big = (1.0f - e) / (1.0f + e);
  float a2 = a * a;
  float small = a * (1.0f + a2 * (-1.0f / 3.0f + a2 * (2.0f / 15.0f + a2 * (-17.0f / 315.0f))));
  return copysignf(a < 0.0625f ? small : big, z);
}

/* Row of the state before step tt, and of its output, in hs. */
static size_t prev_row(int tt, int reverse) { return (size_t)(reverse ? tt + 1 : tt); }
static size_t out_row(int tt, int reverse) { return (size_t)(reverse ? tt : tt + 1); }

/* ---- LSTM ----------------------------------------------------------------- */

/* One row (sample) of a step: the gates' pre-activations g (4H) become the
 * activated gates; c' and h' from the previous cell state cp (NULL: 0).
 * Branch-free inner loops (the NULL case is its own loop) so they
 * vectorise. */
AE_VECTOR_CLONES
static void lstm_cell(float *g, float *c, float *tc, float *hout, const float *cp,
                      const float *bi, const float *bh, int n, int h) {
  for (int i = 0; i < n; i++) {
    float *restrict gi = g + (size_t)i * 4 * h, *restrict ci = c + (size_t)i * h;
    float *restrict ti = tc + (size_t)i * h, *restrict ho = hout + (size_t)i * h;
    for (int j = 0; j < 2 * h; j++) gi[j] = ae_fast_sigmoid(gi[j] + bi[j] + bh[j]);
    for (int j = 2 * h; j < 3 * h; j++) gi[j] = fast_tanh(gi[j] + bi[j] + bh[j]);
    for (int j = 3 * h; j < 4 * h; j++) gi[j] = ae_fast_sigmoid(gi[j] + bi[j] + bh[j]);
    if (cp) {
      const float *restrict cpi = cp + (size_t)i * h;
      for (int j = 0; j < h; j++) ci[j] = gi[j] * gi[2 * h + j] + gi[h + j] * cpi[j];
    } else {
      for (int j = 0; j < h; j++) ci[j] = gi[j] * gi[2 * h + j];
    }
    for (int j = 0; j < h; j++) ti[j] = fast_tanh(ci[j]);
    for (int j = 0; j < h; j++) ho[j] = gi[3 * h + j] * ti[j];
  }
}

void ae_lstm_forward(float *hs, float *gates, float *cs, const float *x, const float *w_ih,
                     const float *w_hh, const float *b_ih, const float *b_hh, int t, int n,
                     int f, int h, int reverse, float *pack) {
  size_t nh = (size_t)n * h;
  int g4 = 4 * h;
  ae_gemm(0, 1, t * n, g4, f, 1.0f, x, f, w_ih, f, 0.0f, gates, g4, pack);
  memset(hs + prev_row(reverse ? t - 1 : 0, reverse) * nh, 0, sizeof(float) * nh);
  for (int s = 0; s < t; s++) {
    int tt = reverse ? t - 1 - s : s;
    float *g = gates + (size_t)tt * n * g4;
    if (s) /* the first step's previous state is 0 */
      ae_gemm(0, 1, n, g4, h, 1.0f, hs + prev_row(tt, reverse) * nh, h, w_hh, h, 1.0f, g, g4,
              pack);
    const float *cp = s ? cs + (size_t)(reverse ? tt + 1 : tt - 1) * nh : NULL;
    lstm_cell(g, cs + (size_t)tt * nh, cs + ((size_t)t + tt) * nh, hs + out_row(tt, reverse) * nh,
              cp, b_ih, b_hh, n, h);
  }
}

/* One step backward: dht (N, H) the total gradient of h_t, dcn (N, H) that
 * of c_t from the step after (in processing order), replaced by c_{t-1}'s;
 * g's activated gates replaced by their pre-activation gradients; tc (N, H)
 * tanh(c_t) as the forward kept it. */
AE_VECTOR_CLONES
static void lstm_cell_back(float *g, float *dcn, const float *dht, const float *tc,
                           const float *cp, int n, int h) {
  for (int i = 0; i < n; i++) {
    float *restrict gi = g + (size_t)i * 4 * h, *restrict dci = dcn + (size_t)i * h;
    const float *restrict ci = tc + (size_t)i * h, *restrict dhi = dht + (size_t)i * h;
    const float *restrict cpi = cp ? cp + (size_t)i * h : ci; /* ci: unused when cp is NULL */
    const float keep = cp ? 1.0f : 0.0f;
    float *restrict gI = gi, *restrict gF = gi + h, *restrict gG = gi + 2 * h;
    float *restrict gO = gi + 3 * h;
    for (int j = 0; j < h; j++) {
      float ig = gI[j], fg = gF[j], gg = gG[j], og = gO[j];
      float tc = ci[j];
      float dc = dci[j] + dhi[j] * og * (1.0f - tc * tc);
      float cprev = keep * cpi[j];
      gI[j] = dc * gg * ig * (1.0f - ig);
      gF[j] = dc * cprev * fg * (1.0f - fg);
      gG[j] = dc * ig * (1.0f - gg * gg);
      gO[j] = dhi[j] * tc * og * (1.0f - og);
      dci[j] = dc * fg;
    }
  }
}

void ae_lstm_backward(float *dx, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                      float *dh, float *gates, const float *cs, const float *hs, const float *x,
                      const float *w_ih, const float *w_hh, int t, int n, int f, int h,
                      int reverse, int add, float *work, float *pack) {
  size_t nh = (size_t)n * h, tn = (size_t)t * n;
  int g4 = 4 * h;
  float *dhn = work, *dcn = work + nh; /* carried to the step before */
  memset(dcn, 0, sizeof(float) * nh);
  for (int s = t - 1; s >= 0; s--) {
    int tt = reverse ? t - 1 - s : s;
    float *dht = dh + (size_t)tt * nh, *g = gates + (size_t)tt * n * g4;
    if (s < t - 1)
      for (size_t k = 0; k < nh; k++) dht[k] += dhn[k];
    const float *cp = s ? cs + (size_t)(reverse ? tt + 1 : tt - 1) * nh : NULL;
    lstm_cell_back(g, dcn, dht, cs + ((size_t)t + tt) * nh, cp, n, h);
    if (s) ae_gemm(0, 0, n, h, g4, 1.0f, g, g4, w_hh, h, 0.0f, dhn, h, pack);
  }
  const float *hprev = hs + (reverse ? nh : 0); /* (T*N, H), row tt = h before step tt */
  ae_gemm(1, 0, g4, h, (int)tn, 1.0f, gates, g4, hprev, h, 1.0f, dw_hh, h, pack);
  ae_gemm(1, 0, g4, f, (int)tn, 1.0f, gates, g4, x, f, 1.0f, dw_ih, f, pack);
  ae_add_col_sums(db_ih, gates, tn, g4);
  ae_add_col_sums(db_hh, gates, tn, g4);
  if (dx)
    ae_gemm(0, 0, (int)tn, f, g4, 1.0f, gates, g4, w_ih, f, add ? 1.0f : 0.0f, dx, f, pack);
}

/* ---- GRU ------------------------------------------------------------------ */

AE_VECTOR_CLONES
static void gru_cell(float *g, float *hn, float *hout, const float *hp, const float *prev,
                     const float *bi, const float *bh, int n, int h) {
  for (int i = 0; i < n; i++) {
    float *restrict gi = g + (size_t)i * 3 * h, *restrict hni = hn + (size_t)i * h;
    float *restrict ho = hout + (size_t)i * h;
    const float *restrict hpi = hp + (size_t)i * 3 * h, *restrict pv = prev + (size_t)i * h;
    for (int j = 0; j < 2 * h; j++) gi[j] = ae_fast_sigmoid(gi[j] + bi[j] + hpi[j] + bh[j]);
    for (int j = 0; j < h; j++) hni[j] = hpi[2 * h + j] + bh[2 * h + j];
    for (int j = 0; j < h; j++)
      gi[2 * h + j] = fast_tanh(gi[2 * h + j] + bi[2 * h + j] + gi[j] * hni[j]);
    for (int j = 0; j < h; j++) ho[j] = (1.0f - gi[h + j]) * gi[2 * h + j] + gi[h + j] * pv[j];
  }
}

void ae_gru_forward(float *hs, float *gates, float *hn, const float *x, const float *w_ih,
                    const float *w_hh, const float *b_ih, const float *b_hh, int t, int n, int f,
                    int h, int reverse, float *hp, float *pack) {
  size_t nh = (size_t)n * h;
  int g3 = 3 * h;
  ae_gemm(0, 1, t * n, g3, f, 1.0f, x, f, w_ih, f, 0.0f, gates, g3, pack);
  memset(hs + prev_row(reverse ? t - 1 : 0, reverse) * nh, 0, sizeof(float) * nh);
  for (int s = 0; s < t; s++) {
    int tt = reverse ? t - 1 - s : s;
    const float *prev = hs + prev_row(tt, reverse) * nh;
    if (s) ae_gemm(0, 1, n, g3, h, 1.0f, prev, h, w_hh, h, 0.0f, hp, g3, pack);
    else memset(hp, 0, sizeof(float) * nh * 3);
    gru_cell(gates + (size_t)tt * n * g3, hn + (size_t)tt * nh, hs + out_row(tt, reverse) * nh,
             hp, prev, b_ih, b_hh, n, h);
  }
}

/* One step backward: dht (N, H) total gradient of h_t; g (N, 3H) r z n
 * replaced by the input projection's gradients, dhp (N, 3H) gets the
 * recurrent projection's; dhn (N, H) = the direct part z dht of h_{t-1}'s. */
AE_VECTOR_CLONES
static void gru_cell_back(float *g, float *dhp, float *dhn, const float *dht, const float *hn,
                          const float *prev, int n, int h) {
  for (int i = 0; i < n; i++) {
    float *restrict gi = g + (size_t)i * 3 * h, *restrict dpi = dhp + (size_t)i * 3 * h;
    float *restrict dni = dhn + (size_t)i * h;
    const float *restrict dhi = dht + (size_t)i * h, *restrict hni = hn + (size_t)i * h;
    const float *restrict pv = prev + (size_t)i * h;
    /* the three gate blocks as pointers of their own, so the compiler sees
     * they do not overlap */
    float *restrict gr = gi, *restrict gz = gi + h, *restrict gn = gi + 2 * h;
    float *restrict pr = dpi, *restrict pz = dpi + h, *restrict pn = dpi + 2 * h;
    for (int j = 0; j < h; j++) {
      float r = gr[j], z = gz[j], nv = gn[j], d = dhi[j];
      float an = d * (1.0f - z) * (1.0f - nv * nv);
      float az = d * (pv[j] - nv) * z * (1.0f - z);
      float ar = an * hni[j] * r * (1.0f - r);
      gr[j] = ar, gz[j] = az, gn[j] = an;
      pr[j] = ar, pz[j] = az, pn[j] = an * r;
      dni[j] = d * z;
    }
  }
}

void ae_gru_backward(float *dx, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                     float *dh, float *gates, const float *hn, const float *hs, const float *x,
                     const float *w_ih, const float *w_hh, int t, int n, int f, int h,
                     int reverse, int add, float *dhp, float *work, float *pack) {
  size_t nh = (size_t)n * h, tn = (size_t)t * n;
  int g3 = 3 * h;
  float *dhn = work;
  for (int s = t - 1; s >= 0; s--) {
    int tt = reverse ? t - 1 - s : s;
    float *dht = dh + (size_t)tt * nh, *dp = dhp + (size_t)tt * n * g3;
    if (s < t - 1)
      for (size_t k = 0; k < nh; k++) dht[k] += dhn[k];
    gru_cell_back(gates + (size_t)tt * n * g3, dp, dhn, dht, hn + (size_t)tt * nh,
                  hs + prev_row(tt, reverse) * nh, n, h);
    if (s) ae_gemm(0, 0, n, h, g3, 1.0f, dp, g3, w_hh, h, 1.0f, dhn, h, pack);
  }
  const float *hprev = hs + (reverse ? nh : 0);
  ae_gemm(1, 0, g3, h, (int)tn, 1.0f, dhp, g3, hprev, h, 1.0f, dw_hh, h, pack);
  ae_gemm(1, 0, g3, f, (int)tn, 1.0f, gates, g3, x, f, 1.0f, dw_ih, f, pack);
  ae_add_col_sums(db_ih, gates, tn, g3);
  ae_add_col_sums(db_hh, dhp, tn, g3);
  if (dx)
    ae_gemm(0, 0, (int)tn, f, g3, 1.0f, gates, g3, w_ih, f, add ? 1.0f : 0.0f, dx, f, pack);
}
