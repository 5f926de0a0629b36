/* SPDX-License-Identifier: MIT */
/* io_idx.c — IDX files (the MNIST format), plain or gzip-compressed.
 *
 * Layout: bytes 0, 0, TYPE, NDIM; then NDIM big-endian uint32 sizes; then
 * the elements, big-endian, row-major. TYPE is 0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. dims[0] counts the
 * samples; the rest is one sample's shape. Every size is checked, and the
 * data must be exactly as long as the header says, before anything large is
 * allocated (for gzip, the output grows only as data actually arrives, and
 * a header claiming more than deflate's 1032:1 ratio allows from the
 * compressed size is refused at once). uint8 and int8 data are kept as
 * bytes. The bytes come from a file or from memory (ae_source).
 *
 * Legend: N samples, D values per sample. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_MAX_BYTES ((uint64_t)1 << 34) /* refuse larger data sections */
#define IDX_CHUNK (1u << 20)               /* bytes per read */
#define DEFLATE_RATIO 1032u                /* deflate's most output per input byte */

/* The file's bytes as a stream: copied from the buffer, or inflated from it
 * when it starts with the gzip magic (several members may follow each
 * other, as gzip -c a b writes). */
typedef struct idx_stream {
  const unsigned char *p; /* what is left of the buffer */
  size_t left;
  int gzip, zinit, zend;
  z_stream zs;
} idx_stream;

typedef struct idx_file {
  idx_stream in;
  unsigned char *buf; /* the whole source (ae_source_read) */
  size_t fsize;     /* its size */
  int type, ndim;
  uint32_t dims[4];
  size_t esize;     /* bytes per element */
  size_t count;     /* elements in the file */
  size_t per;       /* elements per sample (product of dims[1..]) */
} idx_file;

/* Bytes per element of an IDX type code, 0 if unknown. */
static size_t type_size(int type) {
  switch (type) {
  case 0x08: case 0x09: return 1;
  case 0x0B: return 2;
  case 0x0C: case 0x0D: return 4;
  case 0x0E: return 8;
  }
  return 0;
}

/* Read up to `len` bytes; *got < len means the data ended. */
static ae_status stream_read(idx_stream *s, void *buf, size_t len, size_t *got,
                             const char *path) {
  *got = 0;
  if (!s->gzip) {
    size_t k = len < s->left ? len : s->left;
    if (k) memcpy(buf, s->p, k);
    s->p += k, s->left -= k;
    *got = k;
    return AE_OK;
  }
  unsigned char *out = buf;
  while (*got < len && !s->zend) {
    if (!s->zinit) {
      memset(&s->zs, 0, sizeof s->zs);
      if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
        return ae_set_error(AE_ERR_NOMEM, "%s: cannot start zlib", path);
      s->zinit = 1;
    }
    size_t in_now = s->left < (1u << 30) ? s->left : (1u << 30);
    size_t out_now = len - *got < (1u << 30) ? len - *got : (1u << 30);
    s->zs.next_in = (unsigned char *)(uintptr_t)s->p;
    s->zs.avail_in = (unsigned)in_now;
    s->zs.next_out = out + *got;
    s->zs.avail_out = (unsigned)out_now;
    int r = inflate(&s->zs, Z_NO_FLUSH);
    size_t used = in_now - s->zs.avail_in, made = out_now - s->zs.avail_out;
    s->p += used, s->left -= used, *got += made;
    if (r == Z_STREAM_END) { /* another member may follow */
      if (s->left >= 2 && s->p[0] == 0x1f && s->p[1] == 0x8b) {
        inflateReset(&s->zs);
      } else {
        s->zend = 1;
        if (s->left)
          return ae_set_error(AE_ERR_FORMAT, "%s: %zu bytes after the end of the gzip data",
                              path, s->left);
      }
    } else if (r == Z_BUF_ERROR && !made) {
      s->zend = 1; /* the compressed data stops here: truncated */
    } else if (r != Z_OK) {
      return ae_set_error(AE_ERR_FORMAT, "%s: corrupt gzip data: %s", path,
                          s->zs.msg ? s->zs.msg : "unknown error");
    }
  }
  return AE_OK;
}

