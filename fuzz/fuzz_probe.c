/* fuzz/fuzz_probe.c: libFuzzer target for fuzz_one_probe (tests/helpers/fuzz_entry.c). */
#include "tests/helpers/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_probe(data, size);
}
