// Calendar arithmetic for the programme's time zone (Beijing, UTC+8, no daylight saving):
// which month an instant falls in, and month strings. Pure integer arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

// Months as yyyy * 100 + mm (202610 for October 2026), so they sort and compare as integers.
using MonthKey = int32_t;

constexpr int64_t kBeijingOffsetSeconds = 8 * 3600;

// The Beijing-time month of an instant given in microseconds since the Unix epoch.
MonthKey MonthOfInstant(int64_t unix_us);

// The Beijing-time date of an instant, "YYYY-MM-DD".
std::string FormatDateOfInstant(int64_t unix_us);

// "YYYY-MM" -> MonthKey; nullopt unless the string is exactly that form with month 01..12.
std::optional<MonthKey> ParseMonth(std::string_view text);

// MonthKey -> "YYYY-MM".
std::string FormatMonth(MonthKey month);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's civil_from_days).
CivilDate CivilFromDays(int64_t days);

}  // namespace ledger
