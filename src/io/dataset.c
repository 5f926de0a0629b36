/* SPDX-License-Identifier: MIT */
/* dataset.c — the in-memory data set: creation, loading by file name,
 * accessors, scaling, slicing and the seeded train/validation split.
 *
 * Legend: N samples, D floats per sample (D == C*H*W). */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "kernels.h"
#include "jpegio.h"
#include "pngio.h"

#include "error.h"
#include "rng.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Allocate an N x D data set with zeroed data, no labels, shape (1,1,D). */
ae_status ae_dataset_alloc(ae_dataset **out, size_t n, size_t dim) {
  *out = NULL;
  if (n == 0 || dim == 0)
    return ae_set_error(AE_ERR_ARG, "data set: %zu samples of dimension %zu: "
                        "both must be positive", n, dim);
  if (n > SIZE_MAX / dim || n * dim > SIZE_MAX / sizeof(float))
    return ae_set_error(AE_ERR_ARG, "data set: %zu x %zu floats overflow the "
                        "address space", n, dim);
  ae_dataset *ds = calloc(1, sizeof *ds);
  if (!ds) return ae_set_error(AE_ERR_NOMEM, "data set: out of memory");
  ds->x = calloc(n * dim, sizeof(float)); /* (N, D) */
  if (!ds->x) {
    free(ds);
    return ae_set_error(AE_ERR_NOMEM, "data set: out of memory (%zu x %zu "
                        "floats)", n, dim);
  }
  ds->n = n;
  ds->dim = dim;
  ds->c = 1;
  ds->h = 1;
  ds->w = dim <= INT_MAX ? (int)dim : 0;
  *out = ds;
  return AE_OK;
}

/* The same with uint8 storage (u8 zero-filled, x NULL, values = byte). */
ae_status ae_dataset_alloc_u8(ae_dataset **out, size_t n, size_t dim) {
  ae_status s = ae_dataset_alloc(out, n, 1);
  if (s) return s;
  ae_dataset *ds = *out;
  free(ds->x);
  ds->x = NULL;
  if (n > SIZE_MAX / dim || !(ds->u8 = calloc(n * dim, 1))) {
    ae_dataset_free(ds);
    *out = NULL;
    return ae_set_error(AE_ERR_NOMEM, "data set: out of memory (%zu x %zu bytes)", n, dim);
  }
  ds->dim = dim;
  ds->w = dim <= INT_MAX ? (int)dim : 0;
  ds->a = 1.0;
  return AE_OK;
}

/* Square images for square dimensions, otherwise a flat row. */
void ae_dataset_square_shape(ae_dataset *ds) {
  size_t k = (size_t)sqrt((double)ds->dim);
  while (k * k > ds->dim) k--;
  while ((k + 1) * (k + 1) <= ds->dim) k++;
  ds->c = 1;
  if (k >= 2 && k * k == ds->dim) {
    ds->h = (int)k;
    ds->w = (int)k;
  } else {
    ds->h = 1;
    ds->w = ds->dim <= INT_MAX ? (int)ds->dim : 0;
  }
}

/* Observed min/max into lo/hi; fails on the first non-finite value. */
ae_status ae_dataset_observe_range(ae_dataset *ds, const char *path) {
  size_t total = ds->n * ds->dim;
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < total; i++) {
    float v = ds->x[i];
    if (!isfinite(v))
      return ae_set_error(AE_ERR_NUMERIC, "%s: sample %zu: value %zu is %s "
                          "(NaN, infinity or beyond float32 range)", path,
                          i / ds->dim, i % ds->dim, isnan(v) ? "NaN" : "infinite");
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  ds->lo = lo;
  ds->hi = hi;
  return AE_OK;
}

void ae_load_options_defaults(ae_load_options *opt) {
  if (!opt) return;
  memset(opt, 0, sizeof *opt);
  opt->labels_path = NULL;
  opt->csv_header = -1;
  opt->csv_label_column = -1;
  opt->csv_time_column = -1;
}

/* Whether `path` ends with `ext` (ASCII, case-insensitive). */
static int ends_with(const char *path, const char *ext) {
  size_t n = strlen(path), m = strlen(ext);
  if (n < m) return 0;
  for (size_t i = 0; i < m; i++)
    if (tolower((unsigned char)path[n - m + i]) != ext[i]) return 0;
  return 1;
}

