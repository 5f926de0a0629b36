/* SPDX-License-Identifier: MIT */
/* test_conv.c — the image-layer kernels (k_conv.c) against PyTorch fixtures
 * (tests/fixtures/conv.fx, written by tests/ref/make_conv_fixtures.py) and
 * against central finite differences: conv2d, conv_transpose2d (with
 * output_padding and dilation), maxpool (indices too), nearest upsampling,
 * batch norm (training with running statistics over 3 steps, eval, 1-d),
 * dropout; im2col/col2im as adjoints; backward adds into parameter gradients
 * and overwrites input gradients; an all-zero gradient must fail the
 * finite-difference check. */
#include "check.h"
#include "fixture.h"
#include "fdcheck.h"
#include "kernels_conv.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double ATOL = 1e-5, RTOL = 1e-4;

static void check_tensor(const fx_file *f, const char *prefix, const char *name, const float *got,
                         size_t n) {
  check_failures += fx_check_in(f, prefix, name, got, n, ATOL, RTOL);
}

/* As check_tensor, against `times` times the reference (accumulation). */
static void check_scaled(const fx_file *f, const char *prefix, const char *name,
                         const float *got, size_t n, float times) {
  float *want = malloc(sizeof(float) * n);
  const float *ref = fx_get_in(f, prefix, name, NULL);
  for (size_t i = 0; i < n; i++) want[i] = ref[i] * times;
  char what[80];
  snprintf(what, sizeof what, "%s.%s x%g", prefix, name, (double)times);
  check_failures += fx_check_close(what, got, want, n, ATOL, RTOL);
  free(want);
}

