/* SPDX-License-Identifier: MIT */
/* io_npy.c — NumPy .npy arrays (format versions 1.0, 2.0 and 3.0).
 *
 * Layout: "\x93NUMPY", major, minor, header length (uint16 LE in 1.0,
 * uint32 LE in 2.0 and 3.0), then a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (100, 28, 28), }
 * padded with spaces and a newline, then the raw C-order data. The dict is
 * parsed for its three keys in any order; header length, shape and data size
 * are checked against the file before the data set is allocated.
 *
 * Legend: N samples (shape[0]), D values per sample. */
#include "dataset.h"

#include "error.h"
#include "fileio.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAX_DIMS 4

typedef struct npy_header {
  char descr[16];  /* e.g. "<f4" */
  int have_descr, have_order, have_shape;
  int fortran;
  int ndim;
  uint64_t shape[NPY_MAX_DIMS];
} npy_header;

typedef struct npy_dtype {
  int big;     /* 1: big-endian bytes */
  char kind;   /* 'f', 'i' or 'u' */
  size_t size; /* bytes per element */
} npy_dtype;

/* Skip spaces, tabs and newlines. */
static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* Parse a quoted Python string into buf (cap bytes); NULL if malformed. */
static const char *parse_str(const char *p, const char *end, char *buf,
                             size_t cap) {
  if (p >= end || (*p != '\'' && *p != '"')) return NULL;
  char q = *p++;
  size_t n = 0;
  while (p < end && *p != q) {
    if (n + 1 >= cap) return NULL;
    buf[n++] = *p++;
  }
  if (p >= end) return NULL;
  buf[n] = 0;
  return p + 1;
}

/* Parse a shape tuple "(3, 4)", "(3,)" or "()"; NULL if malformed. */
static const char *parse_shape(const char *p, const char *end, npy_header *h,
                               const char *path, ae_status *st) {
  if (p >= end || *p != '(') return NULL;
  p = skip_ws(p + 1, end);
  h->ndim = 0;
  while (p < end && *p != ')') {
    if (*p < '0' || *p > '9') return NULL;
    uint64_t v = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
      if (v > (UINT64_MAX - 9) / 10) {
        *st = ae_set_error(AE_ERR_FORMAT, "%s: NPY shape entry too large", path);
        return NULL;
      }
      v = v * 10 + (uint64_t)(*p - '0');
    }
    if (h->ndim == NPY_MAX_DIMS) {
      *st = ae_set_error(AE_ERR_FORMAT, "%s: NPY array with more than %d "
                         "dimensions", path, NPY_MAX_DIMS);
      return NULL;
    }
    h->shape[h->ndim++] = v;
    p = skip_ws(p, end);
    if (p < end && *p == ',') p = skip_ws(p + 1, end);
    else if (p < end && *p != ')') return NULL;
  }
  return p < end ? p + 1 : NULL;
}

/* Parse the header dict [p, end) into h. */
static ae_status parse_header(npy_header *h, const char *p, const char *end,
                              const char *path) {
  ae_status st = AE_OK;
  char key[32];
  memset(h, 0, sizeof *h);
  p = skip_ws(p, end);
  if (p >= end || *p != '{') goto bad;
  p = skip_ws(p + 1, end);
  while (p < end && *p != '}') {
    if (!(p = parse_str(p, end, key, sizeof key))) goto bad;
    p = skip_ws(p, end);
    if (p >= end || *p != ':') goto bad;
    p = skip_ws(p + 1, end);
    if (!strcmp(key, "descr") && !h->have_descr) {
      if (p < end && *p == '[')
        return ae_set_error(AE_ERR_FORMAT, "%s: structured NPY dtypes are not "
                            "supported", path);
      if (!(p = parse_str(p, end, h->descr, sizeof h->descr))) goto bad;
      h->have_descr = 1;
    } else if (!strcmp(key, "fortran_order") && !h->have_order) {
      if (end - p >= 4 && !memcmp(p, "True", 4)) h->fortran = 1, p += 4;
      else if (end - p >= 5 && !memcmp(p, "False", 5)) h->fortran = 0, p += 5;
      else goto bad;
      h->have_order = 1;
    } else if (!strcmp(key, "shape") && !h->have_shape) {
      if (!(p = parse_shape(p, end, h, path, &st))) goto bad;
      h->have_shape = 1;
    } else {
      return ae_set_error(AE_ERR_FORMAT, "%s: NPY header: unexpected or "
                          "repeated key '%s'", path, key);
    }
    p = skip_ws(p, end);
    if (p < end && *p == ',') p = skip_ws(p + 1, end);
    else if (p < end && *p != '}') goto bad;
  }
  if (p >= end) goto bad;
  p = skip_ws(p + 1, end);
  while (p < end && *p == '\0') p++; /* tolerate NUL padding */
  if (p != end) goto bad;
  if (!h->have_descr || !h->have_order || !h->have_shape)
    return ae_set_error(AE_ERR_FORMAT, "%s: NPY header lacks %s", path,
                        !h->have_descr ? "'descr'"
                        : !h->have_order ? "'fortran_order'" : "'shape'");
  return AE_OK;
bad:
  if (st) return st;
  return ae_set_error(AE_ERR_FORMAT, "%s: malformed NPY header dict", path);
}