ae_status ae_dataset_budget(const char *name, size_t n, size_t dim, size_t each,
                            size_t max_bytes) {
  if (!max_bytes) max_bytes = AE_LOAD_LIMIT;
  if (dim && n <= max_bytes / each / dim) return AE_OK;
  return ae_set_error(AE_ERR_FORMAT, "%s: %zu samples of %zu values would take %.0f bytes, more "
                      "than the %zu-byte limit (read fewer, or raise ae_load_options.max_bytes)",
                      name, n, dim, (double)n * (double)dim * (double)each, max_bytes);
}

/* The common "missing / directory" errors before any reader runs. */
static ae_status check_regular(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0)
    return ae_set_error(AE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return ae_set_error(AE_ERR_IO, "%s: is a directory", path);
  return AE_OK;
}

/* Labels from a one-column CSV or NPY source of integers. */
static ae_status read_table_labels(int32_t **labels, const ae_source *src, int csv,
                                   size_t n, int first_n) {
  ae_dataset *t = NULL;
  int32_t *lab = NULL; /* (N) */
  const char *path = src->name;
  size_t most = first_n ? n : 0;
  ae_csv_options co = {-1, -1, -1, 0, NULL, NULL};
  ae_status s = csv ? ae_csv_read(&t, src, &co, most, 0) : ae_npy_read(&t, src, most, 0);
  if (s) goto fail;
  if (t->dim != 1) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: labels need one column, file has %zu",
                     path, t->dim);
    goto fail;
  }
  if (t->n != n) {
    s = ae_set_error(AE_ERR_SHAPE, "%s: %zu labels, but the data set has %zu "
                     "samples", path, t->n, n);
    goto fail;
  }
  lab = malloc(n * sizeof *lab);
  if (!lab) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  for (size_t i = 0; i < n; i++) {
    float v = t->x[i];
    if (v != floorf(v) || v < -2147483648.0f || v >= 2147483648.0f) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: label %zu (%g) is not an integer",
                       path, i, (double)v);
      goto fail;
    }
    lab[i] = (int32_t)v;
  }
  ae_dataset_free(t);
  *labels = lab;
  return AE_OK;
fail:
  free(lab);
  ae_dataset_free(t);
  return s;
}

void ae_pixels_planar(unsigned char *dst, const unsigned char *px, size_t hw, int c, int C) {
  for (int k = 0; k < C; k++)
    for (size_t i = 0; i < hw; i++) dst[(size_t)k * hw + i] = px[i * (size_t)c + (c == 3 ? (size_t)k : 0)];
}

/* One image (any PNG, or a JPEG when `jpeg`) as one sample of shape (C, H,
 * W), planar, stored as bytes with the range 0..255: C as stored (gray 1,
 * colour 3) or as `channels` (1 or 3) asks. */
static ae_status image_read(ae_dataset **out, const ae_source *src, int channels, int jpeg) {
  unsigned char *px = NULL;
  int w = 0, h = 0, c = 1;
  if (channels != 0 && channels != 1 && channels != 3)
    return ae_set_error(AE_ERR_ARG, "%s: image_channels must be 0, 1 or 3 (got %d)", src->name,
                        channels);
  /* one image is one sample: no model takes more than 2^24 values */
  ae_status s = jpeg ? ae_jpeg_decode(src, &px, &w, &h, &c, channels != 1, (size_t)1 << 24)
                     : ae_png_decode(src, &px, &w, &h, &c, channels != 1, (size_t)1 << 24);
  if (s) return s;
  int C = channels ? channels : c;
  size_t hw = (size_t)w * (size_t)h;
  if ((s = ae_dataset_alloc_u8(out, 1, (size_t)C * hw))) {
    free(px);
    return s;
  }
  ae_pixels_planar((*out)->u8, px, hw, c, C);
  free(px);
  (*out)->c = C, (*out)->h = h, (*out)->w = w;
  (*out)->lo = 0.0f, (*out)->hi = 255.0f;
  return AE_OK;
}

/* "file.npz:key" split into the file (into buf) and the key; NULL key
 * for a plain name. Returns the file name. */
