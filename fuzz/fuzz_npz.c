/* SPDX-License-Identifier: MIT */
/* fuzz_npz.c — libFuzzer harness: the npz reader (a zip of .npy arrays,
 * stored or deflated, with the labels beside them) from memory (make fuzz). */
#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_load(data, size, "fuzz.npz");
}
