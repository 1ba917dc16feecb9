// LEDGER_ASSERT: checks for programmer errors. Stays on in release builds; logs the failed
// condition with its location and aborts. Never use it on input or I/O results: those are errors,
// handled as Status values.
#pragma once

namespace ledger {
[[noreturn]] void AssertionFailed(const char* condition, const char* file, int line);
}  // namespace ledger

#define LEDGER_ASSERT(condition)                                 \
  do {                                                           \
    if (!(condition)) [[unlikely]] {                             \
      ::ledger::AssertionFailed(#condition, __FILE__, __LINE__); \
    }                                                            \
  } while (false)
