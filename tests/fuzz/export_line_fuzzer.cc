// Export files as `ledgerctl verify --export` reads them (tools/ledger_export: ReadExport, one
// JSON line at a time: the strict JSON parse, checkpoint lines, base64 envelopes, DecodeEnvelope
// and the comparison of each line with what its envelope says). The reader's block size comes
// from the input's length (1 to 64 bytes), so lines split across blocks at every place are
// explored too, and a run does not allocate the 1 MiB block of a real verify per input.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_check.h"
#include "tools/ledger_export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  size_t lines = 0;
  ledger::Status status = ledger::tools::ReadExport(
      in,
      [&](const ledger::tools::ExportLine& line) {
        FUZZ_CHECK(line.event.has_value() != line.checkpoint.has_value());
        ++lines;
        return true;
      },
      1 + size % 64);
  (void)status;  // any answer is fine; only crashes, hangs and sanitizer reports are findings
  return 0;
}
