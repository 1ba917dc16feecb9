// Replaying committed events into a LedgerState, and loading/saving that state as read-model
// rows. Shared by the write side (LedgerDecider), the projections and the auditor's tools.
#pragma once

#include <vector>

#include "domain/ledger_state.h"
#include "domain/status.h"
#include "eventstore/event.h"
#include "eventstore/event_store.h"
#include "eventstore/read_model_store.h"

namespace ledger {

// The name of the read model that holds the ledger state's rows.
inline constexpr std::string_view kLedgerReadModel = "ledger";

// The format of the ledger read model's rows that this build writes and reads. Bump it whenever
// a row's bytes change meaning (domain/ledger_rows.cc); rows of another format are refused as
// "rebuild needed", never misread. Rows written before the format was recorded are format 1.
// A row may grow an optional tail without a new format when every row written before keeps its
// bytes and meaning (the service and report rows' service-request tails, absent when there is
// nothing to say): old ledgers then open as they are, and a build that predates the tail refuses
// a row that has one as malformed, never misreads it.
inline constexpr uint64_t kLedgerRowsFormat = 1;

// The row that records the format (its key sorts after every table's rows).
ReadModelStore::RowWrite LedgerRowsFormatRow();

// Applies a committed event. Returns Corruption when the payload is not a valid EventData of
// the envelope's type, or when the ledger's rules refuse it (a log the rules did not write).
Status ApplyCommitted(LedgerState& state, const StoredEvent& event);

// ApplyCommitted in two steps, for callers that verify on one thread and apply on another:
// the payload of `event` as an EventData of the envelope's type (a view into event.payload), or
// Corruption; then applying it, given that payload (`data` must be event.payload's, verified).
Result<const events::EventData*> CommittedPayload(const StoredEvent& event);
Status ApplyCommittedPayload(LedgerState& state, const StoredEvent& event,
                             const events::EventData& data);

// Replays the log from `from` to the head into `state`. One thread reads, decodes and re-hashes
// the log while the calling thread applies, so the two overlap. Returns the position after the
// last event applied.
Result<Position> ReplayInto(const EventStore& store, Position from, LedgerState& state);

// Loads the ledger state persisted in `rows` into a fresh `state` and returns the position it
// reflects. Rows without a checkpoint (an interrupted rebuild) are ignored: the state stays empty
// and the position is 0. Errors as LoadRows.
Result<Position> LoadLedgerState(const ReadModelStore& rows, LedgerState& state);

// Where LoadLedgerStates' time went, in seconds.
struct LedgerLoadTimes {
  double rows = 0;     // the rows decoded into the first state
  double copy = 0;     // its copy, before the indexes
  double indexes = 0;  // both states' indexes, derived at once
};

// LoadLedgerState into `state`, and `copy` an equal second state (the write side's, beside the
// projector's), both fresh: the rows are decoded once and copied before the derived indexes are
// built, which both states then do on two threads. `times`, if given, gets the breakdown.
Result<Position> LoadLedgerStates(const ReadModelStore& rows, LedgerState& state, LedgerState& copy,
                                  LedgerLoadTimes* times = nullptr);

// Writes the whole of `state` as rows, then the checkpoint `at`, into `rows` (after clearing
// them). The rows go in bulk (ReadModelStore::Load), a table at a time, sorted on a second
// thread while the next table is encoded; the checkpoint is committed only once every row is on
// disk, so an interrupted dump leaves a read model at position 0, as Clear does.
Status DumpLedgerState(const LedgerState& state, Position at, ReadModelStore& rows);

// Row keys in the read model: one byte for the table, then the entity key.
std::string RowKey(Table table, std::string_view key);

// The rows for every change `state` tracked since the last call (TrackChanges must be on).
std::vector<ReadModelStore::RowWrite> TakeRowWrites(LedgerState& state);

// Loads every row into a fresh state and derives its indexes. The tables load in parallel (up to
// one thread per core, at most 4; each table fills its own map). Corruption on a malformed row
// (the first in key order); FailedPrecondition ("rebuild needed") when the rows are of another
// format than kLedgerRowsFormat.
Status LoadRows(const ReadModelStore& rows, LedgerState& state);

}  // namespace ledger
