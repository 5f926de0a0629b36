/* SPDX-License-Identifier: MIT */
/* test_noise.c — corruption models: parsing, formatting, determinism and
 * statistics over N = 2^20 values.
 *
 * Statistical bounds are 5 standard errors (SE) of each estimate: a correct
 * implementation fails one with probability < 1e-6 (and the seeds are fixed,
 * so every run gives the same result). They stay meaningful: mean and std of
 * the noise to 0.5% and 0.35% of its std, fractions near 0.2-0.5 to ~1%,
 * so a wrong sign, scale, quadrant or probability is far outside them. SEs:
 * a fraction p over m trials sqrt(p(1-p)/m); a mean of N(mu, s^2) s/sqrt(N);
 * a sample std s/sqrt(2N); the mean of z^4 sqrt((105 - 9)/N). */
#include "check.h"
#include "error.h"
#include "noise.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N (1u << 20)

/* 5 standard errors of a fraction p estimated from m trials. */
static double frac_tol(double p, double m) { return 5.0 * sqrt(p * (1.0 - p) / m); }

/* Parse text, which must format back as canon, and the canonical text must
 * parse to the same struct. */
static void round_trip(const char *text, const char *canon) {
  ae_noise nz, again;
  char buf[64];
  CHECK_OK(ae_noise_parse(&nz, text));
  int n = ae_noise_format(&nz, buf, sizeof buf);
  if (strcmp(buf, canon) || n != (int)strlen(canon)) {
    fprintf(stderr, "format(parse(\"%s\")) = \"%s\" (%d), want \"%s\"\n", text, buf, n, canon);
    check_failures++;
  }
  CHECK_OK(ae_noise_parse(&again, buf));
  CHECK(again.kind == nz.kind && again.a == nz.a && again.b == nz.b);
}

/* A text that must be refused with a message quoting it and listing the
 * accepted forms; *out stays untouched. */
static void refused(const char *text, const char *why) {
  ae_noise nz = {AE_NOISE_MASKING, 0.125f, 7.0f};
  char quoted[128];
  snprintf(quoted, sizeof quoted, "\"%s\"", text);
  CHECK_FAILS(ae_noise_parse(&nz, text), AE_ERR_ARG, quoted);
  if (!strstr(ae_last_error(), why) || !strstr(ae_last_error(), "accepted:")) {
    fprintf(stderr, "parse(\"%s\"): message \"%s\" lacks \"%s\" or the accepted forms\n", text,
            ae_last_error(), why);
    check_failures++;
  }
  CHECK(nz.kind == AE_NOISE_MASKING && nz.a == 0.125f && nz.b == 7.0f);
}

/* Parsing and formatting of every kind, good and bad. */
static void test_text(void) {
  round_trip("none", "none");
  round_trip("gaussian:0.5,0.5", "gaussian:0.5,0.5");
  round_trip("gaussian:-0.1,5e-2", "gaussian:-0.1,0.05");
  round_trip("gaussian:0,0", "gaussian:0,0");
  round_trip("masking:0.3", "masking:0.3");
  round_trip("masking:1", "masking:1");
  round_trip("salt-pepper:0.20", "salt-pepper:0.2");
  round_trip("salt-pepper:0", "salt-pepper:0");
  ae_noise nz = {AE_NOISE_GAUSSIAN, 0.1f, 0.333333343f};
  char buf[8];
  CHECK(ae_noise_format(&nz, NULL, 0) == 23); /* "gaussian:0.1,0.33333334" */
  CHECK(ae_noise_format(&nz, buf, sizeof buf) == 23 && !strcmp(buf, "gaussia"));
  refused("gauss:0,1", "unknown kind");
  refused("", "unknown kind");
  refused("Gaussian:0,1", "unknown kind");
  refused("gaussian:0.5", "MEAN,STD");
  refused("gaussian", "MEAN,STD");
  refused("gaussian:0.5,-1", "negative");
  refused("gaussian:0.5,0.1,", "MEAN,STD");
  refused("gaussian:0.5, 0.1", "MEAN,STD");
  refused("gaussian:nan,0.1", "finite");
  refused("gaussian:0,inf", "finite");
  refused("gaussian:0,1e39", "finite"); /* beyond float */
  refused("masking:1.5", "outside [0, 1]");
  refused("masking:abc", "one finite number");
  refused("masking:0.3x", "one finite number");
  refused("masking:NaN", "one finite number");
  refused("masking:", "one finite number");
  refused("masking", "needs a probability");
  refused("salt-pepper:-0.1", "outside [0, 1]");
  refused("salt-pepper:0.2 ", "one finite number");
  refused("none:0", "no parameters");
  CHECK_FAILS(ae_noise_parse(&nz, NULL), AE_ERR_ARG, "accepted:");
}

