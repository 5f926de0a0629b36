/* SPDX-License-Identifier: MIT */
/* cli.h — shared pieces of the aekit program: option parsing, errors,
 * loading data the way every command does. */
#ifndef AE_CLI_H
#define AE_CLI_H

#include "aekit.h"

#include <stdio.h>

#define AE_FASHION_DIR_DEFAULT "/usr/share/datasets/fashion-mnist"

/* Print "aekit: error: <fmt>" on one line; returns 1 (the exit code). */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Print "aekit: warning: <fmt>" on one line (stderr; rank 0 of a job). */
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Where to print the note about an output just written: stdout, or stderr
 * when the output itself is stdout (-o /dev/stdout), so the data stays
 * clean. */
FILE *cli_notes(const char *output);

/* Whether an output option was "-" (cli_stdout_take has moved the
 * command's printf lines to standard error). */
extern int cli_stdout_taken;
int cli_stdout_take(void);

/* Print "aekit: error: <ae_last_error()>"; returns 1. */
int cli_fail(void);

/* OPT_OUTPUT: a file the command writes (a string; "-" is standard output:
 * the option's target becomes "/dev/stdout", which the library's writers
 * write straight into, and the command's own lines go to standard error). */
typedef enum { OPT_FLAG, OPT_STRING, OPT_INT, OPT_FLOAT, OPT_U64, OPT_DOUBLE, OPT_OUTPUT } opt_type;

typedef struct cli_opt {
  const char *name;   /* "--epochs" */
  const char *alias;  /* "-o" or NULL */
  opt_type type;
  void *target;       /* int* (flag/int), const char** , float*, uint64_t*, double* */
  const char *help;   /* one line */
} cli_opt;

/* Parse argv[1..] of a command: options from `opts` (as --name VALUE or
 * --name=VALUE) and up to `max_pos` positional arguments into pos[].
 * Returns 0, 1 on error (already printed), or 2 when --help was asked
 * (usage printed to stdout). */
int cli_parse(int argc, char **argv, const char *cmd, const char *usage,
              const cli_opt *opts, const char **pos, int max_pos, int *n_pos);

/* cli_parse for a command taking exactly one positional MODEL argument. */
int cli_parse_model(int argc, char **argv, const char *cmd, const char *usage,
                    const cli_opt *opts, const char **model);

/* Data options every data-reading command takes. */
typedef struct cli_data {
  const char *path, *labels, *header;
  const char *label_column; /* a CSV's label column: index, header name or "last"; NULL: none */
  int limit;
  int threads; /* for the model that uses the data; 0 = all cores */
  const char *classes; /* keep only samples with these labels ("0,3"), or NULL */
  int series;          /* the data is a time series (a CSV's time column skipped) */
  size_t *series_steps; /* out, when set: the steps of the series a series
                           model's windows were cut from */
  const char *drop;     /* a CSV's columns not read (names or indices), or NULL */
  int channels;         /* an image file's channels as a model takes them (1 gray,
                           3 RGB), 0 = as stored */
  const char *resize;   /* a folder of images: "WxH", or NULL */
  const char *patches;  /* a folder of images: "P" or "P:STRIDE", or NULL */
} cli_data;

#define CLI_DATA_INIT {NULL, NULL, NULL, NULL, 0, 0, NULL, 0, NULL, NULL, 0, NULL, NULL}

/* Relabel ds (named `name` in errors) into the class names of ref, where
 * both have names (two CSVs of words each sort their own). 0, or 1 after
 * printing. */
int cli_same_classes(ae_dataset *ds, const ae_dataset *ref, const char *name);
/* Give m the class names of ds (if it has any); 0, or 1 (out of memory). */
int cli_model_classes(ae_model *m, const ae_dataset *ds);
/* Parse "3,5,7", or class names of ds ("benign"), into classes[] (at most
 * max); returns the count, or -1 after an error line (starting with what)
 * saying which item. */
int cli_parse_classes(const char *what, const char *s, const ae_dataset *ds, int32_t *classes,
                      int max);

/* Load `d->path` (default: Fashion-MNIST's `fashion_file`, with its
 * labels), keep the first d->limit samples if > 0. */
int cli_load(ae_dataset **out, const cli_data *d, const char *fashion_file,
             const char *fashion_labels);

/* Load a model and image files (one sample each, same size) for it, scaled
 * as the model says. */
int cli_load_images(ae_model **m, ae_dataset **ds, const char *model_path, const char *const *files,
                    int n_files, int threads);

