/* SPDX-License-Identifier: MIT */
/* test_safetensors.c — round trip, file layout, atomic writes, and a set of
 * hand-made broken files that must each be refused with a message naming
 * the file and the problem. */
#define _XOPEN_SOURCE 700
#include "safetensors.h"

#include "check.h"
#include "fileio.h"

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char dir_buf[64];
static const char *dir = dir_buf; /* a pointer, so CHECK_FAILS may test it */

/* Write dir/name into out (256 bytes) and return it. */
static const char *in_dir(char *out, const char *name) {
  if (snprintf(out, 256, "%s/%s", dir, name) >= 256) out[0] = 0;
  return out;
}

/* Write a raw file: 8-byte length n, hlen header bytes, data_bytes zeros. */
static void put_raw(const char *path, uint64_t n, const char *hdr, size_t hlen,
                    size_t data_bytes) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  for (int i = 0; i < 8; i++) fputc((int)((n >> (8 * i)) & 0xff), f);
  fwrite(hdr, 1, hlen, f);
  for (size_t i = 0; i < data_bytes; i++) fputc(0, f);
  CHECK(fclose(f) == 0);
}

/* 1 if two files have the same bytes. */
static int same_file(const char *a, const char *b) {
  unsigned char *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;
  int same = ae_read_file(a, &x, &nx, 0) == AE_OK &&
             ae_read_file(b, &y, &ny, 0) == AE_OK && nx == ny &&
             memcmp(x, y, nx) == 0;
  free(x);
  free(y);
  return same;
}

/* Number of entries in dir whose name contains `part`. */
static int count_named(const char *part) {
  int n = 0;
  DIR *d = opendir(dir);
  CHECK(d != NULL);
  for (struct dirent *e; d && (e = readdir(d));) n += strstr(e->d_name, part) != NULL;
  if (d) closedir(d);
  return n;
}

/* Remove the scratch directory and its files. */
static void remove_dir(void) {
  char p[256];
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) remove(in_dir(p, e->d_name));
  if (d) closedir(d);
  CHECK(rmdir(dir) == 0);
}

static float w[12], bias[4], scalar = 0.5f, conv[8];

static const ae_st_tensor tensors[] = {
    {"encoder.0.weight", 2, {3, 4}, w},
    {"encoder.0.bias", 1, {4}, bias},
    {"empty", 2, {0, 5}, NULL},
    {"décodeur \"π\"\\", 0, {0}, &scalar},
    {"conv", 4, {2, 1, 2, 2}, conv},
};
enum { N_T = sizeof tensors / sizeof tensors[0] };
static const char *const keys[] = {"format", "aekit", "empty"};
static const char *const vals[] = {"pt", "{\"spec\": \"dense:32:relu\"}", ""};

/* Write the tensors, read them back: names, shapes and bits must match. */
static void test_round_trip(const char *path) {
  const float special[12] = {0.0f, -0.0f, 1.0f, -1.5f, 1e-40f, 3.4e38f,
                             INFINITY, -INFINITY, NAN, 1e-30f, 0.1f, -7.25f};
  memcpy(w, special, sizeof w);
  for (int i = 0; i < 4; i++) bias[i] = 0.25f * (float)i - 1.0f;
  for (int i = 0; i < 8; i++) conv[i] = (float)i / 3.0f;
  CHECK_OK(ae_st_write(path, tensors, N_T, keys, vals, 3));

  ae_st_file *f = NULL;
  CHECK_OK(ae_st_read(&f, path));
  if (!f) return;
  CHECK(ae_st_count(f) == N_T);
  for (int i = 0; i < N_T && i < ae_st_count(f); i++) {
    const ae_st_tensor *t = ae_st_get(f, i), *want = &tensors[i];
    CHECK(strcmp(t->name, want->name) == 0);
    CHECK(t->ndim == want->ndim);
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++) {
      CHECK(t->shape[d] == want->shape[d]);
      count *= (size_t)want->shape[d];
    }
    CHECK(count == 0 || (t->data && (uintptr_t)t->data % _Alignof(float) == 0));
    CHECK(count == 0 || memcmp(t->data, want->data, 4 * count) == 0);
    CHECK(ae_st_find(f, want->name) == t);
  }
  CHECK(ae_st_get(f, -1) == NULL && ae_st_get(f, N_T) == NULL);
  CHECK(ae_st_find(f, "encoder.0") == NULL);
  CHECK(strcmp(ae_st_meta(f, "format"), "pt") == 0);
  CHECK(strcmp(ae_st_meta(f, "aekit"), vals[1]) == 0);
  CHECK(strcmp(ae_st_meta(f, "empty"), "") == 0);
  CHECK(ae_st_meta(f, "missing") == NULL);
  ae_st_free(f);
  ae_st_free(NULL);
}

