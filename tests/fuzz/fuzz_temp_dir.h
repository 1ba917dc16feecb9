// A fresh directory for a fuzz target's files (a signing key, a ledger), under $TMPDIR or /tmp;
// scripts/fuzz points TMPDIR into var/ and removes it afterwards. Made once per process.
#pragma once

#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_check.h"

inline const std::string& FuzzTempDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/ledger-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }();
  return dir;
}
