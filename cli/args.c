/* SPDX-License-Identifier: MIT */
/* args.c — option parsing and data loading shared by the commands. */
#define _POSIX_C_SOURCE 200809L /* fdopen, dup */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_error(const char *fmt, ...) {
  char raw[2048], line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  ae_text_escape(line, sizeof line, raw); /* arguments and file bytes: one line */
  cli_progress_end(); /* a bar on the line goes first */
  if (ae_mpi_size() > 1) /* which rank of the job */
    fprintf(stderr, "aekit: error (rank %d of %d): %s\n", ae_mpi_rank(), ae_mpi_size(), line);
  else
    fprintf(stderr, "aekit: error: %s\n", line);
  return 1;
}

void cli_warn(const char *fmt, ...) {
  char raw[2048], line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  ae_text_escape(line, sizeof line, raw);
  if (ae_mpi_rank() != 0) return; /* once per job */
  cli_progress_end();
  fprintf(stderr, "aekit: warning: %s\n", line);
}

int cli_stdout_taken;

/* Standard output carries data now: the command's own lines (printf) go to
 * a stream on standard error instead; fd 1 is left to the writer. In the
 * GNU C library stdout is a variable a program may set. */
int cli_stdout_take(void) {
  fflush(stdout);
  int fd = dup(2);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return cli_error("standard output: cannot set up: %s", strerror(errno));
  }
  setvbuf(f, NULL, _IOLBF, 0);
  stdout = f;
  cli_stdout_taken = 1;
  return 0;
}

FILE *cli_notes(const char *output) {
  struct stat a, b;
  if (output && stat(output, &a) == 0 && fstat(1, &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino)
    return stderr;
  return stdout;
}

int cli_fail(void) { return cli_error("%s", ae_last_error()); }

static void print_usage(const char *usage, const cli_opt *opts) {
  printf("%s\n\noptions:\n", usage);
  for (const cli_opt *o = opts; o->name; o++) {
    char left[64];
    const char *arg = o->type == OPT_FLAG     ? ""
                      : o->type == OPT_STRING ? " VALUE"
                      : o->type == OPT_OUTPUT ? " FILE"
                      : o->type == OPT_FLOAT || o->type == OPT_DOUBLE ? " X"
                                              : " N";
    snprintf(left, sizeof left, "%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "",
             o->name, arg);
    printf("  %-26s %s\n", left, o->help);
  }
  printf("  %-26s %s\n", "-h, --help", "show this help");
}

/* Store `val` into o->target; returns 0 or 1 (error printed). */
static int set_value(const cli_opt *o, const char *cmd, const char *val) {
  char *end;
  errno = 0;
  switch (o->type) {
  case OPT_FLAG: *(int *)o->target = 1; return 0;
  case OPT_STRING: *(const char **)o->target = val; return 0;
  case OPT_OUTPUT:
    if (strcmp(val, "-")) {
      *(const char **)o->target = val;
      return 0;
    }
    if (cli_stdout_taken)
      return cli_error("%s: option %s: standard output (-) is already another option's output", cmd, o->name);
    *(const char **)o->target = "/dev/stdout";
    return cli_stdout_take();
  case OPT_INT: {
    long v = strtol(val, &end, 10);
    if (errno || *end || end == val || v < -2147483647L || v > 2147483647L)
      return cli_error("%s: option %s: '%s' is not an integer", cmd, o->name, val);
    *(int *)o->target = (int)v;
    return 0;
  }
  case OPT_U64: {
    unsigned long long v = strtoull(val, &end, 10);
    if (errno || *end || end == val || val[0] == '-')
      return cli_error("%s: option %s: '%s' is not a non-negative integer", cmd, o->name, val);
    *(uint64_t *)o->target = (uint64_t)v;
    return 0;
  }
  case OPT_FLOAT:
  case OPT_DOUBLE: {
    double v = strtod(val, &end);
    if (errno || *end || end == val || !isfinite(v) ||
        (o->type == OPT_FLOAT && !isfinite((float)v)))
      return cli_error("%s: option %s: '%s' is not a finite number", cmd, o->name, val);
    if (o->type == OPT_FLOAT) *(float *)o->target = (float)v;
    else *(double *)o->target = v;
    return 0;
  }
  }
  return 1;
}

int cli_parse(int argc, char **argv, const char *cmd, const char *usage,
              const cli_opt *opts, const char **pos, int max_pos, int *n_pos) {
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      print_usage(usage, opts);
      return 2;
    }
    if (a[0] != '-' || !a[1]) {
      if (*n_pos >= max_pos)
        return cli_error("%s: unexpected argument '%s' (see aekit %s --help)", cmd, a, cmd);
      pos[(*n_pos)++] = a;
      continue;
    }
    const char *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    const cli_opt *o = opts;
    for (; o->name; o++)
      if ((strlen(o->name) == len && !strncmp(a, o->name, len)) ||
          (o->alias && strlen(o->alias) == len && !strncmp(a, o->alias, len)))
        break;
    if (!o->name && a[1] == '-' && len > 2) { /* a unique prefix of a long name, as getopt_long */
      const cli_opt *hit = NULL;
      for (const cli_opt *p = opts; p->name; p++)
        if (strlen(p->name) > len && !strncmp(a, p->name, len)) {
          if (hit)
            return cli_error("%s: option '%.*s' is ambiguous (%s, %s, ...; see aekit %s --help)", cmd,
                             (int)len, a, hit->name, p->name, cmd);
          hit = p;
        }
      if (hit) o = hit;
    }
    if (!o->name)
      return cli_error("%s: unknown option '%.*s' (see aekit %s --help)", cmd, (int)len, a, cmd);
    const char *val = NULL;
    if (o->type == OPT_FLAG) {
      if (eq) return cli_error("%s: option %s takes no value", cmd, o->name);
    } else if (eq) {
      val = eq + 1;
    } else if (i + 1 < argc) {
      val = argv[++i];
    } else {
      return cli_error("%s: option %s needs a value", cmd, o->name);
    }
    if (set_value(o, cmd, val)) return 1;
  }
  return 0;
}

