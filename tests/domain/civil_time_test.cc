#include "domain/civil_time.h"

#include <gtest/gtest.h>

namespace ledger {
namespace {

// Months are Beijing months: 2026-09-30T16:00Z is already October there.
TEST(CivilTimeTest, MonthOfInstantUsesBeijingTime) {
  const int64_t oct1_beijing_midnight_us =
      (DaysFromCivil(2026, 9, 30) * 86400 + 16 * 3600) * 1000000;
  EXPECT_EQ(MonthOfInstant(oct1_beijing_midnight_us), 202610);
  EXPECT_EQ(MonthOfInstant(oct1_beijing_midnight_us - 1), 202609);
  EXPECT_EQ(MonthOfInstant(0), 197001);
  EXPECT_EQ(MonthOfInstant(-1), 197001);  // 1970-01-01T07:59:59.999999+08:00
  const int64_t leap_day_us = (DaysFromCivil(2024, 2, 29) * 86400) * 1000000;
  EXPECT_EQ(MonthOfInstant(leap_day_us), 202402);
}

TEST(CivilTimeTest, ParseAndFormatMonth) {
  EXPECT_EQ(ParseMonth("2026-10"), 202610);
  EXPECT_EQ(FormatMonth(202610), "2026-10");
  EXPECT_FALSE(ParseMonth("2026-00"));
  EXPECT_FALSE(ParseMonth("2026-13"));
  EXPECT_FALSE(ParseMonth("2026-1"));
  EXPECT_FALSE(ParseMonth("2026/10"));
  EXPECT_FALSE(ParseMonth("20a6-10"));
}

TEST(CivilTimeTest, DaysFromCivilMatchesKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace ledger
