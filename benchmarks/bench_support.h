// What the benchmark binaries share: their --name=value flags, timing, and dying on an error
// (a benchmark that cannot go on has nothing to measure; it says why and exits 1).
#pragma once

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace ledger::bench {

// The value of --name=VALUE, or `fallback`.
inline std::string Flag(int argc, char** argv, const std::string& name,
                        const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with(prefix)) return argv[i] + prefix.size();
  }
  return fallback;
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Prints "<binary>: <what>: <status>" and exits 1.
[[noreturn]] inline void Die(const char* binary, const Status& status, const char* what) {
  std::fprintf(stderr, "%s: %s: %s\n", binary, what, status.ToString().c_str());
  std::exit(1);
}

// The heap glibc's malloc has handed out and not had back (mallinfo2), for memory per entry.
struct HeapFigures {
  int64_t in_use_bytes = 0;  // uordblks + hblkhd: live allocations, small and mmapped
  HeapFigures operator-(const HeapFigures& o) const { return {in_use_bytes - o.in_use_bytes}; }
};

inline HeapFigures Heap() {
  const struct mallinfo2 info = mallinfo2();
  return {static_cast<int64_t>(info.uordblks + info.hblkhd)};
}

}  // namespace ledger::bench
