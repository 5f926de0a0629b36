/* SPDX-License-Identifier: MIT */
/* fuzz_npy.c — libFuzzer harness: the npy reader from memory (make fuzz). */
#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_load(data, size, "fuzz.npy");
}