/* Parse "3,5,7" (or class names of ds, "benign,Bag") into classes[];
 * returns the count, or -1 after naming the item that is neither. */
int cli_parse_classes(const char *what, const char *s, const ae_dataset *ds, int32_t *classes,
                      int max) {
  int k = 0, nc = ae_dataset_class_count(ds);
  for (const char *p = s; *p;) {
    size_t len = strcspn(p, ",");
    int found = -1;
    for (int c = 0; c < nc && found < 0; c++) {
      const char *name = ae_dataset_class_name(ds, c);
      if (strlen(name) == len && !memcmp(name, p, len)) found = c;
    }
    char *end;
    errno = 0;
    long v = found >= 0 ? found : strtol(p, &end, 10);
    if (k == max) return cli_error("%s: more than %d classes listed", what, max), -1;
    if (found < 0 && (end == p || end != p + len || errno || v < INT32_MIN || v > INT32_MAX)) {
      if (!nc) cli_error("%s: '%.*s' is not a label (an integer)", what, (int)len, p);
      else cli_error("%s: '%.*s' is neither a label nor a class name (%s%s%s%s)", what, (int)len, p,
                     ae_dataset_class_name(ds, 0), nc > 1 ? ", " : "",
                     nc > 1 ? ae_dataset_class_name(ds, 1) : "", nc > 2 ? ", ..." : "");
      return -1;
    }
    classes[k++] = (int32_t)v;
    p += len;
    if (*p == ',' && p[1]) p++;
    else if (*p) return cli_error("%s: '%s' ends with a comma", what, s), -1;
  }
  if (!k) cli_error("%s: an empty list of classes", what);
  return k ? k : -1;
}

/* Parse a command taking exactly one positional MODEL argument. */
int cli_parse_model(int argc, char **argv, const char *cmd, const char *usage,
                           const cli_opt *opts, const char **model) {
  const char *pos[1];
  int n;
  int r = cli_parse(argc, argv, cmd, usage, opts, pos, 1, &n);
  if (r) return r;
  if (n != 1) return cli_error("%s: no model file given (see aekit %s --help)", cmd, cmd);
  *model = pos[0];
  return 0;
}

/* Data from standard input ("-"): read whole, then its format told by its
 * first bytes, since a pipe has no name (NPY, NPZ, PNG, gzip or IDX by
 * their magic numbers, JPEG too; anything else is taken as CSV, its delimiter
 * detected). Messages name it "<stdin>". */
