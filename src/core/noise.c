/* SPDX-License-Identifier: MIT */
/* noise.c — parse, format and apply the corruption models of noise.h. */
#include "noise.h"

#include "error.h"
#include "kernels.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __clang__ /* no fused multiply-add even with -march=native: same bits */
#pragma STDC FP_CONTRACT OFF
#endif

#define ACCEPTED \
  "accepted: none, gaussian:MEAN,STD (STD >= 0), masking:P, salt-pepper:P (0 <= P <= 1), " \
  "grey (RGB images to their luminance: colourisation)"

enum { BLOCK = 256 }; /* values per block: 1 KiB of random words or normals */

/* One finite float starting at s (no leading space); *end after it. */
static int parse_float(const char *s, const char **end, float *v) {
  char *e;
  if (!*s || isspace((unsigned char)*s)) return -1;
  double d = strtod(s, &e);
  if (e == s || !isfinite(d) || !isfinite((float)d)) return -1;
  *v = (float)d + 0.0f; /* -0 reads as 0 */
  *end = e;
  return 0;
}

/* Parse "P" (whole rest of text) as a probability in [0, 1]. */
static ae_status parse_prob(float *p, const char *s, const char *text,
                            const char *kind) {
  const char *end;
  if (parse_float(s, &end, p) || *end)
    return ae_set_error(AE_ERR_ARG, "noise \"%s\": %s needs one finite number P, as in %s:0.3; " ACCEPTED,
                        text, kind, kind);
  if (!(*p >= 0.0f && *p <= 1.0f))
    return ae_set_error(AE_ERR_ARG, "noise \"%s\": probability %g is outside [0, 1]; " ACCEPTED,
                        text, (double)*p);
  return AE_OK;
}

ae_status ae_noise_parse(ae_noise *out, const char *text) {
  ae_noise nz = {AE_NOISE_NONE, 0.0f, 0.0f};
  if (!out || !text) return ae_set_error(AE_ERR_ARG, "noise: no text given; " ACCEPTED);
  const char *colon = strchr(text, ':');
  size_t klen = colon ? (size_t)(colon - text) : strlen(text);
  const char *rest = colon ? colon + 1 : NULL;
  ae_status st = AE_OK;
  if (klen == 4 && !strncmp(text, "none", 4)) {
    if (rest)
      return ae_set_error(AE_ERR_ARG, "noise \"%s\": none takes no parameters; " ACCEPTED, text);
  } else if ((klen == 4 && !strncmp(text, "grey", 4)) || (klen == 4 && !strncmp(text, "gray", 4))) {
    if (rest)
      return ae_set_error(AE_ERR_ARG, "noise \"%s\": grey takes no parameters; " ACCEPTED, text);
    nz.kind = AE_NOISE_GREY;
  } else if (klen == 8 && !strncmp(text, "gaussian", 8)) {
    const char *end;
    nz.kind = AE_NOISE_GAUSSIAN;
    if (!rest || parse_float(rest, &end, &nz.a) || *end != ',' ||
        parse_float(end + 1, &end, &nz.b) || *end)
      return ae_set_error(AE_ERR_ARG,
                          "noise \"%s\": gaussian needs two finite numbers MEAN,STD, as in gaussian:0,0.1; " ACCEPTED,
                          text);
    if (!(nz.b >= 0.0f))
      return ae_set_error(AE_ERR_ARG, "noise \"%s\": STD %g is negative; " ACCEPTED, text,
                          (double)nz.b);
  } else if ((klen == 7 && !strncmp(text, "masking", 7)) ||
             (klen == 11 && !strncmp(text, "salt-pepper", 11))) {
    nz.kind = klen == 7 ? AE_NOISE_MASKING : AE_NOISE_SALT_PEPPER;
    if (!rest)
      return ae_set_error(AE_ERR_ARG, "noise \"%s\": %.*s needs a probability P, as in %.*s:0.3; " ACCEPTED,
                          text, (int)klen, text, (int)klen, text);
    char kind[12];
    memcpy(kind, text, klen);
    kind[klen] = 0;
    st = parse_prob(&nz.a, rest, text, kind);
  } else {
    return ae_set_error(AE_ERR_ARG, "noise \"%s\": unknown kind \"%.*s\"; " ACCEPTED, text,
                        (int)(klen > 64 ? 64 : klen), text);
  }
  if (st == AE_OK) *out = nz;
  return st;
}

/* The shortest %g form of v that reads back as the same float. */
static void shortest(char *buf, size_t len, float v) {
  for (int prec = 1; prec <= 9; prec++) {
    snprintf(buf, len, "%.*g", prec, (double)v);
    if (strtof(buf, NULL) == v) return;
  }
}