static float *zeros(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* ---- fixtures ---------------------------------------------------------- */

/* Conv2d and ConvTranspose2d cases: y, then dx, dw, db; a second backward
 * (dx, db NULL) must double dw and leave db alone. */
static void test_conv_fixtures(const fx_file *f) {
  static const char *conv[] = {"conv_odd", "conv_s2p1", "conv_dil2",
                               "conv_b1",  "conv_1x1",  "conv_s3d2"};
  static const char *convt[] = {"convt_s2p1", "convt_s2p1op1", "convt_k4s2p1",
                                "convt_b1",   "convt_s2d2op1", "convt_s1d2op1"};
  for (int t = 0; t < 2; t++)
    for (int ci = 0; ci < 6; ci++) {
      const char *p = t ? convt[ci] : conv[ci];
      int g[12], op = 0;
      fx_cfg(f, p, g, t ? 12 : 11);
      int n = g[0], c = g[1], h = g[2], w = g[3], k = g[4], kh = g[5], kw = g[6];
      int s = g[7], pad = g[8], d = t ? g[10] : g[9], has_b = t ? g[11] : g[10];
      if (t) op = g[9];
      int oh = t ? ae_conv_transpose_out_size(h, kh, s, pad, op, d) : ae_conv_out_size(h, kh, s, pad, d);
      int ow = t ? ae_conv_transpose_out_size(w, kw, s, pad, op, d) : ae_conv_out_size(w, kw, s, pad, d);
      size_t ny = (size_t)n * k * oh * ow, nx = (size_t)n * c * h * w, nw = (size_t)k * c * kh * kw;
      size_t ncol = t ? ae_conv_transpose2d_scratch(n, c, h, w, k, kh, kw)
                      : ae_conv2d_scratch(n, c, h, w, k, kh, kw, s, pad, d);
      const float *x = fx_get_in(f, p, "x", NULL), *wt = fx_get_in(f, p, "w", NULL);
      const float *b = has_b ? fx_get_in(f, p, "b", NULL) : NULL, *dy = fx_get_in(f, p, "dy", NULL);
      float *y = zeros(ny), *col = zeros(ncol), *dx = zeros(nx), *dw = zeros(nw), *db = zeros(k);
      float *dbp = has_b ? db : NULL;
      if (t) ae_conv_transpose2d_forward(y, x, wt, b, col, n, c, h, w, k, kh, kw, s, pad, op, d);
      else ae_conv2d_forward(y, x, wt, b, col, n, c, h, w, k, kh, kw, s, pad, d);
      check_tensor(f, p, "y", y, ny);
      for (size_t i = 0; i < nx; i++) dx[i] = 123.0f; /* must be overwritten */
      if (t) ae_conv_transpose2d_backward(dx, dw, dbp, dy, x, wt, col, n, c, h, w, k, kh, kw, s, pad, op, d);
      else ae_conv2d_backward(dx, dw, dbp, dy, x, wt, col, n, c, h, w, k, kh, kw, s, pad, d);
      check_tensor(f, p, "dx", dx, nx);
      check_tensor(f, p, "dw", dw, nw);
      if (has_b) check_tensor(f, p, "db", db, k);
      if (t) ae_conv_transpose2d_backward(NULL, dw, NULL, dy, x, wt, col, n, c, h, w, k, kh, kw, s, pad, op, d);
      else ae_conv2d_backward(NULL, dw, NULL, dy, x, wt, col, n, c, h, w, k, kh, kw, s, pad, d);
      check_scaled(f, p, "dw", dw, nw, 2.0f);
      if (has_b) check_tensor(f, p, "db", db, k);
      free(y), free(col), free(dx), free(dw), free(db);
    }
}

/* MaxPool2d: y, PyTorch's argmax indices, dx. */
static void test_pool_fixtures(const fx_file *f) {
  static const char *cases[] = {"pool_k2s2", "pool_k3s2p1"};
  for (int ci = 0; ci < 2; ci++) {
    const char *p = cases[ci];
    int g[7];
    fx_cfg(f, p, g, 7);
    int n = g[0], c = g[1], h = g[2], w = g[3], kk = g[4], s = g[5], pad = g[6];
    int oh = ae_conv_out_size(h, kk, s, pad, 1), ow = ae_conv_out_size(w, kk, s, pad, 1);
    size_t ny = (size_t)n * c * oh * ow, nx = (size_t)n * c * h * w;
    float *y = zeros(ny), *fidx = zeros(ny), *dx = zeros(nx);
    int32_t *idx = calloc(ny, sizeof(int32_t));
    ae_maxpool2d_forward(y, idx, fx_get_in(f, p, "x", NULL), n, c, h, w, kk, s, pad);
    check_tensor(f, p, "y", y, ny);
    for (size_t i = 0; i < ny; i++) fidx[i] = (float)idx[i];
    check_failures += fx_check_close(p, fidx, fx_get_in(f, p, "idx", NULL), ny, 0, 0);
    for (size_t i = 0; i < nx; i++) dx[i] = 7.0f;
    ae_maxpool2d_backward(dx, fx_get_in(f, p, "dy", NULL), idx, n, c, h, w, kk, s, pad);
    check_tensor(f, p, "dx", dx, nx);
    free(y), free(fidx), free(dx), free(idx);
  }
}

/* Upsample(scale_factor, mode="nearest"): y, dx. */
static void test_upsample_fixtures(const fx_file *f) {
  static const char *cases[] = {"up_x2", "up_x3"};
  for (int ci = 0; ci < 2; ci++) {
    const char *p = cases[ci];
    int g[5];
    fx_cfg(f, p, g, 5);
    int n = g[0], c = g[1], h = g[2], w = g[3], sc = g[4];
    size_t nx = (size_t)n * c * h * w, ny = nx * sc * sc;
    float *y = zeros(ny), *dx = zeros(nx);
    ae_upsample_nearest2d_forward(y, fx_get_in(f, p, "x", NULL), n, c, h, w, sc);
    check_tensor(f, p, "y", y, ny);
    ae_upsample_nearest2d_backward(dx, fx_get_in(f, p, "dy", NULL), n, c, h, w, sc);
    check_tensor(f, p, "dx", dx, nx);
    free(y), free(dx);
  }
}

/* Batch norm in training mode: 3 steps from running stats 0 and 1, then
 * the last step's outputs and gradients; also eval mode. */
static void test_batchnorm_fixtures(const fx_file *f) {
  static const char *cases[] = {"bn2d_train", "bn1d_train", "bn2d_eval"};
  for (int ci = 0; ci < 3; ci++) {
    const char *p = cases[ci];
    int train = ci < 2;
    size_t ncfg;
    const float *cfg = fx_get_in(f, p, "cfg", &ncfg);
    int n = (int)cfg[0], c = (int)cfg[1], s = (int)cfg[2];
    float momentum = cfg[3], eps = cfg[4];
    size_t nx = (size_t)n * c * s;
    const float *gamma = fx_get_in(f, p, "gamma", NULL), *beta = fx_get_in(f, p, "beta", NULL);
    const float *x = fx_get_in(f, p, "x", NULL); /* (3, N, C, S) or (N, C, S) */
    float *y = zeros(nx), *dx = zeros(nx), *mean = zeros(c), *invstd = zeros(c);
    float *rm = zeros(c), *rv = zeros(c), *dgamma = zeros(c), *dbeta = zeros(c);
    double *sums = calloc(2 * (size_t)c, sizeof(double));
    if (train) {
      for (int j = 0; j < c; j++) rv[j] = 1.0f;
      for (int step = 0; step < 3; step++)
        ae_batchnorm_forward_train(y, mean, invstd, rm, rv, x + step * nx, gamma, beta,
                                   momentum, eps, sums, n, c, s);
      x += 2 * nx; /* the backward sees step 3 */
      check_tensor(f, p, "running_mean", rm, c);
      check_tensor(f, p, "running_var", rv, c);
      check_tensor(f, p, "mean", mean, c);
      check_tensor(f, p, "invstd", invstd, c);
    } else {
      ae_batchnorm_forward_eval(y, mean, invstd, x, gamma, beta, fx_get_in(f, p, "running_mean", NULL),
                                fx_get_in(f, p, "running_var", NULL), eps, n, c, s);
    }
    check_tensor(f, p, "y", y, nx);
    ae_batchnorm_backward(dx, dgamma, dbeta, fx_get_in(f, p, "dy", NULL), x, gamma, mean, invstd,
                          train, sums, n, c, s);
    check_tensor(f, p, "dx", dx, nx);
    check_tensor(f, p, "dgamma", dgamma, c);
    check_tensor(f, p, "dbeta", dbeta, c);
    /* in place: y = x, dx = dy */
    memcpy(y, x, sizeof(float) * nx);
    if (train) ae_batchnorm_forward_train(y, mean, invstd, NULL, NULL, y, gamma, beta, momentum, eps, sums, n, c, s);
    else ae_batchnorm_forward_eval(y, mean, invstd, y, gamma, beta, fx_get_in(f, p, "running_mean", NULL),
                                   fx_get_in(f, p, "running_var", NULL), eps, n, c, s);
    check_tensor(f, p, "y", y, nx);
    memcpy(dx, fx_get_in(f, p, "dy", NULL), sizeof(float) * nx);
    ae_batchnorm_backward(dx, NULL, NULL, dx, x, gamma, mean, invstd, train, sums, n, c, s);
    check_tensor(f, p, "dx", dx, nx);
    free(y), free(dx), free(mean), free(invstd), free(rm), free(rv), free(dgamma), free(dbeta);
    free(sums);
  }
}

static void fill_normal(ae_rng *r, float *v, size_t n, float scale) {
  for (size_t i = 0; i < n; i++) v[i] = (float)ae_rng_normal(r) * scale;
}

/* sum r*y in double */
static double dot(const float *r, const float *y, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)r[i] * y[i];
  return s;
}