static int load_stdin(ae_dataset **ds, const ae_load_options *lo) {
  static int used;
  if (used) return cli_error("--data -: standard input was read already");
  used = 1;
  if (isatty(0)) return cli_error("--data -: standard input is a terminal; pipe the data in");
  if (lo->labels_path && !strcmp(lo->labels_path, "-"))
    return cli_error("--labels -: labels are read from a file, not standard input");
  size_t cap = 1 << 16, n = 0, most = lo->max_bytes ? lo->max_bytes : AE_LOAD_LIMIT;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (!buf) return cli_error("<stdin>: out of memory");
    size_t got = fread(buf + n, 1, cap - n, stdin);
    n += got;
    if (got == 0) break;
    if (n > most) {
      free(buf);
      return cli_error("<stdin>: more than %zu bytes; give a file instead", most);
    }
    if (n == cap) {
      unsigned char *grown = realloc(buf, cap * 2);
      if (!grown) free(buf);
      buf = grown;
      cap *= 2;
    }
  }
  if (ferror(stdin)) {
    free(buf);
    return cli_error("<stdin>: read failed: %s", strerror(errno));
  }
  if (!n) {
    free(buf);
    return cli_error("<stdin>: no data (empty input)");
  }
  const char *name = "<stdin>.csv";
  if (n >= 6 && !memcmp(buf, "\x93NUMPY", 6)) name = "<stdin>.npy";
  else if (n >= 4 && (!memcmp(buf, "PK\x03\x04", 4) || !memcmp(buf, "PK\x05\x06", 4)))
    name = "<stdin>.npz";
  else if (n >= 8 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8)) name = "<stdin>.png";
  else if (n >= 3 && !memcmp(buf, "\xff\xd8\xff", 3)) name = "<stdin>.jpg";
  else if ((n >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) || (n >= 4 && !buf[0] && !buf[1]))
    name = "<stdin>"; /* IDX, gzip-compressed or not */
  ae_status st = ae_dataset_load_memory(ds, buf, n, name, lo);
  free(buf);
  return st ? cli_fail() : 0;
}

/* Whether a path names Fashion-MNIST ("fashion" in any case). */
static int names_fashion(const char *path) {
  for (const char *p = path; *p; p++)
    if (!strncasecmp(p, "fashion", 7)) return 1;
  return 0;
}

