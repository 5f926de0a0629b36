/* SPDX-License-Identifier: MIT */
/* kernels_seq.h — sequence kernels: 1-d convolution and its transpose, 1-d
 * max pooling and upsampling, repetition over time (k_seq.c), and the LSTM
 * and GRU recurrences (k_rnn.c).
 *
 * Layout: a sequence is (T, C) per sample, row-major, time-major with the
 * channels last (PyTorch's batch_first, Keras' channels_last), so a batch is
 * (N, T, C) and any T steps of N samples are one (N*T, C) matrix for a GEMM.
 * Weights keep PyTorch's layouts: Conv1d (O, C, K), ConvTranspose1d
 * (C, O, K), LSTM/GRU weight_ih (G*H, F), weight_hh (G*H, H), gate order
 * i f g o (LSTM) and r z n (GRU).
 *
 * Legend: N batch, T steps in, TO steps out, C channels in, O channels out,
 * K kernel, S stride, D dilation, F features in, H hidden units.
 * As in kernels_conv.h: outputs first, sizes last; backward functions ADD
 * into parameter gradients and OVERWRITE input gradients; no kernel
 * allocates; scratch comes from the caller, with the size given here. */
#ifndef AE_KERNELS_SEQ_H
#define AE_KERNELS_SEQ_H

#include <stddef.h>
#include <stdint.h>

/* ---- convolution over time ----
 * Output step u reads input steps u*S - pad_left + j*D (j < K); steps outside
 * [0, T) are zero padding. PyTorch's symmetric padding P is pad_left = P,
 * TO = (T + 2P - D(K-1) - 1) / S + 1; Keras' "same" is TO = ceil(T / S) with
 * pad_left = floor(total / 2), total = max((TO-1) S + D(K-1) + 1 - T, 0). */

/* Scratch: the batch's column matrix (N*TO, C*K), its gradient, GEMM packing. */
size_t ae_conv1d_scratch(int n, int to, int c, int k);
/* y (N, TO, O) = conv(x (N, T, C), w (O, C, K)) + b (O); b may be NULL. */
void ae_conv1d_forward(float *y, const float *x, const float *w, const float *b, float *scratch,
                       int n, int t, int c, int o, int k, int stride, int pad_left, int dil,
                       int to);
/* dw, db (may be NULL) += ; dx (may be NULL) = ; reads the columns the
 * forward of the same x left in scratch. */
void ae_conv1d_backward(float *dx, float *dw, float *db, const float *dy, const float *w,
                        float *scratch, int n, int t, int c, int o, int k, int stride,
                        int pad_left, int dil, int to);

/* Transposed: input step u adds x_u w_j into output step u*S - crop + j*D
 * (kept when in [0, TO)). PyTorch's padding P and output_padding OP are
 * crop = P, TO = (T-1) S - 2P + D(K-1) + OP + 1; Keras' "same" is TO = T S,
 * crop = floor(max(D(K-1) + 1 - S, 0) / 2). */
size_t ae_conv_transpose1d_scratch(int n, int t, int o, int k);
/* y (N, TO, O) from x (N, T, C), w (C, O, K), b (O) or NULL. */
void ae_conv_transpose1d_forward(float *y, const float *x, const float *w, const float *b,
                                 float *scratch, int n, int t, int c, int o, int k, int stride,
                                 int crop, int dil, int to);
void ae_conv_transpose1d_backward(float *dx, float *dw, float *db, const float *dy,
                                  const float *x, const float *w, float *scratch, int n, int t,
                                  int c, int o, int k, int stride, int crop, int dil, int to);

/* ---- pooling, upsampling, repetition ---- */

/* y (N, TO, C) = window maxima over time of x (N, T, C), padding as -inf,
 * TO = (T + 2 pad - K) / S + 1; idx (N, TO, C) the step of each maximum
 * (the first on ties; NaN wins, as PyTorch). */
void ae_maxpool1d_forward(float *y, int32_t *idx, const float *x, int n, int t, int c, int k,
                          int stride, int pad, int to);
/* dx (N, T, C) = dy (N, TO, C) scattered through idx. */
void ae_maxpool1d_backward(float *dx, const float *dy, const int32_t *idx, int n, int t, int c,
                           int to);
/* y (N, T*S, C): every step repeated S times (nearest). */
void ae_upsample1d_forward(float *y, const float *x, int n, int t, int c, int scale);
void ae_upsample1d_backward(float *dx, const float *dy, int n, int t, int c, int scale);
/* y (N, T, D): x (N, D) at every step (Keras' RepeatVector); dx (N, D) the
 * sum over steps. */
void ae_repeat_forward(float *y, const float *x, int n, int t, int d);
void ae_repeat_backward(float *dx, const float *dy, int n, int t, int d);
/* dst (B, A, D) = src (A, B, D) with the first two axes swapped; dst[b][a] +=
 * instead when add is 1. */
void ae_swap_axes(float *dst, const float *src, int a, int b, int d, int add);

/* ---- recurrences: one direction of one layer, over time-major data ----
 * x (T, N, F) with steps in time order. reverse = 1 runs from step T-1 down
 * to 0 (the backward half of a bidirectional layer). The initial state is 0.
 *
 * hs ((T+1), N, H) holds h_{-1} = 0 and every step's h, arranged so that the
 * outputs h_0..h_{T-1} are rows [1, T+1) (forward) or [0, T) (reverse) — the
 * state before step t is then always the row next to it, and the previous
 * states of all steps are one contiguous (T*N, H) matrix for one GEMM.
 * The input projection of all steps is one GEMM; each step adds one
 * (N, G*H) x (G*H, H)^T product and runs the gate math element-wise. */

/* Forward scratch kept for backward: gates (T, N, 4H) activated i f g o,
 * cs (2, T, N, H) the cell states, then their tanh. Backward work: 2 N H
 * floats. */
void ae_lstm_forward(float *hs, float *gates, float *cs, const float *x, const float *w_ih,
                     const float *w_hh, const float *b_ih, const float *b_hh, int t, int n,
                     int f, int h, int reverse, float *pack);
/* dh (T, N, H): the loss's gradient w.r.t. each output h_t (time order),
 * consumed. gates is overwritten by the gate pre-activations' gradients.
 * dx (T, N, F) is written (add = 0) or added to (add = 1), or skipped
 * (NULL); dw_ih, dw_hh, db_ih, db_hh accumulate. */
void ae_lstm_backward(float *dx, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                      float *dh, float *gates, const float *cs, const float *hs, const float *x,
                      const float *w_ih, const float *w_hh, int t, int n, int f, int h,
                      int reverse, int add, float *work, float *pack);

/* GRU: gates (T, N, 3H) activated r z n, hn (T, N, H) = W_hn h + b_hn (what
 * r multiplies), hp: N*3H floats of work. */
void ae_gru_forward(float *hs, float *gates, float *hn, const float *x, const float *w_ih,
                    const float *w_hh, const float *b_ih, const float *b_hh, int t, int n, int f,
                    int h, int reverse, float *hp, float *pack);
/* As the LSTM's; gates is overwritten by the input projection's gradients,
 * dhp (T, N, 3H) receives the recurrent projection's; work: N H floats. */
void ae_gru_backward(float *dx, float *dw_ih, float *dw_hh, float *db_ih, float *db_hh,
                     float *dh, float *gates, const float *hn, const float *hs, const float *x,
                     const float *w_ih, const float *w_hh, int t, int n, int f, int h,
                     int reverse, int add, float *dhp, float *work, float *pack);

#endif
