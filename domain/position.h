// Position and StreamVersion: the two counters of the log, as distinct types so they cannot be
// swapped. Position is the global, gapless index of an event in the log (the first event is at 0).
// StreamVersion counts the events of one stream: after its first event a stream is at version 1;
// an empty stream is at version 0.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace ledger {

struct Position {
  uint64_t value = 0;
  auto operator<=>(const Position&) const = default;
  Position Next() const { return Position{value + 1}; }
};

struct StreamVersion {
  uint64_t value = 0;
  auto operator<=>(const StreamVersion&) const = default;
  StreamVersion Next() const { return StreamVersion{value + 1}; }
};

}  // namespace ledger
