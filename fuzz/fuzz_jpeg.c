/* SPDX-License-Identifier: MIT */
/* fuzz_jpeg.c — libFuzzer harness: the JPEG reader from memory (make fuzz). */
#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_load(data, size, "fuzz.jpg");
}