static const char *npz_split(const char *path, char *buf, size_t cap, const char **key) {
  *key = NULL;
  const char *c = strrchr(path, ':');
  if (!c || (size_t)(c - path) >= cap) return path;
  memcpy(buf, path, (size_t)(c - path));
  buf[c - path] = 0;
  if (!ends_with(buf, ".npz")) return path;
  *key = c + 1;
  return buf;
}

/* An .npz archive's array as NPY bytes (*mem, caller frees) and a name
 * for messages ("file.npz:key"); found as ae_npz_member's. */
static ae_status npz_open(const ae_source *src, const char *key, size_t limit, unsigned char **mem,
                          size_t *size, char *name, size_t cap, int *found) {
  char chosen[256];
  ae_status s = ae_npz_member(src, key, limit, mem, size, chosen, sizeof chosen, found);
  if (!s && *mem) snprintf(name, cap, "%s:%s", src->name, chosen);
  return s;
}

/* A key whose array may hold the labels of `key`'s: x -> y, X -> y or Y,
 * x_train -> y_train, data -> target. */
static int label_key(const char *key, char *out, size_t cap) {
  if (!key || strlen(key) >= cap) return 0;
  if (!strcmp(key, "data")) return snprintf(out, cap, "target"), 1;
  if (key[0] != 'x' && key[0] != 'X') return 0;
  snprintf(out, cap, "%s", key);
  out[0] = key[0] == 'x' ? 'y' : 'Y';
  return 1;
}

/* Read a data set from `src` (its name gives the format), and labels from
 * opt->labels_path. */
static ae_status load_source(ae_dataset **out, const ae_source *src,
                             const ae_load_options *opt) {
  ae_load_options def;
  ae_dataset *ds = NULL;
  ae_status s;
  const char *path = src->name;
  *out = NULL;
  if (!opt) {
    ae_load_options_defaults(&def);
    opt = &def;
  }
  char file[4096], lfile[4096], member[4352];
  const char *key = NULL;
  ae_source whole = *src;
  whole.name = path = npz_split(src->name, file, sizeof file, &key);
  struct stat dst;
  if (!src->mem && !key && stat(path, &dst) == 0 && S_ISDIR(dst.st_mode)) { /* a folder of images */
    if (opt->labels_path)
      return ae_set_error(AE_ERR_ARG, "%s: a folder of images takes its labels from its class "
                          "sub-folders, not from %s", path, opt->labels_path);
    return ae_folder_read(out, path, opt);
  }
  if (!src->mem && (s = check_regular(path))) return s;
  if (opt->csv_header < -1 || opt->csv_header > 1)
    return ae_set_error(AE_ERR_ARG, "%s: csv_header must be -1 (detect), 0 or 1 (got %d)", path,
                        opt->csv_header);
  size_t most = opt->max_samples, bytes = opt->max_bytes;
  int tsv = ends_with(path, ".tsv");
  if (opt->csv_delimiter && opt->csv_delimiter != ',' && opt->csv_delimiter != ';' &&
      opt->csv_delimiter != '\t')
    return ae_set_error(AE_ERR_ARG, "%s: csv_delimiter must be ',', ';', a tab or 0 (detect)", path);
  if (ends_with(path, ".csv") || tsv) {
    ae_csv_options co = {opt->csv_header, opt->csv_label_column, opt->csv_time_column,
                         opt->csv_delimiter ? opt->csv_delimiter : tsv ? '\t' : 0,
                         opt->csv_label_name, opt->csv_drop};
    s = ae_csv_read(&ds, src, &co, most, bytes);
  } else if (ends_with(path, ".npz")) { /* one array of the archive */
    unsigned char *mem = NULL;
    size_t n = 0;
    s = npz_open(&whole, key, bytes, &mem, &n, member, sizeof member, NULL);
    ae_source ms = {member, mem, n};
    if (!s) s = ae_npy_read(&ds, &ms, most, bytes);
    free(mem);
    /* its labels beside it (y for x, y_train for x_train), unless given */
    char lk[256], chosen[256] = "";
    if (!s) snprintf(chosen, sizeof chosen, "%s", strrchr(member, ':') + 1);
    if (!s && !opt->labels_path && label_key(chosen, lk, sizeof lk)) {
      int found = 0;
      mem = NULL;
      s = npz_open(&whole, lk, bytes, &mem, &n, member, sizeof member, &found);
      ae_source ls = {member, mem, n};
      if (!s && found)
        s = read_table_labels(&ds->labels, &ls, 0, ds->n, most > 0 && ds->n == most);
      free(mem);
    }
  } else if (ends_with(path, ".npy")) {
    s = ae_npy_read(&ds, src, most, bytes);
  } else if (ends_with(path, ".png") || ends_with(path, ".PNG")) {
    s = image_read(&ds, src, opt->image_channels, 0);
  } else if (ends_with(path, ".jpg") || ends_with(path, ".jpeg") || ends_with(path, ".JPG") ||
             ends_with(path, ".JPEG")) {
    s = image_read(&ds, src, opt->image_channels, 1);
  } else {
    s = ae_idx_read(&ds, src, most, bytes);
  }
  if (s) goto fail;
  if (opt->labels_path) {
    const char *lkey = NULL;
    const char *lp = npz_split(opt->labels_path, lfile, sizeof lfile, &lkey);
    int first_n = most > 0 && ds->n == most; /* the data was cut short */
    ae_source ls = {lp, NULL, 0};
    if ((s = check_regular(lp))) goto fail;
    if (ends_with(lp, ".npz")) {
      unsigned char *mem = NULL;
      size_t n = 0;
      s = npz_open(&ls, lkey, 0, &mem, &n, member, sizeof member, NULL);
      ae_source ms = {member, mem, n};
      if (!s) s = read_table_labels(&ds->labels, &ms, 0, ds->n, first_n);
      free(mem);
    } else if (ends_with(lp, ".csv") || ends_with(lp, ".npy")) {
      s = read_table_labels(&ds->labels, &ls, ends_with(lp, ".csv"), ds->n, first_n);
    } else {
      s = ae_idx_read_labels(&ds->labels, &ls, ds->n, first_n);
    }
    if (s) goto fail;
  }
  *out = ds;
  return AE_OK;
fail:
  ae_dataset_free(ds);
  return s;
}