/* Decode a descr such as "<f4"; 0 if unsupported. */
static int parse_dtype(npy_dtype *t, const char *d) {
  static const union { uint16_t u; unsigned char b[2]; } probe = {1};
  if (strlen(d) < 3 || !strchr("<>|=", d[0]) || !strchr("fiu", d[1]) ||
      d[2] < '0' || d[2] > '9')
    return 0;
  char *stop;
  long size = strtol(d + 2, &stop, 10);
  if (*stop) return 0;
  t->kind = d[1];
  t->size = (size_t)size;
  t->big = d[0] == '>' || (d[0] == '=' && probe.b[0] == 0);
  if (t->kind == 'f') return size == 4 || size == 8;
  if (d[0] == '|' && size != 1) return 0;
  return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Convert k elements of dtype t at p into floats. */
static void to_float(float *out, const unsigned char *p, size_t k,
                     const npy_dtype *t) {
  for (size_t i = 0; i < k; i++, p += t->size) {
    uint64_t u = 0;
    for (size_t b = 0; b < t->size; b++)
      u |= (uint64_t)p[t->big ? t->size - 1 - b : b] << (8 * b);
    if (t->kind == 'f' && t->size == 4) {
      uint32_t u32 = (uint32_t)u;
      float v;
      memcpy(&v, &u32, 4);
      out[i] = v;
    } else if (t->kind == 'f') {
      double v;
      memcpy(&v, &u, 8);
      out[i] = (float)v; /* beyond float range becomes inf, caught later */
    } else if (t->kind == 'u') {
      out[i] = (float)u;
    } else {
      unsigned shift = (unsigned)(64 - 8 * t->size);
      out[i] = (float)((int64_t)(u << shift) >> shift); /* sign-extend */
    }
  }
}

ae_status ae_npy_read(ae_dataset **out, const ae_source *src, size_t max_samples,
                      size_t max_bytes) {
  const char *path = src->name;
  unsigned char *buf = NULL; /* whole file */
  size_t size = 0;
  ae_dataset *ds = NULL;
  npy_header h;
  npy_dtype t;
  *out = NULL;
  ae_status s = ae_source_read(src, &buf, &size, max_bytes);
  if (s) return s;
  if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: not an NPY file (no \\x93NUMPY magic)",
                     path);
    goto fail;
  }
  int major = buf[6], minor = buf[7];
  if (major < 1 || major > 3) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: NPY format version %d.%d; 1.0, 2.0 "
                     "and 3.0 are supported", path, major, minor);
    goto fail;
  }
  size_t pre = major == 1 ? 10 : 12, hlen;
  if (size < pre) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: truncated NPY preamble", path);
    goto fail;
  }
  hlen = major == 1 ? (size_t)buf[8] | (size_t)buf[9] << 8
                    : (size_t)buf[8] | (size_t)buf[9] << 8 |
                          (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
  if (hlen > size - pre) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: NPY header length %zu exceeds the "
                     "%zu bytes left in the file", path, hlen, size - pre);
    goto fail;
  }
  const char *hb = (const char *)buf + pre;
  if ((s = parse_header(&h, hb, hb + hlen, path))) goto fail;
  if (h.fortran) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: NPY array is in Fortran order; save it "
                     "in C order (numpy.ascontiguousarray)", path);
    goto fail;
  }
  if (!parse_dtype(&t, h.descr)) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: NPY dtype '%s' not supported (use "
                     "float32, float64 or an integer type)", path, h.descr);
    goto fail;
  }
  if (h.ndim == 0) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: NPY array is a scalar; need 1 to 4 "
                     "dimensions", path);
    goto fail;
  }
  uint64_t count = 1; /* elements; bounded by the file size below */
  for (int i = 0; i < h.ndim; i++) {
    if (h.shape[i] == 0) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: NPY array is empty (size %d is 0)",
                       path, i);
      goto fail;
    }
    if (h.shape[i] > (uint64_t)SIZE_MAX / t.size / count) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: NPY shape overflows (%d dimensions, "
                       "size %d = %llu)", path, h.ndim, i,
                       (unsigned long long)h.shape[i]);
      goto fail;
    }
    count *= h.shape[i];
  }
  size_t have = size - pre - hlen, need = (size_t)count * t.size;
  size_t per = (size_t)(count / h.shape[0]);
  if (have < need) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: truncated: shape claims %llu samples "
                     "(%zu bytes of data), file holds %zu bytes (%zu complete "
                     "samples)", path, (unsigned long long)h.shape[0], need,
                     have, have / (per * t.size));
    goto fail;
  }
  if (have > need) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: %zu bytes of trailing data after the "
                     "array", path, have - need);
    goto fail;
  }
  uint64_t c = h.ndim == 4 ? h.shape[1] : 1;
  uint64_t hh = h.ndim == 4 ? h.shape[2] : h.ndim == 3 ? h.shape[1] : 1;
  uint64_t w = h.ndim >= 3 ? h.shape[h.ndim - 1] : h.ndim == 2 ? h.shape[1] : 1;
  if (c > INT_MAX || hh > INT_MAX || w > INT_MAX) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: sample shape (%llu, %llu, %llu) too "
                     "large", path, (unsigned long long)c,
                     (unsigned long long)hh, (unsigned long long)w);
    goto fail;
  }
  size_t n = (size_t)h.shape[0];
  if (max_samples && max_samples < n) n = max_samples;
  if ((s = ae_dataset_budget(path, n, per, sizeof(float), max_bytes))) goto fail;
  if ((s = ae_dataset_alloc(&ds, n, per))) {
    ae_error_prefix(path);
    goto fail;
  }
  to_float(ds->x, buf + pre + hlen, n * per, &t);
  free(buf);
  buf = NULL;
  if (h.ndim == 2) {
    ae_dataset_square_shape(ds);
  } else {
    ds->c = (int)c;
    ds->h = (int)hh;
    ds->w = (int)w;
  }
  if (t.kind == 'u' && t.size == 1) {
    ds->lo = 0.0f;
    ds->hi = 255.0f;
  } else if ((s = ae_dataset_observe_range(ds, path))) {
    goto fail;
  }
  *out = ds;
  return AE_OK;
fail:
  free(buf);
  ae_dataset_free(ds);
  return s;
}
