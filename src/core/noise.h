/* SPDX-License-Identifier: MIT */
/* noise.h — corruption models for denoising autoencoders (the "noise" plug
 * point of the pipeline): they corrupt the input, never the target, and draw
 * afresh from the caller's seeded generator on every call, so the same seed
 * and the same sequence of calls give the same bits (AVX2 or baseline clone,
 * gcc or clang, -O0..-O3; gcc with -std=gnu11 -march=native may fuse
 * multiply-adds and differ, the project builds with -std=c11).
 *
 * Text forms (what ae_noise_parse accepts and ae_noise_format writes):
 *   none                 leave the input as it is
 *   gaussian:MEAN,STD    add N(MEAN, STD^2), then clip to the data range
 *   masking:P            set each value to the range's low end with prob. P
 *   salt-pepper:P        with probability P replace a value by the low or
 *                        the high end of the range, either with chance 1/2
 * STD >= 0 and MEAN finite; 0 <= P <= 1. */
#ifndef AE_NOISE_H
#define AE_NOISE_H

#include <stddef.h>

#include "aekit.h"
#include "rng.h"

typedef enum ae_noise_kind {
  AE_NOISE_NONE = 0,
  AE_NOISE_GAUSSIAN,
  AE_NOISE_MASKING,
  AE_NOISE_SALT_PEPPER,
  AE_NOISE_GREY /* RGB images to their luminance in all three channels */
} ae_noise_kind;

/* gaussian: a = mean, b = std; masking and salt-pepper: a = P (b unused). */
typedef struct ae_noise {
  ae_noise_kind kind;
  float a, b;
} ae_noise;

/* Parse a text form (see above) into *out, which is written only on
 * success. AE_ERR_ARG with a message quoting the text, saying what is wrong
 * and what is accepted. */
ae_status ae_noise_parse(ae_noise *out, const char *text);

/* Write the canonical text ("gaussian:0.5,0.5", numbers in the shortest form
 * that reads back to the same float) for model metadata. Like snprintf:
 * returns the length of the full text, writes at most len-1 chars plus NUL,
 * buf may be NULL when len is 0. */
int ae_noise_format(const ae_noise *nz, char *buf, size_t len);

/* Corrupt x[0..count) in place for data scaled to [lo, hi] (normally [0, 1]).
 * gaussian: x + mean + std * z, z standard normal, clipped to [lo, hi];
 * masking: each value set to lo with probability P;
 * salt-pepper: each value with probability P set to lo or hi (1/2 each).
 * nz == NULL or AE_NOISE_NONE leaves x untouched and draws nothing.
 * Allocates nothing; draws ceil(count/2) 64-bit words from rng (gaussian:
 * one word per pair of values; masking, salt-pepper: 32 bits per value). */
void ae_noise_apply(const ae_noise *nz, float *x, size_t count, float lo,
                    float hi, ae_rng *rng);

/* ae_noise_apply over n samples of `channels` planes of `plane` values each
 * (an image's (C, H, W)): the same for the kinds above; grey sets each
 * pixel of a 3-channel sample to its luminance, 0.2126 R + 0.7152 G +
 * 0.0722 B (Rec. 709, libpng's and scikit-image's weights), in all three
 * channels, and draws nothing (channels must be 3: ae_noise_check). */
void ae_noise_apply_samples(const ae_noise *nz, float *x, size_t n, int channels, size_t plane,
                            float lo, float hi, ae_rng *rng);

/* AE_OK if the noise model applies to samples of `channels` channels;
 * AE_ERR_ARG naming what it needs otherwise (grey: RGB images). */
ae_status ae_noise_check(const ae_noise *nz, int channels);

/* Fill out[0..n) with standard normals, two per 64-bit draw (Box-Muller with
 * float polynomials for log, sin and cos; |z| <= 6.7). The stream is the same
 * however it is cut: fill(a) then fill(b) equals fill(a + b) when a is even.
 * Lives in rng_fill.c. */
void ae_rng_normal_fill(ae_rng *r, float *out, size_t n);

#endif
