/* fuzz/fuzz_k8saudit.c: libFuzzer target for fuzz_one_k8saudit (tests/helpers/fuzz_k8saudit.c). */
#include "tests/helpers/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one_k8saudit(data, size);
}
