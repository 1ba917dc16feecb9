#include "eventstore/ledger_replay.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

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

namespace {
Status LoadRowsOnly(const ReadModelStore& rows, LedgerState& state);  // LoadRows but FinishLoad

double SecondsSince(std::chrono::steady_clock::time_point* start) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - *start).count();
  *start = now;
  return seconds;
}
}  // namespace

Result<Position> LoadLedgerStates(const ReadModelStore& rows, LedgerState& state, LedgerState& copy,
                                  LedgerLoadTimes* times) {
  LedgerLoadTimes spent;
  auto clock = std::chrono::steady_clock::now();
  Result<Position> checkpoint = rows.Checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->value != 0) {
    if (Status status = LoadRowsOnly(rows, state); !status.ok()) return status;
  }
  spent.rows = SecondsSince(&clock);
  copy = state.Clone();
  spent.copy = SecondsSince(&clock);
  if (checkpoint->value != 0) {
    std::thread other([&copy] { copy.FinishLoad(); });
    state.FinishLoad();
    other.join();
  }
  spent.indexes = SecondsSince(&clock);
  if (times != nullptr) *times = spent;
  return *checkpoint;
}

namespace {
// One table's rows as a dump encodes them: their bytes in one arena, and an index sorted by key.
// The first 16 bytes of each key sit in the index entry itself (big-endian, zero-padded), so the
// sort compares most keys without reaching into the arena.
class TableRows {
 public:
  void Add(Table table, std::string_view key, std::string_view value) {
    Entry entry;
    for (size_t i = 0; i < sizeof entry.head; ++i) {
      entry.head[i / 8] |=
          static_cast<uint64_t>(static_cast<unsigned char>(i < key.size() ? key[i] : '\0'))
          << (56 - 8 * (i % 8));
    }
    entry.offset = arena_.size();
    entry.key_size = static_cast<uint32_t>(1 + key.size());
    entry.value_size = static_cast<uint32_t>(value.size());
    arena_.push_back(static_cast<char>('a' + static_cast<int>(table)));  // as RowKey
    arena_.append(key);
    arena_.append(value);
    entries_.push_back(entry);
  }
  bool empty() const { return entries_.empty(); }

  // The rows in key order, viewing the arena.
  std::vector<std::pair<std::string_view, std::string_view>> Sorted() {
    std::sort(entries_.begin(), entries_.end(), [&](const Entry& a, const Entry& b) {
      if (a.head[0] != b.head[0]) return a.head[0] < b.head[0];
      if (a.head[1] != b.head[1]) return a.head[1] < b.head[1];
      return Key(a) < Key(b);
    });
    std::vector<std::pair<std::string_view, std::string_view>> rows;
    rows.reserve(entries_.size());
    for (const Entry& entry : entries_) {
      rows.emplace_back(Key(entry), std::string_view(arena_).substr(entry.offset + entry.key_size,
                                                                    entry.value_size));
    }
    return rows;
  }

 private:
  struct Entry {
    uint64_t head[2] = {0, 0};  // the entity key's first 16 bytes (after the table's byte)
    size_t offset = 0;          // of the row key, then the value, in the arena
    uint32_t key_size = 0;
    uint32_t value_size = 0;
  };
  std::string_view Key(const Entry& entry) const {
    return std::string_view(arena_).substr(entry.offset, entry.key_size);
  }
  std::string arena_;
  std::vector<Entry> entries_;
};
}  // namespace

Status DumpLedgerState(const LedgerState& state, Position at, ReadModelStore& rows) {
  if (Status status = rows.Clear(); !status.ok()) return status;
  // This thread encodes the rows table by table (ForEachRow visits one table at a time); a
  // second sorts each finished table and loads it as table files, overlapping the next table's
  // encoding. At most one table waits between them.
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<TableRows> waiting;
  bool encoding_done = false;
  Status loaded;
  std::thread loader([&] {
    while (true) {
      TableRows table;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return waiting.has_value() || encoding_done; });
        if (!waiting) return;
        table = std::move(*waiting);
        waiting.reset();
        changed.notify_all();
      }
      Status status = loaded.ok() ? rows.Load(table.Sorted()) : Status::Ok();
      std::lock_guard lock(mutex);
      if (loaded.ok()) loaded = std::move(status);
    }
  });
  auto hand_over = [&](TableRows& table) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !waiting.has_value(); });
    waiting = std::move(table);
    table = TableRows();
    changed.notify_all();
  };
  TableRows table;
  std::optional<Table> current;
  state.ForEachRow([&](Table t, std::string_view key, std::string_view bytes) {
    if (current != t && !table.empty()) hand_over(table);
    current = t;
    table.Add(t, key, bytes);
  });
  if (!table.empty()) hand_over(table);
  {
    std::lock_guard lock(mutex);
    encoding_done = true;
    changed.notify_all();
  }
  loader.join();
  if (!loaded.ok()) return loaded;
  // Every row is on disk: only now the checkpoint, with the format row.
  return rows.Commit({LedgerRowsFormatRow()}, at);
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

