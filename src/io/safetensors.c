/* SPDX-License-Identifier: MIT */
/* safetensors.c — F32 .safetensors files: the header is JSON built and parsed
 * with cJSON; reading checks every length, offset, dtype and shape before it
 * trusts or allocates anything; writing goes through ae_write_atomic.
 *
 * Byte order: the format is little-endian. The header length is decoded and
 * encoded byte by byte, but float data is copied as is, so this assumes a
 * little-endian host (x86-64, arm64). A big-endian port would byte-swap the
 * data in write_body and ae_st_read. */
#include "safetensors.h"

#include "error.h"
#include "fileio.h"

#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Integers above 2^53 are not exact as JSON doubles; offsets and dims above
 * it are refused, so no element count may exceed 2^53 / 4 floats. */
#define ST_MAX_INT 9007199254740992.0
#define ST_MAX_FLOATS ((uint64_t)1 << 51)

/* Record an error and jump to the function's one cleanup label. */
#define FAIL(st, ...)                                                          \
  do {                                                                         \
    s = ae_set_error((st), __VA_ARGS__);                                       \
    goto fail;                                                                 \
  } while (0)

typedef struct st_entry {
  ae_st_tensor t;       /* first: ae_st_get returns &entry->t */
  uint64_t begin, end;  /* data_offsets, bytes into the data buffer */
  int index;            /* position in the header, to break ties */
} st_entry;

struct ae_st_file {
  cJSON *root;        /* parsed header; owns tensor names, metadata */
  const cJSON *meta;  /* the "__metadata__" object, or NULL */
  int n;              /* tensors */
  st_entry *entries;  /* (n) in header order */
  st_entry **by_off;  /* (n) sorted by data offsets */
  st_entry **by_name; /* (n) sorted by name, for ae_st_find */
  float *data;        /* the whole data buffer, malloc-aligned */
};

