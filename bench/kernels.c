/* SPDX-License-Identifier: MIT */
/* kernels.c — aekit-bench-kernels: GFLOP/s of aekit's dense and conv
 * forward and backward at the shapes the presets use, beside OpenBLAS cblas_sgemm at the
 * same M, N, K, so "how close to the machine's roof" is a number.
 *
 *   aekit-bench-kernels [THREADS]
 *
 * forward  = x (N, I) . W^T + b, activation      2 N I O flops (GEMM only)
 * backward = dW += dy^T x, dx = dy W, db, act'   4 N I O flops (2 N I O
 *            when dx is skipped, the first layer)
 * The sgemm column times the same GEMMs alone: the roof for that shape.
 * Output layers run linear, as in training, where their sigmoid is part of
 * the BCE-with-logits loss. */
#define _POSIX_C_SOURCE 200809L
#include "kernels.h"
#include "kernels_conv.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int num_threads);

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *randn(size_t n) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  return p;
}

/* Repeat fn until 0.3 s have passed; returns seconds per call. */
#define TIME_IT(secs, body)                                                   \
  do {                                                                        \
    body; /* warm up */                                                       \
    long reps_ = 0;                                                           \
    double t0_ = now_s(), t_;                                                 \
    do {                                                                      \
      body;                                                                   \
      reps_++;                                                                \
    } while ((t_ = now_s() - t0_) < 0.3);                                     \
    secs = t_ / (double)reps_;                                                \
  } while (0)

/* ---- the roof: a large square GEMM, 1024^3 ---- */
enum { SQ = 1024 };

typedef struct {
  float *a, *b, *c, *pack;
  double secs;
} own_job;

static void *own_gemm(void *arg) {
  own_job *j = arg;
  TIME_IT(j->secs, ae_gemm(0, 0, SQ, SQ, SQ, 1.0f, j->a, SQ, j->b, SQ, 0.0f, j->c, SQ, j->pack));
  return NULL;
}

/* `aekit-bench-kernels roof THREADS`: the machine's single-precision roof
 * at THREADS threads, two ways: cblas_sgemm with this machine's settings
 * (OpenBLAS with THREADS threads, OPENBLAS_CORETYPE as set), and aekit's
 * own GEMM (the AVX-512 kernel where the CPU has one, else the same
 * CBLAS), one single-threaded product per thread at once, as data-parallel
 * training runs it. Prints `sgemm_roof G`, `own_roof G` and `roof G` (the
 * larger, in GFLOP/s). */
