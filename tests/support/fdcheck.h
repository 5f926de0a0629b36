/* SPDX-License-Identifier: MIT */
/* fdcheck.h — gradients against central finite differences (test code). */
#ifndef AE_FDCHECK_H
#define AE_FDCHECK_H

#include <stddef.h>

typedef double (*objective_fn)(void *ctx);

/* Central differences of objective(ctx) in each of v[0..count) (step h)
 * against the analytic gradient g: each element must agree within
 * 2% of the numeric value + 0.1% of the largest numeric value. Fails
 * (returns 1) on a mismatch, on an all-zero g and on an objective that does
 * not depend on v. Prints the worst element unless quiet. */
int fd_check(const char *what, objective_fn obj, void *ctx, float *v, const float *g,
             size_t count, float h, int quiet);

#endif
