// FUZZ_CHECK: an invariant of a fuzz target. Unlike LEDGER_ASSERT it also says which target and
// input broke it (libFuzzer saves the input as crash-*); it aborts in every build.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                     \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)
