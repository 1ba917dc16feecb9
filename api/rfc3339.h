// RFC 3339 instants <-> microseconds since the Unix epoch. Integer arithmetic only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

// "2026-10-03T09:30:00+08:00", "2026-10-03T01:30:00.5Z": the instant in microseconds since the
// epoch, or nullopt unless `text` is a valid RFC 3339 date-time (real calendar date, hours
// 00-23, minutes and seconds 00-59, offset within ±23:59) dated 0001-01-02 to 9999-12-29, so
// that it is in years 0001-9999 in Beijing time too, whatever its offset (FormatInstant writes
// it with a 4-digit year). Digits past microseconds are truncated.
std::optional<int64_t> ParseInstant(std::string_view text);

// The instant in Beijing time (the programme's zone), e.g. "2026-10-03T09:30:00+08:00", with
// six fraction digits only when the microseconds are not zero.
std::string FormatInstant(int64_t unix_us);

// True when `text` is YYYY-MM-DD with a real calendar date.
bool IsDate(std::string_view text);

}  // namespace ledger::api
