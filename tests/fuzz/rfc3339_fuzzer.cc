// RFC 3339 instants (api/rfc3339): whatever ParseInstant takes is in [kInstantMinUs,
// kInstantMaxUs] and formats to text it reads back as the same instant; FormatInstant of any
// 64-bit value (stored events and Kafka records carry raw integers) is text ParseInstant takes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "api/rfc3339.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<int64_t> us = ledger::api::ParseInstant(text)) {
    FUZZ_CHECK(*us >= ledger::api::kInstantMinUs);
    FUZZ_CHECK(*us <= ledger::api::kInstantMaxUs);
    FUZZ_CHECK(ledger::api::ParseInstant(ledger::api::FormatInstant(*us)) == us);
  }
  (void)ledger::api::IsDate(text);
  if (size >= sizeof(int64_t)) {
    int64_t raw = 0;
    std::memcpy(&raw, data, sizeof raw);
    const std::string formatted = ledger::api::FormatInstant(raw);
    std::optional<int64_t> back = ledger::api::ParseInstant(formatted);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(*back == std::clamp(raw, ledger::api::kInstantMinUs, ledger::api::kInstantMaxUs));
  }
  return 0;
}