/* Same seed, same bits; another seed, other bits; none touches nothing; a
 * call cut in two (at an even length) equals one call; ceil(count/2) draws. */
static void test_determinism(float *x, float *y) {
  const char *kinds[] = {"gaussian:0,0.2", "masking:0.5", "salt-pepper:0.5"};
  for (int k = 0; k < 3; k++) {
    ae_noise nz;
    ae_rng r1, r2, r3;
    CHECK_OK(ae_noise_parse(&nz, kinds[k]));
    for (size_t i = 0; i < 1001; i++) x[i] = y[i] = 0.25f + 0.5f * (float)(i % 7) / 7.0f;
    ae_rng_seed(&r1, 7);
    ae_rng_seed(&r2, 7);
    ae_noise_apply(&nz, x, 1001, 0.0f, 1.0f, &r1);
    ae_noise_apply(&nz, y, 200, 0.0f, 1.0f, &r2);
    ae_noise_apply(&nz, y + 200, 801, 0.0f, 1.0f, &r2);
    CHECK(!memcmp(x, y, 1001 * sizeof *x));
    ae_rng_seed(&r3, 7);
    for (int i = 0; i < 501; i++) ae_rng_next(&r3);
    CHECK(!memcmp(&r1, &r3, sizeof r1) && !memcmp(&r2, &r3, sizeof r2));
    for (size_t i = 0; i < 1001; i++) y[i] = 0.25f + 0.5f * (float)(i % 7) / 7.0f;
    ae_rng_seed(&r2, 8);
    ae_noise_apply(&nz, y, 1001, 0.0f, 1.0f, &r2);
    size_t differ = 0;
    for (size_t i = 0; i < 1001; i++) differ += x[i] != y[i];
    CHECK(differ > 300); /* ~1000 (gaussian), ~500 (masking, salt-pepper) */
  }
  /* none: bit-identical data, including odd bit patterns, and no draws */
  ae_noise none;
  ae_rng r, r0;
  CHECK_OK(ae_noise_parse(&none, "none"));
  for (size_t i = 0; i < 1000; i++) x[i] = y[i] = (float)i * 1e-3f - 0.5f;
  x[3] = y[3] = -0.0f;
  x[4] = y[4] = NAN;
  ae_rng_seed(&r, 3);
  r0 = r;
  ae_noise_apply(&none, x, 1000, 0.0f, 1.0f, &r);
  ae_noise_apply(NULL, x, 1000, 0.0f, 1.0f, &r);
  CHECK(!memcmp(x, y, 1000 * sizeof *x) && !memcmp(&r, &r0, sizeof r));
  /* an odd count writes exactly count values */
  ae_noise g = {AE_NOISE_GAUSSIAN, 0.0f, 1.0f};
  x[3] = 0.5f;
  ae_noise_apply(&g, x, 3, -10.0f, 10.0f, &r);
  CHECK(x[3] == 0.5f && x[0] != y[0]);
  /* the normal stream does not depend on how it is cut */
  ae_rng_seed(&r, 11);
  ae_rng_normal_fill(&r, x, 6);
  ae_rng_normal_fill(&r, x + 6, 300);
  ae_rng_seed(&r, 11);
  ae_rng_normal_fill(&r, y, 306);
  CHECK(!memcmp(x, y, 306 * sizeof *x));
}

/* Moments and tails of ae_rng_normal_fill, each half of the pairs apart. */
static void test_normal_fill(float *z) {
  ae_rng r;
  double s[2] = {0, 0}, s2[2] = {0, 0}, s4 = 0, cross = 0, t1 = 0, t2 = 0, t3 = 0;
  float zmax = 0.0f;
  ae_rng_seed(&r, 2024);
  ae_rng_normal_fill(&r, z, N);
  for (size_t i = 0; i < N; i++) {
    double v = z[i], a = fabs(v);
    s[i & 1] += v, s2[i & 1] += v * v, s4 += v * v * v * v;
    if (i & 1) cross += v * z[i - 1];
    t1 += a > 1.0, t2 += a > 2.0, t3 += a > 3.0;
    zmax = fabsf(z[i]) > zmax ? fabsf(z[i]) : zmax;
  }
  double h = N / 2.0, tol_mean = 5.0 / sqrt(h), tol_var = 5.0 * sqrt(2.0 / h);
  for (int k = 0; k < 2; k++) { /* cos half and sin half */
    CHECK_NEAR(s[k] / h, 0.0, tol_mean);
    CHECK_NEAR(s2[k] / h, 1.0, tol_var);
  }
  CHECK_NEAR(cross / h, 0.0, tol_mean);        /* the two of a pair: uncorrelated */
  CHECK_NEAR(s4 / N, 3.0, 5.0 * sqrt(96.0 / N)); /* E z^4 = 3, Var z^4 = 96 */
  CHECK_NEAR(t1 / N, 0.31731050786, frac_tol(0.3173, N));
  CHECK_NEAR(t2 / N, 0.04550026390, frac_tol(0.0455, N));
  CHECK_NEAR(t3 / N, 0.00269979606, frac_tol(0.0027, N));
  CHECK(zmax > 4.0f && zmax < 6.7f); /* E max ~ 4.9 over 2^20; the cap is 6.66 */
}

