/* SPDX-License-Identifier: MIT */
/* io_csv.c — delimited numbers, one sample per line: commas, semicolons or
 * tabs (detected from the first line, or given), a header row or not.
 *
 * The whole file is read into memory and parsed in two passes: the first
 * counts the data rows and the columns of the first row (and detects a
 * header), the second parses every field with strtod, checked to its end.
 * Columns are found by index or by their header name: the label column,
 * a time column, and columns dropped (not read).
 * Spaces and tabs around fields, \r\n line ends, blank lines and a UTF-8
 * byte-order mark are tolerated. Every error names the file, the line and
 * the column (both 1-based).
 *
 * Legend: N data rows, D feature columns. */
#define _DEFAULT_SOURCE /* strndup */
#include "dataset.h"

#include "error.h"
#include "fileio.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 24 /* characters of a bad field quoted in messages */

typedef struct line_iter {
  const char *p, *end; /* rest of the buffer */
  size_t lineno;       /* 1-based number of the line last returned */
} line_iter;

/* Next line as [*b, *e) without its \n or \r\n; 0 at the end of the buffer. */
static int next_line(line_iter *it, const char **b, const char **e) {
  if (it->p >= it->end) return 0;
  const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
  const char *stop = nl ? nl : it->end;
  *b = it->p;
  *e = stop > it->p && stop[-1] == '\r' ? stop - 1 : stop;
  it->p = nl ? nl + 1 : it->end;
  it->lineno++;
  return 1;
}

/* Whether [b, e) holds only spaces, tabs and carriage returns. */
static int is_blank(const char *b, const char *e) {
  for (; b < e; b++)
    if (*b != ' ' && *b != '\t' && *b != '\r') return 0;
  return 1;
}

/* Fields in [b, e): delimiters plus one. */
static size_t count_fields(const char *b, const char *e, char delim) {
  size_t n = 1;
  for (; b < e; b++) n += *b == delim;
  return n;
}

/* End of the field starting at b: the next delimiter or e. */
static const char *field_end(const char *b, const char *e, char delim) {
  const char *c = memchr(b, delim, (size_t)(e - b));
  return c ? c : e;
}

/* The delimiter of a file whose first line is [b, e): ';' where the line
 * has one (a comma then is a decimal comma, which is refused later), else
 * ',' where it has one, else a tab. */
static char detect_delimiter(const char *b, const char *e) {
  if (memchr(b, ';', (size_t)(e - b))) return ';';
  if (memchr(b, ',', (size_t)(e - b))) return ',';
  if (memchr(b, '\t', (size_t)(e - b))) return '\t';
  return ',';
}

/* Parse the field [b, fe) as one number with optional surrounding blanks;
 * returns 0 if it is not exactly one number. */
static int parse_number(const char *b, const char *fe, double *v) {
  while (b < fe && (*b == ' ' || *b == '\t')) b++;
  if (b == fe) return 0; /* empty: strtod would skip past the line end */
  char *stop;
  *v = strtod(b, &stop); /* overflow gives +-HUGE_VAL: caught as infinite */
  if (stop == b || stop > fe) return 0;
  for (const char *q = stop; q < fe; q++)
    if (*q != ' ' && *q != '\t' && *q != '\r') return 0;
  return 1;
}

/* Whether every non-blank field of the line but column `except` (-1:
 * none) parses as a number. */
static int all_numeric(const char *b, const char *e, char delim, long except) {
  long col = 0;
  for (const char *f = b;; f++, col++) {
    const char *fe = field_end(f, e, delim);
    double v;
    if (col != except && !is_blank(f, fe) && !parse_number(f, fe, &v)) return 0;
    if (fe == e) return 1;
    f = fe;
  }
}

/* Record an error about field [b, fe) at line/column, quoting the field. */
static ae_status field_error(ae_status st, const char *path, size_t line,
                             size_t col, const char *b, const char *fe,
                             const char *what) {
  int len = (int)(fe - b > QUOTE_MAX ? QUOTE_MAX : fe - b);
  int nul = memchr(b, 0, (size_t)(fe - b)) != NULL;
  return ae_set_error(st, "%s: line %zu, column %zu: %s \"%.*s%s\"%s", path,
                      line, col, what, len, b, fe - b > QUOTE_MAX ? "..." : "",
                      nul ? " (contains a NUL byte)" : "");
}

/* A header field or a word label [b, fe) without blanks and double quotes around it. */
static void field_name(const char **b, const char **fe) {
  while (*b < *fe && (**b == ' ' || **b == '\t')) (*b)++;
  while (*fe > *b && ((*fe)[-1] == ' ' || (*fe)[-1] == '\t' || (*fe)[-1] == '\r')) (*fe)--;
  if (*fe - *b >= 2 && **b == '"' && (*fe)[-1] == '"') (*b)++, (*fe)--;
}