/* The bytes on disk: length prefix, space padding to 8, data in order. */
static void test_layout(const char *path) {
  unsigned char *b = NULL;
  size_t size = 0;
  CHECK_OK(ae_read_file(path, &b, &size, 0));
  if (!b || size < 8) return;
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--) n = (n << 8) | b[i];
  size_t data = 4 * (12 + 4 + 0 + 1 + 8);
  CHECK(n % 8 == 0);
  CHECK(size == 8 + n + data);
  CHECK(b[8] == '{');
  size_t last = 8 + (size_t)n - 1;
  while (last > 8 && b[last] == ' ') last--;
  CHECK(b[last] == '}' && 8 + n - 1 - last < 8);
  CHECK(memcmp(b + 8 + n, w, sizeof w) == 0);
  CHECK(memcmp(b + size - sizeof conv, conv, sizeof conv) == 0);
  free(b);
}

/* A failed write leaves the old file as it was and no temporary file. */
static void test_failed_writes(const char *path) {
  char copy[256], other[256];
  in_dir(copy, "copy.safetensors");
  unsigned char *b = NULL;
  size_t size = 0;
  CHECK_OK(ae_read_file(path, &b, &size, 0));
  FILE *f = fopen(copy, "wb");
  CHECK(f && fwrite(b, 1, size, f) == size && fclose(f) == 0);
  free(b);

  ae_st_tensor bad[2] = {{"x", 5, {1, 1, 1, 1}, &scalar}, {"x", 0, {0}, &scalar}};
  CHECK_FAILS(ae_st_write(path, bad, 1, NULL, NULL, 0), AE_ERR_ARG, "5 dims");
  bad[0].ndim = 0;
  CHECK_FAILS(ae_st_write(path, bad, 2, NULL, NULL, 0), AE_ERR_ARG, "twice");
  bad[0].name = "__metadata__";
  CHECK_FAILS(ae_st_write(path, bad, 1, NULL, NULL, 0), AE_ERR_ARG, "name");
  const char *const nk[] = {"a", NULL}, *const dk[] = {"k", "k"};
  CHECK_FAILS(ae_st_write(path, tensors, N_T, nk, nk, 2), AE_ERR_ARG, "NULL");
  CHECK_FAILS(ae_st_write(path, tensors, N_T, dk, dk, 2), AE_ERR_ARG, "'k' given twice");
  CHECK_FAILS(ae_st_write(in_dir(other, "no/such/dir.safetensors"), tensors, N_T, NULL,
                          NULL, 0), AE_ERR_IO, "no/such/dir.safetensors");
  CHECK_FAILS(ae_st_write(dir, tensors, N_T, NULL, NULL, 0), AE_ERR_IO, dir);

  /* A real I/O failure half way: cap the file size so the data write fails
   * with EFBIG (works as root too, where permissions do not). */
  static float big[1 << 14];
  ae_st_tensor t = {"big", 1, {1 << 14}, big};
  struct rlimit old, cap;
  CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
  cap = old;
  cap.rlim_cur = 4096;
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  CHECK(setrlimit(RLIMIT_FSIZE, &cap) == 0);
  ae_status st = ae_st_write(path, &t, 1, NULL, NULL, 0);
  CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
  signal(SIGXFSZ, prev);
  CHECK(st == AE_ERR_IO && strstr(ae_last_error(), path));
  CHECK(same_file(path, copy));
  CHECK(count_named(".tmp") == 0);
  remove(copy);
}