typedef struct conv_ctx {
  int transpose, n, c, h, w, k, kh, kw, s, pad, op, d, oh, ow;
  float *x, *wt, *b, *r, *y, *col;
} conv_ctx;

static double conv_objective(void *p) {
  conv_ctx *q = p;
  if (q->transpose)
    ae_conv_transpose2d_forward(q->y, q->x, q->wt, q->b, q->col, q->n, q->c, q->h, q->w, q->k,
                                q->kh, q->kw, q->s, q->pad, q->op, q->d);
  else
    ae_conv2d_forward(q->y, q->x, q->wt, q->b, q->col, q->n, q->c, q->h, q->w, q->k, q->kh,
                      q->kw, q->s, q->pad, q->d);
  return dot(q->r, q->y, (size_t)q->n * q->k * q->oh * q->ow);
}

/* Conv2d and ConvTranspose2d: gradients in x, w, b by central differences;
 * the all-zero-gradient guard is checked on the first case. */
static void test_conv_finite_differences(void) {
  /* transpose N C H W K KH KW stride pad out_pad dil */
  static const int cases[][12] = {
      {0, 2, 2, 6, 5, 3, 3, 3, 2, 1, 0, 1}, {0, 1, 2, 7, 6, 2, 3, 2, 1, 2, 0, 2},
      {0, 2, 3, 4, 4, 2, 1, 1, 1, 0, 0, 1}, {1, 2, 3, 3, 4, 2, 3, 3, 2, 1, 1, 1},
      {1, 1, 2, 3, 3, 2, 4, 4, 2, 1, 0, 1}, {1, 2, 2, 3, 2, 2, 3, 2, 2, 1, 1, 2}};
  ae_rng rng;
  ae_rng_seed(&rng, 11);
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const int *g = cases[ci];
    conv_ctx q = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], 0, 0,
                  NULL, NULL, NULL, NULL, NULL, NULL};
    q.oh = q.transpose ? ae_conv_transpose_out_size(q.h, q.kh, q.s, q.pad, q.op, q.d)
                       : ae_conv_out_size(q.h, q.kh, q.s, q.pad, q.d);
    q.ow = q.transpose ? ae_conv_transpose_out_size(q.w, q.kw, q.s, q.pad, q.op, q.d)
                       : ae_conv_out_size(q.w, q.kw, q.s, q.pad, q.d);
    size_t nx = (size_t)q.n * q.c * q.h * q.w, ny = (size_t)q.n * q.k * q.oh * q.ow;
    size_t nw = (size_t)q.k * q.c * q.kh * q.kw;
    size_t ncol = q.transpose ? ae_conv_transpose2d_scratch(q.n, q.c, q.h, q.w, q.k, q.kh, q.kw)
                              : ae_conv2d_scratch(q.n, q.c, q.h, q.w, q.k, q.kh, q.kw, q.s,
                                                  q.pad, q.d);
    q.x = zeros(nx), q.wt = zeros(nw), q.b = zeros(q.k), q.r = zeros(ny), q.y = zeros(ny);
    q.col = zeros(ncol);
    float *dx = zeros(nx), *dw = zeros(nw), *db = zeros(q.k), *zero = zeros(nx);
    fill_normal(&rng, q.x, nx, 1.0f), fill_normal(&rng, q.wt, nw, 0.4f);
    fill_normal(&rng, q.b, q.k, 0.1f), fill_normal(&rng, q.r, ny, 1.0f);
    conv_objective(&q); /* the forward fills col, as in a training step */
    if (q.transpose)
      ae_conv_transpose2d_backward(dx, dw, db, q.r, q.x, q.wt, q.col, q.n, q.c, q.h, q.w, q.k,
                                   q.kh, q.kw, q.s, q.pad, q.op, q.d);
    else
      ae_conv2d_backward(dx, dw, db, q.r, q.x, q.wt, q.col, q.n, q.c, q.h, q.w, q.k, q.kh, q.kw,
                         q.s, q.pad, q.d);
    char what[64];
    const char *kind = q.transpose ? "conv_transpose2d" : "conv2d";
    snprintf(what, sizeof what, "%s case %zu dx", kind, ci);
    check_failures += fd_check(what, conv_objective, &q, q.x, dx, nx, 0.05f, 0);
    snprintf(what, sizeof what, "%s case %zu dw", kind, ci);
    check_failures += fd_check(what, conv_objective, &q, q.wt, dw, nw, 0.05f, 0);
    snprintf(what, sizeof what, "%s case %zu db", kind, ci);
    check_failures += fd_check(what, conv_objective, &q, q.b, db, q.k, 0.05f, 0);
    if (ci == 0) /* the guard: a zero gradient must not pass */
      CHECK(fd_check("zero guard", conv_objective, &q, q.x, zero, nx, 0.05f, 1) == 1);
    free(q.x), free(q.wt), free(q.b), free(q.r), free(q.y), free(q.col);
    free(dx), free(dw), free(db), free(zero);
  }
}

