#include "domain/civil_time.h"

#include <gtest/gtest.h>

#include "domain/policy.h"

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

// API.md's default policy and its cash formula, rounded down once.
TEST(PolicyTest, DefaultsAndCashValue) {
  EXPECT_FALSE(
      Policy().CashValue(Minutes{int64_t{1} << 48}, 5));  // 2^48 min × 40 fen: over 2^53 fen
  EXPECT_FALSE(Fen::CheckedAdd(Fen{Fen::kMax}, Fen{1}));
  EXPECT_EQ(Fen::CheckedAdd(Fen{Fen::kMax - 1}, Fen{1}), Fen{Fen::kMax});
  EXPECT_FALSE(Fen::CheckedMultiply(Fen{Fen::kMax}, 2));
  EXPECT_EQ(Fen::ShareOf(Fen{Fen::kMax}, 10000), Fen{Fen::kMax});
  EXPECT_EQ(Fen::ShareOf(Fen{999}, 3333), Fen{332});  // 332.97 rounded down
  Policy policy;
  EXPECT_EQ(policy.StarFor(Minutes{100 * 60 - 1}), 0);
  EXPECT_EQ(policy.StarFor(Minutes{100 * 60}), 1);
  EXPECT_EQ(policy.StarFor(Minutes{1500 * 60}), 5);
  EXPECT_EQ(policy.CashValue(Minutes{60}, 0), Fen{2000});
  EXPECT_EQ(policy.CashValue(Minutes{60}, 2), Fen{2100});  // +5%
  EXPECT_EQ(policy.CashValue(Minutes{60}, 5), Fen{2400});  // +20%
  EXPECT_EQ(policy.CashValue(Minutes{1}, 0), Fen{33});     // 33.33 rounded down
  EXPECT_EQ(policy.CashValue(Minutes{7}, 3), Fen{256});    // 7 × 2000 / 60 × 1.1 = 256.67
}

}  // namespace
}  // namespace ledger
