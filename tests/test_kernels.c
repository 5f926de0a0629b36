/* SPDX-License-Identifier: MIT */
/* test_kernels.c — every kernel against PyTorch fixtures and against finite
 * differences: dense + each activation (forward, backward), BCE-with-logits
 * and MSE (value, gradient), Adam/AdamW and SGD (momentum, Nesterov, weight
 * decay) steps, and the GEMM (every transpose, edge sizes, alpha and beta)
 * against a double-precision product. */
#include "check.h"
#include "fastmath.h"
#include "fixture.h"
#include "kernels.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  ae_act act;
} acts[] = {{"relu", AE_ACT_RELU},       {"leaky_relu", AE_ACT_LEAKY_RELU},
            {"sigmoid", AE_ACT_SIGMOID}, {"tanh", AE_ACT_TANH},
            {"identity", AE_ACT_IDENTITY}};

static const float *get(const fx_file *f, const char *prefix, const char *name) {
  char full[64];
  snprintf(full, sizeof full, "%s.%s", prefix, name);
  return fx_get(f, full, NULL);
}

/* Dense forward/backward against PyTorch for each activation. */
static void test_dense_fixtures(void) {
  fx_file *f = fx_load("dense.fx");
  enum { N = 5, I = 7, O = 4 };
  for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
    const char *p = acts[a].name;
    float slope = fx_has(f, "leaky_relu.slope") && acts[a].act == AE_ACT_LEAKY_RELU
                      ? get(f, p, "slope")[0] : 0.0f;
    float y[N * O], dy[N * O], dx[N * I], dw[O * I] = {0}, db[O] = {0};
    ae_dense_forward(y, get(f, p, "x"), get(f, p, "w"), get(f, p, "b"), acts[a].act, slope, N, I, O);
    char what[64];
    snprintf(what, sizeof what, "dense %s y", p);
    check_failures += fx_check_close(what, y, get(f, p, "y"), N * O, 1e-6, 1e-5);
    memcpy(dy, get(f, p, "dy"), sizeof dy);
    ae_dense_backward(dx, dw, db, dy, y, get(f, p, "x"), get(f, p, "w"), acts[a].act, slope, N, I, O);
    snprintf(what, sizeof what, "dense %s dx", p);
    check_failures += fx_check_close(what, dx, get(f, p, "dx"), N * I, 1e-6, 1e-5);
    snprintf(what, sizeof what, "dense %s dw", p);
    check_failures += fx_check_close(what, dw, get(f, p, "dw"), O * I, 1e-6, 1e-5);
    snprintf(what, sizeof what, "dense %s db", p);
    check_failures += fx_check_close(what, db, get(f, p, "db"), O, 1e-6, 1e-5);
  }
  fx_free(f);
}

/* Scalar L = sum(dy_fixed * dense(x)) in double, for finite differences. */
static double dense_objective(const float *x, const float *w, const float *b, const float *r,
                              ae_act act, float slope, int n, int in, int out) {
  float *y = malloc(sizeof(float) * (size_t)n * out);
  ae_dense_forward(y, x, w, b, act, slope, n, in, out);
  double s = 0;
  for (int k = 0; k < n * out; k++) s += (double)r[k] * y[k];
  free(y);
  return s;
}

/* Central differences on every input, weight and bias of a dense layer; the
 * analytic gradient must match and must not be all zero. */