/* Gaussian: mean and std without clipping; clipping fractions with it. */
static void test_gaussian(float *x) {
  ae_noise nz = {AE_NOISE_GAUSSIAN, 0.0f, 0.05f};
  ae_rng r;
  ae_rng_seed(&r, 1);
  for (size_t i = 0; i < N; i++) x[i] = 0.25f;
  /* |noise| <= 6.66 * 0.05 = 0.33, so [-1, 2] never clips */
  ae_noise_apply(&nz, x, N, -1.0f, 2.0f, &r);
  double s = 0, s2 = 0;
  for (size_t i = 0; i < N; i++) s += x[i];
  double mean = s / N;
  for (size_t i = 0; i < N; i++) s2 += (x[i] - mean) * (x[i] - mean);
  CHECK_NEAR(mean, 0.25, 5.0 * 0.05 / sqrt(N));             /* 2.4e-4 */
  CHECK_NEAR(sqrt(s2 / (N - 1)), 0.05, 5.0 * 0.05 / sqrt(2.0 * N)); /* 1.7e-4 */

  /* N(0.5, 0.5) on x in {0, 1/4, 1/2, 3/4, 1}: P(clip at 1) = Phi(2x - 1),
   * P(clip at 0) = Phi(-1 - 2x) */
  nz.a = 0.5f, nz.b = 0.5f;
  double p_hi = 0, p_lo = 0;
  for (int k = 0; k < 5; k++) {
    double v = k / 4.0;
    p_hi += 0.5 * erfc((1.0 - 2.0 * v) / sqrt(2.0)) / 5.0;
    p_lo += 0.5 * erfc((1.0 + 2.0 * v) / sqrt(2.0)) / 5.0;
  }
  for (size_t i = 0; i < N; i++) x[i] = (float)(i % 5) / 4.0f;
  ae_noise_apply(&nz, x, N, 0.0f, 1.0f, &r);
  size_t at_hi = 0, at_lo = 0, outside = 0;
  for (size_t i = 0; i < N; i++) {
    at_hi += x[i] == 1.0f, at_lo += x[i] == 0.0f;
    outside += !(x[i] >= 0.0f && x[i] <= 1.0f);
  }
  CHECK(outside == 0);
  CHECK_NEAR((double)at_hi / N, p_hi, frac_tol(p_hi, N)); /* p_hi = 0.5, tol 2.4e-3 */
  CHECK_NEAR((double)at_lo / N, p_lo, frac_tol(p_lo, N)); /* p_lo = 0.0512, tol 1.1e-3 */
  /* another range, a wide noise: still every value inside */
  nz.a = 0.0f, nz.b = 3.0f;
  ae_noise_apply(&nz, x, N, -1.0f, 0.5f, &r);
  outside = 0;
  for (size_t i = 0; i < N; i++) outside += !(x[i] >= -1.0f && x[i] <= 0.5f);
  CHECK(outside == 0);
}

/* Masking P = 0.3 and salt-pepper P = 0.2: fractions, balance, the rest
 * untouched; P = 0 and P = 1 exact. */
