/* SPDX-License-Identifier: MIT */
/* io_write.c — arrays out: NPY (float32, C order) or CSV. */
#include "error.h"
#include "fileio.h"

#include <math.h>
#include <string.h>

typedef struct {
  const float *x; /* (n, dim) */
  size_t n, dim;
} array_ctx;

static ae_status write_npy(FILE *f, void *ctx) {
  const array_ctx *a = ctx;
  char dict[128];
  int len = snprintf(dict, sizeof dict,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     a->n, a->dim);
  /* magic (6) + version (2) + header length (2) + dict + padding + '\n',
   * total a multiple of 64 */
  size_t total = 10 + (size_t)len + 1;
  size_t pad = (64 - total % 64) % 64;
  unsigned short hl = (unsigned short)(len + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  unsigned char hb[2] = {(unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
  fwrite(hb, 1, 2, f);
  fwrite(dict, 1, (size_t)len, f);
  for (size_t i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  fwrite(a->x, sizeof(float), a->n * a->dim, f); /* little-endian host */
  return AE_OK;
}

static ae_status write_csv(FILE *f, void *ctx) {
  const array_ctx *a = ctx;
  for (size_t i = 0; i < a->n; i++)
    for (size_t j = 0; j < a->dim; j++)
      fprintf(f, "%.9g%c", (double)a->x[i * a->dim + j], j + 1 < a->dim ? ',' : '\n');
  return AE_OK;
}

ae_status ae_array_save(const char *path, const float *x, size_t n, size_t dim) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_array_save: no file name");
  if (!x) return ae_set_error(AE_ERR_ARG, "%s: ae_array_save: values are NULL", path);
  if (n == 0 || dim == 0) return ae_set_error(AE_ERR_ARG, "%s: nothing to write", path);
  if (!ae_fits(n, dim, sizeof(float)))
    return ae_set_error(AE_ERR_ARG, "%s: %zu rows of %zu values cannot be in memory", path, n, dim);
  array_ctx a = {x, n, dim};
  size_t len = strlen(path);
  int npy = len >= 4 && !strcmp(path + len - 4, ".npy");
  return ae_write_atomic(path, npy ? write_npy : write_csv, &a);
}

typedef struct {
  const char *header;
  const double *x; /* (n, dim) */
  size_t n, dim;
} table_ctx;

static ae_status write_table(FILE *f, void *ctx) {
  const table_ctx *t = ctx;
  if (t->header) fprintf(f, "%s\n", t->header);
  for (size_t i = 0; i < t->n; i++)
    for (size_t j = 0; j < t->dim; j++) {
      double v = t->x[i * t->dim + j];
      char end = j + 1 < t->dim ? ',' : '\n';
      if (v == floor(v) && fabs(v) < 9007199254740992.0) fprintf(f, "%.0f%c", v, end); /* counts, flags */
      else fprintf(f, "%.9g%c", v, end);
    }
  return AE_OK;
}

ae_status ae_table_save(const char *path, const char *header, const double *x, size_t n,
                        size_t dim) {
  if (!path || !path[0]) return ae_set_error(AE_ERR_ARG, "ae_table_save: no file name");
  if (!x) return ae_set_error(AE_ERR_ARG, "%s: ae_table_save: values are NULL", path);
  if (n == 0 || dim == 0) return ae_set_error(AE_ERR_ARG, "%s: nothing to write", path);
  if (!ae_fits(n, dim, sizeof(double)))
    return ae_set_error(AE_ERR_ARG, "%s: %zu rows of %zu values cannot be in memory", path, n, dim);
  if (header && (strchr(header, '\n') || strchr(header, '\r')))
    return ae_set_error(AE_ERR_ARG, "%s: the header must be one line", path);
  table_ctx t = {header, x, n, dim};
  return ae_write_atomic(path, write_table, &t);
}