/* Format a shape as "[32, 784]" (sep ", ") or "[32,784]" (sep ","). */
static void fmt_shape(char *buf, size_t cap, const int64_t *shape, int ndim, const char *sep) {
  size_t len = (size_t)snprintf(buf, cap, "[");
  for (int i = 0; i < ndim && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%" PRId64, i ? sep : "", shape[i]);
  if (len < cap) snprintf(buf + len, cap - len, "]");
}

/* qsort comparator for an array of C strings. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* qsort/bsearch comparator for st_entry pointers by tensor name. */
static int cmp_name(const void *a, const void *b) {
  return strcmp((*(st_entry *const *)a)->t.name, (*(st_entry *const *)b)->t.name);
}

/* qsort comparator for st_entry pointers by (begin, end, header index). */
static int cmp_off(const void *a, const void *b) {
  const st_entry *x = *(st_entry *const *)a, *y = *(st_entry *const *)b;
  if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Sort names in place; return a name that occurs twice, or NULL. */
static const char *first_dup(const char **names, int n) {
  if (n < 2) return NULL;
  qsort(names, (size_t)n, sizeof *names, cmp_str);
  for (int i = 1; i < n; i++)
    if (strcmp(names[i - 1], names[i]) == 0) return names[i];
  return NULL;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct st_writer {
  const char *path;
  const ae_st_tensor *tensors;
  int n;
  const char *header; /* JSON text, header_len bytes, padded to `padded` */
  size_t header_len, padded;
} st_writer;

/* Floats in a tensor of valid shape (product of dims; 1 for a scalar). */
static uint64_t tensor_floats(const ae_st_tensor *t) {
  uint64_t n = 1;
  for (int i = 0; i < t->ndim; i++) n *= (uint64_t)t->shape[i];
  return n;
}

/* Check ae_st_write's arguments; AE_ERR_ARG naming the first problem. */
static ae_status check_args(const char *path, const ae_st_tensor *ts, int n,
                            const char *const *keys, const char *const *vals, int n_meta) {
  ae_status s = AE_OK;
  uint64_t total = 0;
  if (n < 0 || n_meta < 0 || (n > 0 && !ts) || (n_meta > 0 && (!keys || !vals)))
    return ae_set_error(AE_ERR_ARG, "%s: invalid tensor or metadata list", path);
  const char **names = malloc(sizeof *names * (size_t)(n > n_meta ? n : n_meta) + 1);
  if (!names) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  for (int i = 0; i < n; i++) {
    const ae_st_tensor *t = &ts[i];
    const char *nm = t->name ? t->name : "(null)";
    uint64_t count = 1;
    if (!t->name || strcmp(t->name, "__metadata__") == 0)
      FAIL(AE_ERR_ARG, "%s: tensor %d has the invalid name '%s'", path, i, nm);
    if (t->ndim < 0 || t->ndim > 4)
      FAIL(AE_ERR_ARG, "%s: tensor '%s' has %d dims; 0 to 4 allowed", path, nm, t->ndim);
    for (int d = 0; d < t->ndim; d++) {
      int64_t v = t->shape[d];
      if (v < 0 || (v > 0 && count > ST_MAX_FLOATS / (uint64_t)v))
        FAIL(AE_ERR_ARG, "%s: tensor '%s' has a negative or too large dim %" PRId64, path,
             nm, v);
      count *= (uint64_t)v;
    }
    if (count > 0 && !t->data) FAIL(AE_ERR_ARG, "%s: tensor '%s' has no data", path, nm);
    total += 4 * count;
    if (total > 4 * ST_MAX_FLOATS) FAIL(AE_ERR_ARG, "%s: tensors too large in total", path);
    names[i] = t->name;
  }
  const char *dup = first_dup(names, n);
  if (dup) FAIL(AE_ERR_ARG, "%s: tensor name '%s' given twice", path, dup);
  for (int i = 0; i < n_meta; i++) {
    if (!keys[i] || !vals[i]) FAIL(AE_ERR_ARG, "%s: metadata pair %d is NULL", path, i);
    names[i] = keys[i];
  }
  dup = first_dup(names, n_meta);
  if (dup) FAIL(AE_ERR_ARG, "%s: metadata key '%s' given twice", path, dup);
fail:
  free(names);
  return s;
}

/* Build the header JSON text (free with cJSON_free); NULL if out of memory. */
static char *header_text(const ae_st_tensor *ts, int n, const char *const *keys,
                         const char *const *vals, int n_meta) {
  char *text = NULL;
  cJSON *root = cJSON_CreateObject();
  if (!root) goto fail;
  if (n_meta > 0) {
    cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
    if (!m) goto fail;
    for (int i = 0; i < n_meta; i++)
      if (!cJSON_AddStringToObject(m, keys[i], vals[i])) goto fail;
  }
  uint64_t off = 0;
  for (int i = 0; i < n; i++) {
    char shape[128], offs[64];
    uint64_t bytes = 4 * tensor_floats(&ts[i]);
    /* Raw JSON so integers are always printed as integers, never 1e+15. */
    fmt_shape(shape, sizeof shape, ts[i].shape, ts[i].ndim, ",");
    snprintf(offs, sizeof offs, "[%" PRIu64 ",%" PRIu64 "]", off, off + bytes);
    cJSON *e = cJSON_AddObjectToObject(root, ts[i].name);
    if (!e || !cJSON_AddStringToObject(e, "dtype", "F32") ||
        !cJSON_AddRawToObject(e, "shape", shape) ||
        !cJSON_AddRawToObject(e, "data_offsets", offs))
      goto fail;
    off += bytes;
  }
  text = cJSON_PrintUnformatted(root);
fail:
  cJSON_Delete(root);
  return text;
}

/* ae_write_fn: length, padded header, then each tensor's floats. */
static ae_status write_body(FILE *f, void *ctx) {
  const st_writer *w = ctx;
  unsigned char len8[8];
  char spaces[8];
  memset(spaces, ' ', sizeof spaces);
  for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)w->padded >> (8 * i));
  size_t pad = w->padded - w->header_len;
  errno = 0;
  if (fwrite(len8, 1, 8, f) != 8 ||
      fwrite(w->header, 1, w->header_len, f) != w->header_len ||
      (pad && fwrite(spaces, 1, pad, f) != pad))
    goto fail;
  for (int i = 0; i < w->n; i++) {
    size_t bytes = (size_t)(4 * tensor_floats(&w->tensors[i]));
    if (bytes && fwrite(w->tensors[i].data, 1, bytes, f) != bytes) goto fail;
  }
  return AE_OK;
fail:
  return ae_set_error(AE_ERR_IO, "%s: cannot write: %s", w->path,
                      errno ? strerror(errno) : "write failed");
}

ae_status ae_st_write(const char *path, const ae_st_tensor *tensors, int n_tensors,
                      const char *const *meta_keys, const char *const *meta_values,
                      int n_meta) {
  if (!path) return ae_set_error(AE_ERR_ARG, "ae_st_write: path is NULL");
  ae_status s = check_args(path, tensors, n_tensors, meta_keys, meta_values, n_meta);
  if (s != AE_OK) return s;
  char *text = header_text(tensors, n_tensors, meta_keys, meta_values, n_meta);
  if (!text)
    return ae_set_error(AE_ERR_NOMEM, "%s: out of memory building the header", path);
  st_writer w = {path, tensors, n_tensors, text, strlen(text), 0};
  w.padded = (w.header_len + 7) & ~(size_t)7;
  s = ae_write_atomic(path, write_body, &w);
  cJSON_free(text);
  return s;
}

/* ---- reading ------------------------------------------------------------ */

/* Offset of the first byte that is not UTF-8 JSON text (a control byte other
 * than tab, CR, LF; a bad, overlong or surrogate sequence), or len. */
static size_t utf8_bad(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i], cp, min;
    size_t more;
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) more = 1;
    else if ((c & 0xF0) == 0xE0) more = 2;
    else if (c >= 0xF0 && c <= 0xF4) more = 3;
    else return i;
    cp = c & (0x3Fu >> more);
    min = more == 1 ? 0x80 : more == 2 ? 0x800 : 0x10000;
    if (len - i <= more) return i;
    for (size_t k = 1; k <= more; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += more + 1;
  }
  return len;
}

