/* SPDX-License-Identifier: MIT */
/* test_data.c — data set readers (IDX plain and gzip, CSV, NPY), their error
 * messages on bad input, and slicing, splitting and scaling. Small files are
 * written by hand into a fresh temporary directory. */
#define _POSIX_C_SOURCE 200809L
#include "aekit.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#ifndef AE_FASHION_DIR
#define AE_FASHION_DIR "/usr/share/datasets/fashion-mnist"
#endif

static char tmpdir[] = "/tmp/aekit_test_data_XXXXXX";
static char made[64][300]; /* files to remove at the end */
static int nmade;

/* Path of `name` in the temporary directory (kept for cleanup). */
static const char *tpath(const char *name) {
  char *p = made[nmade++ % 64];
  snprintf(p, sizeof made[0], "%s/%s", tmpdir, name);
  return p;
}

/* Write len bytes to a new file; gzip-compressed when gz is set. */
static const char *put(const char *name, const void *data, size_t len, int gz) {
  const char *p = tpath(name);
  if (gz) {
    gzFile g = gzopen(p, "wb");
    CHECK(g && gzwrite(g, data, (unsigned)len) == (int)len);
    if (g) gzclose(g);
  } else {
    FILE *f = fopen(p, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
  }
  return p;
}

static const char *put_text(const char *name, const char *text) {
  return put(name, text, strlen(text), 0);
}

/* IDX header (type, dims) into buf; returns its length. */
static size_t idx_header(unsigned char *buf, int type, int ndim,
                         const uint32_t *dims) {
  buf[0] = 0, buf[1] = 0, buf[2] = (unsigned char)type, buf[3] = (unsigned char)ndim;
  for (int i = 0; i < ndim; i++)
    for (int b = 0; b < 4; b++) buf[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
  return 4 + 4 * (size_t)ndim;
}

/* NPY version-`major` file: header dict text, then len data bytes. */
static const char *put_npy(const char *name, int major, const char *dict,
                           const void *data, size_t len) {
  static unsigned char buf[4096];
  size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
  size_t hlen = (pre + dl + 1 + 63) / 64 * 64 - pre;
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (unsigned char)major, buf[7] = 0;
  buf[8] = (unsigned char)(hlen & 255), buf[9] = (unsigned char)(hlen >> 8);
  if (major > 1) buf[10] = buf[11] = 0;
  memset(buf + pre, ' ', hlen);
  memcpy(buf + pre, dict, dl);
  buf[pre + hlen - 1] = '\n';
  memcpy(buf + pre + hlen, data, len);
  return put(name, buf, pre + hlen + len, 0);
}

/* uint8 images, plain and gzip, with labels; int16, float32, 4-d IDX. */
static void test_idx(void) {
  unsigned char buf[256];
  uint32_t dims[3] = {3, 2, 3};
  size_t h = idx_header(buf, 0x08, 3, dims);
  for (int i = 0; i < 18; i++) buf[h + i] = (unsigned char)(i * 15);
  const char *plain = put("img.idx", buf, h + 18, 0);
  const char *gz = put("img.idx.gz", buf, h + 18, 1);
  unsigned char lb[16];
  uint32_t ldim = 3;
  size_t lh = idx_header(lb, 0x08, 1, &ldim);
  lb[lh] = 7, lb[lh + 1] = 0, lb[lh + 2] = 9;
  const char *lab = put("lab.idx.gz", lb, lh + 3, 1);
  for (int g = 0; g < 2; g++) {
    ae_dataset *ds = NULL;
    ae_load_options opt;
    ae_load_options_defaults(&opt);
    opt.labels_path = lab;
    CHECK_OK(ae_dataset_load(&ds, g ? gz : plain, &opt));
    if (!ds) continue;
    int c, hh, w;
    float lo, hi;
    ae_dataset_shape(ds, &c, &hh, &w);
    ae_dataset_range(ds, &lo, &hi);
    CHECK(ae_dataset_count(ds) == 3 && ae_dataset_dim(ds) == 6);
    CHECK(c == 1 && hh == 2 && w == 3);
    CHECK(lo == 0.0f && hi == 255.0f);
    for (int i = 0; i < 18; i++) CHECK(ae_dataset_data(ds)[i] == (float)(i * 15));
    const int32_t *l = ae_dataset_labels(ds);
    CHECK(l && l[0] == 7 && l[1] == 0 && l[2] == 9);
    ae_dataset_free(ds);
  }

  /* float32, 2-d (4, 2): shape (1, 1, 2), observed range */
  float fv[8] = {-1.5f, 0.25f, 3.0e-7f, 1e6f, 2.0f, -7.0f, 0.0f, 123.456f};
  uint32_t fd[2] = {4, 2};
  h = idx_header(buf, 0x0D, 2, fd);
  for (int i = 0; i < 8; i++) {
    uint32_t u;
    memcpy(&u, &fv[i], 4);
    for (int b = 0; b < 4; b++) buf[h + 4 * i + b] = (unsigned char)(u >> (24 - 8 * b));
  }
  const char *fp = put("f32.idx", buf, h + 32, 0);
  ae_dataset *ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, fp, NULL));
  if (ds) {
    int c, hh, w;
    float lo, hi;
    ae_dataset_shape(ds, &c, &hh, &w);
    ae_dataset_range(ds, &lo, &hi);
    CHECK(ae_dataset_count(ds) == 4 && c == 1 && hh == 1 && w == 2);
    CHECK(lo == -7.0f && hi == 1e6f);
    CHECK(!ae_dataset_labels(ds));
    for (int i = 0; i < 8; i++) CHECK(ae_dataset_data(ds)[i] == fv[i]);
    ae_dataset_free(ds);
  }

  /* int16, 4-d (2, 2, 1, 2): shape (2, 1, 2), negative values */
  uint32_t d4[4] = {2, 2, 1, 2};
  h = idx_header(buf, 0x0B, 4, d4);
  for (int i = 0; i < 8; i++) {
    int16_t v = (int16_t)(i * 1000 - 3000);
    buf[h + 2 * i] = (unsigned char)((uint16_t)v >> 8);
    buf[h + 2 * i + 1] = (unsigned char)((uint16_t)v & 255);
  }
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, put("i16.idx", buf, h + 16, 0), NULL));
  if (ds) {
    int c, hh, w;
    ae_dataset_shape(ds, &c, &hh, &w);
    CHECK(ae_dataset_count(ds) == 2 && c == 2 && hh == 1 && w == 2);
    for (int i = 0; i < 8; i++) CHECK(ae_dataset_data(ds)[i] == (float)(i * 1000 - 3000));
    ae_dataset_free(ds);
  }
}

