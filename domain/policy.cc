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

std::optional<Fen> Policy::CashValue(Minutes minutes, int star) const {
  LEDGER_ASSERT(star >= 0);
  LEDGER_ASSERT(star <= kStarLevels);
  LEDGER_ASSERT(minutes.value >= 0);
  const Int128 numerator = static_cast<Int128>(minutes.value) * credit_value_fen_per_hour *
                           (10000 + static_cast<Int128>(star_bonus_bp[star]));
  const Int128 value = numerator / (60 * 10000);
  if (value > Fen::kMax) return std::nullopt;
  return Fen{static_cast<int64_t>(value)};
}

}  // namespace ledger
