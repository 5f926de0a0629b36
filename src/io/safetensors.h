/* SPDX-License-Identifier: MIT */
/* safetensors.h — read and write .safetensors files of float32 tensors.
 *
 * Format (https://github.com/huggingface/safetensors): 8 bytes little-endian
 * uint64 N, then N bytes of UTF-8 JSON mapping each tensor name to
 * {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]} plus an
 * optional "__metadata__" object of string values, then the data buffer.
 * Offsets are relative to the start of the data buffer, which tensors must
 * cover exactly: no gaps, no overlaps, nothing left over.
 *
 * This module is generic: it knows names, shapes and floats, not models.
 * Only F32 and at most 4 dimensions are supported. Reading checks every
 * length, offset, dtype and shape before trusting or allocating anything,
 * and fails with one message naming the file and the problem. */
#ifndef AE_SAFETENSORS_H
#define AE_SAFETENSORS_H

#include "aekit.h"
#include "fileio.h"

#include <stdint.h>

/* Largest header accepted when reading (the reference reader's limit). */
#define AE_ST_MAX_HEADER (100u * 1000u * 1000u)

typedef struct ae_st_tensor {
  const char *name;  /* e.g. "encoder.0.weight" */
  int ndim;          /* 0..4; 0 is a scalar holding one float */
  int64_t shape[4];  /* shape[0..ndim) */
  const float *data; /* product(shape) floats (may be NULL if that is 0) */
} ae_st_tensor;

/* Write tensors (dtype F32) in the given order, contiguous, and string
 * metadata pairs as __metadata__ (omitted if n_meta is 0), atomically via
 * ae_write_atomic. The header is padded with spaces to a multiple of 8 bytes.
 * Names must be non-NULL, distinct and not "__metadata__"; metadata keys
 * distinct. Returns AE_ERR_ARG for bad arguments, AE_ERR_IO on write
 * failure (an existing file is then left untouched). */
ae_status ae_st_write(const char *path, const ae_st_tensor *tensors,
                      int n_tensors, const char *const *meta_keys,
                      const char *const *meta_values, int n_meta);

/* A file read into memory; tensor data is aligned float storage. */
typedef struct ae_st_file ae_st_file;

/* Read and validate the whole file. AE_ERR_IO if it cannot be read,
 * AE_ERR_FORMAT if it is not a valid F32 safetensors file. The caller frees
 * *out with ae_st_free. */
ae_status ae_st_read(ae_st_file **out, const char *path);
/* The same from a source (a file, or bytes in memory). */
ae_status ae_st_read_source(ae_st_file **out, const ae_source *src);
/* Number of tensors. */
int ae_st_count(const ae_st_file *f);
/* Tensor i (0 <= i < count), in the order of their data offsets; owned by
 * f. NULL if i is out of range. */
const ae_st_tensor *ae_st_get(const ae_st_file *f, int i);
/* Tensor by exact name; NULL if absent. */
const ae_st_tensor *ae_st_find(const ae_st_file *f, const char *name);
/* Metadata value by exact key; NULL if absent. Owned by f. */
const char *ae_st_meta(const ae_st_file *f, const char *key);
/* Release f; NULL does nothing. */
void ae_st_free(ae_st_file *f);

#endif
