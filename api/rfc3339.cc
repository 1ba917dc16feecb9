#include "api/rfc3339.h"

#include <algorithm>

#include "domain/civil_time.h"

namespace ledger::api {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// The value of `count` decimal digits at text[at], or -1 if any is not a digit.
int Digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool ValidDate(int year, int month, int day) {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// 0001-01-01 is 719162 days before 1970-01-01, 10000-01-01 is 2932897 days after it.
static_assert(kInstantMinUs == (-719'162 + 1) * kSecondsPerDay * kMicrosPerSecond -
                                   kBeijingOffsetSeconds * kMicrosPerSecond,
              "0001-01-02T00:00:00+08:00");
static_assert(kInstantMaxUs + 1 == (2'932'897 - 2) * kSecondsPerDay * kMicrosPerSecond -
                                       kBeijingOffsetSeconds * kMicrosPerSecond,
              "9999-12-30T00:00:00+08:00");

}  // namespace

bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  return ValidDate(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2));
}

std::optional<int64_t> ParseInstant(std::string_view text) {
  // date "T" time: YYYY-MM-DDTHH:MM:SS, then [.fraction], then Z or ±HH:MM.
  if (text.size() < 20 || !IsDate(text.substr(0, 10))) return std::nullopt;
  if (text[10] != 'T' && text[10] != 't') return std::nullopt;
  if (text[13] != ':' || text[16] != ':') return std::nullopt;
  const int hour = Digits(text, 11, 2);
  const int minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return std::nullopt;
  }
  size_t at = 19;
  int64_t micros = 0;
  if (text[at] == '.') {
    ++at;
    const size_t first = at;
    int64_t scale = 100'000;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      micros += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else {
    if (at + 6 != text.size() || (text[at] != '+' && text[at] != '-') || text[at + 3] != ':') {
      return std::nullopt;
    }
    const int offset_hours = Digits(text, at + 1, 2);
    const int offset_minutes = Digits(text, at + 4, 2);
    if (offset_hours < 0 || offset_hours > 23 || offset_minutes < 0 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
    if (text[at] == '-') offset_seconds = -offset_seconds;
    at += 6;
  }
  if (at != text.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(Digits(text, 0, 4), static_cast<unsigned>(Digits(text, 5, 2)),
                                     static_cast<unsigned>(Digits(text, 8, 2)));
  const int64_t seconds =
      days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
  const int64_t unix_us = seconds * kMicrosPerSecond + micros;
  // Both the date as written and the instant (its date in Beijing time) stay within the window
  // of the header, so that what a client sends and what the ledger writes back both parse.
  static const int64_t kWrittenDaysMin = DaysFromCivil(1, 1, 2);
  static const int64_t kWrittenDaysMax = DaysFromCivil(9999, 12, 29);
  if (days < kWrittenDaysMin || days > kWrittenDaysMax) return std::nullopt;
  if (unix_us < kInstantMinUs || unix_us > kInstantMaxUs) return std::nullopt;
  return unix_us;
}

std::string_view FormatInstant(int64_t unix_us, char (&buffer)[kInstantTextMax]) {
  unix_us = std::clamp(unix_us, kInstantMinUs, kInstantMaxUs);  // why: see the header
  const int64_t offset_seconds = kBeijingOffsetSeconds;
  const int64_t local_us = unix_us + offset_seconds * kMicrosPerSecond;
  const int64_t seconds = FloorDiv(local_us, kMicrosPerSecond);
  const int64_t micros = local_us - seconds * kMicrosPerSecond;
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  // Digits by hand (snprintf was most of an export's time spent on instants). The clamp keeps
  // the year within 0001-9999, so every field has a fixed width:
  // YYYY-MM-DDTHH:MM:SS[.ffffff]+08:00.
  char* at = buffer;
  auto digits = [&at](int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      at[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    at += width;
  };
  digits(date.year, 4);
  *at++ = '-';
  digits(date.month, 2);
  *at++ = '-';
  digits(date.day, 2);
  *at++ = 'T';
  digits(second_of_day / 3600, 2);
  *at++ = ':';
  digits(second_of_day / 60 % 60, 2);
  *at++ = ':';
  digits(second_of_day % 60, 2);
  if (micros != 0) {
    *at++ = '.';
    digits(micros, 6);
  }
  for (char c : std::string_view("+08:00")) *at++ = c;
  return {buffer, static_cast<size_t>(at - buffer)};
}

std::string FormatInstant(int64_t unix_us) {
  char buffer[kInstantTextMax];
  return std::string(FormatInstant(unix_us, buffer));
}

}  // namespace ledger::api