static void test_masking_salt_pepper(float *x) {
  ae_noise nz;
  ae_rng r;
  ae_rng_seed(&r, 5);
  CHECK_OK(ae_noise_parse(&nz, "masking:0.3"));
  for (size_t i = 0; i < N; i++) x[i] = 0.1f + 0.8f * (float)(i % 9) / 8.0f;
  ae_noise_apply(&nz, x, N, 0.0f, 1.0f, &r);
  size_t zeros = 0, kept = 0;
  for (size_t i = 0; i < N; i++) {
    zeros += x[i] == 0.0f;
    kept += x[i] == 0.1f + 0.8f * (float)(i % 9) / 8.0f;
  }
  CHECK(zeros + kept == N);
  CHECK_NEAR((double)zeros / N, 0.3, frac_tol(0.3, N)); /* tol 2.3e-3 */

  CHECK_OK(ae_noise_parse(&nz, "salt-pepper:0.2"));
  for (size_t i = 0; i < N; i++) x[i] = 0.1f + 0.8f * (float)(i % 9) / 8.0f;
  ae_noise_apply(&nz, x, N, -1.0f, 2.0f, &r);
  size_t salt = 0, pepper = 0;
  kept = 0;
  for (size_t i = 0; i < N; i++) {
    salt += x[i] == 2.0f, pepper += x[i] == -1.0f;
    kept += x[i] == 0.1f + 0.8f * (float)(i % 9) / 8.0f;
  }
  double changed = (double)(salt + pepper);
  CHECK(salt + pepper + kept == N);
  CHECK_NEAR(changed / N, 0.2, frac_tol(0.2, N));            /* tol 2.0e-3 */
  CHECK_NEAR(salt / changed, 0.5, frac_tol(0.5, changed));   /* tol 5.5e-3 */

  /* P = 1 masks everything, P = 0 nothing */
  nz.kind = AE_NOISE_MASKING, nz.a = 1.0f;
  for (size_t i = 0; i < 4096; i++) x[i] = 0.5f;
  ae_noise_apply(&nz, x, 4096, 0.0f, 1.0f, &r);
  zeros = 0;
  for (size_t i = 0; i < 4096; i++) zeros += x[i] == 0.0f;
  CHECK(zeros == 4096);
  nz.kind = AE_NOISE_SALT_PEPPER, nz.a = 0.0f;
  for (size_t i = 0; i < 4096; i++) x[i] = 0.5f;
  ae_noise_apply(&nz, x, 4096, 0.0f, 1.0f, &r);
  kept = 0;
  for (size_t i = 0; i < 4096; i++) kept += x[i] == 0.5f;
  CHECK(kept == 4096);
}

/* grey: text round trip, each pixel of an RGB sample its Rec. 709
 * luminance in all three planes, nothing drawn; refused off RGB. */
static void test_grey(void) {
  ae_noise nz;
  char buf[32];
  CHECK_OK(ae_noise_parse(&nz, "grey"));
  CHECK(nz.kind == AE_NOISE_GREY);
  CHECK(ae_noise_format(&nz, buf, sizeof buf) == 4 && !strcmp(buf, "grey"));
  CHECK_OK(ae_noise_parse(&nz, "gray"));
  CHECK(ae_noise_parse(&nz, "grey:0.5") == AE_ERR_ARG);
  float x[2 * 3 * 2] = {/* sample 0: R (2 px), G, B */ 1, 0, 0, 1, 0, 0.5f,
                        /* sample 1 */ 0.2f, 0.4f, 0.6f, 0.8f, 1, 0};
  float want[2][2];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      want[i][j] = 0.2126f * x[i * 6 + j] + 0.7152f * x[i * 6 + 2 + j] + 0.0722f * x[i * 6 + 4 + j];
  ae_rng r, r0;
  ae_rng_seed(&r, 5);
  r0 = r;
  CHECK_OK(ae_noise_parse(&nz, "grey"));
  ae_noise_apply_samples(&nz, x, 2, 3, 2, 0.0f, 1.0f, &r);
  int bad = 0;
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 3; k++)
      for (int j = 0; j < 2; j++) bad += x[i * 6 + k * 2 + j] != want[i][j];
  CHECK(bad == 0);
  CHECK(fabsf(want[0][0] - 0.2126f) < 1e-7f && fabsf(want[0][1] - (0.7152f + 0.0361f)) < 1e-6f);
  CHECK(ae_rng_next(&r) == ae_rng_next(&r0)); /* drew nothing */
  CHECK(ae_noise_check(&nz, 1) == AE_ERR_ARG && strstr(ae_last_error(), "1 channel"));
  CHECK_OK(ae_noise_check(&nz, 3));
  float g[4] = {0.1f, 0.2f, 0.3f, 0.4f};
  CHECK(ae_noise_corrupt(g, 4, "grey", 1) == AE_ERR_ARG);
  CHECK(ae_noise_corrupt_images(g, 1, 1, 2, 2, "grey", 1) == AE_ERR_ARG && g[0] == 0.1f);
  /* the other kinds are the same through the per-sample call */
  float a[12], b[12];
  for (int i = 0; i < 12; i++) a[i] = b[i] = (float)i / 12;
  CHECK_OK(ae_noise_parse(&nz, "gaussian:0,0.1"));
  ae_rng_seed(&r, 9);
  ae_rng_seed(&r0, 9);
  ae_noise_apply(&nz, a, 12, 0.0f, 1.0f, &r);
  ae_noise_apply_samples(&nz, b, 2, 3, 2, 0.0f, 1.0f, &r0);
  CHECK(!memcmp(a, b, sizeof a));
}

int main(void) {
  float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
  if (!x || !y) return 1;
  test_text();
  test_determinism(x, y);
  test_normal_fill(x);
  test_gaussian(x);
  test_masking_salt_pepper(x);
  test_grey();
  free(x);
  free(y);
  CHECK_DONE();
}