static int roof(int threads) {
  double flops = 2.0 * SQ * SQ * SQ, t;
  own_job jobs[64];
  pthread_t tid[64];
  if (threads < 1 || threads > 64) return fprintf(stderr, "roof: 1..64 threads\n"), 2;
  for (int i = 0; i < threads; i++) {
    jobs[i].a = randn((size_t)SQ * SQ), jobs[i].b = randn((size_t)SQ * SQ);
    jobs[i].c = randn((size_t)SQ * SQ);
    jobs[i].pack = malloc(ae_gemm_pack_floats() * sizeof(float));
  }
  TIME_IT(t, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, SQ, SQ, SQ, 1.0f, jobs[0].a,
                         SQ, jobs[0].b, SQ, 0.0f, jobs[0].c, SQ));
  double blas = flops / t * 1e-9, own = 0.0;
  openblas_set_num_threads(1); /* the own GEMM falls back to it, one a thread */
  for (int i = 1; i < threads; i++) pthread_create(&tid[i], NULL, own_gemm, &jobs[i]);
  own_gemm(&jobs[0]);
  for (int i = 1; i < threads; i++) pthread_join(tid[i], NULL);
  for (int i = 0; i < threads; i++) {
    own += flops / jobs[i].secs * 1e-9;
    free(jobs[i].a), free(jobs[i].b), free(jobs[i].c), free(jobs[i].pack);
  }
  printf("sgemm_roof %.1f\nown_roof %.1f (%s)\nroof %.1f\n", blas, own,
         ae_gemm_native() ? "own AVX-512 kernel" : "CBLAS: no AVX-512 here", blas > own ? blas : own);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[1], "roof")) {
    openblas_set_num_threads(atoi(argv[2]));
    return roof(atoi(argv[2]));
  }
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  openblas_set_num_threads(threads);
  static const struct {
    const char *model;
    int n, in, out, first;
    ae_act act;
  } shapes[] = {
      {"dense enc", 256, 784, 32, 1, AE_ACT_RELU},
      {"dense dec", 256, 32, 784, 0, AE_ACT_IDENTITY},
      {"deep enc1", 256, 784, 128, 1, AE_ACT_RELU},
      {"deep enc2", 256, 128, 64, 0, AE_ACT_RELU},
      {"deep enc3", 256, 64, 32, 0, AE_ACT_RELU},
      {"deep dec1", 256, 32, 64, 0, AE_ACT_RELU},
      {"deep dec2", 256, 64, 128, 0, AE_ACT_RELU},
      {"deep dec3", 256, 128, 784, 0, AE_ACT_IDENTITY},
  };
  printf("threads %d; GFLOP/s (GEMM flops only)\n", threads);
  printf("%-10s %5s %5s %5s | %9s %9s %6s | %9s %9s %6s\n", "layer", "N", "I", "O", "fwd",
         "sgemm", "ratio", "bwd", "sgemm", "ratio");
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    int n = shapes[s].n, in = shapes[s].in, out = shapes[s].out;
    float *x = randn((size_t)n * in), *w = randn((size_t)out * in), *b = randn(out);
    float *y = randn((size_t)n * out), *dy = randn((size_t)n * out);
    float *dx = randn((size_t)n * in), *dw = randn((size_t)out * in), *db = randn(out);
    double t_fwd, t_fwd_gemm, t_bwd, t_bwd_gemm;
    TIME_IT(t_fwd, ae_dense_forward(y, x, w, b, shapes[s].act, 0.0f, n, in, out));
    TIME_IT(t_fwd_gemm, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x,
                                    in, w, in, 0.0f, y, out));
    float *dxp = shapes[s].first ? NULL : dx;
    TIME_IT(t_bwd, ae_dense_backward(dxp, dw, db, dy, y, x, w, shapes[s].act, 0.0f, n, in, out));
    TIME_IT(t_bwd_gemm, {
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n, 1.0f, dy, out, x, in, 1.0f,
                  dw, in);
      if (dxp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out, 1.0f, dy, out, w, in,
                    0.0f, dx, in);
    });
    double f = 2.0 * n * in * out, fb = dxp ? 2 * f : f;
    printf("%-10s %5d %5d %5d | %9.1f %9.1f %5.0f%% | %9.1f %9.1f %5.0f%%\n", shapes[s].model, n,
           in, out, f / t_fwd * 1e-9, f / t_fwd_gemm * 1e-9, 100 * t_fwd_gemm / t_fwd,
           fb / t_bwd * 1e-9, fb / t_bwd_gemm * 1e-9, 100 * t_bwd_gemm / t_bwd);
    free(x), free(w), free(b), free(y), free(dy), free(dx), free(dw), free(db);
  }
  /* the conv preset's layers on a worker's slice of 16 images: the batched
   * im2col + GEMM (conv) and GEMM + col2im (transposed conv) kernels beside
   * the one sgemm each direction would need at the same sizes */
  static const struct {
    const char *name;
    int t, c, h, k, stride, pad, outpad;
  } convs[] = {
      {"conv1", 0, 1, 28, 32, 2, 1, 0},  {"conv2", 0, 32, 14, 64, 2, 1, 0},
      {"convt1", 1, 64, 7, 64, 2, 1, 1}, {"convt2", 1, 64, 14, 32, 2, 1, 1},
      {"convt3", 1, 32, 28, 1, 1, 1, 0},
  };
  printf("\n%-10s %5s %5s %5s | %9s %9s %6s | %9s %9s %6s\n", "conv (3x3)", "N", "C", "K", "fwd",
         "sgemm", "ratio", "bwd", "sgemm", "ratio");
  for (size_t s = 0; s < sizeof convs / sizeof convs[0]; s++) {
    int n = 16, c = convs[s].c, h = convs[s].h, k = convs[s].k, st = convs[s].stride;
    int pad = convs[s].pad, op = convs[s].outpad, t = convs[s].t;
    int oh = t ? ae_conv_transpose_out_size(h, 3, st, pad, op, 1) : ae_conv_out_size(h, 3, st, pad, 1);
    size_t nx = (size_t)n * c * h * h, ny = (size_t)n * k * oh * oh, nw = (size_t)c * k * 9;
    size_t ncol = t ? ae_conv_transpose2d_scratch(n, c, h, h, k, 3, 3)
                    : ae_conv2d_scratch(n, c, h, h, k, 3, 3, st, pad, 1);
    float *x = randn(nx), *w = randn(nw), *b = randn(k), *y = randn(ny), *dy = randn(ny);
    float *dx = randn(nx), *dw = randn(nw), *db = randn(k), *col = randn(ncol);
    /* GEMM sizes: conv M=K, N=n*OH*OW, K=C*9; transposed M=K*9, N=n*H*W, K=C */
    int gm = t ? k * 9 : k, gn = t ? n * h * h : n * oh * oh, gk = t ? c : c * 9;
    float *ga = randn((size_t)gm * gk), *gb = randn((size_t)gk * gn), *gc = randn((size_t)gm * gn);
    double tf, tg, tb, tgb;
    if (t) {
      TIME_IT(tf, ae_conv_transpose2d_forward(y, x, w, b, col, n, c, h, h, k, 3, 3, st, pad, op, 1));
      TIME_IT(tb, ae_conv_transpose2d_backward(dx, dw, db, dy, x, w, col, n, c, h, h, k, 3, 3, st,
                                               pad, op, 1));
    } else {
      TIME_IT(tf, ae_conv2d_forward(y, x, w, b, col, n, c, h, h, k, 3, 3, st, pad, 1));
      TIME_IT(tb, ae_conv2d_backward(s ? dx : NULL, dw, db, dy, x, w, col, n, c, h, h, k, 3, 3, st,
                                     pad, 1));
    }
    TIME_IT(tg, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, gm, gn, gk, 1.0f, ga, gk, gb,
                            gn, 0.0f, gc, gn));
    int two = t || s; /* the first conv needs no input gradient */
    TIME_IT(tgb, {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, gm, gn, gk, 1.0f, ga, gk, gb, gn, 0.0f,
                  gc, gn);
      if (two)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, gm, gn, gk, 1.0f, ga, gk, gb, gn,
                    0.0f, gc, gn);
    });
    double f = 2.0 * gm * gn * gk, fb = two ? 2 * f : f;
    printf("%-10s %5d %5d %5d | %9.1f %9.1f %5.0f%% | %9.1f %9.1f %5.0f%%\n", convs[s].name, n, c, k,
           f / tf * 1e-9, f / tg * 1e-9, 100 * tg / tf, fb / tb * 1e-9, fb / tgb * 1e-9,
           100 * tgb / tb);
    free(x), free(w), free(b), free(y), free(dy), free(dx), free(dw), free(db), free(col);
    free(ga), free(gb), free(gc);
  }
  /* a square GEMM: the machine's sgemm roof */
  int k = 1024;
  float *a = randn((size_t)k * k), *bb = randn((size_t)k * k), *c = randn((size_t)k * k);
  double t;
  TIME_IT(t, cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, k, k, 1.0f, a, k, bb, k,
                         0.0f, c, k));
  printf("sgemm roof (1024^3): %.1f GFLOP/s\n", 2.0 * k * k * k / t * 1e-9);
  /* and aekit's own GEMM (the conv layers'), where the CPU has AVX-512 */
  float *pack = malloc(ae_gemm_pack_floats() * sizeof(float));
  TIME_IT(t, ae_gemm(0, 0, k, k, k, 1.0f, a, k, bb, k, 0.0f, c, k, pack));
  printf("ae_gemm roof (1024^3): %.1f GFLOP/s (%s)\n", 2.0 * k * k * k / t * 1e-9,
         ae_gemm_native() ? "own AVX-512 kernel" : "CBLAS");
  free(pack);
  free(a), free(bb), free(c);
  return 0;
}