/* CSV with and without header, label column, spaces, \r\n, blank lines. */
static void test_csv(void) {
  ae_dataset *ds = NULL;
  int c, h, w;
  const char *p = put_text("plain.csv", "1,2,3,4\n5,6,7,8.5\n");
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(ae_dataset_count(ds) == 2 && ae_dataset_dim(ds) == 4);
    CHECK(c == 1 && h == 2 && w == 2); /* 4 = 2*2 */
    CHECK(ae_dataset_data(ds)[7] == 8.5f && ae_dataset_data(ds)[0] == 1.0f);
    float lo, hi;
    ae_dataset_range(ds, &lo, &hi);
    CHECK(lo == 1.0f && hi == 8.5f);
    ae_dataset_free(ds);
  }
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  opt.csv_label_column = 0;
  p = put_text("lab.csv", "\xEF\xBB\xBFlabel, a, b ,c\r\n3, 0.5 ,-1e-3,2\r\n"
                          "\r\n 9 ,1.25,\t7,0\r\n\r\n\n");
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &opt)); /* header detected */
  if (ds) {
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(ae_dataset_count(ds) == 2 && ae_dataset_dim(ds) == 3);
    CHECK(c == 1 && h == 1 && w == 3);
    const float *x = ae_dataset_data(ds);
    CHECK(x[0] == 0.5f && x[1] == (float)-1e-3 && x[2] == 2.0f);
    CHECK(x[3] == 1.25f && x[4] == 7.0f && x[5] == 0.0f);
    const int32_t *l = ae_dataset_labels(ds);
    CHECK(l && l[0] == 3 && l[1] == 9);
    ae_dataset_free(ds);
  }
  opt.csv_header = 1; /* a numeric first row read as a header when told so */
  opt.csv_label_column = 2;
  p = put_text("hdr.csv", "1,2,3\n4,5,6\n7,8,9");
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (ds) {
    CHECK(ae_dataset_count(ds) == 2 && ae_dataset_dim(ds) == 2);
    CHECK(ae_dataset_data(ds)[2] == 7.0f && ae_dataset_labels(ds)[1] == 9);
    ae_dataset_free(ds);
  }
}

/* A table as a data scientist holds it: semicolons or tabs, the label
 * column by its header name or as the last, columns dropped by name or
 * index, and the refusals. */
