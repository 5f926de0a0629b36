/* SPDX-License-Identifier: MIT */
/* test_limits.c — the readers from memory equal the readers from files;
 * what a file states is checked against its own size and the load limit
 * before anything is allocated (a gzip bomb, a huge PNG header, int8 IDX
 * kept as bytes, --limit reading only what it needs); messages are escaped
 * to one printable line. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"
#include "dataset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[] = "/tmp/aekit_test_limits_XXXXXX";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* gzip `len` bytes into a fresh buffer; *out_len its size. */
static unsigned char *gzip_bytes(const unsigned char *data, size_t len, size_t *out_len) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  CHECK(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  size_t cap = deflateBound(&zs, (uLong)len) + 64;
  unsigned char *out = malloc(cap);
  zs.next_in = (unsigned char *)(uintptr_t)data;
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  *out_len = cap - zs.avail_out;
  deflateEnd(&zs);
  return out;
}

static const char *put(const char *name, const void *data, size_t len) {
  static char paths[16][300];
  static int k;
  char *p = paths[k++ % 16];
  snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
  FILE *f = fopen(p, "wb");
  CHECK(f && fwrite(data, 1, len, f) == len);
  if (f) fclose(f);
  return p;
}

/* An IDX file: header for (n, 28, 28) of `type`, then `body` bytes. */
static unsigned char *idx_bytes(int type, uint32_t n, const unsigned char *body, size_t blen,
                                size_t *len) {
  unsigned char *b = malloc(16 + blen);
  uint32_t dims[3] = {n, 28, 28};
  b[0] = b[1] = 0, b[2] = (unsigned char)type, b[3] = 3;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++) b[4 + 4 * i + j] = (unsigned char)(dims[i] >> (24 - 8 * j));
  if (blen) memcpy(b + 16, body, blen);
  *len = 16 + blen;
  return b;
}

static void test_int8_idx(void) {
  const uint32_t n = 20000;
  size_t blen = (size_t)n * 784, len, glen;
  unsigned char *body = malloc(blen);
  for (size_t i = 0; i < blen; i++) body[i] = (unsigned char)(i * 7 % 251); /* int8 -128..127 */
  unsigned char *idx = idx_bytes(0x09, n, body, blen, &len);
  unsigned char *gz = gzip_bytes(idx, len, &glen);
  ae_dataset *ds = NULL, *first = NULL, *file = NULL;
  /* the whole set: kept as bytes (a quarter of float32), values exact */
  CHECK_OK(ae_dataset_load_memory(&ds, gz, glen, "s8.idx.gz", NULL));
  if (ds) {
    CHECK(ds->u8 && !ds->x && ds->n == n && ds->dim == 784);
    const float *x = ae_dataset_data(ds);
    int bad = 0;
    for (size_t i = 0; x && i < blen; i += 997) bad += x[i] != (float)(int8_t)body[i];
    CHECK(x && !bad);
    float lo, hi;
    ae_dataset_range(ds, &lo, &hi);
    CHECK(lo == -128.0f && hi == 127.0f);
  }
  /* the same from the file */
  CHECK_OK(ae_dataset_load(&file, put("s8.idx.gz", gz, glen), NULL));
  if (ds && file)
    CHECK(!memcmp(ae_dataset_data(ds), ae_dataset_data(file), blen * sizeof(float)));
  /* max_samples: only the first ones are decoded */
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.max_samples = 10;
  CHECK_OK(ae_dataset_load_memory(&first, gz, glen, "s8.idx.gz", &lo));
  if (first && ds) {
    CHECK(first->n == 10);
    CHECK(!memcmp(ae_dataset_data(first), ae_dataset_data(ds), 10 * 784 * sizeof(float)));
  }
  /* max_bytes: refused before the values are allocated */
  lo.max_samples = 0;
  lo.max_bytes = 1 << 20;
  ae_dataset *none = NULL;
  CHECK_FAILS(ae_dataset_load_memory(&none, gz, glen, "s8.idx.gz", &lo), AE_ERR_FORMAT,
              "s8.idx.gz: 20000 samples of 784 values would take 15680000 bytes, more than the "
              "1048576-byte limit");
  CHECK(!none);
  /* a gzip bomb's header: 2^24 samples from 30 kB cannot be; refused at
   * once, not after inflating and allocating */
  unsigned char *claim = idx_bytes(0x08, 1u << 24, body, 30000, &len);
  unsigned char *cgz = gzip_bytes(claim, len, &glen);
  double t0 = now();
  CHECK_FAILS(ae_dataset_load_memory(&none, cgz, glen, "bomb.idx.gz", NULL), AE_ERR_FORMAT,
              "bytes of gzip data can hold");
  CHECK(now() - t0 < 0.5);
  free(claim);
  free(cgz);
  ae_dataset_free(ds);
  ae_dataset_free(first);
  ae_dataset_free(file);
  free(gz);
  free(idx);
  free(body);
}