static void test_dense_finite_differences(void) {
  enum { N = 3, I = 6, O = 5 };
  ae_rng rng;
  ae_rng_seed(&rng, 7);
  for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
    float x[N * I], w[O * I], b[O], r[N * O], y[N * O], dy[N * O], dx[N * I];
    float dw[O * I] = {0}, db[O] = {0};
    for (int k = 0; k < N * I; k++) x[k] = (float)ae_rng_normal(&rng);
    for (int k = 0; k < O * I; k++) w[k] = (float)ae_rng_normal(&rng) * 0.5f;
    for (int k = 0; k < O; k++) b[k] = (float)ae_rng_normal(&rng) * 0.1f;
    for (int k = 0; k < N * O; k++) r[k] = (float)ae_rng_normal(&rng);
    float slope = 0.2f;
    ae_act act = acts[a].act;
    ae_dense_forward(y, x, w, b, act, slope, N, I, O);
    memcpy(dy, r, sizeof dy);
    ae_dense_backward(dx, dw, db, dy, y, x, w, act, slope, N, I, O);
    struct {
      float *v, *g;
      int n;
      const char *name;
    } groups[3] = {{x, dx, N * I, "x"}, {w, dw, O * I, "w"}, {b, db, O, "b"}};
    for (int gi = 0; gi < 3; gi++) {
      double worst = 0, norm = 0;
      int checked = 0;
      for (int k = 0; k < groups[gi].n; k++) {
        float keep = groups[gi].v[k], h = 1e-2f;
        groups[gi].v[k] = keep + h;
        double up = dense_objective(x, w, b, r, act, slope, N, I, O);
        groups[gi].v[k] = keep - h;
        double down = dense_objective(x, w, b, r, act, slope, N, I, O);
        groups[gi].v[k] = keep;
        double num = (up - down) / (2.0 * h);
        /* skip where a ReLU kink lies inside [x-h, x+h]: the difference
         * quotient is not a derivative there */
        double mid = dense_objective(x, w, b, r, act, slope, N, I, O);
        double curv = fabs(up + down - 2 * mid);
        if ((act == AE_ACT_RELU || act == AE_ACT_LEAKY_RELU) && curv > 1e-3) continue;
        checked++;
        double err = fabs(num - groups[gi].g[k]) / (1e-3 + fabs(num));
        if (err > worst) worst = err;
        norm += fabs(groups[gi].g[k]);
      }
      if (worst > 2e-2 || norm == 0.0 || checked < groups[gi].n / 2) {
        fprintf(stderr, "finite differences: dense %s d%s: worst rel err %.3g, |grad| %.3g, %d checked\n",
                acts[a].name, groups[gi].name, worst, norm, checked);
        check_failures++;
      }
    }
  }
}

static void test_losses(void) {
  fx_file *f = fx_load("losses.fx");
  enum { C = 60 };
  float g[C];
  double s = ae_bce_logits(g, fx_get(f, "bce.z", NULL), fx_get(f, "bce.t", NULL), 1.0f / C, C);
  CHECK_NEAR(s / C, fx_get(f, "bce.loss", NULL)[0], 1e-6);
  check_failures += fx_check_close("bce dz", g, fx_get(f, "bce.dz", NULL), C, 1e-7, 1e-5);
  s = ae_mse(g, fx_get(f, "mse.y", NULL), fx_get(f, "mse.t", NULL), 1.0f / C, C);
  CHECK_NEAR(s / C, fx_get(f, "mse.loss", NULL)[0], 1e-6);
  check_failures += fx_check_close("mse dy", g, fx_get(f, "mse.dy", NULL), C, 1e-7, 1e-5);

  /* saturated logits stay finite */
  float z[4] = {-200.0f, 200.0f, -80.0f, 90.0f}, t[4] = {1, 0, 0.5f, 0.5f}, dz[4];
  s = ae_bce_logits(dz, z, t, 0.25f, 4);
  CHECK(isfinite(s) && s > 100.0);
  for (int k = 0; k < 4; k++) CHECK(isfinite(dz[k]));

  /* finite differences of both losses, in double around float inputs */
  ae_rng rng;
  ae_rng_seed(&rng, 3);
  float y[8], tt[8], gy[8];
  for (int k = 0; k < 8; k++) y[k] = (float)ae_rng_normal(&rng) * 2, tt[k] = ae_rng_uniform(&rng);
  for (int which = 0; which < 2; which++) {
    if (which == 0) ae_bce_logits(gy, y, tt, 1.0f, 8);
    else ae_mse(gy, y, tt, 1.0f, 8);
    double norm = 0;
    for (int k = 0; k < 8; k++) {
      float keep = y[k], h = 1e-2f;
      y[k] = keep + h;
      double up = which ? ae_mse(NULL, y, tt, 1, 8) : ae_bce_logits(NULL, y, tt, 1, 8);
      y[k] = keep - h;
      double dn = which ? ae_mse(NULL, y, tt, 1, 8) : ae_bce_logits(NULL, y, tt, 1, 8);
      y[k] = keep;
      double num = (up - dn) / (2 * h);
      CHECK_NEAR(gy[k], num, 1e-3 + 1e-2 * fabs(num));
      norm += fabs(gy[k]);
    }
    CHECK(norm > 0);
  }
  fx_free(f);
}