typedef struct bn_ctx {
  int n, c, s;
  float *x, *gamma, *beta, *r, *y, *mean, *invstd;
  double sums[6];
} bn_ctx;

static double bn_objective(void *p) {
  bn_ctx *q = p;
  ae_batchnorm_forward_train(q->y, q->mean, q->invstd, NULL, NULL, q->x, q->gamma, q->beta,
                             0.1f, 1e-5f, q->sums, q->n, q->c, q->s);
  return dot(q->r, q->y, (size_t)q->n * q->c * q->s);
}

/* Batch norm in training mode, 2-d and 1-d: gradients in x, gamma, beta. */
static void test_batchnorm_finite_differences(void) {
  static const int cases[][3] = {{3, 2, 6}, {5, 3, 1}};
  ae_rng rng;
  ae_rng_seed(&rng, 12);
  for (int ci = 0; ci < 2; ci++) {
    bn_ctx q = {cases[ci][0], cases[ci][1], cases[ci][2], NULL, NULL, NULL, NULL, NULL, NULL, NULL, {0}};
    size_t nx = (size_t)q.n * q.c * q.s;
    q.x = zeros(nx), q.r = zeros(nx), q.y = zeros(nx);
    q.gamma = zeros(q.c), q.beta = zeros(q.c), q.mean = zeros(q.c), q.invstd = zeros(q.c);
    float *dx = zeros(nx), *dgamma = zeros(q.c), *dbeta = zeros(q.c);
    fill_normal(&rng, q.x, nx, 1.0f), fill_normal(&rng, q.r, nx, 1.0f);
    fill_normal(&rng, q.beta, q.c, 0.2f);
    for (int j = 0; j < q.c; j++) q.gamma[j] = 1.0f + 0.3f * (float)ae_rng_normal(&rng);
    bn_objective(&q); /* caches mean and invstd */
    ae_batchnorm_backward(dx, dgamma, dbeta, q.r, q.x, q.gamma, q.mean, q.invstd, 1, q.sums, q.n, q.c, q.s);
    char what[64];
    snprintf(what, sizeof what, "batchnorm case %d dx", ci);
    check_failures += fd_check(what, bn_objective, &q, q.x, dx, nx, 1e-2f, 0);
    snprintf(what, sizeof what, "batchnorm case %d dgamma", ci);
    check_failures += fd_check(what, bn_objective, &q, q.gamma, dgamma, q.c, 1e-2f, 0);
    snprintf(what, sizeof what, "batchnorm case %d dbeta", ci);
    check_failures += fd_check(what, bn_objective, &q, q.beta, dbeta, q.c, 1e-2f, 0);
    free(q.x), free(q.r), free(q.y), free(q.gamma), free(q.beta), free(q.mean), free(q.invstd);
    free(dx), free(dgamma), free(dbeta);
  }
}