/* A PNG's chunks by hand: signature, IHDR (w x h, 8-bit gray), one IDAT
 * of `idat` bytes, IEND. */
static size_t png_bytes(unsigned char *out, uint32_t w, uint32_t h, const unsigned char *idat,
                        size_t ilen) {
  size_t o = 0;
  memcpy(out, "\x89PNG\r\n\x1a\n", 8);
  o = 8;
  unsigned char ihdr[13] = {0};
  for (int j = 0; j < 4; j++) ihdr[j] = (unsigned char)(w >> (24 - 8 * j));
  for (int j = 0; j < 4; j++) ihdr[4 + j] = (unsigned char)(h >> (24 - 8 * j));
  ihdr[8] = 8, ihdr[9] = 0;
  const struct {
    const char *type;
    const unsigned char *data;
    size_t len;
  } chunks[3] = {{"IHDR", ihdr, 13}, {"IDAT", idat, ilen}, {"IEND", NULL, 0}};
  for (int c = 0; c < 3; c++) {
    size_t len = chunks[c].len;
    for (int j = 0; j < 4; j++) out[o++] = (unsigned char)(len >> (24 - 8 * j));
    memcpy(out + o, chunks[c].type, 4);
    if (len) memcpy(out + o + 4, chunks[c].data, len);
    uLong crc = crc32(crc32(0, NULL, 0), out + o, (uInt)(4 + len));
    o += 4 + len;
    for (int j = 0; j < 4; j++) out[o++] = (unsigned char)(crc >> (24 - 8 * j));
  }
  return o;
}

static void test_png_header(void) {
  /* a real 3x2 image, from memory and from a file */
  unsigned char raw[2 * 4] = {0, 10, 20, 30, 0, 40, 50, 60}, buf[4096], *z;
  uLongf zl = 256;
  z = malloc(256);
  CHECK(compress(z, &zl, raw, sizeof raw) == Z_OK);
  size_t len = png_bytes(buf, 3, 2, z, zl);
  ae_dataset *a = NULL, *b = NULL;
  CHECK_OK(ae_dataset_load_memory(&a, buf, len, "tiny.png", NULL));
  CHECK_OK(ae_dataset_load(&b, put("tiny.png", buf, len), NULL));
  if (a && b) {
    CHECK(ae_dataset_dim(a) == 6 && !memcmp(ae_dataset_data(a), ae_dataset_data(b), 6 * 4));
    CHECK(ae_dataset_data(a)[5] == 60.0f);
  }
  ae_dataset_free(a);
  ae_dataset_free(b);
  /* 16384 x 16384 is more than any model takes: refused from the header,
   * before 268 MB of pixels are decoded (they took 1.3 GB) */
  len = png_bytes(buf, 16384, 16384, z, zl);
  double t0 = now();
  CHECK_FAILS(ae_dataset_load_memory(&a, buf, len, "huge.png", NULL), AE_ERR_FORMAT,
              "huge.png: image of 16384x16384 pixels: more than the 16777216 pixels allowed");
  CHECK(now() - t0 < 0.5);
  /* 4000 x 4000 cannot come out of a few bytes of deflate */
  len = png_bytes(buf, 4000, 4000, z, zl);
  CHECK_FAILS(ae_dataset_load_memory(&a, buf, len, "short.png", NULL), AE_ERR_FORMAT,
              "short.png: truncated: image of 4000x4000 pixels cannot fit");
  free(z);
}

