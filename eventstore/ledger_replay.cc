#include "eventstore/ledger_replay.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

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
  const EventMeta meta{event.position.value, EventRef(event.id), event.stream, event.occurred_at_us,
                       hash};
  const Execution execution = state.Execute(meta, *data);
  if (execution.outcome != Outcome::kOk) {
    return Status::Corruption(where + ": the rules refuse " + event.type + " '" + event.id +
                              "': " + std::string(OutcomeCode(execution.outcome)));
  }
  return Status::Ok();
}

namespace {
constexpr size_t kReplayBatchEvents = 1024;
constexpr size_t kReplayQueueBatchesMax = 8;
}  // namespace

Result<Position> ReplayInto(const EventStore& store, Position from, LedgerState& state) {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<StoredEvent>> queue;  // bounded by kReplayQueueBatchesMax
  bool reading_done = false;
  bool stop = false;  // the applier failed: the reader gives up
  Status read_status;

  std::thread reader([&] {
    std::vector<StoredEvent> batch;
    batch.reserve(kReplayBatchEvents);
    auto hand_over = [&] {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return queue.size() < kReplayQueueBatchesMax || stop; });
      if (stop) return false;
      queue.push_back(std::move(batch));
      batch = {};
      batch.reserve(kReplayBatchEvents);
      changed.notify_all();
      return true;
    };
    Status status = store.Scan(from, store.GetHead().next, nullptr, [&](const StoredEvent& e) {
      batch.push_back(e);
      return batch.size() < kReplayBatchEvents || hand_over();
    });
    if (status.ok() && !batch.empty()) hand_over();
    std::lock_guard lock(mutex);
    read_status = status;
    reading_done = true;
    changed.notify_all();
  });

  Position next = from;
  Status failure;
  while (failure.ok()) {
    std::vector<StoredEvent> batch;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !queue.empty() || reading_done; });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
      changed.notify_all();
    }
    for (const StoredEvent& event : batch) {
      failure = ApplyCommitted(state, event);
      if (!failure.ok()) break;
      next = event.position.Next();
    }
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
    changed.notify_all();
  }
  reader.join();
  if (!read_status.ok()) return read_status;
  if (!failure.ok()) return failure;
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
