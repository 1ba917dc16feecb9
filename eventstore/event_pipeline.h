// PipelineEvents: reading (and checking) events on one thread while the caller's thread applies
// them, so that the two overlap on a machine with more than one core. Replays, rebuilds and the
// auditor's verify are all "read, decode and re-hash in order, then apply in order"; this is that
// shape once.
#pragma once

#include <functional>

#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

// Calls `produce` on a thread of its own; it must call `emit` with each event in order, and stop
// (returning its status) once `emit` returns false. Events reach `consume`, in the same order, on
// the calling thread, in batches handed over through a bounded queue; `consume` returns false to
// stop early. Every event emitted before `produce` returned is consumed unless `consume` stopped
// first. Returns `produce`'s status.
Status PipelineEvents(
    const std::function<Status(const std::function<bool(StoredEvent)>& emit)>& produce,
    const std::function<bool(const StoredEvent&)>& consume);

}  // namespace ledger