static void test_optimizers(void) {
  fx_file *f = fx_load("optim.fx");
  enum { P = 20 };
  const char *cases[] = {"adam", "adamw", "sgd", "sgdm", "nesterov", "sgd_wd"};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const char *p = cases[c];
    float params[P], m[P] = {0}, v[P] = {0};
    memcpy(params, fx_get(f, "p0", NULL), sizeof params);
    float lr = get(f, p, "lr")[0], mom = get(f, p, "momentum")[0];
    float wd = get(f, p, "weight_decay")[0];
    int nesterov = get(f, p, "nesterov")[0] != 0.0f, adam = !strncmp(p, "adam", 4);
    for (int step = 1; step <= 3; step++) {
      char gname[8], pname[32];
      snprintf(gname, sizeof gname, "g%d", step);
      const float *g = fx_get(f, gname, NULL);
      if (adam)
        ae_adam_step(params, m, v, g, lr, get(f, p, "beta1")[0], get(f, p, "beta2")[0],
                     get(f, p, "eps")[0], wd, step, P);
      else
        ae_sgd_step(params, m, g, lr, mom, nesterov, wd, step == 1, P);
      snprintf(pname, sizeof pname, "%s.p%d", p, step);
      check_failures += fx_check_close(pname, params, fx_get(f, pname, NULL), P, 1e-7, 1e-5);
    }
  }
  fx_free(f);
}

/* C (m, n) = alpha op(A) op(B) + beta C in double, and the bound of its
 * rounding: sum |alpha a b| + |beta c| per element. */
static void gemm_reference(double *ref, double *mag, int ta, int tb, int m, int n, int k,
                           float alpha, const float *a, int lda, const float *b, int ldb,
                           float beta, const float *c, int ldc) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double s = 0.0, g = 0.0;
      for (int p = 0; p < k; p++) {
        double x = ta ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
        double y = tb ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
        s += x * y, g += fabs(x * y);
      }
      double c0 = beta != 0.0f ? c[(size_t)i * ldc + j] : 0.0;
      ref[(size_t)i * n + j] = alpha * s + beta * c0;
      mag[(size_t)i * n + j] = fabs(alpha) * g + fabs(beta * c0);
    }
}

/* ae_gemm, with its own kernel (where the CPU has one) and with CBLAS, on
 * shapes that hit every edge of its blocking (8 x 32 tiles, 64 x 256 x 256
 * blocks), all four transposes, leading dimensions wider than the matrix,
 * alpha and beta; beta = 0 must ignore NaN already in C, and the same call
 * must give the same bits twice. */