/* A JSON integer in [0, 2^53]: 0 and *out set; -1 not one; -2 negative. */
static int json_uint(const cJSON *j, uint64_t *out) {
  if (!cJSON_IsNumber(j)) return -1;
  double d = j->valuedouble;
  if (!isfinite(d) || d != floor(d)) return -1;
  if (d < 0) return -2;
  if (d > ST_MAX_INT) return -1;
  *out = (uint64_t)d;
  return 0;
}

/* Record "<path>: tensor '<name>': <what>" and return AE_ERR_FORMAT. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static ae_status bad_entry(const char *path, const char *nm, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return ae_set_error(AE_ERR_FORMAT, "%s: tensor '%s': %s", path, nm, what);
}

/* Parse and check one tensor entry against a data buffer of `avail` bytes. */
static ae_status parse_entry(st_entry *e, const cJSON *j, const char *path, uint64_t avail) {
  const char *nm = j->string;
  char sh[128];
  if (!cJSON_IsObject(j)) return bad_entry(path, nm, "entry is not a JSON object");
  const cJSON *dt = cJSON_GetObjectItemCaseSensitive(j, "dtype");
  const cJSON *shape = cJSON_GetObjectItemCaseSensitive(j, "shape");
  const cJSON *offs = cJSON_GetObjectItemCaseSensitive(j, "data_offsets");
  if (!dt || !shape || !offs)
    return bad_entry(path, nm, "entry lacks \"%s\"",
                     !dt ? "dtype" : !shape ? "shape" : "data_offsets");
  if (!cJSON_IsString(dt)) return bad_entry(path, nm, "dtype is not a string");
  if (strcmp(dt->valuestring, "F32") != 0)
    return ae_set_error(AE_ERR_FORMAT, "%s: tensor '%s' has dtype %.40s; aekit reads F32 "
                        "only", path, nm, dt->valuestring);
  if (!cJSON_IsArray(shape)) return bad_entry(path, nm, "shape is not an array");
  int nd = cJSON_GetArraySize(shape), i = 0, overflow = 0;
  if (nd > 4)
    return ae_set_error(AE_ERR_FORMAT, "%s: tensor '%s' has %d dims; aekit reads at most "
                        "4", path, nm, nd);
  uint64_t count = 1, v;
  e->t.name = nm;
  e->t.ndim = nd;
  for (const cJSON *d = shape->child; d; d = d->next, i++) {
    int r = json_uint(d, &v);
    if (r == -2) return bad_entry(path, nm, "shape has negative dim %.17g", d->valuedouble);
    if (r != 0) return bad_entry(path, nm, "shape dim %d is not an integer up to 2^53", i);
    e->t.shape[i] = (int64_t)v;
    if (v > 0 && count > ST_MAX_FLOATS / v) overflow = 1;
    else count *= v;
  }
  fmt_shape(sh, sizeof sh, e->t.shape, nd, ", ");
  if (overflow) return bad_entry(path, nm, "shape %s has too many elements", sh);
  if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
      json_uint(offs->child, &e->begin) || json_uint(offs->child->next, &e->end))
    return bad_entry(path, nm, "data_offsets is not two non-negative integers");
  uint64_t b = e->begin, en = e->end;
  if (b > en)
    return bad_entry(path, nm, "data_offsets [%" PRIu64 ", %" PRIu64 "] end before they "
                     "begin", b, en);
  if (en > avail)
    return bad_entry(path, nm, "data_offsets [%" PRIu64 ", %" PRIu64 "] run past the end "
                     "of the %" PRIu64 "-byte data buffer", b, en, avail);
  if ((en - b) % 4 != 0)
    return bad_entry(path, nm, "data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64
                     " bytes, not whole floats; shape %s needs %" PRIu64 " floats", b, en,
                     en - b, sh, count);
  if ((en - b) / 4 != count)
    return bad_entry(path, nm, "data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64
                     " floats, shape %s needs %" PRIu64, b, en, (en - b) / 4, sh, count);
  return AE_OK;
}

