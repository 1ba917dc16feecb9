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
  // field limits and id checks have passed. `events` are the request's new events (replays of
  // stored ids are left out), in request order. The decider may rewrite their payloads (to fill
  // in an amount the server computes) and must fill in every empty stream (one that depends on
  // ledger state, such as a reversal's).
  //
  // Returns OK to accept the whole request, folding its events into the decider's state, or a
  // non-OK status to refuse the whole request, leaving that state exactly as it was. If the store
  // then fails to write, it refuses all further appends until it is reopened; the decider's state
  // is discarded with it and rebuilt from the log.
  virtual Status Decide(std::span<EventDraft* const> events) = 0;

  // Undoes the request accepted by the last Decide, which the store then refused (an expected
  // stream version did not match). Called at most once per accepted Decide, before the next.
  virtual void Undo() = 0;

  // Called on the writer thread before the store answers an event whose id is already taken —
  // an idempotent replay (the same content: the stored event's position and hash) or an id
  // conflict (other content). Returns OK when the caller may write this event at all; otherwise
  // the refusal is answered instead, so that nobody learns of another's event, or its position
  // and hash, by naming its id. The default admits every writer.
  virtual Status AdmitRepeat(const EventDraft& event) {
    (void)event;
    return Status::Ok();
  }
};

}  // namespace ledger
