/* SPDX-License-Identifier: MIT */
/* fdcheck.c — gradients against central finite differences (test code). */
#include "fdcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int fd_check(const char *what, objective_fn obj, void *ctx, float *v,
                    const float *g, size_t count, float h, int quiet) {
  double *num = malloc(sizeof(double) * count), maxnum = 0, maxg = 0, worst = 0;
  size_t worst_at = 0;
  for (size_t i = 0; i < count; i++) {
    float keep = v[i];
    v[i] = keep + h;
    double up = obj(ctx);
    v[i] = keep - h;
    double dn = obj(ctx);
    v[i] = keep;
    num[i] = (up - dn) / ((double)(keep + h) - (double)(keep - h));
    if (fabs(num[i]) > maxnum) maxnum = fabs(num[i]);
    if (fabs(g[i]) > maxg) maxg = fabs(g[i]);
  }
  for (size_t i = 0; i < count; i++) {
    double excess = fabs(num[i] - g[i]) / (2e-2 * fabs(num[i]) + 1e-3 * maxnum + 1e-30);
    if (excess > worst) worst = excess, worst_at = i;
  }
  int fail = worst > 1.0 || maxg == 0.0 || maxnum == 0.0;
  if (fail && !quiet)
    fprintf(stderr, "finite differences %s: worst [%zu] analytic %.6g numeric %.6g; "
            "max |grad| %.3g, max |numeric| %.3g\n", what, worst_at, (double)g[worst_at],
            num[worst_at], maxg, maxnum);
  free(num);
  return fail;
}