typedef struct bad_file {
  const char *header;
  uint64_t n;      /* header length field; 0 = strlen(header) */
  size_t data;     /* zero bytes after the header */
  const char *needle;
} bad_file;

#define T(dims, offs) "{\"dtype\":\"F32\",\"shape\":" dims ",\"data_offsets\":" offs "}"
static const bad_file bad_files[] = {
    {"{}", UINT64_MAX, 0, "header length 18446744073709551615 runs past"},
    {"{}      ", 16, 4, "header length 16 runs past the end of the file"},
    {"", 0, 0, "not a JSON object"},
    {"[1, 2]  ", 0, 0, "not a JSON object"},
    {"{\"a\": {\"dtype\": \"F32\",", 0, 0, "not valid JSON"},
    {"{\"a\":1}}", 0, 0, "after its JSON object"},
    {"{}  \xff  ", 0, 0, "byte 4 (0xff) is not UTF-8"},
    {"{}\x01", 0, 0, "byte 2 (0x01)"},
    {"{\"a\":" T("[4]", "[0,16]") "}", 0, 12, "[0, 16] run past the end of the 12-byte"},
    {"{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 0, 4,
     "tensor 'x' has dtype F16; aekit reads F32 only"},
    {"{\"w\":" T("[2,3]", "[0,16]") "}", 0, 16,
     "tensor 'w': data_offsets [0, 16] hold 4 floats, shape [2, 3] needs 6"},
    {"{\"w\":" T("[2]", "[0,6]") "}", 0, 6, "not whole floats"},
    {"{\"a\":" T("[4]", "[0,16]") ",\"b\":" T("[4]", "[8,24]") "}", 0, 24,
     "tensor 'b': data_offsets [8, 24] overlap tensor 'a' [0, 16]"},
    {"{\"a\":" T("[1]", "[4,8]") "}", 0, 8, "data bytes [0, 4) before tensor 'a' belong to no tensor"},
    {"{\"a\":" T("[1]", "[0,4]") "}", 0, 8, "holds 8 bytes but its tensors cover 4"},
    {"{\"a\":" T("[-3]", "[0,0]") "}", 0, 0, "tensor 'a': shape has negative dim -3"},
    {"{\"a\":" T("[2.5]", "[0,0]") "}", 0, 0, "shape dim 0 is not an integer"},
    {"{\"a\":" T("\"4\"", "[0,16]") "}", 0, 16, "shape is not an array"},
    {"{\"a\":" T("[1,1,1,1,1]", "[0,4]") "}", 0, 4, "has 5 dims; aekit reads at most 4"},
    {"{\"a\":" T("[65536,65536,65536,65536]", "[0,4]") "}", 0, 4, "too many elements"},
    {"{\"a\":" T("[1]", "[4,0]") "}", 0, 4, "[4, 0] end before they begin"},
    {"{\"a\":" T("[1]", "[0,4,8]") "}", 0, 8, "not two non-negative integers"},
    {"{\"a\":" T("[1]", "[0,\"4\"]") "}", 0, 4, "not two non-negative integers"},
    {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 0, 4, "lacks \"dtype\""},
    {"{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 0, 4, "lacks \"shape\""},
    {"{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 0, 4, "dtype is not a string"},
    {"{\"a\":[1]}", 0, 0, "tensor 'a': entry is not a JSON object"},
    {"{\"__metadata__\":{\"k\":1}}", 0, 0, "metadata 'k' is not a string"},
    {"{\"__metadata__\":[]}", 0, 0, "__metadata__ is not a JSON object"},
    {"{\"__metadata__\":{},\"__metadata__\":{}}", 0, 0, "__metadata__ is given twice"},
    {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, 0, "metadata key 'k' appears twice"},
    {"{\"a\":" T("[1]", "[0,4]") ",\"a\":" T("[1]", "[4,8]") "}", 0, 8,
     "tensor name 'a' appears twice"},
};
#undef T

/* Each broken file is refused with AE_ERR_FORMAT, naming file and problem. */
static void test_bad_files(void) {
  char path[256], other[256];
  in_dir(path, "bad.safetensors");
  unsigned char four[4] = {8, 0, 0, 0};
  FILE *f = fopen(path, "wb");
  CHECK(f && fwrite(four, 1, 4, f) == 4 && fclose(f) == 0);
  ae_st_file *st = (ae_st_file *)&st;
  CHECK_FAILS(ae_st_read(&st, path), AE_ERR_FORMAT, "file is 4 bytes, too short");
  CHECK(st == NULL);
  for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
    const bad_file *b = &bad_files[i];
    size_t hlen = strlen(b->header);
    int before = check_failures;
    put_raw(path, b->n ? b->n : hlen, b->header, hlen, b->data);
    st = (ae_st_file *)&st;
    CHECK_FAILS(ae_st_read(&st, path), AE_ERR_FORMAT, b->needle);
    CHECK(strncmp(ae_last_error(), path, strlen(path)) == 0);
    CHECK(st == NULL);
    if (check_failures != before) fprintf(stderr, "  in bad file %zu: %s\n", i, b->header);
  }
  CHECK_FAILS(ae_st_read(&st, in_dir(other, "missing.safetensors")), AE_ERR_IO,
              "missing.safetensors");
  CHECK_FAILS(ae_st_read(&st, dir), AE_ERR_IO, dir);
  remove(path);
}

