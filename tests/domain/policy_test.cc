// The default policy, its cash formula and its bounds. The defaults are history, not code: a
// ledger without a PolicySet is replayed under them, so changing them would silently change
// every such ledger's stars and cash values. The pin below fails when they change; record a
// PolicySet event instead.
#include "domain/policy.h"

#include <gtest/gtest.h>

#include "domain/money.h"

namespace ledger {
namespace {

TEST(PolicyTest, DefaultsArePinnedBecauseReplaysDependOnThem) {
  const Policy defaults;
  EXPECT_EQ(defaults.star_thresholds_hours,
            (std::array<int32_t, kStarLevels>{100, 300, 600, 1000, 1500}));
  EXPECT_EQ(defaults.credit_value_fen_per_hour, 2000);
  EXPECT_EQ(defaults.star_bonus_bp,
            (std::array<int32_t, kStarLevels + 1>{0, 0, 500, 1000, 1500, 2000}));
  EXPECT_EQ(defaults.cash_redemption_monthly_cap_fen, 0);
}

// A star's place on the scale: where it begins and what the next one needs (the member read's
// star_from_minutes and next_star_minutes, which the volunteer's progress bar shows).
TEST(PolicyTest, StarFloorAndNextStar) {
  Policy policy;
  policy.star_thresholds_hours = {10, 20, 35, 50, 70};
  EXPECT_EQ(policy.StarFloor(0), Minutes{0});
  EXPECT_EQ(policy.NextStarAt(0), Minutes{10 * 60});
  EXPECT_EQ(policy.StarFloor(4), Minutes{50 * 60});
  EXPECT_EQ(policy.NextStarAt(4), Minutes{70 * 60});
  EXPECT_EQ(policy.StarFloor(5), Minutes{70 * 60});
  EXPECT_EQ(policy.NextStarAt(5), std::nullopt);
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