int ae_noise_format(const ae_noise *nz, char *buf, size_t len) {
  char a[32], b[32];
  if (!nz) return snprintf(buf, len, "none");
  shortest(a, sizeof a, nz->a);
  shortest(b, sizeof b, nz->b);
  switch (nz->kind) {
  case AE_NOISE_GAUSSIAN: return snprintf(buf, len, "gaussian:%s,%s", a, b);
  case AE_NOISE_MASKING: return snprintf(buf, len, "masking:%s", a);
  case AE_NOISE_SALT_PEPPER: return snprintf(buf, len, "salt-pepper:%s", a);
  case AE_NOISE_GREY: return snprintf(buf, len, "grey");
  case AE_NOISE_NONE: break;
  }
  return snprintf(buf, len, "none");
}

/* The kernels below work on exactly BLOCK values: the fixed trip count lets
 * gcc -O2 vectorise them; ae_noise_apply pads the last block. */

/* x = clip(x + mean + std * z, lo, hi). */
AE_VECTOR_CLONES
static void add_clip(float *x, const float *z, float mean, float std, float lo,
                     float hi) {
  for (size_t i = 0; i < BLOCK; i++) {
    float v = x[i] + (mean + std * z[i]);
    x[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

/* x = lo where (w >> 1) < thr. */
AE_VECTOR_CLONES
static void mask(float *x, const uint32_t *w, uint32_t thr, float lo) {
  for (size_t i = 0; i < BLOCK; i++) x[i] = (w[i] >> 1) < thr ? lo : x[i];
}

/* x = (w & 1 ? hi : lo) where (w >> 1) < thr. */
AE_VECTOR_CLONES
static void salt_pepper(float *x, const uint32_t *w, uint32_t thr, float lo,
                        float hi) {
  for (size_t i = 0; i < BLOCK; i++)
    x[i] = (w[i] >> 1) < thr ? ((w[i] & 1u) ? hi : lo) : x[i];
}

/* n (<= BLOCK) random 32-bit words, two per draw, high half first; the
 * rest of the block zero. */
static void fill_words(uint32_t *w, size_t n, ae_rng *rng) {
  size_t i = 0;
  for (; i < n; i += 2) {
    uint64_t r = ae_rng_next(rng);
    w[i] = (uint32_t)(r >> 32);
    w[i + 1] = (uint32_t)r; /* w has room for BLOCK, an even number */
  }
  memset(w + i, 0, (BLOCK - i) * sizeof *w);
}

void ae_noise_apply(const ae_noise *nz, float *x, size_t count, float lo,
                    float hi, ae_rng *rng) {
  if (!nz || nz->kind == AE_NOISE_NONE || nz->kind == AE_NOISE_GREY) return;
  /* probability as a 31-bit threshold: P = 1 gives 2^31, above every w >> 1 */
  double p = nz->a > 0.0f ? (nz->a < 1.0f ? nz->a : 1.0) : 0.0;
  uint32_t thr = (uint32_t)(p * 2147483648.0 + 0.5);
  float z[BLOCK], tail[BLOCK];
  uint32_t w[BLOCK];
  for (size_t done = 0; done < count; done += BLOCK) {
    size_t n = count - done < BLOCK ? count - done : BLOCK;
    float *xb = n == BLOCK ? x + done : tail; /* the last block: padded copy */
    if (n < BLOCK) {
      memcpy(tail, x + done, n * sizeof *tail);
      memset(tail + n, 0, (BLOCK - n) * sizeof *tail);
    }
    switch (nz->kind) {
    case AE_NOISE_GAUSSIAN:
      ae_rng_normal_fill(rng, z, n);
      memset(z + n, 0, (BLOCK - n) * sizeof *z);
      add_clip(xb, z, nz->a, nz->b, lo, hi);
      break;
    case AE_NOISE_MASKING:
      fill_words(w, n, rng);
      mask(xb, w, thr, lo);
      break;
    case AE_NOISE_SALT_PEPPER:
      fill_words(w, n, rng);
      salt_pepper(xb, w, thr, lo, hi);
      break;
    case AE_NOISE_NONE:
    case AE_NOISE_GREY: return;
    }
    if (n < BLOCK) memcpy(x + done, tail, n * sizeof *tail);
  }
}

ae_status ae_noise_check(const ae_noise *nz, int channels) {
  if (nz && nz->kind == AE_NOISE_GREY && channels != 3)
    return ae_set_error(AE_ERR_ARG, "noise grey turns RGB images into their luminance: these "
                        "samples have %d channel%s, not 3", channels, channels == 1 ? "" : "s");
  return AE_OK;
}

void ae_noise_apply_samples(const ae_noise *nz, float *x, size_t n, int channels, size_t plane,
                            float lo, float hi, ae_rng *rng) {
  if (!nz || nz->kind != AE_NOISE_GREY) {
    ae_noise_apply(nz, x, n * (size_t)channels * plane, lo, hi, rng);
    return;
  }
  if (channels != 3) return; /* ae_noise_check refuses it first */
  for (size_t i = 0; i < n; i++) {
    float *r = x + i * 3 * plane, *g = r + plane, *b = g + plane;
    for (size_t j = 0; j < plane; j++) {
      float y = 0.2126f * r[j] + 0.7152f * g[j] + 0.0722f * b[j];
      r[j] = g[j] = b[j] = y;
    }
  }
}