ae_status ae_dataset_load(ae_dataset **out, const char *path,
                          const ae_load_options *opt) {
  if (!out || !path) return ae_set_error(AE_ERR_ARG, "dataset_load: NULL argument");
  *out = NULL;
  if (!path[0]) return ae_set_error(AE_ERR_ARG, "dataset_load: empty file name");
  ae_source src = {path, NULL, 0};
  return load_source(out, &src, opt);
}

ae_status ae_dataset_load_memory(ae_dataset **out, const void *data, size_t size,
                                 const char *name, const ae_load_options *opt) {
  if (!out || !data || !name)
    return ae_set_error(AE_ERR_ARG, "dataset_load_memory: NULL argument");
  ae_source src = {name, data, size};
  return load_source(out, &src, opt);
}

ae_status ae_dataset_from_array(ae_dataset **out, const float *x, size_t n,
                                size_t dim, const int32_t *labels) {
  ae_dataset *ds = NULL;
  ae_status s;
  if (!out || !x) return ae_set_error(AE_ERR_ARG, "dataset_from_array: NULL argument");
  *out = NULL;
  if ((s = ae_dataset_alloc(&ds, n, dim))) return s;
  memcpy(ds->x, x, n * dim * sizeof(float));
  if ((s = ae_dataset_observe_range(ds, "dataset_from_array"))) goto fail;
  if (labels) {
    ds->labels = malloc(n * sizeof(int32_t)); /* (N) */
    if (!ds->labels) {
      s = ae_set_error(AE_ERR_NOMEM, "dataset_from_array: out of memory");
      goto fail;
    }
    memcpy(ds->labels, labels, n * sizeof(int32_t));
  }
  ae_dataset_square_shape(ds);
  *out = ds;
  return AE_OK;
fail:
  ae_dataset_free(ds);
  return s;
}

size_t ae_dataset_count(const ae_dataset *ds) { return ds ? ds->n : 0; }
size_t ae_dataset_dim(const ae_dataset *ds) { return ds ? ds->dim : 0; }
AE_VECTOR_CLONES
void ae_dataset_rows(float *out, const ae_dataset *ds, const uint32_t *idx,
                     size_t start, size_t count) {
  size_t d = ds->dim;
  for (size_t i = 0; i < count; i++) {
    size_t j = idx ? idx[i] : start + i;
    float *o = out + i * d;
    if (ds->u8) {
      const uint8_t *r = ds->u8 + j * d;
      float a = (float)ds->a, b = (float)ds->b;
      for (size_t k = 0; k < d; k++) o[k] = a * (float)r[k] + b;
    } else {
      memcpy(o, ds->x + j * d, d * sizeof(float));
    }
  }
}

