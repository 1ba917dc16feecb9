// Fen and Minutes: the ledger's two quantities, as distinct types so that money and time cannot
// be mixed up, with overflow-checked arithmetic. Money is integer fen (1/100 yuan), never floating
// point; amounts are bounded by 2^53 - 1 fen so that every amount round-trips through JSON.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>

#include "domain/wide_int.h"

namespace ledger {

struct Fen {
  static constexpr int64_t kMax = (int64_t{1} << 53) - 1;

  int64_t value = 0;
  auto operator<=>(const Fen&) const = default;

  // Unchecked arithmetic, for changes whose result the domain has already checked fits
  // (CheckedAdd, or a balance check): ledger figures stay within [-kMax, kMax] by the rules.
  constexpr Fen& operator+=(Fen other) {
    value += other.value;
    return *this;
  }
  constexpr Fen& operator-=(Fen other) {
    value -= other.value;
    return *this;
  }
  friend constexpr Fen operator+(Fen a, Fen b) { return a += b; }
  friend constexpr Fen operator-(Fen a, Fen b) { return a -= b; }

  // True for an amount a fact may carry: 1 .. kMax.
  constexpr bool IsValidAmount() const { return value > 0 && value <= kMax; }

  // a + b, or nullopt when the sum leaves [-kMax, kMax].
  static constexpr std::optional<Fen> CheckedAdd(Fen a, Fen b) {
    int64_t sum;
    if (__builtin_add_overflow(a.value, b.value, &sum) || sum > kMax || sum < -kMax) {
      return std::nullopt;
    }
    return Fen{sum};
  }

  // amount × count, or nullopt when the product leaves [-kMax, kMax].
  static constexpr std::optional<Fen> CheckedMultiply(Fen amount, int64_t count) {
    int64_t product;
    if (__builtin_mul_overflow(amount.value, count, &product) || product > kMax ||
        product < -kMax) {
      return std::nullopt;
    }
    return Fen{product};
  }

  // floor(amount × basis_points / 10000), exact for every amount and 0 ≤ basis_points ≤ 10000.
  static constexpr Fen ShareOf(Fen amount, int32_t basis_points) {
    return Fen{static_cast<int64_t>(static_cast<Int128>(amount.value) * basis_points / 10000)};
  }
};

struct Minutes {
  int64_t value = 0;
  auto operator<=>(const Minutes&) const = default;

  // Unchecked arithmetic: every event moves at most an int32 of minutes, so no ledger total
  // comes near the range of int64_t.
  constexpr Minutes& operator+=(Minutes other) {
    value += other.value;
    return *this;
  }
  constexpr Minutes& operator-=(Minutes other) {
    value -= other.value;
    return *this;
  }
  friend constexpr Minutes operator+(Minutes a, Minutes b) { return a += b; }
  friend constexpr Minutes operator-(Minutes a, Minutes b) { return a -= b; }
};

static_assert(Fen::kMax == 9007199254740991, "2^53 - 1: the largest exact JSON integer");

}  // namespace ledger