static void idx_close(idx_file *f) {
  if (f->in.zinit) inflateEnd(&f->in.zs);
  f->in.zinit = 0;
  free(f->buf);
  f->buf = NULL;
}

/* Read the source, then read and check the header; sizes are trusted
 * afterwards. */
static ae_status idx_open(idx_file *f, const ae_source *src) {
  const char *path = src->name;
  memset(f, 0, sizeof *f);
  ae_status s = ae_source_read(src, &f->buf, &f->fsize, 0);
  if (s) return s;
  f->in.p = f->buf;
  f->in.left = f->fsize;
  f->in.gzip = f->fsize >= 2 && f->buf[0] == 0x1f && f->buf[1] == 0x8b;
  unsigned char hdr[4 + 16];
  size_t got;
  if ((s = stream_read(&f->in, hdr, 4, &got, path))) return s;
  if (got < 4)
    return ae_set_error(AE_ERR_FORMAT, "%s: not an IDX file: %zu bytes, the "
                        "header alone needs 4", path, got);
  f->type = hdr[2];
  f->ndim = hdr[3];
  f->esize = type_size(f->type);
  if (hdr[0] != 0 || hdr[1] != 0 || !f->esize)
    return ae_set_error(AE_ERR_FORMAT, "%s: not an IDX file (magic %02x %02x "
                        "%02x %02x)", path, hdr[0], hdr[1], hdr[2], hdr[3]);
  if (f->ndim < 1 || f->ndim > 4)
    return ae_set_error(AE_ERR_FORMAT, "%s: IDX with %d dimensions; 1 to 4 "
                        "supported", path, f->ndim);
  if ((s = stream_read(&f->in, hdr + 4, 4 * (size_t)f->ndim, &got, path))) return s;
  if (got < 4 * (size_t)f->ndim)
    return ae_set_error(AE_ERR_FORMAT, "%s: truncated IDX header: %d sizes "
                        "announced, %zu bytes of them present", path, f->ndim, got);
  uint64_t bytes = f->esize;
  int overflow = 0;
  char dimstr[64] = "";
  for (int i = 0; i < f->ndim; i++) {
    const unsigned char *p = hdr + 4 + 4 * i;
    f->dims[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                 (uint32_t)p[2] << 8 | (uint32_t)p[3];
    size_t used = strlen(dimstr);
    snprintf(dimstr + used, sizeof dimstr - used, "%s%u", i ? " x " : "",
             f->dims[i]);
    if (f->dims[i] == 0)
      return ae_set_error(AE_ERR_FORMAT, "%s: IDX sizes %s: size %d is zero",
                          path, dimstr, i);
    if (f->dims[i] > IDX_MAX_BYTES / bytes) overflow = 1; /* keeps bytes <= 2^34 */
    else bytes *= f->dims[i];
  }
  if (overflow || bytes / f->esize > SIZE_MAX / sizeof(float))
    return ae_set_error(AE_ERR_FORMAT, "%s: IDX header claims %s elements of "
                        "%zu bytes, more than the %llu bytes supported", path,
                        dimstr, f->esize, (unsigned long long)IDX_MAX_BYTES);
  f->count = (size_t)(bytes / f->esize);
  f->per = f->count / f->dims[0];
  if (f->in.gzip && bytes > (uint64_t)f->fsize * DEFLATE_RATIO)
    return ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %s elements "
                        "(%llu bytes), more than %zu bytes of gzip data can hold",
                        path, dimstr, (unsigned long long)bytes, f->fsize);
  if (!f->in.gzip) {
    uint64_t have = f->in.left;
    if (have < bytes)
      return ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %u "
                          "samples (%llu bytes of data), file holds %llu bytes "
                          "(%llu complete samples)", path, f->dims[0],
                          (unsigned long long)bytes, (unsigned long long)have,
                          (unsigned long long)(have / (f->per * f->esize)));
    if (have > bytes)
      return ae_set_error(AE_ERR_FORMAT, "%s: %llu bytes of trailing data after "
                          "the %u samples the header claims", path,
                          (unsigned long long)(have - bytes), f->dims[0]);
  }
  return AE_OK;
}