/* Words compared as bytes, the shorter first on a common prefix (strcmp's
 * order). */
typedef struct word {
  const char *b;
  size_t len;
} word;

static int word_cmp(const char *a, size_t na, const char *b, size_t nb) {
  int c = memcmp(a, b, na < nb ? na : nb);
  return c ? c : (na > nb) - (na < nb);
}

static int by_word(const void *x, const void *y) {
  const word *a = x, *b = y;
  return word_cmp(a->b, a->len, b->b, b->len);
}

/* The index of [b, b + len) among the sorted words, or -1. */
static int find_word(const ae_names *words, const char *b, size_t len) {
  int lo = 0, hi = words->n - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    const char *w = words->v[mid];
    int c = word_cmp(b, len, w, strlen(w));
    if (!c) return mid;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

/* The field of column `col` in the line [b, e) as [*fb, *fe); 0 when the
 * line has fewer fields. */
static int nth_field(const char *b, const char *e, char delim, int col, const char **fb,
                     const char **fe) {
  for (int c = 0;; c++, b++) {
    const char *end = field_end(b, e, delim);
    if (c == col) {
      *fb = b, *fe = end;
      return 1;
    }
    if (end == e) return 0;
    b = end;
  }
}

/* A label column that holds words (any field that is not a number): its
 * distinct words, sorted, into *out (left empty for numeric labels). The
 * rows are those pass 2 reads. */
static ae_status label_words(const char *path, line_iter it, size_t rows, int header,
                             size_t first_line, char delim, int col, ae_names *out) {
  const char *b, *e, *fb, *fe;
  line_iter start = it;
  int numeric = 1;
  for (size_t r = 0; numeric && r < rows && next_line(&it, &b, &e);) {
    if (is_blank(b, e) || (header && it.lineno == first_line)) continue;
    r++;
    double v;
    if (nth_field(b, e, delim, col, &fb, &fe) && !is_blank(fb, fe) && !parse_number(fb, fe, &v))
      numeric = 0;
  }
  if (numeric) return AE_OK;
  word *w = malloc(rows * sizeof *w); /* (N) every row's word */
  if (!w) return ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  size_t k = 0;
  it = start;
  for (size_t r = 0; r < rows && next_line(&it, &b, &e);) {
    if (is_blank(b, e) || (header && it.lineno == first_line)) continue;
    r++;
    if (!nth_field(b, e, delim, col, &fb, &fe) || is_blank(fb, fe)) continue; /* pass 2 says why */
    field_name(&fb, &fe);
    if ((size_t)(fe - fb) > AE_CLASS_NAME_MAX) {
      free(w);
      return field_error(AE_ERR_FORMAT, path, it.lineno, (size_t)col + 1, fb, fe,
                         "label longer than 255 bytes:");
    }
    w[k++] = (word){fb, (size_t)(fe - fb)};
  }
  qsort(w, k, sizeof *w, by_word);
  size_t n = 0;
  for (size_t i = 0; i < k; i++)
    if (!n || by_word(&w[n - 1], &w[i])) w[n++] = w[i];
  ae_status st = AE_OK;
  if (n > AE_MAX_CLASSES)
    st = ae_set_error(AE_ERR_FORMAT, "%s: the label column (%d, 0-based) holds %zu different "
                      "words, at most %d classes", path, col, n, AE_MAX_CLASSES);
  char **names = st ? NULL : calloc(n, sizeof *names);
  if (!st && !names) st = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  for (size_t i = 0; !st && i < n; i++)
    if (!(names[i] = strndup(w[i].b, w[i].len))) st = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
  if (!st && (st = ae_names_set(out, (const char *const *)names, (int)n, "label column")))
    ae_error_prefix(path);
  for (size_t i = 0; names && i < n; i++) free(names[i]);
  free(names);
  free(w);
  return st;
}

/* Parse one data row into x (D floats) and *label; updates lo/hi.
 * skip[col]: a column not read (time stamps, dropped). */
static ae_status parse_row(const char *path, size_t line, const char *b, const char *e,
                           char delim, int label_column, const ae_names *words,
                           const unsigned char *skip, float *x, int32_t *label, float *lo,
                           float *hi) {
  size_t col = 0, k = 0;
  for (const char *f = b;; f++, col++) {
    const char *fe = field_end(f, e, delim);
    double v;
    if (skip[col]) {
      if (fe == e) return AE_OK;
      f = fe;
      continue;
    }
    if (is_blank(f, fe))
      return ae_set_error(AE_ERR_FORMAT, "%s: line %zu, column %zu: empty field",
                          path, line, col + 1);
    if ((int)col == label_column && words->n) { /* a word: its index among the sorted words */
      const char *nb = f, *ne = fe;
      field_name(&nb, &ne);
      int at = find_word(words, nb, (size_t)(ne - nb));
      if (at < 0) return field_error(AE_ERR_INTERNAL, path, line, col + 1, f, fe, "label not found:");
      *label = at;
      if (fe == e) return AE_OK;
      f = fe;
      continue;
    }
    if (!parse_number(f, fe, &v))
      return field_error(AE_ERR_FORMAT, path, line, col + 1, f, fe,
                         (int)col == label_column ? "label is not a number:"
                                                  : "not a number:");
    if (isnan(v) || isinf(v) || fabs(v) > FLT_MAX)
      return field_error(AE_ERR_NUMERIC, path, line, col + 1, f, fe,
                         isnan(v) || isinf(v) ? "value is not finite:"
                                              : "value beyond float32 range:");
    if ((int)col == label_column) {
      if (v != floor(v) || v < INT32_MIN || v > INT32_MAX)
        return field_error(AE_ERR_FORMAT, path, line, col + 1, f, fe,
                           "label is not an integer:");
      *label = (int32_t)v;
    } else {
      float fv = (float)v;
      x[k++] = fv;
      if (fv < *lo) *lo = fv;
      if (fv > *hi) *hi = fv;
    }
    if (fe == e) return AE_OK;
    f = fe;
  }
}


/* The column called name[0, len) in the header line [b, e), or -1. */
static long find_column(const char *b, const char *e, char delim, const char *name, size_t len) {
  long col = 0;
  for (const char *f = b;; f++, col++) {
    const char *fe = field_end(f, e, delim), *nb = f, *ne = fe;
    field_name(&nb, &ne);
    if ((size_t)(ne - nb) == len && !memcmp(nb, name, len)) return col;
    if (fe == e) return -1;
    f = fe;
  }
}

/* A column given as a 0-based index or a header name (name[0, len)):
 * its index, or an error naming the file. */
static ae_status resolve_column(const char *path, const char *name, size_t len, int header,
                                const char *hb, const char *he, char delim, size_t ncols,
                                const char *what, long *col) {
  char *end;
  long v = strtol(name, &end, 10);
  if (len && end == name + len && name[0] != '-' && name[0] != '+') {
    if ((size_t)v >= ncols)
      return ae_set_error(AE_ERR_ARG, "%s: %s column %ld outside the %zu columns (0-based)", path,
                          what, v, ncols);
    *col = v;
    return AE_OK;
  }
  if (!header)
    return ae_set_error(AE_ERR_ARG, "%s: %s column '%.*s' named, but the file has no header row",
                        path, what, (int)len, name);
  if ((*col = find_column(hb, he, delim, name, len)) < 0)
    return ae_set_error(AE_ERR_ARG, "%s: no column named '%.*s' in the header (%s column)", path,
                        (int)len, name, what);
  return AE_OK;
}

ae_status ae_csv_read(ae_dataset **out, const ae_source *src, const ae_csv_options *o,
                      size_t max_samples, size_t max_bytes) {
  const char *path = src->name;
  int header = o->header, label_column = o->label_column, time_column = o->time_column;
  char delim = (char)o->delimiter;
  unsigned char *skip = NULL; /* (columns): not read */
  const char *hb = NULL, *he = NULL; /* the header line */
  unsigned char *buf = NULL; /* whole file, NUL-terminated */
  size_t size = 0, rows = 0, ncols = 0, first_line = 0;
  ae_dataset *ds = NULL;
  const char *b, *e;
  *out = NULL;
  ae_status s = ae_source_read(src, &buf, &size, max_bytes);
  if (s) return s;
  const char *start = (const char *)buf;
  if (size >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) start += 3; /* BOM */
  line_iter it = {start, (const char *)buf + size, 0};

  /* Pass 1: the first non-blank line fixes the column count; count rows. */
  int detect_time = time_column == -2, first_data = 1;
  if (detect_time) time_column = -1;
  while (next_line(&it, &b, &e)) {
    if (is_blank(b, e)) continue;
    if (!first_line) {
      first_line = it.lineno;
      if (!delim) delim = detect_delimiter(b, e);
      ncols = count_fields(b, e, delim);
      if (header < 0) { /* a header has a word outside the label column (which may hold words) */
        long lc = label_column == AE_CSV_LAST_COLUMN ? (long)ncols - 1
                  : o->label_name ? -1 : label_column;
        header = !all_numeric(b, e, delim, lc);
      }
      if (header) {
        hb = b, he = e;
        continue;
      }
    }
    if (first_data && detect_time && ncols > 1) { /* a first field that is no number */
      double v;
      const char *fe = field_end(b, e, delim);
      if (!parse_number(b, fe, &v) && all_numeric(fe + 1, e, delim, -1)) time_column = 0;
    }
    first_data = 0;
    if (max_samples && rows == max_samples) break; /* the rest is not read */
    rows++;
  }
  if (!first_line) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: empty file (no rows)", path);
    goto fail;
  }
  if (!rows) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: no data rows after the header", path);
    goto fail;
  }
  if (o->label_name) {
    long col;
    if ((s = resolve_column(path, o->label_name, strlen(o->label_name), header, hb, he, delim,
                            ncols, "label", &col)))
      goto fail;
    label_column = (int)col;
  }
  if (label_column == AE_CSV_LAST_COLUMN) label_column = (int)ncols - 1;
  if (label_column < -1 || (label_column >= 0 && (size_t)label_column >= ncols)) {
    s = ae_set_error(AE_ERR_ARG, "%s: label column %d outside the %zu columns "
                     "(0-based)", path, label_column, ncols);
    goto fail;
  }
  if (time_column >= 0 && ((size_t)time_column >= ncols || time_column == label_column)) {
    s = ae_set_error(AE_ERR_ARG, "%s: time column %d is not one of the %zu columns besides "
                     "the label (0-based)", path, time_column, ncols);
    goto fail;
  }
  if (!(skip = calloc(ncols, 1))) {
    s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  if (time_column >= 0) skip[time_column] = 1;
  for (const char *d = o->drop; d && *d;) { /* "id,2" */
    const char *c = strchr(d, ',');
    size_t len = c ? (size_t)(c - d) : strlen(d);
    long col;
    if ((s = resolve_column(path, d, len, header, hb, he, delim, ncols, "dropped", &col)))
      goto fail;
    if (col == label_column) {
      s = ae_set_error(AE_ERR_ARG, "%s: column %ld is the label column: it cannot be dropped",
                       path, col);
      goto fail;
    }
    skip[col] = 1;
    d = c ? c + 1 : d + len;
  }
  size_t dim = ncols - (label_column >= 0);
  for (size_t c = 0; c < ncols; c++) dim -= skip[c];
  if (dim == 0) {
    s = ae_set_error(AE_ERR_FORMAT, "%s: no feature columns besides the label",
                     path);
    goto fail;
  }
  if ((s = ae_dataset_budget(path, rows, dim, sizeof(float), max_bytes))) goto fail;
  if ((s = ae_dataset_alloc(&ds, rows, dim))) {
    ae_error_prefix(path);
    goto fail;
  }
  if (label_column >= 0) {
    ds->labels = malloc(rows * sizeof(int32_t)); /* (N) */
    if (!ds->labels) {
      s = ae_set_error(AE_ERR_NOMEM, "%s: out of memory", path);
      goto fail;
    }
  }

  /* A label column of words: their sorted list names the labels. */
  it = (line_iter){start, (const char *)buf + size, 0};
  if (label_column >= 0 &&
      (s = label_words(path, it, rows, header, first_line, delim, label_column, &ds->classes)))
    goto fail;

  /* Pass 2: parse every data row. */
  float lo = INFINITY, hi = -INFINITY;
  size_t r = 0;
  while (r < rows && next_line(&it, &b, &e)) {
    if (is_blank(b, e) || (header && it.lineno == first_line)) continue;
    size_t nf = count_fields(b, e, delim);
    if (nf != ncols) {
      s = ae_set_error(AE_ERR_FORMAT, "%s: line %zu: expected %zu fields (as "
                       "on line %zu), got %zu", path, it.lineno, ncols,
                       first_line, nf);
      goto fail;
    }
    int32_t label = 0;
    s = parse_row(path, it.lineno, b, e, delim, label_column, &ds->classes, skip,
                  ds->x + r * dim, &label, &lo, &hi);
    if (s) goto fail;
    if (ds->labels) ds->labels[r] = label;
    r++;
  }
  ds->lo = lo;
  ds->hi = hi;
  ae_dataset_square_shape(ds);
  free(buf);
  free(skip);
  *out = ds;
  return AE_OK;
fail:
  free(buf);
  free(skip);
  ae_dataset_free(ds);
  return s;
}