namespace {
// The tables in the order the loaders take them: the longest to decode first (at 1,000,000
// members and 5,000,000 events: reversibles ~35% of the time, services and served ~17% each,
// members ~12%), so that the loaders finish close together.
constexpr std::array<Table, kTables> kLoadOrder = {
    Table::kReversible,  Table::kService, Table::kServed,   Table::kMember,   Table::kSource,
    Table::kOutflow,     Table::kTakenId, Table::kPairing,  Table::kRequest,  Table::kAttestation,
    Table::kCertificate, Table::kReport,  Table::kCashUsed, Table::kActivity, Table::kPartner,
    Table::kFund,        Table::kBranch,  Table::kPolicy,
};

std::string TableStart(int table) { return std::string(1, static_cast<char>('a' + table)); }

// One table's rows: the first malformed row's key, or the scan's error.
struct TableLoad {
  Status scan;
  std::optional<std::string> malformed;
};
}  // namespace

Status LoadRows(const ReadModelStore& rows, LedgerState& state) {
  if (Status status = LoadRowsOnly(rows, state); !status.ok()) return status;
  state.FinishLoad();
  return Status::Ok();
}

namespace {
Status LoadRowsOnly(const ReadModelStore& rows, LedgerState& state) {
  std::string format = "1";          // rows written before the format was recorded
  std::optional<std::string> stray;  // a row outside every table
  // The format row first: rows of another format may look malformed, and the mismatch says why.
  const std::string after_format = std::string(kFormatKey) + '\0';
  Status scan =
      rows.ForEachRowIn(kFormatKey, after_format, [&](std::string_view, std::string_view value) {
        format = std::string(value);
        return false;
      });
  if (!scan.ok()) return scan;
  if (format != std::to_string(kLedgerRowsFormat)) {
    return Status(StatusCode::kFailedPrecondition,
                  "rebuild needed: the ledger read model's rows are format " + format +
                      ", this build reads format " + std::to_string(kLedgerRowsFormat) +
                      "; stop ledgerd and run `ledgerctl rebuild --data DIR`");
  }
  // A row outside every table: below the first, between the last and the format row, after it.
  auto find_stray = [&](std::string_view from, std::string_view to) {
    return rows.ForEachRowIn(from, to, [&](std::string_view key, std::string_view) {
      stray = std::string(key);
      return false;
    });
  };
  auto malformed = [](const std::string& key) {
    return Status::Corruption("read model row '" + key + "' is malformed");
  };
  if (scan = find_stray("", TableStart(0)); !scan.ok()) return scan;
  if (stray) return malformed(*stray);

  // Each table fills its own map, so loaders on different tables share nothing but the queue.
  // Every table loads even after one failed, so that the failure reported is the first in key
  // order, as a single scan would find it.
  std::array<TableLoad, kTables> loads;
  std::atomic<size_t> next{0};
  auto load_tables = [&] {
    for (size_t i = next++; i < kLoadOrder.size(); i = next++) {
      const int table = static_cast<int>(kLoadOrder[i]);
      TableLoad& load = loads[table];
      load.scan =
          rows.ForEachRowIn(TableStart(table), TableStart(table + 1),
                            [&](std::string_view key, std::string_view value) {
                              if (state.LoadRow(static_cast<Table>(table), key.substr(1), value))
                                return true;
                              load.malformed = std::string(key);
                              return false;
                            });
    }
  };
  const unsigned helpers = std::clamp(std::thread::hardware_concurrency(), 1U, 4U) - 1;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < helpers; ++i) threads.emplace_back(load_tables);
  load_tables();
  for (std::thread& thread : threads) thread.join();
  // Reported as a scan in key order would: the first table's failure, then rows past the tables.
  for (const TableLoad& load : loads) {
    if (!load.scan.ok()) return load.scan;
    if (load.malformed) return malformed(*load.malformed);
  }
  if (scan = find_stray(TableStart(kTables), kFormatKey); !scan.ok()) return scan;
  if (!stray) scan = find_stray(after_format, "");
  if (!scan.ok()) return scan;
  if (stray) return malformed(*stray);
  return Status::Ok();
}
}  // namespace

}  // namespace ledger
