/* io_idx.c — IDX files (the MNIST format), plain or gzip-compressed.
 *
 * Layout: bytes 0, 0, TYPE, NDIM; then NDIM big-endian uint32 sizes; then
 * the elements, big-endian, row-major. TYPE is 0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. dims[0] counts the
 * samples; the rest is one sample's shape. Every size is checked, and the
 * data must be exactly as long as the header says, before anything large is
 * allocated (for gzip, the output grows only as data actually arrives).
 *
 * Legend: N samples, D values per sample. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include "error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define IDX_MAX_BYTES ((uint64_t)1 << 34) /* refuse larger data sections */
#define IDX_CHUNK (1u << 20)               /* bytes per read */

typedef struct idx_file {
  gzFile gz;        /* reads plain and gzip files alike */
  int gzip;         /* 1 if the file starts with 1f 8b */
  uint64_t fsize;   /* size on disk */
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

/* Read exactly `len` bytes (len < 2^31) or report how many arrived. */
static ae_status gz_read_all(gzFile gz, void *buf, size_t len, size_t *got,
                             const char *path) {
  int r = gzread(gz, buf, (unsigned)len);
  int err = 0;
  const char *msg = gzerror(gz, &err);
  if (r < 0 || (err != Z_OK && err != Z_BUF_ERROR)) {
    size_t n = strlen(path); /* zlib's message starts with "path: " */
    if (msg && !strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2)) msg += n + 2;
    return ae_set_error(AE_ERR_FORMAT, "%s: corrupt gzip data: %s", path,
                        msg ? msg : "unknown error");
  }
  *got = (size_t)r;
  return AE_OK;
}

/* Open `path`, read and check the header; sizes are trusted afterwards. */
static ae_status idx_open(idx_file *f, const char *path) {
  memset(f, 0, sizeof *f);
  struct stat st;
  if (stat(path, &st) != 0)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory", path);
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  unsigned char magic[2] = {0, 0};
  size_t m = fread(magic, 1, 2, fp);
  fclose(fp);
  f->gzip = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  f->fsize = (uint64_t)st.st_size;
  errno = 0;
  f->gz = gzopen(path, "rb");
  if (!f->gz)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "out of memory");
  gzbuffer(f->gz, 1u << 17);
  unsigned char hdr[4 + 16];
  size_t got;
  ae_status s = gz_read_all(f->gz, hdr, 4, &got, path);
  if (s) return s;
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
  if ((s = gz_read_all(f->gz, hdr + 4, 4 * (size_t)f->ndim, &got, path))) return s;
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
  if (!f->gzip) {
    uint64_t have = f->fsize - (4 + 4 * (uint64_t)f->ndim);
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

/* Read all elements into a buffer that grows as data arrives: the bytes
 * themselves for uint8 files (kept compact), floats for every other type. */
static ae_status idx_read_values(idx_file *f, const char *path, void **out) {
  unsigned char *raw = NULL; /* (IDX_CHUNK) */
  unsigned char *x = NULL;   /* (count) values of osize bytes once complete */
  size_t osize = f->type == 0x08 ? 1 : sizeof(float);
  size_t cap = f->gzip ? (f->count < IDX_CHUNK ? f->count : IDX_CHUNK) : f->count;
  size_t done = 0, per_chunk = IDX_CHUNK / f->esize, got = 0;
  ae_status s = AE_OK;
  raw = malloc(IDX_CHUNK);
  x = malloc(cap * osize);
  if (!raw || !x) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  while (done < f->count) {
    size_t k = f->count - done < per_chunk ? f->count - done : per_chunk;
    if ((s = gz_read_all(f->gz, raw, k * f->esize, &got, path))) goto fail;
    size_t whole = got / f->esize;
    if (done + whole > cap) {
      size_t ncap = cap * 2 < f->count ? cap * 2 : f->count;
      unsigned char *nx = realloc(x, ncap * osize);
      if (!nx) {
        s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory (%zu values)", path, ncap);
        goto fail;
      }
      x = nx;
      cap = ncap;
    }
    if (osize == 1) memcpy(x + done, raw, whole);
    else to_float((float *)(void *)x + done, raw, whole, f->type);
    done += whole;
    if (got < k * f->esize) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %u samples "
                       "(%zu bytes of data), %s holds %zu bytes (%zu complete "
                       "samples)", path, f->dims[0], f->count * f->esize,
                       f->gzip ? "decompressed data" : "file",
                       done * f->esize + got % f->esize, done / f->per);
      goto fail;
    }
  }
  if ((s = gz_read_all(f->gz, raw, 1, &got, path))) goto fail;
  if (got) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: trailing data after the %u samples "
                     "the header claims", path, f->dims[0]);
    goto fail;
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

ae_status ae_idx_read(ae_dataset **out, const char *path) {
  idx_file f;
  ae_dataset *ds = NULL;
  void *x = NULL; /* (N, D) uint8 or float */
  *out = NULL;
  ae_status s = idx_open(&f, path);
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
  if ((s = idx_read_values(&f, path, &x))) goto fail;
  ds = calloc(1, sizeof *ds);
  if (!ds) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  if (f.type == 0x08) ds->u8 = x; /* values are a * byte + b: 1 * byte + 0 */
  else ds->x = x;
  ds->a = 1.0, ds->b = 0.0;
  x = NULL;
  ds->n = f.dims[0];
  ds->dim = f.per;
  ds->c = (int)c;
  ds->h = (int)h;
  ds->w = (int)w;
  if (f.type == 0x08) {
    ds->lo = 0.0f;
    ds->hi = 255.0f;
  } else if ((s = ae_dataset_observe_range(ds, path))) {
    goto fail;
  }
  gzclose(f.gz);
  *out = ds;
  return AE_OK;
fail:
  if (f.gz) gzclose(f.gz);
  free(x);
  ae_dataset_free(ds);
  return s;
}

ae_status ae_idx_read_labels(int32_t **labels, const char *path, size_t n) {
  idx_file f;
  unsigned char *raw = NULL; /* (N, esize) as stored */
  int32_t *lab = NULL;       /* (N) */
  size_t got = 0, done = 0;
  *labels = NULL;
  ae_status s = idx_open(&f, path);
  if (s) goto fail;
  if (f.ndim != 1 || f.type == 0x0D || f.type == 0x0E) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: labels must be a 1-d IDX of integers "
                     "(got %d dimensions, type 0x%02X)", path, f.ndim, f.type);
    goto fail;
  }
  if (f.count != n) {
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
  while (done < n * f.esize) {
    size_t k = n * f.esize - done < IDX_CHUNK ? n * f.esize - done : IDX_CHUNK;
    if ((s = gz_read_all(f.gz, raw + done, k, &got, path))) goto fail;
    done += got;
    if (got < k) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: truncated: header claims %zu labels, "
                       "%s holds %zu", path, n,
                       f.gzip ? "decompressed data" : "file", done / f.esize);
      goto fail;
    }
  }
  if ((s = gz_read_all(f.gz, raw, 1, &got, path))) goto fail;
  if (got) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: trailing data after the %zu labels "
                     "the header claims", path, n);
    goto fail;
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
  gzclose(f.gz);
  *labels = lab;
  return AE_OK;
fail:
  if (f.gz) gzclose(f.gz);
  free(raw);
  free(lab);
  return s;
}
