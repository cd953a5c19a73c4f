/* fuzz_values.c: libFuzzer harness for the value parsers: units (every kind), counts,
 * duration distributions, key popularity and the option-table reader, each with its
 * format -> parse round trip. The checks are in fuzz_entry.h (shared with the corpus
 * replay in tests/check_fuzz_replay.c); fuzz/README.md says how to build and run it. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_values_input(data, size);
    return 0;
}
