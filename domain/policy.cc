#include "domain/policy.h"

#include "domain/assert.h"
#include "domain/wide_int.h"

namespace ledger {

int Policy::StarFor(Minutes verified_minutes) const {
  int star = 0;
  for (int32_t hours : star_thresholds_hours) {
    if (verified_minutes.value >= static_cast<int64_t>(hours) * 60) ++star;
  }
  return star;
}

Minutes Policy::StarFloor(int star) const {
  LEDGER_ASSERT(star >= 0 && star <= kStarLevels);
  return Minutes{star == 0 ? 0 : int64_t{star_thresholds_hours[star - 1]} * 60};
}

std::optional<Minutes> Policy::NextStarAt(int star) const {
  LEDGER_ASSERT(star >= 0 && star <= kStarLevels);
  if (star == kStarLevels) return std::nullopt;
  return Minutes{int64_t{star_thresholds_hours[star]} * 60};
}

std::optional<Fen> Policy::CashValue(Minutes minutes, int star) const {
  return CashValue(minutes, Minutes{}, star);
}

std::optional<Fen> Policy::CashValue(Minutes earned, Minutes gifted, int star) const {
  LEDGER_ASSERT(star >= 0);
  LEDGER_ASSERT(star <= kStarLevels);
  LEDGER_ASSERT(earned.value >= 0);
  LEDGER_ASSERT(gifted.value >= 0);
  const Int128 weighted_minutes =
      static_cast<Int128>(earned.value) * (10000 + static_cast<Int128>(star_bonus_bp[star])) +
      static_cast<Int128>(gifted.value) * 10000;
  const Int128 numerator = weighted_minutes * credit_value_fen_per_hour;
  const Int128 value = numerator / (60 * 10000);
  if (value > Fen::kMax) return std::nullopt;
  return Fen{static_cast<int64_t>(value)};
}

}  // namespace ledger