int cli_load(ae_dataset **out, const cli_data *d, const char *fashion_file,
             const char *fashion_labels) {
  char img[512], lab[512];
  ae_load_options lo;
  ae_load_options_defaults(&lo);
  const char *path = d->path;
  lo.labels_path = d->labels;
  if (!path) {
    const char *dir = getenv("AEKIT_FASHION_DIR");
    if (!dir) dir = AE_FASHION_DIR_DEFAULT;
    snprintf(img, sizeof img, "%s/%s", dir, fashion_file);
    snprintf(lab, sizeof lab, "%s/%s", dir, fashion_labels);
    path = img;
    if (!lo.labels_path) lo.labels_path = lab;
  }
  if (d->header) {
    if (!strcmp(d->header, "yes")) lo.csv_header = 1;
    else if (!strcmp(d->header, "no")) lo.csv_header = 0;
    else if (!strcmp(d->header, "auto")) lo.csv_header = -1;
    else return cli_error("--csv-header: '%s' is not yes, no or auto", d->header);
  }
  if (d->label_column) { /* an index, "last", or a header name */
    char *end;
    long v = strtol(d->label_column, &end, 10);
    if (!strcmp(d->label_column, "last")) lo.csv_label_column = AE_CSV_LAST_COLUMN;
    else if (*d->label_column && !*end && v >= 0 && v < 1 << 24) lo.csv_label_column = (int)v;
    else if (*d->label_column && !isdigit((unsigned char)*d->label_column) && *d->label_column != '-')
      lo.csv_label_name = d->label_column;
    else return cli_error("--label-column '%s' is not a column index, a header name or last", d->label_column);
  }
  lo.csv_drop = d->drop;
  lo.image_channels = d->channels;
  if (d->resize) {
    int used = 0;
    if (sscanf(d->resize, "%dx%d%n", &lo.image_width, &lo.image_height, &used) != 2 ||
        d->resize[used] || lo.image_width < 1 || lo.image_height < 1 || lo.image_width > 65535 ||
        lo.image_height > 65535)
      return cli_error("--resize: '%s' is not WxH (e.g. 32x32)", d->resize);
  }
  if (d->patches) {
    int used = 0, n = sscanf(d->patches, "%d%n:%d%n", &lo.patch, &used, &lo.patch_stride, &used);
    if (n < 1 || d->patches[used] || lo.patch < 1 || lo.patch > 65535 || (n == 2 && lo.patch_stride < 1))
      return cli_error("--patches: '%s' is not P or P:STRIDE (e.g. 16 or 16:8)", d->patches);
  }
  if (d->series) lo.csv_time_column = -2; /* a first column of time stamps is skipped */
  if (d->limit < 0) return cli_error("--limit: must be positive (got %d)", d->limit);
  if (!d->classes && d->limit > 0) lo.max_samples = (size_t)d->limit; /* the rest is not read */
  ae_dataset *ds = NULL;
  if (!strcmp(path, "-")) {
    if (load_stdin(&ds, &lo)) return 1;
  } else if (ae_dataset_load(&ds, path, &lo)) {
    return cli_fail();
  }
  if (!d->path || names_fashion(path)) { /* Fashion-MNIST: its ten names */
    const int32_t *lab = ae_dataset_labels(ds);
    size_t n = ae_dataset_count(ds), i = 0;
    while (lab && !ae_dataset_class_count(ds) && i < n && lab[i] >= 0 && lab[i] < 10) i++;
    if (lab && i == n && ae_dataset_set_class_names(ds, ae_fashion_mnist_classes(), 10)) {
      ae_dataset_free(ds);
      return cli_fail();
    }
  }
  if (d->classes) { /* only the samples of these classes */
    int32_t keep[1024];
    char what[600];
    snprintf(what, sizeof what, "%s: --classes", path);
    int k = cli_parse_classes(what, d->classes, ds, keep, 1024);
    ae_dataset *part = NULL;
    if (k < 0) {
      ae_dataset_free(ds);
      return 1;
    }
    ae_status st = ae_dataset_select_labels(&part, ds, keep, (size_t)k);
    ae_dataset_free(ds);
    if (st) return cli_error("%s: --classes %s: %s", path, d->classes, ae_last_error());
    ds = part;
  }
  if (d->limit > 0 && (size_t)d->limit < ae_dataset_count(ds)) {
    ae_dataset *part = NULL;
    ae_status st = ae_dataset_slice(&part, ds, 0, (size_t)d->limit);
    ae_dataset_free(ds);
    if (st) return cli_fail();
    ds = part;
  }
  *out = ds;
  return 0;
}

int cli_model_classes(ae_model *m, const ae_dataset *ds) {
  int k = ae_dataset_class_count(ds);
  if (!k) return 0;
  const char **names = malloc((size_t)k * sizeof *names);
  if (!names) return 1;
  for (int i = 0; i < k; i++) names[i] = ae_dataset_class_name(ds, i);
  ae_status st = ae_model_set_class_names(m, names, k);
  free(names);
  return st != AE_OK;
}

/* The labels of ds in the names of m's classes (when both have names), or
 * named as m's when ds has plain labels within them. */
static int adopt_classes(ae_dataset *ds, const ae_model *m, const char *name) {
  int k = ae_model_class_count(m);
  if (!k || !ae_dataset_labels(ds)) return 0;
  const char **names = malloc((size_t)k * sizeof *names);
  if (!names) return cli_error("out of memory");
  for (int i = 0; i < k; i++) names[i] = ae_model_class_name(m, i);
  ae_status st = AE_OK;
  if (ae_dataset_class_count(ds)) {
    st = ae_dataset_adopt_class_names(ds, names, k);
  } else {
    const int32_t *lab = ae_dataset_labels(ds);
    size_t n = ae_dataset_count(ds), i = 0;
    while (i < n && lab[i] >= 0 && lab[i] < k) i++;
    if (i == n) st = ae_dataset_set_class_names(ds, names, k);
  }
  free(names);
  return st ? cli_error("%s: %s", name, ae_last_error()) : 0;
}