/* For byte storage the floats are made on first use and kept, in place: the
 * bytes are grown into floats (realloc, then converted from the last value
 * down, each float landing on bytes already read), so the memory is that of
 * the floats alone, never bytes and floats together (glibc grows a large
 * block by remapping it). The values are those ae_dataset_rows gives. */
const float *ae_dataset_data(const ae_dataset *ds) {
  if (!ds) return NULL;
  if (!ds->x && ds->u8) {
    ae_dataset *m = (ae_dataset *)ds; /* a cache, not a change of value */
    size_t total = ds->n * ds->dim;
    float *x = realloc(m->u8, total * sizeof(float)); /* (N, D) */
    if (!x) return NULL; /* the bytes are still there */
    const uint8_t *r = (const uint8_t *)x;
    float a = (float)ds->a, b = (float)ds->b;
    for (size_t i = total; i-- > 0;) x[i] = a * (float)r[i] + b;
    m->u8 = NULL;
    m->x = x;
  }
  return ds->x;
}

const int32_t *ae_dataset_labels(const ae_dataset *ds) {
  return ds ? ds->labels : NULL;
}

void ae_dataset_shape(const ae_dataset *ds, int *c, int *h, int *w) {
  if (c) *c = ds ? ds->c : 0;
  if (h) *h = ds ? ds->h : 0;
  if (w) *w = ds ? ds->w : 0;
}

ae_status ae_dataset_set_shape(ae_dataset *ds, int c, int h, int w) {
  if (!ds) return ae_set_error(AE_ERR_ARG, "dataset_set_shape: NULL data set");
  if (c <= 0 || h <= 0 || w <= 0)
    return ae_set_error(AE_ERR_ARG, "dataset_set_shape: (%d, %d, %d) must be "
                        "positive", c, h, w);
  if ((double)c * (double)h * (double)w != (double)ds->dim || /* no wrap-around */
      (size_t)c * (size_t)h * (size_t)w != ds->dim)
    return ae_set_error(AE_ERR_SHAPE, "dataset_set_shape: (%d, %d, %d) holds "
                        "%.0f values, samples have %zu", c, h, w,
                        (double)c * (double)h * (double)w, ds->dim);
  ds->c = c;
  ds->h = h;
  ds->w = w;
  return AE_OK;
}

void ae_dataset_extremes(const ae_dataset *ds, float *lo, float *hi) {
  size_t total = ds->n * ds->dim;
  float a = INFINITY, b = -INFINITY;
  if (ds->x) {
    for (size_t i = 0; i < total; i++) {
      if (ds->x[i] < a) a = ds->x[i];
      if (ds->x[i] > b) b = ds->x[i];
    }
  } else if (ds->u8) { /* the extreme bytes, mapped */
    int mn = 255, mx = 0;
    for (size_t i = 0; i < total; i++) {
      if (ds->u8[i] < mn) mn = ds->u8[i];
      if (ds->u8[i] > mx) mx = ds->u8[i];
    }
    float p = (float)(ds->a * mn + ds->b), q = (float)(ds->a * mx + ds->b);
    a = p < q ? p : q, b = p < q ? q : p;
  }
  *lo = total ? a : 0.0f;
  *hi = total ? b : 0.0f;
}

void ae_dataset_range(const ae_dataset *ds, float *lo, float *hi) {
  if (lo) *lo = ds ? ds->lo : 0.0f;
  if (hi) *hi = ds ? ds->hi : 0.0f;
}

ae_status ae_dataset_scale(ae_dataset *ds, float lo, float hi) {
  if (!ds) return ae_set_error(AE_ERR_ARG, "dataset_scale: NULL data set");
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return ae_set_error(AE_ERR_ARG, "dataset_scale: range [%g, %g] must be "
                        "finite with hi > lo", (double)lo, (double)hi);
  double inv = 1.0 / ((double)hi - (double)lo);
  size_t total = ds->n * ds->dim;
  if (ds->x)
    for (size_t i = 0; i < total; i++)
      ds->x[i] = (float)(((double)ds->x[i] - lo) * inv);
  ds->a *= inv; /* u8 storage: (a r + b - lo) inv */
  ds->b = (ds->b - lo) * inv;
  ds->lo = (float)(((double)ds->lo - lo) * inv);
  ds->hi = (float)(((double)ds->hi - lo) * inv);
  return AE_OK;
}