/* Check the length prefix and parse the header into f->root; sets *n. */
static ae_status parse_header(ae_st_file *f, uint64_t *n, const char *path,
                              const unsigned char *buf, size_t size) {
  ae_status s = AE_OK;
  const char *hdr = (const char *)buf + 8, *end = NULL;
  if (size < 8)
    FAIL(AE_ERR_FORMAT, "%s: file is %zu bytes, too short for the 8-byte header length",
         path, size);
  *n = 0;
  for (int i = 7; i >= 0; i--) *n = (*n << 8) | buf[i];
  if (*n > size - 8 || *n > AE_ST_MAX_HEADER)
    FAIL(AE_ERR_FORMAT, "%s: header length %" PRIu64 " %s", path, *n,
         *n > size - 8 ? "runs past the end of the file" : "exceeds the 100 MB limit");
  if (*n < 2 || hdr[0] != '{') FAIL(AE_ERR_FORMAT, "%s: header is not a JSON object", path);
  size_t bad = utf8_bad(buf + 8, (size_t)*n);
  if (bad < *n)
    FAIL(AE_ERR_FORMAT, "%s: header byte %zu (0x%02x) is not UTF-8 JSON text", path, bad,
         (unsigned)buf[8 + bad]);
  f->root = cJSON_ParseWithLengthOpts(hdr, (size_t)*n, &end, 0);
  if (!f->root || !cJSON_IsObject(f->root))
    FAIL(AE_ERR_FORMAT, "%s: header is not valid JSON (error near byte %td)", path,
         end ? end - hdr : (ptrdiff_t)0);
  for (const char *p = end; p < hdr + *n; p++)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
      FAIL(AE_ERR_FORMAT, "%s: header has bytes after its JSON object (byte %td)", path,
           p - hdr);
fail:
  return s;
}

/* Find __metadata__, check its values are strings with distinct keys, and
 * count the tensor entries into f->n. */
static ae_status read_meta(ae_st_file *f, const char *path) {
  ae_status s = AE_OK;
  const char **keys = NULL;
  int n_meta = 0, k = 0;
  for (const cJSON *c = f->root->child; c; c = c->next) {
    if (strcmp(c->string, "__metadata__") != 0) {
      f->n++;
      continue;
    }
    if (f->meta || !cJSON_IsObject(c))
      FAIL(AE_ERR_FORMAT, "%s: __metadata__ is %s", path,
           f->meta ? "given twice" : "not a JSON object");
    f->meta = c;
    n_meta = cJSON_GetArraySize(c);
  }
  keys = malloc(sizeof *keys * (size_t)n_meta + 1);
  if (!keys) FAIL(AE_ERR_NOMEM, "%s: out of memory", path);
  for (const cJSON *c = f->meta ? f->meta->child : NULL; c; c = c->next) {
    if (!cJSON_IsString(c))
      FAIL(AE_ERR_FORMAT, "%s: metadata '%s' is not a string", path, c->string);
    keys[k++] = c->string;
  }
  const char *dup = first_dup(keys, n_meta);
  if (dup) FAIL(AE_ERR_FORMAT, "%s: metadata key '%s' appears twice", path, dup);
fail:
  free(keys);
  return s;
}

/* Names must be distinct, and the tensors must tile the data buffer of
 * `avail` bytes exactly: no overlaps, no holes, nothing left over. */
