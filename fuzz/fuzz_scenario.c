/* fuzz_scenario.c: libFuzzer harness for whole scenario files: reading, checking,
 * resolving every (variant, sweep point), printing the resolved configuration, and the
 * --set overrides. The checks are in fuzz_entry.h (shared with the corpus replay in
 * tests/check_fuzz_replay.c); fuzz/README.md says how to build and run it. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_scenario_input(data, size);
    return 0;
}