typedef struct img_ctx {
  int pool, n, c, h, w, kernel, s, pad, ny;
  float *x, *r, *y;
  int32_t *idx;
} img_ctx;

static double img_objective(void *p) {
  img_ctx *q = p;
  if (q->pool) ae_maxpool2d_forward(q->y, q->idx, q->x, q->n, q->c, q->h, q->w, q->kernel, q->s, q->pad);
  else ae_upsample_nearest2d_forward(q->y, q->x, q->n, q->c, q->h, q->w, q->kernel);
  return dot(q->r, q->y, (size_t)q->ny);
}

/* Maxpool (inputs a shuffled grid of values 0.05 apart, so a step of 0.01
 * never changes the argmax) and nearest upsampling: gradients in x. */
static void test_pool_upsample_finite_differences(void) {
  /* pool N C H W kernel-or-scale stride pad */
  static const int cases[][8] = {{1, 2, 2, 7, 6, 2, 2, 0}, {1, 1, 2, 7, 7, 3, 2, 1},
                                 {1, 2, 1, 5, 5, 3, 1, 1}, {0, 2, 2, 3, 2, 2, 0, 0},
                                 {0, 1, 1, 2, 3, 3, 0, 0}};
  ae_rng rng;
  ae_rng_seed(&rng, 13);
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const int *g = cases[ci];
    img_ctx q = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], 0, NULL, NULL, NULL, NULL};
    int oh = q.pool ? ae_conv_out_size(q.h, q.kernel, q.s, q.pad, 1) : q.h * q.kernel;
    int ow = q.pool ? ae_conv_out_size(q.w, q.kernel, q.s, q.pad, 1) : q.w * q.kernel;
    size_t nx = (size_t)q.n * q.c * q.h * q.w;
    q.ny = q.n * q.c * oh * ow;
    q.x = zeros(nx), q.r = zeros(q.ny), q.y = zeros(q.ny);
    q.idx = calloc((size_t)q.ny, sizeof(int32_t));
    float *dx = zeros(nx);
    uint32_t *perm = malloc(sizeof(uint32_t) * nx);
    for (size_t i = 0; i < nx; i++) perm[i] = (uint32_t)i;
    ae_rng_shuffle(&rng, perm, nx);
    for (size_t i = 0; i < nx; i++) q.x[i] = 0.05f * (float)perm[i] - 1.0f;
    fill_normal(&rng, q.r, q.ny, 1.0f);
    img_objective(&q);
    if (q.pool) ae_maxpool2d_backward(dx, q.r, q.idx, q.n, q.c, q.h, q.w, q.kernel, q.s, q.pad);
    else ae_upsample_nearest2d_backward(dx, q.r, q.n, q.c, q.h, q.w, q.kernel);
    char what[64];
    snprintf(what, sizeof what, "%s case %zu dx", q.pool ? "maxpool" : "upsample", ci);
    check_failures += fd_check(what, img_objective, &q, q.x, dx, nx, 1e-2f, 0);
    free(q.x), free(q.r), free(q.y), free(q.idx), free(dx), free(perm);
  }
}

