/* SPDX-License-Identifier: MIT */
/* fuzz_labels.c — libFuzzer harness: the IDX label reader (make fuzz). The
 * first byte is the data set's sample count and whether more labels than
 * that may be read (as --limit does). */
#include "dataset.h"
#include "fileio.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t n = 1 + (data[0] & 0x7f);
  ae_source src = {"fuzz-labels.idx", data + 1, size - 1};
  int32_t *lab = NULL;
  if (ae_idx_read_labels(&lab, &src, n, data[0] >> 7) == AE_OK) {
    long acc = 0;
    for (size_t i = 0; i < n; i++) acc += lab[i];
    (void)acc;
    free(lab);
  } else if (!ae_last_error()[0] || lab) {
    abort();
  }
  return 0;
}
