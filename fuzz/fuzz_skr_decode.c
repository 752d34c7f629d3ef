/* fuzz/fuzz_skr_decode.c: libFuzzer target for fuzz_one_skr_decode (tests/helpers/fuzz_entry.c). */
#include "tests/helpers/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_skr_decode(data, size);
}
