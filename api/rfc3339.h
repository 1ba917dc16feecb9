// RFC 3339 instants <-> microseconds since the Unix epoch. Integer arithmetic only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

// The instants the API takes and shows: Beijing dates 0001-01-02 to 9999-12-29. The ledger writes
// every instant in Beijing time, and a client may write one with any offset up to ±23:59, which
// moves its date by a day either way; keeping a day off the first and two off the last day of
// the four-digit years means both the text a client sends and the text the ledger writes back
// stay within 0001-9999, and the rule is one a schema can state (a pattern on the date).
constexpr int64_t kInstantMinUs =
    -62'135'596'800'000'000 + 57'600'000'000;  // 0001-01-02T00:00+08:00
constexpr int64_t kInstantMaxUs =
    253'402'300'799'999'999 - 201'600'000'000;  // 9999-12-29T23:59:59.999999+08:00

// What ParseInstant takes as JSON Schema states it (the OpenAPI document): the pattern checks the
// syntax and the date bounds as written; a real calendar date and the instant's range are left to
// ParseInstant.
constexpr std::string_view kInstantSchemaPattern =
    R"(^(?!0000-|0001-01-01|9999-12-3[01])[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt])"
    R"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$)";
constexpr std::string_view kInstantSchemaDescription =
    "RFC 3339, dated 0001-01-02 to 9999-12-29 as written, so that it stays within years "
    "0001-9999 in Beijing time (+08:00), in which the ledger writes it back";

// "2026-10-03T09:30:00+08:00", "2026-10-03T01:30:00.5Z": the instant in microseconds since the
// epoch, or nullopt unless `text` is a valid RFC 3339 date-time (real calendar date 0001-01-02
// to 9999-12-29 as written, hours 00-23, minutes and seconds 00-59, offset within ±23:59) of an
// instant in [kInstantMinUs, kInstantMaxUs]. Digits past microseconds are truncated.
std::optional<int64_t> ParseInstant(std::string_view text);

// The instant in Beijing time (the programme's zone), e.g. "2026-10-03T09:30:00+08:00", with
// six fraction digits only when the microseconds are not zero. ParseInstant reads back every
// text this returns, as the same instant. Instants outside [kInstantMinUs, kInstantMaxUs] are
// shown as the nearest bound. None is
//   taken since ParseInstant checks the range, but events stored before it did (year 0000 was
//   accepted) or bytes from outside (export files, Kafka) may hold one; the log is immutable and
//   must stay readable, so this clamps instead of asserting.
std::string FormatInstant(int64_t unix_us);

// The same text, written into `buffer` without allocating; the view points into `buffer`.
constexpr size_t kInstantTextMax = 32;  // "YYYY-MM-DDTHH:MM:SS.ffffff+08:00" is 32 characters
std::string_view FormatInstant(int64_t unix_us, char (&buffer)[kInstantTextMax]);

// True when `text` is YYYY-MM-DD with a real calendar date of years 0001-9999.
bool IsDate(std::string_view text);

}  // namespace ledger::api