/* CSV, NPY and model files: from memory, the same as from a file. */
static void test_memory_equals_file(void) {
  const char *csv = "a,b,c\n1,2,3\n4,5,6\n7,8,9\n";
  ae_dataset *a = NULL, *b = NULL;
  CHECK_OK(ae_dataset_load_memory(&a, csv, strlen(csv), "t.csv", NULL));
  CHECK_OK(ae_dataset_load(&b, put("t.csv", csv, strlen(csv)), NULL));
  if (a && b) {
    CHECK(ae_dataset_count(a) == 3 && ae_dataset_dim(a) == 3);
    CHECK(!memcmp(ae_dataset_data(a), ae_dataset_data(b), 9 * sizeof(float)));
  }
  ae_dataset_free(a);
  ae_dataset_free(b);
  /* max_samples on CSV */
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  lo.max_samples = 2;
  CHECK_OK(ae_dataset_load_memory(&a, csv, strlen(csv), "t.csv", &lo));
  if (a) CHECK(ae_dataset_count(a) == 2 && ae_dataset_data(a)[5] == 6.0f);
  ae_dataset_free(a);
  /* a CSV in memory with no terminating newline and no NUL after it */
  char raw[5] = {'1', ',', '2', ',', '3'};
  CHECK_OK(ae_dataset_load_memory(&a, raw, sizeof raw, "raw.csv", NULL));
  if (a) CHECK(ae_dataset_dim(a) == 3 && ae_dataset_data(a)[2] == 3.0f);
  ae_dataset_free(a);

  /* a model: save, read the bytes, load from memory, same parameters */
  ae_model *m = NULL, *x = NULL;
  CHECK_OK(ae_model_create(&m, "dense:3:relu", 1, 1, 4, 5));
  char path[300];
  snprintf(path, sizeof path, "%s/m.safetensors", tmpdir);
  CHECK_OK(ae_model_save(m, path));
  FILE *f = fopen(path, "rb");
  unsigned char mb[8192];
  size_t ml = f ? fread(mb, 1, sizeof mb, f) : 0;
  if (f) fclose(f);
  CHECK(ml > 0 && ml < sizeof mb);
  CHECK_OK(ae_model_load_memory(&x, mb, ml, "mem-model"));
  if (m && x) {
    CHECK(ae_model_param_count(x) == ae_model_param_count(m));
    CHECK(!memcmp(ae_model_params(x), ae_model_params(m), ae_model_param_count(m) * 4));
  }
  ae_model_free(x);
  x = NULL;
  /* cut short: an error naming the buffer */
  CHECK_FAILS(ae_model_load_memory(&x, mb, ml - 3, "mem-model"), AE_ERR_FORMAT, "mem-model");
  CHECK(!x);
  ae_model_free(m);
  remove(path);
}

static void test_escape(void) {
  char out[64];
  ae_text_escape(out, sizeof out, "a\nb\tc\x1b[31m\x7f");
  CHECK(!strcmp(out, "a\\nb\\tc\\x1b[31m\\x7f"));
  ae_text_escape(out, sizeof out, "caf\xc3\xa9 \xff\xc3 \xe2\x80\xae \xc2\x85");
  CHECK(!strcmp(out, "caf\xc3\xa9 \\xff\\xc3 \\u{202e} \\u{0085}"));
  ae_text_escape(out, sizeof out, "\xed\xa0\x80\xc0\xaf"); /* a surrogate, an overlong '/' */
  CHECK(!strcmp(out, "\\xed\\xa0\\x80\\xc0\\xaf"));
  /* cut short at a whole escape, always terminated */
  CHECK(ae_text_escape(out, 6, "ab\x01\x02") == 2 && !strcmp(out, "ab"));
  /* the library's own messages go through it */
  ae_dataset *ds = NULL;
  CHECK_FAILS(ae_dataset_load_memory(&ds, "x", 1, "evil\n\x1b.idx", NULL), AE_ERR_FORMAT,
              "evil\\n\\x1b.idx: not an IDX file");
  ae_dataset_free(ds);
}

int main(void) {
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_int8_idx();
  test_png_header();
  test_memory_equals_file();
  test_escape();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  CHECK_DONE();
}
