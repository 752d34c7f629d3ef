/* fuzz/fuzz_cri.c: libFuzzer target for fuzz_one_cri (CRI protobuf answers into container records). */
#include "tests/helpers/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_cri(data, size);
}
