#include "eventstore/ledger_replay.h"

#include "domain/event_payload.h"

namespace ledger {

Status ApplyCommitted(LedgerState& state, const StoredEvent& event) {
  const std::string where = "position " + std::to_string(event.position.value);
  const events::EventData* data = VerifyEventData(event.payload);
  if (data == nullptr) return Status::Corruption(where + ": payload is not a valid event");
  if (EventTypeName(data->data_type()) != event.type) {
    return Status::Corruption(where + ": payload holds " +
                              std::string(EventTypeName(data->data_type())) + ", envelope says " +
                              event.type);
  }
  const std::string_view hash(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());
  const EventMeta meta{event.position.value, event.id, event.stream, event.occurred_at_us, hash};
  const Execution execution = state.Execute(meta, *data);
  if (execution.outcome != Outcome::kOk) {
    return Status::Corruption(where + ": the rules refuse " + event.type + " '" + event.id +
                              "': " + std::string(OutcomeCode(execution.outcome)));
  }
  return Status::Ok();
}

Result<Position> ReplayInto(const EventStore& store, Position from, LedgerState& state) {
  Position next = from;
  Status failure;
  Status scan = store.Scan(from, store.GetHead().next, nullptr, [&](const StoredEvent& event) {
    failure = ApplyCommitted(state, event);
    if (!failure.ok()) return false;
    next = event.position.Next();
    return true;
  });
  if (!scan.ok()) return scan;
  if (!failure.ok()) return failure;
  return next;
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

Status LoadRows(const ReadModelStore& rows, LedgerState& state) {
  Status failure;
  Status scan = rows.ForEachRow([&](std::string_view key, std::string_view value) {
    const int table = key.empty() ? -1 : key[0] - 'a';
    if (table < 0 || table >= kTables ||
        !state.LoadRow(static_cast<Table>(table), key.substr(1), value)) {
      failure = Status::Corruption("read model row '" + std::string(key) + "' is malformed");
      return false;
    }
    return true;
  });
  if (!scan.ok()) return scan;
  if (!failure.ok()) return failure;
  state.FinishLoad();
  return Status::Ok();
}

}  // namespace ledger
