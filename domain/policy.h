// Policy: the programme's adjustable numbers, set by PolicySet events so that a replay applies
// the policy in force when each event happened. Defaults follow API.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "domain/money.h"

namespace ledger {

constexpr int kStarLevels = 5;  // stars 0..5

struct Policy {
  // Verified service hours needed for stars 1..5 (《中国注册志愿者管理办法》).
  std::array<int32_t, kStarLevels> star_thresholds_hours = {100, 300, 600, 1000, 1500};
  int64_t credit_value_fen_per_hour = 2000;
  // Bonus on cash redemptions, in basis points, for stars 0..5.
  std::array<int32_t, kStarLevels + 1> star_bonus_bp = {0, 0, 500, 1000, 1500, 2000};
  int64_t cash_redemption_monthly_cap_fen = 0;  // 0: no cap

  bool operator==(const Policy&) const = default;

  // The star level earned by `verified_minutes` of verified service.
  int StarFor(Minutes verified_minutes) const;
  // Where `star` (0..5) sits on this scale: the verified minutes it begins at (0 for no star),
  // and the minutes the next star needs (nullopt at five stars).
  Minutes StarFloor(int star) const;
  std::optional<Minutes> NextStarAt(int star) const;

  // The cash value of redeeming `minutes` at `star`:
  // floor(minutes × value_per_hour × (10000 + bonus_bp) / (60 × 10000)), computed exactly.
  // nullopt if it exceeds Fen::kMax.
  std::optional<Fen> CashValue(Minutes minutes, int star) const;
  // The same for `earned` minutes with the star's bonus and `gifted` ones (received as gifts)
  // without: floor(value_per_hour × (earned × (10000 + bonus_bp) + gifted × 10000) / 600000),
  // one rounding for the whole redemption.
  std::optional<Fen> CashValue(Minutes earned, Minutes gifted, int star) const;
};

static_assert(kStarLevels == 5, "API.md fixes five thresholds and six bonus values");

}  // namespace ledger