static ae_status check_tiling(ae_st_file *f, const char *path, uint64_t avail) {
  ae_status s = AE_OK;
  uint64_t pos = 0;
  const st_entry *prev = NULL;
  if (f->n > 1) qsort(f->by_name, (size_t)f->n, sizeof *f->by_name, cmp_name);
  for (int i = 1; i < f->n; i++)
    if (strcmp(f->by_name[i - 1]->t.name, f->by_name[i]->t.name) == 0)
      FAIL(AE_ERR_FORMAT, "%s: tensor name '%s' appears twice", path, f->by_name[i]->t.name);
  if (f->n > 1) qsort(f->by_off, (size_t)f->n, sizeof *f->by_off, cmp_off);
  for (int i = 0; i < f->n; i++) {
    const st_entry *e = f->by_off[i];
    if (e->begin < pos)
      FAIL(AE_ERR_FORMAT, "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] overlap "
           "tensor '%s' [%" PRIu64 ", %" PRIu64 "]", path, e->t.name, e->begin, e->end,
           prev->t.name, prev->begin, prev->end);
    if (e->begin > pos)
      FAIL(AE_ERR_FORMAT, "%s: data bytes [%" PRIu64 ", %" PRIu64 ") before tensor '%s' "
           "belong to no tensor", path, pos, e->begin, e->t.name);
    pos = e->end;
    if (e->end > e->begin) prev = e;
  }
  if (pos != avail)
    FAIL(AE_ERR_FORMAT, "%s: the data buffer holds %" PRIu64 " bytes but its tensors cover "
         "%" PRIu64, path, avail, pos);
fail:
  return s;
}

ae_status ae_st_read(ae_st_file **out, const char *path) {
  if (!out || !path) return ae_set_error(AE_ERR_ARG, "ae_st_read: NULL argument");
  ae_source src = {path, NULL, 0};
  return ae_st_read_source(out, &src);
}

ae_status ae_st_read_source(ae_st_file **out, const ae_source *src) {
  ae_status s = AE_OK;
  const char *path = src ? src->name : NULL;
  unsigned char *buf = NULL;
  size_t size = 0;
  uint64_t n = 0, avail;
  ae_st_file *f = NULL;
  if (!out || !path) return ae_set_error(AE_ERR_ARG, "ae_st_read: NULL argument");
  *out = NULL;
  if ((s = ae_source_read(src, &buf, &size, 0)) != AE_OK) return s;
  f = calloc(1, sizeof *f);
  if (!f) FAIL(AE_ERR_NOMEM, "%s: out of memory", path);
  if ((s = parse_header(f, &n, path, buf, size)) || (s = read_meta(f, path))) goto fail;
  f->entries = calloc((size_t)f->n + 1, sizeof *f->entries);
  f->by_off = calloc((size_t)f->n + 1, sizeof *f->by_off);
  f->by_name = calloc((size_t)f->n + 1, sizeof *f->by_name);
  if (!f->entries || !f->by_off || !f->by_name) FAIL(AE_ERR_NOMEM, "%s: out of memory", path);
  avail = size - 8 - n;
  int k = 0;
  for (const cJSON *c = f->root->child; c; c = c->next) {
    if (c == f->meta) continue;
    st_entry *e = &f->entries[k];
    e->index = k;
    f->by_off[k] = f->by_name[k] = e;
    k++;
    if ((s = parse_entry(e, c, path, avail)) != AE_OK) goto fail;
  }
  if ((s = check_tiling(f, path, avail)) != AE_OK) goto fail;
  /* Move the data to the start of the (malloc-aligned) buffer: every offset
   * is a multiple of 4 now, so each tensor's floats are aligned. */
  if (avail > 0) {
    memmove(buf, buf + 8 + n, (size_t)avail);
    unsigned char *shrunk = realloc(buf, (size_t)avail);
    f->data = (float *)(void *)(shrunk ? shrunk : buf);
    buf = NULL;
  }
  for (int i = 0; i < f->n; i++) {
    st_entry *e = &f->entries[i];
    e->t.data = e->end > e->begin ? f->data + e->begin / 4 : NULL;
  }
  free(buf);
  *out = f;
  return AE_OK;
fail:
  free(buf);
  ae_st_free(f);
  return s;
}

int ae_st_count(const ae_st_file *f) { return f ? f->n : 0; }

const ae_st_tensor *ae_st_get(const ae_st_file *f, int i) {
  return f && i >= 0 && i < f->n ? &f->by_off[i]->t : NULL;
}

const ae_st_tensor *ae_st_find(const ae_st_file *f, const char *name) {
  if (!f || !name || f->n == 0) return NULL;
  st_entry key, *kp = &key, **hit;
  key.t.name = name;
  hit = bsearch(&kp, f->by_name, (size_t)f->n, sizeof *f->by_name, cmp_name);
  return hit ? &(*hit)->t : NULL;
}

const char *ae_st_meta(const ae_st_file *f, const char *key) {
  if (!f || !f->meta || !key) return NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->meta, key);
  return v ? v->valuestring : NULL;
}

void ae_st_free(ae_st_file *f) {
  if (!f) return;
  cJSON_Delete(f->root);
  free(f->entries);
  free(f->by_off);
  free(f->by_name);
  free(f->data);
  free(f);
}