static void test_csv_columns(void) {
  ae_dataset *ds = NULL;
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  opt.csv_label_name = "diagnosis";
  opt.csv_drop = "id";
  const char *p = put_text("semi.csv", "id; \"radius\" ;texture;diagnosis\n"
                                       "17;1.5;20;0\n18;2.5;21;1\n19;-3;22.25;1\n");
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (ds) {
    const float *x = ae_dataset_data(ds);
    const int32_t *l = ae_dataset_labels(ds);
    CHECK(ae_dataset_count(ds) == 3 && ae_dataset_dim(ds) == 2);
    CHECK(x[0] == 1.5f && x[1] == 20.0f && x[4] == -3.0f && x[5] == 22.25f);
    CHECK(l && l[0] == 0 && l[1] == 1 && l[2] == 1);
    ae_dataset_free(ds);
  }
  ae_load_options_defaults(&opt); /* a tab file: the last column, a column dropped by index */
  opt.csv_label_column = AE_CSV_LAST_COLUMN;
  opt.csv_drop = "1";
  p = put_text("tabs.tsv", "1\t2\t3\t7\n4\t5\t6\t8\n");
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (ds) {
    const float *x = ae_dataset_data(ds);
    CHECK(ae_dataset_dim(ds) == 2 && x[0] == 1.0f && x[1] == 3.0f && x[3] == 6.0f);
    CHECK(ae_dataset_labels(ds)[1] == 8);
    ae_dataset_free(ds);
  }
  p = put_text("tabs.csv", "1\t2\t3\t7\n4\t5\t6\t8\n"); /* detected in a .csv too */
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (ds) CHECK(ae_dataset_dim(ds) == 2 && ae_dataset_labels(ds)[0] == 7);
  ae_dataset_free(ds);
  /* refused, naming the file and the column */
  ae_load_options_defaults(&opt);
  opt.csv_label_name = "target";
  p = put_text("named.csv", "a,b\n1,2\n");
  ds = NULL;
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_ARG && !ds &&
        strstr(ae_last_error(), "named.csv: no column named 'target'"));
  p = put_text("nohdr.csv", "1,2\n3,4\n");
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_ARG &&
        strstr(ae_last_error(), "no header row"));
  ae_load_options_defaults(&opt);
  opt.csv_label_column = 0;
  opt.csv_drop = "a";
  p = put_text("dropl.csv", "a,b,c\n1,2,3\n");
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_ARG &&
        strstr(ae_last_error(), "label column: it cannot be dropped"));
  opt.csv_label_column = -1;
  opt.csv_drop = "a,9";
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_ARG &&
        strstr(ae_last_error(), "dropped column 9 outside the 3 columns"));
  opt.csv_drop = "a,b,c";
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_FORMAT &&
        strstr(ae_last_error(), "no feature columns"));
  opt.csv_drop = NULL;
  opt.csv_delimiter = '|';
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_ARG && strstr(ae_last_error(), "csv_delimiter"));
  opt.csv_delimiter = ';'; /* a decimal comma is no number */
  p = put_text("decimal.csv", "1;2\n3,5;4\n");
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_FORMAT &&
        strstr(ae_last_error(), "line 2, column 1: not a number: \"3,5\""));
}

/* A label column of words: sorted names, labels their indices; a first
 * line whose one word is the label is data; names survive slicing and
 * splitting; another file's names adopted. */
static void test_csv_words(void) {
  ae_dataset *ds = NULL, *other = NULL, *part = NULL, *rest = NULL;
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  opt.csv_label_column = AE_CSV_LAST_COLUMN;
  const char *p = put_text("iris.csv", "5.1,3.5,setosa\n7.0,3.2, versicolor\n6.3,3.3,\"virginica\"\n"
                                       "4.9,3.0,setosa\n");
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (!ds) return;
  const int32_t *l = ae_dataset_labels(ds);
  CHECK(ae_dataset_count(ds) == 4 && ae_dataset_dim(ds) == 2); /* no header: the words are labels */
  CHECK(ae_dataset_class_count(ds) == 3);
  CHECK(!strcmp(ae_dataset_class_name(ds, 0), "setosa") &&
        !strcmp(ae_dataset_class_name(ds, 1), "versicolor") &&
        !strcmp(ae_dataset_class_name(ds, 2), "virginica") && !ae_dataset_class_name(ds, 3));
  CHECK(l && l[0] == 0 && l[1] == 1 && l[2] == 2 && l[3] == 0);
  CHECK(ae_dataset_data(ds)[2] == 7.0f);
  CHECK_OK(ae_dataset_slice(&part, ds, 1, 2));
  if (part) CHECK(ae_dataset_class_count(part) == 3 && !strcmp(ae_dataset_class_name(part, 2), "virginica"));
  ae_dataset_free(part);
  part = NULL;
  CHECK_OK(ae_dataset_split(&part, &rest, ds, 0.5, 1));
  if (rest) CHECK(ae_dataset_class_count(rest) == 3);
  ae_dataset_free(part);
  ae_dataset_free(rest);
  /* a test file without setosa sorts its own names; adopted, its labels
   * become the first file's, and an unknown name is appended */
  p = put_text("iris_test.csv", "x,y,species\n6.0,2.2,virginica\n5.0,2.0,rose\n6.1,2.8,versicolor\n");
  opt.csv_label_column = -1;
  opt.csv_label_name = "species";
  CHECK_OK(ae_dataset_load(&other, p, &opt));
  if (other) {
    CHECK(ae_dataset_class_count(other) == 3 && !strcmp(ae_dataset_class_name(other, 0), "rose"));
    const char *names[3] = {ae_dataset_class_name(ds, 0), ae_dataset_class_name(ds, 1),
                            ae_dataset_class_name(ds, 2)};
    CHECK_OK(ae_dataset_adopt_class_names(other, names, 3));
    const int32_t *m = ae_dataset_labels(other);
    CHECK(m[0] == 2 && m[1] == 3 && m[2] == 1);
    CHECK(ae_dataset_class_count(other) == 4 && !strcmp(ae_dataset_class_name(other, 3), "rose"));
  }
  ae_dataset_free(other);
  ae_dataset_free(ds);
  /* Fashion-MNIST's names given to numeric labels; a label past them refused */
  CHECK(!strcmp(ae_fashion_mnist_classes()[0], "T-shirt/top") &&
        !strcmp(ae_fashion_mnist_classes()[9], "Ankle boot"));
  ae_load_options_defaults(&opt);
  opt.csv_label_column = 0;
  p = put_text("num.csv", "3,1,2\n9,4,5\n");
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, &opt));
  if (ds) {
    CHECK(ae_dataset_class_count(ds) == 0);
    CHECK_OK(ae_dataset_set_class_names(ds, ae_fashion_mnist_classes(), 10));
    CHECK(!strcmp(ae_dataset_class_name(ds, ae_dataset_labels(ds)[0]), "Dress"));
    CHECK(ae_dataset_set_class_names(ds, ae_fashion_mnist_classes(), 5) == AE_ERR_ARG &&
          strstr(ae_last_error(), "label 9"));
    CHECK(!strcmp(ae_dataset_class_name(ds, 9), "Ankle boot")); /* kept on failure */
  }
  ae_dataset_free(ds);
  /* a label that is a number but no integer stays refused; a word too long */
  p = put_text("half.csv", "0.5,1\n1,2\n");
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_FORMAT && strstr(ae_last_error(), "not an integer"));
  char longer[400];
  memset(longer, 'w', 300);
  snprintf(longer + 300, sizeof longer - 300, ",1\n");
  p = put_text("long.csv", longer);
  CHECK(ae_dataset_load(&ds, p, &opt) == AE_ERR_FORMAT &&
        strstr(ae_last_error(), "long.csv: line 1, column 1: label longer than 255 bytes"));
}

