// LedgerDecider: the domain rules inside the store's single writer. It holds the write-side
// LedgerState; each append request runs through LedgerState::Execute event by event in one
// journaled transaction, so a refused event refuses the whole request and leaves no trace.
//
// Thread-safety: Decide and Undo run on the store's writer thread only; Prime runs before the
// store takes appends.
#pragma once

#include "domain/ledger_state.h"
#include "eventstore/append_decider.h"
#include "eventstore/event_store.h"

namespace ledger {

class LedgerDecider : public AppendDecider {
 public:
  // Brings the write-side state up to the store's head: loads the ledger read model's rows if
  // there are any, then replays the log from their checkpoint. Until it is primed every request
  // is refused as Unavailable.
  Status Prime(EventStore& store);
  // Likewise from a state already loaded from the ledger read model (LoadLedgerState) at
  // `checkpoint`: replays the log from there into it and keeps it.
  Status Prime(EventStore& store, LedgerState loaded, Position checkpoint);

  Status Decide(std::span<EventDraft* const> events) override;
  void Undo() override;
  // The caller's write scope against the current state (which holds the original event).
  Status AdmitRepeat(const EventDraft& event) override;

 private:
  LedgerState state_;
  bool primed_ = false;
  bool open_transaction_ = false;  // the last accepted request, still undoable
};

// One event of a request through the rules, as Decide runs each: the payload's type, the
// caller's write scope, the stream, then LedgerState::Execute (filling in a computed amount).
// Returns OK with the event applied to `state`, or the refusal; on a refusal `state` may hold a
// partial change, so callers run it inside state.Begin() and Rollback() on failure. Shared with
// the checks that want every refusal of a batch, not just the first (api/sheet_import.h).
Status DecideEvent(LedgerState& state, EventDraft& event);

// The Status for a refused outcome: InvalidArgument for malformed input, Refused otherwise;
// reason() is the outcome's code either way.
Status StatusForOutcome(Outcome outcome, const EventDraft& event);

}  // namespace ledger