/* ---- small direct checks ----------------------------------------------- */

/* <col2im(c), x> == <c, im2col(x)> for a few settings, through the public
 * ae_im2col / ae_col2im; col2im adds into what is there. */
static void test_im2col_adjoint(void) {
  static const int cases[][7] = {/* C H W KH KW stride pad */
                                 {2, 5, 6, 3, 3, 1, 1}, {1, 7, 5, 2, 3, 2, 0},
                                 {3, 6, 6, 3, 2, 3, 2}, {2, 4, 5, 1, 1, 1, 0}};
  ae_rng rng;
  ae_rng_seed(&rng, 14);
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const int *g = cases[ci];
    for (int dil = 1; dil <= 2; dil++) {
      int oh = ae_conv_out_size(g[1], g[3], g[5], g[6], dil);
      int ow = ae_conv_out_size(g[2], g[4], g[5], g[6], dil);
      size_t nx = (size_t)g[0] * g[1] * g[2], nc = (size_t)g[0] * g[3] * g[4] * oh * ow;
      float *x = zeros(nx), *cx = zeros(nc), *c = zeros(nc), *xc = zeros(nx);
      fill_normal(&rng, x, nx, 1.0f), fill_normal(&rng, c, nc, 1.0f);
      for (size_t i = 0; i < nx; i++) xc[i] = 1.0f;
      ae_im2col(cx, x, g[0], g[1], g[2], g[3], g[4], g[5], g[6], dil);
      ae_col2im(xc, c, g[0], g[1], g[2], g[3], g[4], g[5], g[6], dil);
      double lhs = 0, rhs = dot(c, cx, nc);
      for (size_t i = 0; i < nx; i++) lhs += (double)(xc[i] - 1.0f) * x[i];
      CHECK(oh > 0 && ow > 0);
      CHECK_NEAR(lhs, rhs, 1e-4 * (1 + fabs(rhs)));
      free(x), free(cx), free(c), free(xc);
    }
  }
  CHECK(ae_conv_out_size(3, 5, 1, 0, 1) <= 0);
  CHECK(ae_conv_out_size(4, 5, 3, 0, 1) <= 0); /* -1 / 3 must not round to 0 */
  CHECK(ae_conv_out_size(28, 3, 2, 1, 1) == 14);
  CHECK(ae_conv_transpose_out_size(14, 3, 2, 1, 1, 1) == 28);
}