/* An NPY v1.0 file of `dict` and len data bytes into dst; its length. */
static size_t npy_bytes(unsigned char *dst, const char *dict, const void *data, size_t len) {
  size_t dl = strlen(dict), hlen = (10 + dl + 1 + 63) / 64 * 64 - 10;
  memcpy(dst, "\x93NUMPY\x01\x00", 8);
  dst[8] = (unsigned char)(hlen & 255), dst[9] = (unsigned char)(hlen >> 8);
  memset(dst + 10, ' ', hlen);
  memcpy(dst + 10, dict, dl);
  dst[10 + hlen - 1] = '\n';
  memcpy(dst + 10 + hlen, data, len);
  return 10 + hlen + len;
}

static void le16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }
static void le32(unsigned char *p, uint32_t v) { le16(p, v & 0xffff), le16(p + 2, v >> 16); }

/* A zip of k members (names, bytes), stored or deflated (raw deflate, as
 * np.savez_compressed writes), into dst; its length. */
static size_t zip_bytes(unsigned char *dst, int k, const char *const *names,
                        const unsigned char *const *data, const size_t *lens, int deflated) {
  size_t at = 0, offs[4], csz[4];
  uint32_t crcs[4];
  for (int i = 0; i < k; i++) {
    size_t nl = strlen(names[i]);
    unsigned char *h = dst + at;
    offs[i] = at;
    crcs[i] = (uint32_t)crc32(0L, data[i], (uInt)lens[i]);
    memset(h, 0, 30);
    le32(h, 0x04034b50u), le16(h + 4, 20), le16(h + 8, deflated ? 8 : 0);
    le32(h + 14, crcs[i]), le32(h + 22, (uint32_t)lens[i]), le16(h + 26, (unsigned)nl);
    memcpy(h + 30, names[i], nl);
    unsigned char *body = h + 30 + nl;
    if (deflated) {
      z_stream z;
      memset(&z, 0, sizeof z);
      CHECK(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
      z.next_in = (unsigned char *)data[i], z.avail_in = (uInt)lens[i];
      z.next_out = body, z.avail_out = 4096;
      CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
      csz[i] = z.total_out;
      deflateEnd(&z);
    } else {
      memcpy(body, data[i], lens[i]);
      csz[i] = lens[i];
    }
    le32(h + 18, (uint32_t)csz[i]);
    at += 30 + nl + csz[i];
  }
  size_t cd = at;
  for (int i = 0; i < k; i++) {
    size_t nl = strlen(names[i]);
    unsigned char *c = dst + at;
    memset(c, 0, 46);
    le32(c, 0x02014b50u), le16(c + 4, 20), le16(c + 6, 20), le16(c + 10, deflated ? 8 : 0);
    le32(c + 16, crcs[i]), le32(c + 20, (uint32_t)csz[i]), le32(c + 24, (uint32_t)lens[i]);
    le16(c + 28, (unsigned)nl), le32(c + 42, (uint32_t)offs[i]);
    memcpy(c + 46, names[i], nl);
    at += 46 + nl;
  }
  unsigned char *e = dst + at;
  memset(e, 0, 22);
  le32(e, 0x06054b50u), le16(e + 8, (unsigned)k), le16(e + 10, (unsigned)k);
  le32(e + 12, (uint32_t)(at - cd)), le32(e + 16, (uint32_t)cd);
  return at + 22;
}

/* NPZ: the data array by key or by the usual names, its labels beside it
 * (y for x, y_train for x_train), deflated members; refusals. */
static void test_npz(void) {
  static unsigned char a[512], b[512], c[512], zip[4096];
  const float x[6] = {0, 1, 2, 3, 4, 5};
  const int64_t y[2] = {7, 9};
  size_t la = npy_bytes(a, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", x, sizeof x);
  size_t lb = npy_bytes(b, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", y, sizeof y);
  size_t lc = npy_bytes(c, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }", x + 3, 12);
  ae_dataset *ds = NULL;
  char stored[300] = "";
  for (int deflated = 0; deflated < 2; deflated++) {
    const char *names[3] = {"x_test.npy", "x.npy", "y.npy"};
    const unsigned char *data[3] = {c, a, b};
    size_t lens[3] = {lc, la, lb};
    size_t n = zip_bytes(zip, 3, names, data, lens, deflated);
    const char *p = put(deflated ? "xy_c.npz" : "xy.npz", zip, n, 0);
    if (!deflated) snprintf(stored, sizeof stored, "%s", p);
    CHECK_OK(ae_dataset_load(&ds, p, NULL)); /* x by its name, y its labels */
    if (ds) {
      CHECK(ae_dataset_count(ds) == 2 && ae_dataset_dim(ds) == 3 && ae_dataset_data(ds)[5] == 5.0f);
      CHECK(ae_dataset_labels(ds) && ae_dataset_labels(ds)[1] == 9);
    }
    ae_dataset_free(ds);
    ds = NULL;
    char key[400];
    snprintf(key, sizeof key, "%s:x_test", p); /* named; no y_test: no labels */
    CHECK_OK(ae_dataset_load(&ds, key, NULL));
    if (ds) CHECK(ae_dataset_count(ds) == 1 && ae_dataset_data(ds)[0] == 3.0f && !ae_dataset_labels(ds));
    ae_dataset_free(ds);
    ds = NULL;
    snprintf(key, sizeof key, "%s:nope", p);
    CHECK(ae_dataset_load(&ds, key, NULL) == AE_ERR_ARG &&
          strstr(ae_last_error(), "no array 'nope' in the archive (it holds x_test, x, y)"));
    ae_dataset_free(ds);
    ds = NULL;
  }
  /* two arrays of no usual name: one must be named */
  const char *odd[2] = {"a.npy", "b.npy"};
  const unsigned char *od[2] = {a, c};
  size_t ol[2] = {la, lc};
  size_t n = zip_bytes(zip, 2, odd, od, ol, 0);
  const char *p = put("odd.npz", zip, n, 0);
  CHECK(ae_dataset_load(&ds, p, NULL) == AE_ERR_ARG && strstr(ae_last_error(), "2 arrays (a, b): name one"));
  /* labels from another archive's array; a wrong count refused */
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  char lab[400];
  snprintf(lab, sizeof lab, "%s:y", stored);
  opt.labels_path = lab;
  char ak[400];
  snprintf(ak, sizeof ak, "%s:a", p);
  CHECK_OK(ae_dataset_load(&ds, ak, &opt));
  if (ds) CHECK(ae_dataset_labels(ds) && ae_dataset_labels(ds)[0] == 7);
  ae_dataset_free(ds);
  ds = NULL;
  snprintf(ak, sizeof ak, "%s:b", p);
  CHECK(ae_dataset_load(&ds, ak, &opt) == AE_ERR_SHAPE && strstr(ae_last_error(), "2 labels"));
  /* a flipped data byte fails the CRC; a cut archive has no end record */
  const char *names[2] = {"x.npy", "y.npy"};
  const unsigned char *data[2] = {a, b};
  size_t lens[2] = {la, lb};
  n = zip_bytes(zip, 2, names, data, lens, 0);
  zip[30 + 5 + 100] ^= 1;
  p = put("crc.npz", zip, n, 0);
  CHECK(ae_dataset_load(&ds, p, NULL) == AE_ERR_FORMAT && strstr(ae_last_error(), "fails its CRC-32 check"));
  n = zip_bytes(zip, 2, names, data, lens, 1);
  p = put("cut.npz", zip, n - 30, 0);
  CHECK(ae_dataset_load(&ds, p, NULL) == AE_ERR_FORMAT && strstr(ae_last_error(), "cut.npz: not an NPZ archive"));
  CHECK(!ds);
}

/* NPY float32 (v1.0), float64 (v2.0), uint8 4-d, big-endian float32. */
static void test_npy(void) {
  ae_dataset *ds = NULL;
  int c, h, w;
  float f4[6] = {0.5f, -2.0f, 3.25f, 1e-20f, 7.0f, -0.0f};
  const char *p = put_npy("f4.npy", 1, "{'descr': '<f4', 'fortran_order': False, "
                          "'shape': (2, 3), }", f4, sizeof f4);
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(ae_dataset_count(ds) == 2 && c == 1 && h == 1 && w == 3);
    for (int i = 0; i < 6; i++) CHECK(ae_dataset_data(ds)[i] == f4[i]);
    float lo, hi;
    ae_dataset_range(ds, &lo, &hi);
    CHECK(lo == -2.0f && hi == 7.0f);
    ae_dataset_free(ds);
  }
  double f8[8] = {0.1, 0.2, 0.3, 0.4, -1.0, 2.5, 1e10, -3.75};
  p = put_npy("f8.npy", 2, "{\"shape\":(2,2,2),\"fortran_order\":False,"
              "\"descr\":\"<f8\"}", f8, sizeof f8);
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    ae_dataset_shape(ds, &c, &h, &w);
    CHECK(ae_dataset_count(ds) == 2 && c == 1 && h == 2 && w == 2);
    for (int i = 0; i < 8; i++) CHECK(ae_dataset_data(ds)[i] == (float)f8[i]);
    ae_dataset_free(ds);
  }
  unsigned char u1[12];
  for (int i = 0; i < 12; i++) u1[i] = (unsigned char)(i * 20);
  p = put_npy("u1.npy", 3, "{'descr': '|u1', 'fortran_order': False, "
              "'shape': (2, 2, 1, 3), }", u1, sizeof u1);
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    float lo, hi;
    ae_dataset_shape(ds, &c, &h, &w);
    ae_dataset_range(ds, &lo, &hi);
    CHECK(ae_dataset_count(ds) == 2 && c == 2 && h == 1 && w == 3);
    CHECK(lo == 0.0f && hi == 255.0f);
    for (int i = 0; i < 12; i++) CHECK(ae_dataset_data(ds)[i] == (float)(i * 20));
    ae_dataset_free(ds);
  }
  unsigned char be[16];
  for (int i = 0; i < 4; i++) {
    uint32_t u;
    memcpy(&u, &f4[i], 4);
    for (int b = 0; b < 4; b++) be[4 * i + b] = (unsigned char)(u >> (24 - 8 * b));
  }
  p = put_npy("be.npy", 1, "{'descr': '>f4', 'fortran_order': False, "
              "'shape': (4,), }", be, sizeof be);
  ds = NULL;
  CHECK_OK(ae_dataset_load(&ds, p, NULL));
  if (ds) {
    CHECK(ae_dataset_count(ds) == 4 && ae_dataset_dim(ds) == 1);
    for (int i = 0; i < 4; i++) CHECK(ae_dataset_data(ds)[i] == f4[i]);
    ae_dataset_free(ds);
  }
}

