#include "eventstore/ledger_replay.h"

#include "domain/event_payload.h"
#include "eventstore/event_pipeline.h"

namespace ledger {

namespace {
std::string Where(const StoredEvent& event) {
  return "position " + std::to_string(event.position.value);
}
}  // namespace

Result<const events::EventData*> CommittedPayload(const StoredEvent& event) {
  const events::EventData* data = VerifyEventData(event.payload);
  if (data == nullptr) return Status::Corruption(Where(event) + ": payload is not a valid event");
  if (EventTypeName(data->data_type()) != event.type) {
    return Status::Corruption(Where(event) + ": payload holds " +
                              std::string(EventTypeName(data->data_type())) + ", envelope says " +
                              event.type);
  }
  return data;
}

Status ApplyCommittedPayload(LedgerState& state, const StoredEvent& event,
                             const events::EventData& data) {
  const std::string_view hash(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());
  const EventMeta meta{
      event.position.value, EventRef(event.id), event.stream, event.occurred_at_us, hash, true};
  const Execution execution = state.Execute(meta, data);
  if (execution.outcome != Outcome::kOk) {
    return Status::Corruption(Where(event) + ": the rules refuse " + event.type + " '" + event.id +
                              "': " + std::string(OutcomeCode(execution.outcome)));
  }
  return Status::Ok();
}

Status ApplyCommitted(LedgerState& state, const StoredEvent& event) {
  Result<const events::EventData*> data = CommittedPayload(event);
  if (!data.ok()) return data.status();
  return ApplyCommittedPayload(state, event, **data);
}

Result<Position> ReplayInto(const EventStore& store, Position from, LedgerState& state) {
  Position next = from;
  Status failure;
  // The reader thread also verifies each payload, so that the applying thread, the one that
  // bounds a replay, only runs the rules.
  Status read = PipelineEvents(
      [&](const std::function<bool(const StoredEvent&)>& emit) {
        Status bad_payload;
        Status scanned =
            store.Scan(from, store.GetHead().next, nullptr, [&](const StoredEvent& event) {
              Result<const events::EventData*> data = CommittedPayload(event);
              if (!data.ok()) bad_payload = data.status();
              return data.ok() && emit(event);
            });
        return bad_payload.ok() ? scanned : bad_payload;
      },
      [&](const StoredEvent& event) {
        // The reader verified this payload; the copy handed over has the same bytes.
        Status applied =
            ApplyCommittedPayload(state, event, *events::GetEventData(event.payload.data()));
        if (!applied.ok()) {
          failure = std::move(applied);
          return false;
        }
        next = event.position.Next();
        return true;
      });
  // The applying thread stops at the first event it cannot apply, which comes before anything
  // the reader found wrong later in the log (the reader stops at its first problem).
  if (!failure.ok()) return failure;
  if (!read.ok()) return read;
  return next;
}

Result<Position> LoadLedgerState(const ReadModelStore& rows, LedgerState& state) {
  Result<Position> checkpoint = rows.Checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->value == 0) return Position{0};
  if (Status status = LoadRows(rows, state); !status.ok()) return status;
  return *checkpoint;
}

Status DumpLedgerState(const LedgerState& state, Position at, ReadModelStore& rows,
                       size_t rows_per_batch) {
  if (Status status = rows.Clear(); !status.ok()) return status;
  std::vector<ReadModelStore::RowWrite> writes;
  Status failure;
  state.ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    if (!failure.ok()) return;
    writes.push_back({RowKey(table, key), std::string(bytes)});
    if (writes.size() >= rows_per_batch) {
      failure = rows.Commit(writes, std::nullopt);
      writes.clear();
    }
  });
  if (!failure.ok()) return failure;
  writes.push_back(LedgerRowsFormatRow());
  return rows.Commit(writes, at);
}

std::string RowKey(Table table, std::string_view key) {
  std::string out(1, static_cast<char>('a' + static_cast<int>(table)));
  out.append(key);
  return out;
}

std::vector<ReadModelStore::RowWrite> TakeRowWrites(LedgerState& state) {
  std::vector<ReadModelStore::RowWrite> writes;
  for (const auto& [table, key] : state.TakeChanges()) {
    writes.push_back({RowKey(table, key), state.EncodeRow(table, key)});
  }
  return writes;
}

namespace {
constexpr std::string_view kFormatKey = "~format";
}  // namespace

ReadModelStore::RowWrite LedgerRowsFormatRow() {
  return {std::string(kFormatKey), std::to_string(kLedgerRowsFormat)};
}

Status LoadRows(const ReadModelStore& rows, LedgerState& state) {
  Status failure;
  std::string format = "1";  // rows written before the format was recorded
  Status scan = rows.ForEachRow([&](std::string_view key, std::string_view value) {
    if (key == kFormatKey) {
      format = std::string(value);
      return true;
    }
    if (!failure.ok()) return true;  // on to the format row, which sorts last
    const int table = key.empty() ? -1 : key[0] - 'a';
    if (table < 0 || table >= kTables ||
        !state.LoadRow(static_cast<Table>(table), key.substr(1), value)) {
      failure = Status::Corruption("read model row '" + std::string(key) + "' is malformed");
    }
    return true;
  });
  if (!scan.ok()) return scan;
  // The format row sorts last, so a mismatch is known only after the scan; it takes precedence
  // over any row it made look malformed.
  if (format != std::to_string(kLedgerRowsFormat)) {
    return Status(StatusCode::kFailedPrecondition,
                  "rebuild needed: the ledger read model's rows are format " + format +
                      ", this build reads format " + std::to_string(kLedgerRowsFormat) +
                      "; stop ledgerd and run `ledgerctl rebuild --data DIR`");
  }
  if (!failure.ok()) return failure;
  state.FinishLoad();
  return Status::Ok();
}

}  // namespace ledger