static void test_gemm(void) {
  static const int shapes[][3] = {{1, 1, 1},    {7, 33, 9},    {8, 32, 256},  {9, 31, 257},
                                  {64, 256, 8}, {65, 257, 300}, {3, 700, 5},  {130, 17, 520},
                                  {32, 9, 3136}, {64, 288, 784}, {5, 48, 20},  {9, 16, 33},
                                  {4, 40, 0}};
  static const float ab[][2] = {{1.0f, 0.0f}, {0.5f, 1.0f}, {-2.0f, -0.5f}, {0.0f, 0.5f}};
  size_t np = ae_gemm_pack_floats();
  float *pack = malloc(np * sizeof(float));
  ae_rng rng;
  ae_rng_seed(&rng, 11);
  printf("gemm: %s kernel\n", ae_gemm_native() ? "own AVX-512" : "CBLAS");
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (int t = 0; t < 4; t++) {
      int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ta = t & 1, tb = t >> 1;
      int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
      size_t na = (size_t)(ta ? k : m) * lda, nb = (size_t)(tb ? n : k) * ldb, nc = (size_t)m * ldc;
      float *a = malloc(na * sizeof(float)), *b = malloc(nb * sizeof(float));
      float *c0 = malloc(nc * sizeof(float)), *c = malloc(nc * sizeof(float));
      float *c2 = malloc(nc * sizeof(float));
      double *ref = malloc((size_t)m * n * sizeof(double)), *mag = malloc((size_t)m * n * sizeof(double));
      for (size_t q = 0; q < na; q++) a[q] = (float)ae_rng_normal(&rng);
      for (size_t q = 0; q < nb; q++) b[q] = (float)ae_rng_normal(&rng);
      for (size_t q = 0; q < nc; q++) c0[q] = (float)ae_rng_normal(&rng);
      const float *ab_ = ab[(s + (size_t)t) % 4];
      float alpha = ab_[0], beta = ab_[1];
      gemm_reference(ref, mag, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, ldc);
      for (int path = 0; path < 2; path++) {
        memcpy(c, c0, nc * sizeof(float));
        if (beta == 0.0f)
          for (int i = 0; i < m; i++) c[(size_t)i * ldc] = NAN; /* must not leak through */
        ae_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, path ? NULL : pack);
        int bad = 0;
        double worst = 0.0;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double r = ref[(size_t)i * n + j], e = fabs(c[(size_t)i * ldc + j] - r);
            double tol = 1e-6 * (mag[(size_t)i * n + j] + 1.0) * (1.0 + sqrt((double)k));
            worst = e / tol > worst ? e / tol : worst;
            bad += !(e <= tol);
          }
          for (int j = n; j < ldc; j++) /* the padding of C's rows is untouched */
            bad += c[(size_t)i * ldc + j] != c0[(size_t)i * ldc + j];
        }
        if (bad)
          fprintf(stderr, "gemm %s m=%d n=%d k=%d ta=%d tb=%d: %d bad (worst %.3g of tol)\n",
                  path ? "cblas" : "pack", m, n, k, ta, tb, bad, worst);
        check_failures += bad > 0;
      }
      memcpy(c, c0, nc * sizeof(float));
      memcpy(c2, c0, nc * sizeof(float));
      ae_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pack);
      ae_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc, pack);
      CHECK(memcmp(c, c2, nc * sizeof(float)) == 0);
      free(a), free(b), free(c0), free(c), free(c2), free(ref), free(mag);
    }
  free(pack);
}

/* The fast exp and log1p against libm over their ranges, and what they do
 * with NaN and infinities: no undefined behaviour (a NaN once reached an int
 * conversion and a negative shift; UBSan in make sanitize), NaN propagates
 * through the losses, a saturated logit stays finite. */
static void test_fastmath(void) {
  double worst = 0.0;
  for (int k = 0; k <= 80000; k++) { /* [-80, 0]; near -87 results are near denormal */
    float x = -0.001f * (float)k, e = expf(x);
    double rel = fabs((double)ae_fast_exp_neg(x) - e) / e;
    if (rel > worst) worst = rel;
  }
  CHECK(worst < 2e-7);
  worst = 0.0;
  for (int k = 0; k <= 10000; k++) {
    float e = 0.0001f * (float)k, l = log1pf(e);
    double err = fabs((double)ae_fast_log1p_unit(e) - l) / (l > 0.0f ? l : 1.0f);
    if (err > worst) worst = err;
  }
  CHECK(worst < 3e-7);
  CHECK(isnan(ae_fast_exp_neg(NAN)) && isnan(ae_fast_sigmoid(NAN)));
  float tiny = ae_fast_exp_neg(-INFINITY);
  CHECK(tiny >= 0.0f && tiny < 1e-37f);
  CHECK(ae_fast_exp_neg(1.0f) == 1.0f); /* above the range: taken as 0 */
  CHECK(ae_fast_sigmoid(INFINITY) == 1.0f && ae_fast_sigmoid(-INFINITY) < 1e-37f);
  float z[3] = {0.5f, NAN, 1e30f}, t[3] = {1.0f, 0.0f, 1.0f}, g[3];
  CHECK(isnan(ae_bce_logits(g, z, t, 1.0f, 3)) && isnan(g[1]));
  CHECK(isfinite(ae_bce_logits(g, z + 2, t + 2, 1.0f, 1)) && g[0] == 0.0f);
}

int main(void) {
  test_fastmath();
  test_dense_fixtures();
  test_dense_finite_differences();
  test_losses();
  test_optimizers();
  test_gemm();
  CHECK_DONE();
}
