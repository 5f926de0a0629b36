/* SPDX-License-Identifier: MIT */
/* fixture.c — reader for the PyTorch reference fixtures, and the
 * tolerance check the tests use with them.
 *
 * Fixture file format (.fx), little-endian, written by
 * tests/ref/make_fixtures.py:
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
 * The whole file is read and every length checked against the bytes left
 * before it is used; a bad file ends the test with a message naming it. */
#include "fixture.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AE_FIXTURE_DIR
#define AE_FIXTURE_DIR "tests/fixtures"
#endif

#define FX_VERSION 1u
#define FX_MAX_NAME 1024u
#define FX_MAX_NDIM 8u

typedef struct fx_tensor {
  char *name;    /* NUL-terminated copy */
  size_t count;  /* product of dims */
  float *data;   /* (count) */
} fx_tensor;

struct fx_file {
  char *path;
  size_t n;      /* number of tensors */
  fx_tensor *t;  /* (n) */
};

/* ---- reading ------------------------------------------------------------ */

typedef struct reader {
  const unsigned char *p;
  size_t left;
  const char *path;
} reader;

static void *fx_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "fixture: out of memory (%zu bytes)\n", n);
    exit(1);
  }
  return p;
}

static void fx_fail(const char *path, const char *what) {
  fprintf(stderr, "fixture %s: %s (regenerate with `make fixtures`)\n", path,
          what);
  exit(1);
}

static uint32_t rd_u32(reader *r, const char *what) {
  uint32_t v;
  if (r->left < 4) {
    char msg[128];
    snprintf(msg, sizeof msg, "truncated while reading %s", what);
    fx_fail(r->path, msg);
  }
  v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
      (uint32_t)r->p[3] << 24;
  r->p += 4;
  r->left -= 4;
  return v;
}

static unsigned char *read_whole(const char *path, size_t *size) {
  FILE *fp = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t cap = 0, len = 0;
  if (!fp) {
    fprintf(stderr, "fixture %s: cannot open (regenerate with `make fixtures`"
            " or set AE_FIXTURE_DIR)\n", path);
    exit(1);
  }
  for (;;) {
    size_t got;
    if (len == cap) {
      unsigned char *nb;
      cap = cap ? cap * 2 : 65536;
      nb = realloc(buf, cap);
      if (!nb) {
        fprintf(stderr, "fixture %s: out of memory\n", path);
        exit(1);
      }
      buf = nb;
    }
    got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) break;
  }
  if (ferror(fp)) {
    fprintf(stderr, "fixture %s: read error\n", path);
    exit(1);
  }
  fclose(fp);
  *size = len;
  return buf;
}

fx_file *fx_load(const char *name) {
  const char *dir = getenv("AE_FIXTURE_DIR");
  fx_file *f;
  unsigned char *buf;
  size_t size, i, plen;
  uint32_t version, count;
  reader r;
  char msg[256];

  if (!dir || !dir[0]) dir = AE_FIXTURE_DIR;
  if (!name || !name[0]) {
    fprintf(stderr, "fixture: fx_load needs a file name\n");
    exit(1);
  }
  f = fx_xmalloc(sizeof *f);
  plen = strlen(dir) + 1 + strlen(name) + 1;
  f->path = fx_xmalloc(plen);
  snprintf(f->path, plen, "%s/%s", dir, name);
  f->n = 0;
  f->t = NULL;

  buf = read_whole(f->path, &size);
  r.p = buf;
  r.left = size;
  r.path = f->path;

  if (size < 4 || memcmp(buf, "AEFX", 4) != 0)
    fx_fail(f->path, "not a fixture file (magic is not \"AEFX\")");
  r.p += 4;
  r.left -= 4;
  version = rd_u32(&r, "the version");
  if (version != FX_VERSION) {
    snprintf(msg, sizeof msg, "format version %lu, this reader knows %u",
             (unsigned long)version, FX_VERSION);
    fx_fail(f->path, msg);
  }
  count = rd_u32(&r, "the tensor count");
  /* Each tensor takes at least 4+1+4+4+4 bytes: bounds the allocation. */
  if (count > r.left / 17) {
    snprintf(msg, sizeof msg, "tensor count %lu does not fit in %zu bytes",
             (unsigned long)count, size);
    fx_fail(f->path, msg);
  }
  f->t = fx_xmalloc((size_t)count * sizeof *f->t);

  for (i = 0; i < count; i++) {
    fx_tensor *t = &f->t[i];
    uint32_t nlen, ndim, d, k;
    size_t elems = 1, j;

    nlen = rd_u32(&r, "a name length");
    if (nlen == 0 || nlen > FX_MAX_NAME || nlen > r.left) {
      snprintf(msg, sizeof msg, "tensor %zu: bad name length %lu", i,
               (unsigned long)nlen);
      fx_fail(f->path, msg);
    }
    for (k = 0; k < nlen; k++) {
      if (r.p[k] < 0x21 || r.p[k] > 0x7e) {
        snprintf(msg, sizeof msg, "tensor %zu: name has a byte 0x%02x", i,
                 (unsigned)r.p[k]);
        fx_fail(f->path, msg);
      }
    }
    t->name = fx_xmalloc((size_t)nlen + 1);
    memcpy(t->name, r.p, nlen);
    t->name[nlen] = '\0';
    t->data = NULL;
    f->n = i + 1; /* from here on fx_free would release t->name */
    r.p += nlen;
    r.left -= nlen;
    for (j = 0; j < i; j++) {
      if (strcmp(f->t[j].name, t->name) == 0) {
        snprintf(msg, sizeof msg, "tensor name \"%.100s\" appears twice",
                 t->name);
        fx_fail(f->path, msg);
      }
    }

    ndim = rd_u32(&r, "ndim");
    if (ndim == 0 || ndim > FX_MAX_NDIM) {
      snprintf(msg, sizeof msg, "tensor \"%.100s\": ndim %lu (want 1..%u)",
               t->name, (unsigned long)ndim, FX_MAX_NDIM);
      fx_fail(f->path, msg);
    }
    for (k = 0; k < ndim; k++) {
      d = rd_u32(&r, "a dimension");
      /* elems * d must stay within the float32s the file has left. */
      if (d == 0 || elems > (r.left / 4) / d) {
        snprintf(msg, sizeof msg,
                 "tensor \"%.100s\": dimension %lu is 0 or runs past the end "
                 "of the file", t->name, (unsigned long)d);
        fx_fail(f->path, msg);
      }
      elems *= d;
    }
    if (elems > r.left / 4) {
      snprintf(msg, sizeof msg, "tensor \"%.100s\": data truncated", t->name);
      fx_fail(f->path, msg);
    }
    t->count = elems;
    t->data = fx_xmalloc(elems * sizeof(float));
    for (j = 0; j < elems; j++) {
      uint32_t bits = rd_u32(&r, "data");
      memcpy(&t->data[j], &bits, sizeof bits);
    }
  }
  if (r.left != 0) {
    snprintf(msg, sizeof msg, "%zu bytes left over after %lu tensors", r.left,
             (unsigned long)count);
    fx_fail(f->path, msg);
  }
  free(buf);
  return f;
}

