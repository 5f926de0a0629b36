/* SPDX-License-Identifier: MIT */
/* dataset.h — the data set behind the opaque ae_dataset, and the readers. */
#ifndef AE_DATASET_H
#define AE_DATASET_H

#include "aekit.h"
#include "fileio.h"
#include "names.h"

#include <stddef.h>
#include <stdint.h>

struct ae_dataset {
  size_t n;          /* samples */
  size_t dim;        /* floats per sample, == c*h*w */
  int c, h, w;       /* image shape; (1, 1, dim) for tabular data */
  float *x;          /* (n, dim) values; for uint8 sources NULL until asked
                        for (ae_dataset_data), then a copy of a * u8 + b */
  uint8_t *u8;       /* (n, dim) bytes of a uint8 source, or NULL */
  double a, b;       /* value = a * byte + b for u8 storage */
  int32_t *labels;   /* (n), or NULL */
  ae_names classes;  /* the labels' names (ae_dataset_class_name), or none */
  float lo, hi;      /* natural range: 0..255 for uint8 sources, else min/max */
};

/* Write `count` samples as floats into out (count, dim): samples idx[i], or
 * start + i when idx is NULL. Works on either storage; allocates nothing. */
void ae_dataset_rows(float *out, const ae_dataset *ds, const uint32_t *idx,
                     size_t start, size_t count);

/* Allocate an empty data set of n x dim (x zero-filled, no labels). */
ae_status ae_dataset_alloc(ae_dataset **out, size_t n, size_t dim);

/* The same with compact uint8 storage: u8 zero-filled, x NULL. */
/* Decoded pixels (hw, c) interleaved, c 1 or 3, into C planes (hw each):
 * RGB to R, G, B; gray copied into every plane (C 1 or 3). */
void ae_pixels_planar(unsigned char *dst, const unsigned char *px, size_t hw, int c, int C);

/* A folder of images as a data set (io_folder.c; see ae_dataset_load). */
ae_status ae_folder_read(ae_dataset **out, const char *dir, const ae_load_options *opt);

ae_status ae_dataset_alloc_u8(ae_dataset **out, size_t n, size_t dim);

/* Shape (1, k, k) when dim == k*k with k >= 2, else (1, 1, dim). */
void ae_dataset_square_shape(ae_dataset *ds);
/* Set lo/hi to the observed min/max; AE_ERR_NUMERIC naming `path` and the
 * sample if any value is NaN or infinite. */
ae_status ae_dataset_observe_range(ae_dataset *ds, const char *path);

/* The smallest and largest value held (scanned; either storage); 0, 0 for
 * an empty data set. */
void ae_dataset_extremes(const ae_dataset *ds, float *lo, float *hi);

/* Readers (each names the source in its error messages). max_samples > 0
 * reads only the first ones; max_bytes bounds the memory the values take
 * (0: AE_LOAD_LIMIT), checked before it is allocated. */
/* AE_OK if n samples of dim values of `each` bytes fit in max_bytes (0:
 * AE_LOAD_LIMIT), else the readers' one refusal naming `name`. */
ae_status ae_dataset_budget(const char *name, size_t n, size_t dim, size_t each,
                            size_t max_bytes);
ae_status ae_idx_read(ae_dataset **out, const ae_source *src, size_t max_samples,
                      size_t max_bytes);
/* Read an IDX label vector; must hold exactly n entries (with first_n, at
 * least n, of which the first n are read). */
ae_status ae_idx_read_labels(int32_t **labels, const ae_source *src, size_t n, int first_n);
/* How to read a CSV (ae_load_options' csv_* fields; time_column -2: a
 * first column of time stamps, detected). */
typedef struct ae_csv_options {
  int header, label_column, time_column, delimiter;
  const char *label_name, *drop;
} ae_csv_options;
ae_status ae_csv_read(ae_dataset **out, const ae_source *src, const ae_csv_options *o,
                      size_t max_samples, size_t max_bytes);
ae_status ae_npy_read(ae_dataset **out, const ae_source *src, size_t max_samples,
                      size_t max_bytes);
/* The bytes of one .npy array of an .npz archive (caller frees *data):
 * `key` names it (its member name without ".npy"); NULL takes the only
 * array, else the one called x, X, data or arr_0. Its key is written to
 * chosen (cap bytes; may be NULL). With `found` set, a named key the
 * archive lacks gives AE_OK, *data NULL and *found 0. */
ae_status ae_npz_member(const ae_source *src, const char *key, size_t limit, unsigned char **data,
                        size_t *size, char *chosen, size_t cap, int *found);

#endif
