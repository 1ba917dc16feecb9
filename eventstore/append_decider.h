// AppendDecider: the seam through which domain rules validate events inside the store's single,
// serialized append step, against write-side state that only the writer thread touches.
#pragma once

#include <span>

#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

class AppendDecider {
 public:
  virtual ~AppendDecider() = default;

  // Called on the writer thread, once per append request, in commit order, after the store's
  // own checks (field limits, ids, expected versions) have passed. `events` are the request's
  // new events (replays of stored ids are left out), in request order; the decider may rewrite
  // their payloads (for example to fill in an amount the server computes).
  //
  // Returns OK to accept the whole request, folding its events into the decider's state, or a
  // non-OK status to refuse the whole request, leaving that state exactly as it was. If the store
  // then fails to write, it refuses all further appends until it is reopened; the decider's state
  // is discarded with it and rebuilt from the log.
  virtual Status Decide(std::span<EventDraft* const> events) = 0;
};

}  // namespace ledger