/* Every bad input fails with the right status and names the file. */
static void test_bad_input(void) {
  ae_dataset *ds = NULL;
  unsigned char buf[128];
  uint32_t dims[3] = {10, 2, 2};
  size_t h = idx_header(buf, 0x08, 3, dims);
  memset(buf + h, 1, 40);
  const char *p = put("trunc.idx", buf, h + 10, 0);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "10 samples") && strstr(ae_last_error(), "2 complete"));
  p = put("trunc.idx.gz", buf, h + 10, 1);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "truncated"));
  p = put("trail.idx", buf, h + 41, 0);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  p = put("trail.idx.gz", buf, h + 41, 1);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  const char garbage[] = "\x7f" "ELF this is not an IDX file at all";
  p = put("garbage.idx", garbage, sizeof garbage, 0);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  uint32_t huge[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
  h = idx_header(buf, 0x08, 4, huge);
  p = put("huge.idx", buf, h + 16, 0);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  uint32_t zero[3] = {5, 0, 3};
  p = put("zero.idx", buf, idx_header(buf, 0x08, 3, zero), 0);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);

  /* labels: 4 of them for a data set of 2 */
  uint32_t d2[3] = {2, 1, 1}, l4 = 4;
  h = idx_header(buf, 0x08, 3, d2);
  buf[h] = 1, buf[h + 1] = 2;
  const char *img = put("two.idx", buf, h + 2, 0);
  h = idx_header(buf, 0x08, 1, &l4);
  memset(buf + h, 0, 4);
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  opt.labels_path = put("four.lab", buf, h + 4, 0);
  CHECK_FAILS(ae_dataset_load(&ds, img, &opt), AE_ERR_SHAPE, opt.labels_path);
  CHECK(strstr(ae_last_error(), "4 labels") && strstr(ae_last_error(), "2 samples"));

  p = put_text("ragged.csv", "1,2,3\n4,5,6\n7,8\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "line 3") && strstr(ae_last_error(), "got 2"));
  p = put_text("word.csv", "1,2,3\n4,five,6\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "line 2, column 2") && strstr(ae_last_error(), "\"five\""));
  p = put_text("hole.csv", "1,,3\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  p = put_text("nan.csv", "1,2\n3,nan\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_NUMERIC, p);
  p = put_text("inf.csv", "1,2\n3,1e999\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_NUMERIC, p);
  p = put_text("empty.csv", "");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  p = put_text("blank.csv", "\n \r\n\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  ae_load_options_defaults(&opt);
  opt.csv_label_column = 1;
  p = put_text("fraclab.csv", "1,2.5\n");
  CHECK_FAILS(ae_dataset_load(&ds, p, &opt), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "integer"));

  float nanv[2] = {1.0f, NAN};
  p = put_npy("nan.npy", 1, "{'descr': '<f4', 'fortran_order': False, "
              "'shape': (2,), }", nanv, sizeof nanv);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_NUMERIC, p);
  CHECK(strstr(ae_last_error(), "sample 1"));
  p = put_npy("fortran.npy", 1, "{'descr': '<f4', 'fortran_order': True, "
              "'shape': (1, 2), }", nanv, sizeof nanv);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  CHECK(strstr(ae_last_error(), "Fortran"));
  p = put_npy("short.npy", 1, "{'descr': '<f4', 'fortran_order': False, "
              "'shape': (3, 2), }", nanv, sizeof nanv);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  p = put_npy("big.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
              "'shape': (4294967296, 4294967296, 4294967296), }", nanv, 8);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);
  p = put_npy("dict.npy", 1, "{'descr': '<f4', 'shape': (2,), }", nanv, 8);
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_FORMAT, p);

  p = tpath("missing.idx");
  CHECK_FAILS(ae_dataset_load(&ds, p, NULL), AE_ERR_IO, "No such file");
  CHECK(strstr(ae_last_error(), p));
  /* a folder is a data set of its images: this one has none */
  CHECK_FAILS(ae_dataset_load(&ds, tmpdir, NULL), AE_ERR_FORMAT, "no PNG or JPEG images");
  CHECK(strstr(ae_last_error(), tmpdir));
  CHECK(ds == NULL);
}