/* Load data for model m (default: the Fashion-MNIST file named, with its
 * labels), check its size, scale it as the model says (uint8 data gets its
 * float copy here). For a model of windows of a series (ae_model_series),
 * the data is a series: its channels scaled and cut into the model's
 * windows. Returns 0, or 1 after printing. */
int cli_load_data_for(ae_dataset **ds, const ae_model *m, const char *model_path,
                      const cli_data *d, const char *fashion_file, const char *fashion_labels);

/* A series (n steps of F channels) scaled per channel (shift, scale: F floats
 * each) and cut into windows of `window` steps every `stride`: *ds is freed
 * and becomes the windows; *steps (if set) gets n. Returns 0, or 1 after
 * printing an error naming `name`. */
int cli_series_windows(ae_dataset **ds, const float *shift, const float *scale, int window,
                       int stride, size_t *steps, const char *name);

/* Load a model and data for it (default: the Fashion-MNIST test set),
 * scaled as the model says. */
int cli_load_for_model(ae_model **m, ae_dataset **ds, const char *model_path,
                       const cli_data *d);

/* The data options of every command that reads a data set; DEFAULT names
 * the Fashion-MNIST part the command reads without --data. */
#define DATA_OPTS(d) DATA_OPTS_DEFAULT(d, "test set")
#define DATA_OPTS_DEFAULT(d, DEFAULT)                                                    \
  {"--data", NULL, OPT_STRING, &(d).path, "data: IDX (.gz), CSV, NPY, NPZ (FILE.npz:ARRAY), PNG, JPEG or a folder of images (default: Fashion-MNIST " DEFAULT ")"}, \
  {"--labels", NULL, OPT_STRING, &(d).labels, "labels of the data: IDX, CSV, NPY or FILE.npz:ARRAY (an NPZ's y beside its x is taken)"},                         \
  {"--csv-header", NULL, OPT_STRING, &(d).header, "yes, no or auto (default auto)"},                     \
  {"--label-column", NULL, OPT_STRING, &(d).label_column, "CSV label column: 0-based index, header name or last"}, \
  {"--drop-columns", NULL, OPT_STRING, &(d).drop, "CSV columns not read: names or indices, e.g. id,2"},     \
  {"--resize", NULL, OPT_STRING, &(d).resize, "a folder of images: each resized to WxH (bilinear), e.g. 32x32"}, \
  {"--patches", NULL, OPT_STRING, &(d).patches, "a folder of images: cut into PxP patches, every STRIDE pixels (P or P:STRIDE)"}, \
  {"--limit", NULL, OPT_INT, &(d).limit, "use only the first N samples"},                                \
  {"--classes", NULL, OPT_STRING, &(d).classes, "keep only samples with these labels, e.g. 0 or 3,5"},   \
  {"--threads", "-t", OPT_INT, &(d).threads, "threads (default: all cores)"}

#define OPTS_END {NULL, NULL, 0, NULL, NULL}

/* Write n images of h*w values in [0,1] as a PNG grid of `cols` columns
 * (the last row padded with black). */
ae_status cli_write_grid(const char *path, const float *img, size_t n, int c, int h, int w,
                         int cols);
int cli_ends_with(const char *s, const char *suffix);

/* The progress bar (progress.c): begin at the command's start; a phase
 * names what runs next; update with a count (total 0: no count, only the
 * time spent); model: the model's batch functions report to the bar under
 * that phase; end erases the bar before results are printed. */
void cli_progress_begin(void);
void cli_progress_phase(const char *phase);
void cli_progress_update(size_t done, size_t total);
void cli_progress_model(ae_model *m, const char *phase);
void cli_progress_end(void);
/* 0 when `path` (may be NULL: nothing to draw) can be drawn by this build;
 * else an error naming the option: a build without PLplot has no plots. */
int cli_plots_check(const char *cmd, const char *option, const char *path);
/* Write n of m's images (values in [0, 1]): a PNG grid of 10 columns for
 * *.png (single-channel images only), else NPY/CSV rows. Returns 0, or 1
 * after printing the error. */
int cli_write_images(const char *path, const float *img, size_t n, const ae_model *m);

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_interpolate(int argc, char **argv);
int cmd_manifold(int argc, char **argv);
int cmd_scatter(int argc, char **argv);
int cmd_reconstruct(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_denoise(int argc, char **argv);
int cmd_colorize(int argc, char **argv);

#endif