/* New data set holding samples idx[0..count) (or start.. when idx is NULL). */
static ae_status gather(ae_dataset **out, const ae_dataset *ds,
                        const uint32_t *idx, size_t start, size_t count) {
  ae_dataset *r = NULL;
  ae_status s = ds->u8 ? ae_dataset_alloc_u8(&r, count, ds->dim)
                       : ae_dataset_alloc(&r, count, ds->dim);
  if (s) return s;
  if (ds->labels) {
    r->labels = malloc(count * sizeof(int32_t)); /* (count) */
    if (!r->labels) {
      ae_dataset_free(r);
      return ae_set_error(AE_ERR_NOMEM, "data set: out of memory");
    }
  }
  for (size_t i = 0; i < count; i++) {
    size_t j = idx ? idx[i] : start + i;
    if (ds->u8) memcpy(r->u8 + i * ds->dim, ds->u8 + j * ds->dim, ds->dim);
    else memcpy(r->x + i * ds->dim, ds->x + j * ds->dim, ds->dim * sizeof(float));
    if (ds->labels) r->labels[i] = ds->labels[j];
  }
  if (ds->classes.n &&
      (s = ae_names_set(&r->classes, (const char *const *)ds->classes.v, ds->classes.n, "data set"))) {
    ae_dataset_free(r);
    return s;
  }
  r->c = ds->c;
  r->h = ds->h;
  r->w = ds->w;
  r->lo = ds->lo;
  r->hi = ds->hi;
  r->a = ds->a;
  r->b = ds->b;
  *out = r;
  return AE_OK;
}

ae_status ae_dataset_slice(ae_dataset **out, const ae_dataset *ds,
                           size_t start, size_t count) {
  if (!out || !ds) return ae_set_error(AE_ERR_ARG, "dataset_slice: NULL argument");
  *out = NULL;
  if (count == 0 || start >= ds->n || count > ds->n - start)
    return ae_set_error(AE_ERR_ARG, "dataset_slice: samples [%zu, %zu+%zu) "
                        "outside [0, %zu) or empty", start, start, count, ds->n);
  return gather(out, ds, NULL, start, count);
}

ae_status ae_dataset_select_labels(ae_dataset **out, const ae_dataset *ds, const int32_t *keep,
                                   size_t n_keep) {
  if (!out || !ds || !keep) return ae_set_error(AE_ERR_ARG, "dataset_select_labels: NULL argument");
  *out = NULL;
  const int32_t *lab = ae_dataset_labels(ds);
  if (!lab) return ae_set_error(AE_ERR_ARG, "selecting classes needs labels, and the data have none");
  if (ds->n > UINT32_MAX)
    return ae_set_error(AE_ERR_ARG, "dataset_select_labels: %zu samples, at most %u", ds->n,
                        (unsigned)UINT32_MAX);
  uint32_t *idx = malloc((ds->n ? ds->n : 1) * sizeof *idx); /* (N) kept sample indices */
  if (!idx) return ae_set_error(AE_ERR_NOMEM, "dataset_select_labels: out of memory");
  size_t k = 0;
  for (size_t i = 0; i < ds->n; i++)
    for (size_t j = 0; j < n_keep; j++)
      if (lab[i] == keep[j]) {
        idx[k++] = (uint32_t)i;
        break;
      }
  ae_status s = k ? gather(out, ds, idx, 0, k)
                  : ae_set_error(AE_ERR_ARG, "no sample has the labels asked for");
  free(idx);
  return s;
}