/* Slicing, seeded splitting, scaling and copying from arrays. */
static void test_ops(void) {
  float x[20];
  int32_t lab[10];
  for (int i = 0; i < 10; i++) x[2 * i] = (float)i, x[2 * i + 1] = 2.0f * i, lab[i] = i;
  ae_dataset *ds = NULL, *tr = NULL, *va = NULL, *tr2 = NULL, *va2 = NULL, *sl = NULL;
  CHECK_OK(ae_dataset_from_array(&ds, x, 10, 2, lab));
  if (!ds) return;
  x[0] = 99.0f; /* the data set holds a copy */
  CHECK(ae_dataset_data(ds)[0] == 0.0f);
  CHECK_OK(ae_dataset_split(&tr, &va, ds, 0.3, 7));
  CHECK_OK(ae_dataset_split(&tr2, &va2, ds, 0.3, 7));
  if (tr && va && tr2 && va2) {
    CHECK(ae_dataset_count(va) == 3 && ae_dataset_count(tr) == 7);
    int seen[10] = {0}, moved = 0;
    const ae_dataset *parts[2] = {tr, va};
    for (int k = 0; k < 2; k++)
      for (size_t i = 0; i < ae_dataset_count(parts[k]); i++) {
        const float *r = ae_dataset_data(parts[k]) + 2 * i;
        int32_t l = ae_dataset_labels(parts[k])[i];
        CHECK(r[0] == (float)l && r[1] == 2.0f * l); /* labels follow samples */
        if (l >= 0 && l < 10) seen[l]++;
        if (k == 0 && (int32_t)i != l) moved = 1;
      }
    for (int i = 0; i < 10; i++) CHECK(seen[i] == 1);
    CHECK(moved); /* shuffled */
    CHECK(!memcmp(ae_dataset_data(va), ae_dataset_data(va2), 3 * 2 * sizeof(float)));
    CHECK(!memcmp(ae_dataset_labels(tr), ae_dataset_labels(tr2), 7 * sizeof(int32_t)));
  }
  ae_dataset *bad = NULL, *bad2 = NULL; /* failures leave these NULL */
  CHECK_FAILS(ae_dataset_split(&bad, &bad2, ds, 0.01, 1), AE_ERR_ARG, "0.01");
  CHECK_FAILS(ae_dataset_split(&bad, &bad2, ds, 0.99, 1), AE_ERR_ARG, "0 for training");
  CHECK_FAILS(ae_dataset_split(&bad, &bad2, ds, 1.0, 1), AE_ERR_ARG, "(0, 1)");
  CHECK_OK(ae_dataset_slice(&sl, ds, 4, 3));
  if (sl) {
    CHECK(ae_dataset_count(sl) == 3 && ae_dataset_data(sl)[0] == 4.0f);
    CHECK(ae_dataset_labels(sl)[2] == 6);
  }
  CHECK_FAILS(ae_dataset_slice(&bad, ds, 8, 3), AE_ERR_ARG, "dataset_slice");
  /* selecting classes keeps those samples, in order, with their labels */
  ae_dataset *sel = NULL, *unlabelled = NULL;
  int32_t keep[2] = {7, 2}, none = 42;
  CHECK_OK(ae_dataset_select_labels(&sel, ds, keep, 2));
  if (sel) {
    CHECK(ae_dataset_count(sel) == 2 && ae_dataset_labels(sel)[0] == 2 &&
          ae_dataset_labels(sel)[1] == 7);
    CHECK(ae_dataset_data(sel)[0] == 2.0f && ae_dataset_data(sel)[3] == 14.0f);
  }
  CHECK_FAILS(ae_dataset_select_labels(&bad, ds, &none, 1), AE_ERR_ARG, "no sample");
  CHECK_OK(ae_dataset_from_array(&unlabelled, x, 10, 2, NULL));
  CHECK_FAILS(ae_dataset_select_labels(&bad, unlabelled, keep, 2), AE_ERR_ARG, "needs labels");
  ae_dataset_free(sel);
  ae_dataset_free(unlabelled);
  CHECK_FAILS(ae_dataset_slice(&bad, ds, 0, 0), AE_ERR_ARG, "dataset_slice");
  CHECK_FAILS(ae_dataset_set_shape(ds, 1, 2, 2), AE_ERR_SHAPE, "samples have 2");
  CHECK_OK(ae_dataset_set_shape(ds, 2, 1, 1));
  CHECK_FAILS(ae_dataset_scale(ds, 1.0f, 1.0f), AE_ERR_ARG, "hi > lo");
  CHECK_FAILS(ae_dataset_scale(ds, 0.0f, NAN), AE_ERR_ARG, "finite");
  CHECK_OK(ae_dataset_scale(ds, 0.0f, 18.0f));
  CHECK_NEAR(ae_dataset_data(ds)[19], 1.0, 0);
  CHECK_NEAR(ae_dataset_data(ds)[18], 0.5, 1e-7); /* 9 / 18 */
  ae_dataset_free(sl);
  ae_dataset_free(tr);
  ae_dataset_free(va);
  ae_dataset_free(tr2);
  ae_dataset_free(va2);
  ae_dataset_free(ds);
  CHECK(!bad && !bad2);
  ae_dataset_free(NULL);
}