/* Convert `k` big-endian elements of the file's type into floats. */
static void to_float(float *out, const unsigned char *p, size_t k, int type) {
  for (size_t i = 0; i < k; i++) {
    switch (type) {
    case 0x08: out[i] = (float)p[i]; break;
    case 0x09: out[i] = (float)(int8_t)p[i]; break;
    case 0x0B: {
      const unsigned char *q = p + 2 * i;
      out[i] = (float)(int16_t)(uint16_t)((unsigned)q[0] << 8 | q[1]);
      break;
    }
    case 0x0C: case 0x0D: {
      const unsigned char *q = p + 4 * i;
      uint32_t u = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                   (uint32_t)q[2] << 8 | q[3];
      if (type == 0x0C) {
        out[i] = (float)(int32_t)u;
      } else {
        float v;
        memcpy(&v, &u, 4);
        out[i] = v;
      }
      break;
    }
    default: { /* 0x0E */
      const unsigned char *q = p + 8 * i;
      uint64_t u = 0;
      for (int b = 0; b < 8; b++) u = u << 8 | q[b];
      double v;
      memcpy(&v, &u, 8);
      out[i] = (float)v; /* beyond float range becomes inf, caught later */
      break;
    }
    }
  }
}

/* Read the first `count` elements into a buffer that grows as data
 * arrives: bytes for uint8 and int8 files (int8 stored as v + 128), floats
 * for every other type. Without `partial`, the data must end right there. */
static ae_status idx_read_values(idx_file *f, const char *path, size_t count, int partial,
                                 void **out) {
  unsigned char *raw = NULL; /* (IDX_CHUNK) */
  unsigned char *x = NULL;   /* (count) values of osize bytes once complete */
  size_t osize = f->esize == 1 ? 1 : sizeof(float);
  size_t cap = f->in.gzip ? (count < IDX_CHUNK ? count : IDX_CHUNK) : count;
  size_t done = 0, per_chunk = IDX_CHUNK / f->esize, got = 0;
  ae_status s = AE_OK;
  raw = malloc(IDX_CHUNK);
  x = malloc(cap * osize);
  if (!raw || !x) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  while (done < count) {
    size_t k = count - done < per_chunk ? count - done : per_chunk;
    if ((s = stream_read(&f->in, raw, k * f->esize, &got, path))) goto fail;
    size_t whole = got / f->esize;
    if (done + whole > cap) {
      size_t ncap = cap * 2 < count ? cap * 2 : count;
      unsigned char *nx = realloc(x, ncap * osize);
      if (!nx) {
        s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory (%zu values)", path, ncap);
        goto fail;
      }
      x = nx;
      cap = ncap;
    }
    if (f->type == 0x08) memcpy(x + done, raw, whole);
    else if (f->type == 0x09)
      for (size_t i = 0; i < whole; i++) x[done + i] = (unsigned char)(raw[i] ^ 0x80);
    else to_float((float *)(void *)x + done, raw, whole, f->type);
    done += whole;
    if (got < k * f->esize) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %u samples "
                       "(%zu bytes of data), %s holds %zu bytes (%zu complete "
                       "samples)", path, f->dims[0], f->count * f->esize,
                       f->in.gzip ? "decompressed data" : "file",
                       done * f->esize + got % f->esize, done / f->per);
      goto fail;
    }
  }
  if (!partial) {
    if ((s = stream_read(&f->in, raw, 1, &got, path))) goto fail;
    if (got) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: trailing data after the %u samples "
                       "the header claims", path, f->dims[0]);
      goto fail;
    }
  }
  free(raw);
  *out = x;
  return AE_OK;
fail:
  free(raw);
  free(x);
  return s;
}

/* Whether an IDX size fits an int shape field. */
static int fits_int(uint32_t d) { return d <= INT_MAX; }