ae_status ae_dataset_split(ae_dataset **train, ae_dataset **val,
                           const ae_dataset *ds, double fraction,
                           uint64_t seed) {
  uint32_t *idx = NULL; /* (N) permutation */
  ae_dataset *tr = NULL, *va = NULL;
  ae_status s;
  if (!train || !val || !ds)
    return ae_set_error(AE_ERR_ARG, "dataset_split: NULL argument");
  *train = *val = NULL;
  if (!(fraction > 0.0 && fraction < 1.0))
    return ae_set_error(AE_ERR_ARG, "dataset_split: fraction %g must lie in "
                        "(0, 1)", fraction);
  if (ds->n > UINT32_MAX)
    return ae_set_error(AE_ERR_ARG, "dataset_split: %zu samples, at most %u",
                        ds->n, (unsigned)UINT32_MAX);
  size_t nval = (size_t)llround(fraction * (double)ds->n);
  if (nval < 1 || nval >= ds->n)
    return ae_set_error(AE_ERR_ARG, "dataset_split: fraction %g of %zu samples "
                        "leaves %zu for validation and %zu for training; each "
                        "needs at least 1", fraction, ds->n, nval,
                        ds->n - (nval < ds->n ? nval : ds->n));
  idx = malloc(ds->n * sizeof *idx);
  if (!idx) return ae_set_error(AE_ERR_NOMEM, "dataset_split: out of memory");
  for (size_t i = 0; i < ds->n; i++) idx[i] = (uint32_t)i;
  ae_rng rng;
  ae_rng_seed(&rng, seed);
  ae_rng_shuffle(&rng, idx, ds->n);
  if ((s = gather(&va, ds, idx, 0, nval))) goto fail;
  if ((s = gather(&tr, ds, idx + nval, 0, ds->n - nval))) goto fail;
  free(idx);
  *train = tr;
  *val = va;
  return AE_OK;
fail:
  free(idx);
  ae_dataset_free(va);
  ae_dataset_free(tr);
  return s;
}

void ae_dataset_free(ae_dataset *ds) {
  if (!ds) return;
  free(ds->x);
  free(ds->u8);
  free(ds->labels);
  ae_names_clear(&ds->classes);
  free(ds);
}

/* ---- class names ---- */

int ae_dataset_class_count(const ae_dataset *ds) { return ds ? ds->classes.n : 0; }

const char *ae_dataset_class_name(const ae_dataset *ds, int32_t label) {
  return ds && label >= 0 && label < ds->classes.n ? ds->classes.v[label] : NULL;
}

ae_status ae_dataset_set_class_names(ae_dataset *ds, const char *const *names, int k) {
  AE_ARG(ds, "ae_dataset_set_class_names", "data set must not be NULL");
  if (k > 0 && !ds->labels)
    return ae_set_error(AE_ERR_ARG, "class names for a data set without labels");
  for (size_t i = 0; k > 0 && i < ds->n; i++)
    if (ds->labels[i] < 0 || ds->labels[i] >= k)
      return ae_set_error(AE_ERR_ARG, "sample %zu has label %d, and there are %d class names", i,
                          (int)ds->labels[i], k);
  return ae_names_set(&ds->classes, names, k, "class names");
}

ae_status ae_dataset_adopt_class_names(ae_dataset *ds, const char *const *names, int k) {
  AE_ARG(ds && (names || k == 0), "ae_dataset_adopt_class_names", "data set and names must not be NULL");
  if (!ds->classes.n) return AE_OK;
  ae_names want = {0};
  ae_status st = ae_names_set(&want, names, k, "class names");
  if (st) return st;
  int n = ds->classes.n, total = k;
  int32_t *map = malloc((size_t)n * sizeof *map); /* ds's label -> new label */
  const char **all = malloc((size_t)(k + n) * sizeof *all);
  if (!map || !all) st = ae_set_error(AE_ERR_NOMEM, "out of memory relabelling the data");
  for (int i = 0; !st && i < k; i++) all[i] = want.v[i];
  for (int i = 0; !st && i < n; i++) {
    const char *s = ds->classes.v[i];
    int j = ae_names_find(&want, s, strlen(s));
    if (j < 0) all[j = total++] = s;
    map[i] = j;
  }
  if (!st && total > AE_MAX_CLASSES)
    st = ae_set_error(AE_ERR_ARG, "%d class names in all, at most %d", total, AE_MAX_CLASSES);
  ae_names merged = {0};
  if (!st) st = ae_names_set(&merged, all, total, "class names");
  if (!st) {
    for (size_t i = 0; i < ds->n; i++) ds->labels[i] = map[ds->labels[i]];
    ae_names_clear(&ds->classes);
    ds->classes = merged;
  }
  ae_names_clear(&want);
  free(map);
  free(all);
  return st;
}

const char *const *ae_fashion_mnist_classes(void) {
  static const char *const names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}