int cli_same_classes(ae_dataset *ds, const ae_dataset *ref, const char *name) {
  int k = ae_dataset_class_count(ref);
  if (!k || !ae_dataset_class_count(ds)) return 0;
  const char **names = malloc((size_t)k * sizeof *names);
  if (!names) return cli_error("out of memory");
  for (int i = 0; i < k; i++) names[i] = ae_dataset_class_name(ref, i);
  ae_status st = ae_dataset_adopt_class_names(ds, names, k);
  free(names);
  return st ? cli_error("%s: %s", name, ae_last_error()) : 0;
}

/* Warn when data to be used lie far outside the model's training range. */
static int warn_range(const ae_model *m, const ae_dataset *ds, const char *name) {
  ae_range_check r;
  if (ae_model_check_range(m, ae_dataset_data(ds), ae_dataset_count(ds), &r))
    return cli_error("%s: %s", name, ae_last_error());
  if (r.outside)
    cli_warn("%s: %zu of %zu samples lie far outside the training data's range (more than its "
             "width beyond it); the farthest is value %d (0-based) of sample %zu at %.4g, where "
             "training had %.4g..%.4g (scaled units): what the model gives there is extrapolation",
             name, r.outside, ae_dataset_count(ds), r.feature, r.sample, (double)r.value,
             (double)r.lo, (double)r.hi);
  return 0;
}

int cli_series_windows(ae_dataset **ds, const float *shift, const float *scale, int window,
                       int stride, size_t *steps, const char *name) {
  ae_dataset *windows = NULL;
  int f = (int)ae_dataset_dim(*ds);
  if (ae_dataset_scale_channels(*ds, f, shift, scale) ||
      ae_dataset_windows(&windows, *ds, window, stride))
    return cli_error("%s: %s", name, ae_last_error());
  if (steps) *steps = ae_dataset_count(*ds);
  ae_dataset_free(*ds);
  *ds = windows;
  return 0;
}

int cli_load_data_for(ae_dataset **ds, const ae_model *m, const char *model_path,
                      const cli_data *d, const char *fashion_file, const char *fashion_labels) {
  *ds = NULL;
  int stride, c, h, w;
  ae_model_input_shape(m, &c, &h, &w);
  if (ae_model_series(m, NULL, NULL, NULL, NULL)) { /* windows of a series */
    if (!d->path) return cli_error("%s is a model of windows of a series: give the series (--data FILE)", model_path);
    cli_data sd = *d;
    sd.series = 1;
    ae_dataset *series = NULL;
    float *shift = malloc(2 * (size_t)w * sizeof(float));
    if (!shift) return cli_error("out of memory");
    float *scale = shift + w;
    ae_model_series(m, &stride, NULL, shift, scale);
    int e = cli_load(&series, &sd, NULL, NULL);
    if (!e && ae_dataset_dim(series) != (size_t)w)
      e = cli_error("%s: the series has %zu channel%s, model %s takes %d", d->path,
                    ae_dataset_dim(series), ae_dataset_dim(series) == 1 ? "" : "s", model_path, w);
    if (!e && ae_dataset_count(series) < (size_t)h)
      e = cli_error("%s: the series has %zu steps, shorter than the model's window of %d", d->path,
                    ae_dataset_count(series), h);
    if (!e) e = cli_series_windows(&series, shift, scale, h, stride, d->series_steps, d->path);
    free(shift);
    if (!e) *ds = series;
    else ae_dataset_free(series);
    return e;
  }
  cli_data md = *d; /* a PNG or JPEG read gray or RGB as the model takes it */
  md.channels = c == 1 || c == 3 ? c : 0;
  if (cli_load(ds, &md, fashion_file, fashion_labels)) return 1;
  const char *name = d->path ? d->path : fashion_file;
  if (adopt_classes(*ds, m, name)) {
    ae_dataset_free(*ds);
    *ds = NULL;
    return 1;
  }
  if (ae_dataset_dim(*ds) != ae_model_input_dim(m))
    cli_error("%s: samples have %zu features, model %s takes %zu", name, ae_dataset_dim(*ds),
              model_path, ae_model_input_dim(m));
  else if (ae_model_scale_dataset(m, *ds))
    cli_error("%s: %s", name, ae_last_error());
  else if (!ae_dataset_data(*ds))
    cli_error("%s: out of memory", name);
  else
    return warn_range(m, *ds, name);
  ae_dataset_free(*ds);
  *ds = NULL;
  return 1;
}