ae_status ae_idx_read(ae_dataset **out, const ae_source *src, size_t max_samples,
                      size_t max_bytes) {
  const char *path = src->name;
  idx_file f;
  ae_dataset *ds = NULL;
  void *x = NULL; /* (N, D) bytes or floats */
  *out = NULL;
  ae_status s = idx_open(&f, src);
  if (s) goto fail;
  uint32_t c = 1, h = 1, w = 1;
  if (f.ndim == 2) w = f.dims[1];
  if (f.ndim == 3) h = f.dims[1], w = f.dims[2];
  if (f.ndim == 4) c = f.dims[1], h = f.dims[2], w = f.dims[3];
  if (!fits_int(c) || !fits_int(h) || !fits_int(w)) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: sample shape (%u, %u, %u) too large",
                     path, c, h, w);
    goto fail;
  }
  size_t n = f.dims[0], osize = f.esize == 1 ? 1 : sizeof(float);
  int partial = max_samples > 0 && max_samples < n;
  if (partial) n = max_samples;
  if ((s = ae_dataset_budget(path, n, f.per, osize, max_bytes))) goto fail;
  if ((s = idx_read_values(&f, path, n * f.per, partial, &x))) goto fail;
  ds = calloc(1, sizeof *ds);
  if (!ds) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  if (f.esize == 1) ds->u8 = x; /* values are a * byte + b */
  else ds->x = x;
  ds->a = 1.0, ds->b = f.type == 0x09 ? -128.0 : 0.0;
  x = NULL;
  ds->n = n;
  ds->dim = f.per;
  ds->c = (int)c;
  ds->h = (int)h;
  ds->w = (int)w;
  if (f.type == 0x08) {
    ds->lo = 0.0f;
    ds->hi = 255.0f;
  } else if (f.type == 0x09) { /* the observed range, as for other types */
    unsigned lo = 255, hi = 0;
    for (size_t i = 0; i < n * f.per; i++) {
      if (ds->u8[i] < lo) lo = ds->u8[i];
      if (ds->u8[i] > hi) hi = ds->u8[i];
    }
    ds->lo = (float)lo - 128.0f;
    ds->hi = (float)hi - 128.0f;
  } else if ((s = ae_dataset_observe_range(ds, path))) {
    goto fail;
  }
  idx_close(&f);
  *out = ds;
  return AE_OK;
fail:
  idx_close(&f);
  free(x);
  ae_dataset_free(ds);
  return s;
}

ae_status ae_idx_read_labels(int32_t **labels, const ae_source *src, size_t n,
                             int first_n) {
  const char *path = src->name;
  idx_file f;
  unsigned char *raw = NULL; /* (N, esize) as stored */
  int32_t *lab = NULL;       /* (N) */
  size_t got = 0;
  *labels = NULL;
  ae_status s = idx_open(&f, src);
  if (s) goto fail;
  if (f.ndim != 1 || f.type == 0x0D || f.type == 0x0E) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: labels must be a 1-d IDX of integers "
                     "(got %d dimensions, type 0x%02X)", path, f.ndim, f.type);
    goto fail;
  }
  if (f.count != n && !(first_n && f.count > n)) {
    s = ae_set_error(AE_ERR_SHAPE, "%s: %zu labels, but the data set has %zu "
                     "samples", path, f.count, n);
    goto fail;
  }
  raw = malloc(n * f.esize + 1); /* n is the data set's: already in memory */
  lab = malloc(n * sizeof *lab);
  if (!raw || !lab) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  if ((s = stream_read(&f.in, raw, n * f.esize, &got, path))) goto fail;
  if (got < n * f.esize) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %zu labels, "
                     "%s holds %zu", path, f.count,
                     f.in.gzip ? "decompressed data" : "file", got / f.esize);
    goto fail;
  }
  if (f.count == n) {
    if ((s = stream_read(&f.in, raw + n * f.esize, 1, &got, path))) goto fail;
    if (got) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: trailing data after the %zu labels "
                       "the header claims", path, n);
      goto fail;
    }
  }
  for (size_t i = 0; i < n; i++) {
    const unsigned char *q = raw + i * f.esize;
    if (f.type == 0x08) lab[i] = q[0];
    else if (f.type == 0x09) lab[i] = (int8_t)q[0];
    else if (f.type == 0x0B) lab[i] = (int16_t)(uint16_t)((unsigned)q[0] << 8 | q[1]);
    else lab[i] = (int32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
                            (uint32_t)q[2] << 8 | q[3]);
  }
  free(raw);
  idx_close(&f);
  *labels = lab;
  return AE_OK;
fail:
  idx_close(&f);
  free(raw);
  free(lab);
  return s;
}