/* Inverted dropout: mask from u, scale 1/(1-p), p = 0 and p = 1 edges. */
static void test_dropout(void) {
  const float u[6] = {0.0f, 0.1f, 0.25f, 0.3f, 0.9f, 0.2499f};
  const float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6], mask[6], dx[6];
  ae_dropout_forward(y, mask, x, u, 0.25f, 6);
  const float want[6] = {0, 0, 3 / 0.75f, 4 / 0.75f, 5 / 0.75f, 0};
  for (int i = 0; i < 6; i++) CHECK_NEAR(y[i], want[i], 1e-6);
  ae_dropout_backward(dx, x, mask, 6);
  for (int i = 0; i < 6; i++) CHECK_NEAR(dx[i], want[i], 1e-6);
  ae_dropout_forward(y, mask, x, u, 0.0f, 6);
  for (int i = 0; i < 6; i++) CHECK(y[i] == x[i]);
  ae_dropout_forward(y, mask, x, u, 1.0f, 6);
  for (int i = 0; i < 6; i++) CHECK(y[i] == 0.0f && isfinite(mask[i]));
  memcpy(y, x, sizeof y); /* in place */
  ae_dropout_forward(y, mask, y, u, 0.25f, 6);
  for (int i = 0; i < 6; i++) CHECK_NEAR(y[i], want[i], 1e-6);
}

/* Maxpool ties take the first maximum; NaN propagates like PyTorch. */
static void test_maxpool_ties(void) {
  const float x[4] = {2, 2, 1, 2};
  float y[1];
  int32_t idx[1];
  ae_maxpool2d_forward(y, idx, x, 1, 1, 2, 2, 2, 2, 0);
  CHECK(y[0] == 2.0f && idx[0] == 0);
  const float xn[4] = {1, NAN, 5, 0};
  ae_maxpool2d_forward(y, idx, xn, 1, 1, 2, 2, 2, 2, 0);
  CHECK(isnan(y[0]) && idx[0] == 1);
}

int main(void) {
  fx_file *f = fx_load("conv.fx");
  test_conv_fixtures(f);
  test_pool_fixtures(f);
  test_upsample_fixtures(f);
  test_batchnorm_fixtures(f);
  fx_free(f);
  test_conv_finite_differences();
  test_batchnorm_finite_differences();
  test_pool_upsample_finite_differences();
  test_im2col_adjoint();
  test_dropout();
  test_maxpool_ties();
  CHECK_DONE();
}