/* Odd but valid files: no tensors; padding with newlines; keys out of order. */
static void test_odd_valid(void) {
  char path[256];
  in_dir(path, "odd.safetensors");
  ae_st_file *f = NULL;
  put_raw(path, 8, "{}\n \t\r  ", 8, 0);
  CHECK_OK(ae_st_read(&f, path));
  CHECK(ae_st_count(f) == 0 && ae_st_find(f, "a") == NULL && !ae_st_meta(f, "a"));
  ae_st_free(f);
  const char *h = "{\"b\":{\"data_offsets\":[4,8],\"shape\":[],\"dtype\":\"F32\"},"
                  "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                  "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}";
  put_raw(path, strlen(h), h, strlen(h), 8);
  f = NULL;
  CHECK_OK(ae_st_read(&f, path));
  CHECK(ae_st_count(f) == 3);
  if (f && ae_st_count(f) == 3) {
    CHECK(strcmp(ae_st_get(f, 0)->name, "a") == 0);
    CHECK(strcmp(ae_st_get(f, 1)->name, "z") == 0 && ae_st_get(f, 1)->data == NULL);
    CHECK(strcmp(ae_st_get(f, 2)->name, "b") == 0 && ae_st_get(f, 2)->ndim == 0);
    CHECK(ae_st_get(f, 2)->data[0] == 0.0f);
  }
  ae_st_free(f);
  CHECK_OK(ae_st_write(path, NULL, 0, NULL, NULL, 0));
  f = NULL;
  CHECK_OK(ae_st_read(&f, path));
  CHECK(ae_st_count(f) == 0);
  ae_st_free(f);
  remove(path);
}

int main(void) {
  strcpy(dir_buf, "/tmp/aekit_st_XXXXXX");
  if (!mkdtemp(dir_buf)) {
    perror("mkdtemp");
    return 1;
  }
  char path[256];
  in_dir(path, "model.safetensors");
  test_round_trip(path);
  test_layout(path);
  test_failed_writes(path);
  test_bad_files();
  test_odd_valid();
  remove(path);
  remove_dir();
  CHECK_DONE();
}
