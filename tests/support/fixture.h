/* SPDX-License-Identifier: MIT */
/* fixture.h — read the PyTorch reference fixtures (the .fx files in
 * tests/fixtures) and compare float arrays against them. Test code: on any
 * problem these functions print a message to stderr and exit(1).
 *
 * Fixture file format (.fx), little-endian, written by
 * tests/ref/make_fixtures.py (which lists every tensor of every file):
 *
 *     char     magic[4] = "AEFX"
 *     uint32   version  = 1
 *     uint32   count                 number of tensors
 *     count times:
 *         uint32   name_len
 *         char     name[name_len]     no NUL terminator
 *         uint32   ndim
 *         uint32   dims[ndim]
 *         float32  data[prod(dims)]   row-major
 *
 * Example:
 *     fx_file *f = fx_load("dense.fx");
 *     size_t n;
 *     const float *ref = fx_get(f, "relu.y", &n);
 *     failures += fx_check_close("relu.y", y, ref, n, 1e-6, 1e-5);
 *     fx_free(f);
 */
#ifndef AE_FIXTURE_H
#define AE_FIXTURE_H

#include <stddef.h>

typedef struct fx_file fx_file;

/* Load a fixture; `name` is relative to the fixture directory: the
 * environment variable AE_FIXTURE_DIR if set, else the macro AE_FIXTURE_DIR
 * (the build defines it), else "tests/fixtures". Validates the whole file. */
fx_file *fx_load(const char *name);

/* The data of tensor `name` (valid until fx_free); its element count goes to
 * *count unless count is NULL. Exits if there is no such tensor. */
const float *fx_get(const fx_file *f, const char *name, size_t *count);

/* 1 if the fixture holds tensor `name`, else 0. */
int fx_has(const fx_file *f, const char *name);

/* Tensor PREFIX.NAME (the cases of a fixture are prefixes), as fx_get. */
const float *fx_get_in(const fx_file *f, const char *prefix, const char *name, size_t *count);

/* The case's integer settings, stored as floats in PREFIX.cfg, into cfg;
 * exits unless there are exactly `want` of them. */
void fx_cfg(const fx_file *f, const char *prefix, int *cfg, size_t want);

/* Compare got (n floats) with PREFIX.NAME, which must hold n values, as
 * fx_check_close does; returns 1 on a mismatch (size included), else 0. */
int fx_check_in(const fx_file *f, const char *prefix, const char *name, const float *got,
                size_t n, double atol, double rtol);

/* Release a fixture; fx_free(NULL) does nothing. */
void fx_free(fx_file *f);

/* Compare n floats: passes when |got-ref| <= atol + rtol*|ref| everywhere and
 * nothing is NaN. On failure prints `what`, the worst element (index, got,
 * ref, abs diff) and the first 5 mismatches, and returns 1; else returns 0. */
int fx_check_close(const char *what, const float *got, const float *ref,
                   size_t n, double atol, double rtol);

#endif