/* The real Fashion-MNIST test set, if installed. */
static void test_fashion(void) {
  const char *img = AE_FASHION_DIR "/t10k-images-idx3-ubyte.gz";
  if (access(img, R_OK) != 0) {
    fprintf(stderr, "skipping Fashion-MNIST check: %s not found\n", img);
    return;
  }
  ae_load_options opt;
  ae_load_options_defaults(&opt);
  opt.labels_path = AE_FASHION_DIR "/t10k-labels-idx1-ubyte.gz";
  ae_dataset *ds = NULL, *tr = NULL, *va = NULL, *sl = NULL;
  CHECK_OK(ae_dataset_load(&ds, img, &opt));
  if (!ds) return;
  int c, h, w, counts[10] = {0};
  float lo, hi;
  ae_dataset_shape(ds, &c, &h, &w);
  ae_dataset_range(ds, &lo, &hi);
  CHECK(ae_dataset_count(ds) == 10000 && ae_dataset_dim(ds) == 784);
  CHECK(c == 1 && h == 28 && w == 28 && lo == 0.0f && hi == 255.0f);
  const int32_t *l = ae_dataset_labels(ds);
  for (size_t i = 0; l && i < 10000; i++) {
    CHECK(l[i] >= 0 && l[i] <= 9);
    if (l[i] >= 0 && l[i] <= 9) counts[l[i]]++;
  }
  for (int k = 0; k < 10; k++) CHECK(counts[k] == 1000);
  CHECK_OK(ae_dataset_split(&tr, &va, ds, 0.1, 42));
  CHECK(ae_dataset_count(tr) == 9000 && ae_dataset_count(va) == 1000);
  CHECK_OK(ae_dataset_slice(&sl, ds, 9990, 10));
  if (sl) CHECK(!memcmp(ae_dataset_data(sl), ae_dataset_data(ds) + 9990 * 784,
                        10 * 784 * sizeof(float)));
  ae_dataset_free(sl);
  ae_dataset_free(tr);
  ae_dataset_free(va);
  ae_dataset_free(ds);
}

int main(void) {
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_idx();
  test_csv();
  test_csv_columns();
  test_csv_words();
  test_npz();
  test_npy();
  test_bad_input();
  test_ops();
  test_fashion();
  for (int i = 0; i < nmade && i < 64; i++) remove(made[i]);
  rmdir(tmpdir);
  CHECK_DONE();
}
