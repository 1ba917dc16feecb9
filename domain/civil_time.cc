#include "domain/civil_time.h"

#include <cstdio>

namespace ledger {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

MonthKey MonthOfInstant(int64_t unix_us) {
  const int64_t local_seconds = FloorDiv(unix_us, 1'000'000) + kBeijingOffsetSeconds;
  const CivilDate date = CivilFromDays(FloorDiv(local_seconds, 86400));
  return static_cast<MonthKey>(date.year * 100 + date.month);
}

std::string FormatDateOfInstant(int64_t unix_us) {
  const int64_t local_seconds = FloorDiv(unix_us, 1'000'000) + kBeijingOffsetSeconds;
  const CivilDate date = CivilFromDays(FloorDiv(local_seconds, 86400));
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04ld-%02u-%02u", static_cast<long>(date.year), date.month,
                date.day);
  return buffer;
}

std::optional<MonthKey> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  const int month = value % 100;
  if (month < 1 || month > 12) return std::nullopt;
  return value;
}

std::string FormatMonth(MonthKey month) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d", month / 100, month % 100);
  return buffer;
}

}  // namespace ledger