static const fx_tensor *find(const fx_file *f, const char *name) {
  size_t i;
  if (!f || !name) return NULL;
  for (i = 0; i < f->n; i++)
    if (strcmp(f->t[i].name, name) == 0) return &f->t[i];
  return NULL;
}

const float *fx_get(const fx_file *f, const char *name, size_t *count) {
  const fx_tensor *t = find(f, name);
  if (!t) {
    fprintf(stderr, "fixture %s: no tensor named \"%s\"\n",
            f ? f->path : "(null)", name ? name : "(null)");
    exit(1);
  }
  if (count) *count = t->count;
  return t->data;
}

int fx_has(const fx_file *f, const char *name) { return find(f, name) != NULL; }

const float *fx_get_in(const fx_file *f, const char *prefix, const char *name, size_t *count) {
  char full[160];
  snprintf(full, sizeof full, "%s.%s", prefix, name);
  return fx_get(f, full, count);
}

void fx_cfg(const fx_file *f, const char *prefix, int *cfg, size_t want) {
  size_t n;
  const float *v = fx_get_in(f, prefix, "cfg", &n);
  if (n != want) {
    fprintf(stderr, "%s.cfg: %zu values, want %zu\n", prefix, n, want);
    exit(1);
  }
  for (size_t i = 0; i < n; i++) cfg[i] = (int)v[i];
}

int fx_check_in(const fx_file *f, const char *prefix, const char *name, const float *got,
                size_t n, double atol, double rtol) {
  size_t rn;
  const float *ref = fx_get_in(f, prefix, name, &rn);
  char what[160];
  snprintf(what, sizeof what, "%s.%s", prefix, name);
  if (rn != n) {
    fprintf(stderr, "%s: %zu values, C computed %zu\n", what, rn, n);
    return 1;
  }
  return fx_check_close(what, got, ref, n, atol, rtol);
}

void fx_free(fx_file *f) {
  size_t i;
  if (!f) return;
  for (i = 0; i < f->n; i++) {
    free(f->t[i].name);
    free(f->t[i].data);
  }
  free(f->t);
  free(f->path);
  free(f);
}

/* ---- comparing ---------------------------------------------------------- */

int fx_check_close(const char *what, const float *got, const float *ref,
                   size_t n, double atol, double rtol) {
  size_t i, bad = 0, worst = 0, shown = 0;
  double worst_excess = -1.0; /* diff / allowed; INFINITY for NaN */

  for (i = 0; i < n; i++) {
    double g = got[i], r = ref[i];
    double diff = fabs(g - r), allowed = atol + rtol * fabs(r), excess;
    if (!(diff <= allowed) || isnan(g) || isnan(r)) { /* NaN fails */
      excess = (isnan(diff) || allowed <= 0.0) ? INFINITY : diff / allowed;
      if (bad == 0 || excess > worst_excess) {
        worst = i;
        worst_excess = excess;
      }
      bad++;
    }
  }
  if (bad == 0) return 0;

  fprintf(stderr, "FAIL %s: %zu of %zu elements outside atol %g + rtol %g\n",
          what, bad, n, atol, rtol);
  fprintf(stderr,
          "  worst [%zu]: got %.9g ref %.9g |diff| %.3g (allowed %.3g)\n", worst,
          (double)got[worst], (double)ref[worst],
          fabs((double)got[worst] - (double)ref[worst]),
          atol + rtol * fabs((double)ref[worst]));
  for (i = 0; i < n && shown < 5; i++) {
    double g = got[i], r = ref[i];
    double diff = fabs(g - r), allowed = atol + rtol * fabs(r);
    if (!(diff <= allowed) || isnan(g) || isnan(r)) {
      fprintf(stderr, "  [%zu]: got %.9g ref %.9g |diff| %.3g\n", i, g, r,
              diff);
      shown++;
    }
  }
  return 1;
}
