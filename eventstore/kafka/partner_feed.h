// PartnerFeed: what each partner (a donor, or the buyer of a purchase) sees of the ledger as it
// happens: their donations and purchases, every outflow with the amounts allocated to their
// inflows (first in, first out: the fund-use trail), and reversals and restriction changes of
// those. Each item is a small JSON object keyed by partner id; the Kafka relay publishes them to
// `<prefix>.donations` (docs/kafka.md describes every field).
//
// An allocation depends on everything before it, so the feed keeps its own LedgerState and
// applies every committed event in position order with the same rules as every other reader.
//
// Not thread-safe: one owner feeds it.
#pragma once

#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "domain/position.h"
#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

// One item for one partner.
struct PartnerItem {
  std::string partner_id;  // the Kafka key
  std::string json;        // one JSON object
};

class PartnerFeed {
 public:
  // Applies `event` and appends the items it yields (zero or more, at most one per partner) to
  // `items`. Corruption as ApplyCommitted when the event is not one the rules accept; the feed
  // is then unchanged. REQUIRES: event.position == next().
  [[nodiscard]] Status Apply(const StoredEvent& event, std::vector<PartnerItem>* items);

  // The position of the next event to apply: every event before it has been applied.
  Position next() const { return next_; }

  const LedgerState& state() const { return state_; }

 private:
  LedgerState state_;
  Position next_;
};

}  // namespace ledger