int cli_load_for_model(ae_model **m, ae_dataset **ds, const char *model_path,
                       const cli_data *d) {
  *m = NULL;
  *ds = NULL;
  if (!model_path) return cli_error("no model file given");
  /* in an MPI job (eval, encode, score), the model's runs are split over
   * the ranks */
  if (ae_model_load(m, model_path) || ae_model_set_threads(*m, d->threads) ||
      ae_model_set_distributed(*m, ae_mpi_size() > 1)) {
    cli_fail();
    ae_model_free(*m);
    *m = NULL;
    return 1;
  }
  if (!cli_load_data_for(ds, *m, model_path, d, "t10k-images-idx3-ubyte.gz",
                         "t10k-labels-idx1-ubyte.gz"))
    return 0;
  ae_model_free(*m);
  *m = NULL;
  return 1;
}

/* Lay out n images of c*h*w (scaled to [0,1]; c 1 or 3) as a grid of
 * `cols` columns. */
ae_status cli_write_grid(const char *path, const float *img, size_t n, int c, int h, int w,
                         int cols) {
  int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
  size_t chw = (size_t)c * h * w;
  float *grid = calloc((size_t)rows * cols * chw, sizeof(float));
  if (!grid) return AE_ERR_NOMEM;
  memcpy(grid, img, n * chw * sizeof(float));
  ae_status st = ae_png_write_grid_c(path, grid, c, rows, cols, h, w, 2, 2);
  free(grid);
  return st;
}

int cli_ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

int cli_plots_check(const char *cmd, const char *option, const char *path) {
  if (!path || ae_have_plots()) return 0;
  return cli_error("%s: %s %s: this aekit was built without PLplot (cmake -DAE_PLOTS=OFF): "
                   "it draws no plots", cmd, option, path);
}


int cli_write_images(const char *path, const float *img, size_t n, const ae_model *m) {
  int c, h, w;
  ae_model_input_shape(m, &c, &h, &w);
  if (!cli_ends_with(path, ".png")) return ae_array_save(path, img, n, ae_model_input_dim(m)) ? cli_fail() : 0;
  if (c != 1 && c != 3)
    return cli_error("%s: PNG output needs gray or RGB images (these have %d channels); use .npy",
                     path, c);
  ae_status st = cli_write_grid(path, img, n, c, h, w, n < 10 ? (int)n : 10);
  if (st == AE_ERR_NOMEM) return cli_error("%s: out of memory", path);
  return st ? cli_fail() : 0;
}

int cli_load_images(ae_model **m, ae_dataset **ds, const char *model_path, const char *const *files,
                    int n_files, int threads) {
  *m = NULL;
  *ds = NULL;
  float *all = NULL; /* (n_files, D) */
  ae_dataset *one = NULL;
  if (ae_model_load(m, model_path) || ae_model_set_threads(*m, threads)) goto fail_lib;
  size_t dim = ae_model_input_dim(*m);
  if (!(all = malloc((size_t)n_files * dim * sizeof(float)))) {
    cli_error("out of memory");
    goto fail;
  }
  int c, h, w;
  ae_model_input_shape(*m, &c, &h, &w);
  ae_load_options lo; /* a PNG as the model takes it: gray, or colour */
  ae_load_options_defaults(&lo);
  lo.image_channels = c == 1 || c == 3 ? c : 0;
  for (int i = 0; i < n_files; i++) {
    if (ae_dataset_load(&one, files[i], &lo)) goto fail_lib;
    const float *x = ae_dataset_data(one);
    if (ae_dataset_count(one) != 1 || ae_dataset_dim(one) != dim || !x) {
      cli_error("%s: %zu values, model %s takes images of %zu", files[i], ae_dataset_dim(one),
                model_path, dim);
      goto fail;
    }
    memcpy(all + (size_t)i * dim, x, dim * sizeof(float));
    ae_dataset_free(one);
    one = NULL;
  }
  if (ae_dataset_from_array(ds, all, (size_t)n_files, dim, NULL) ||
      ae_dataset_set_shape(*ds, c, h, w) || ae_model_scale_dataset(*m, *ds))
    goto fail_lib;
  free(all);
  return 0;
fail_lib:
  cli_fail();
fail:
  free(all);
  ae_dataset_free(one);
  ae_dataset_free(*ds);
  ae_model_free(*m);
  *m = NULL;
  *ds = NULL;
  return 1;
}
