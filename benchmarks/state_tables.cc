// state_tables: where a loaded LedgerState's memory goes, table by table. Opens a ledger's data
// directory (RocksDB writes on open: give it a copy), and for each persisted table loads only
// that table's rows into a fresh LedgerState and reports the rows, their key lengths (an id
// longer than 15 bytes leaves its inline text for the heap) and the heap they took; then the
// whole state as ledgerd loads it (LoadLedgerState: rows on every core, then the derived
// indexes), and a Clone of it, with their heap and time.
//
// Usage: state_tables --data=DIR
#include <chrono>
#include <cstdio>
#include <string>

#include "benchmarks/bench_support.h"
#include "domain/ledger_state.h"
#include "eventstore/event_store.h"
#include "eventstore/ledger_replay.h"

namespace ledger {
namespace {

constexpr const char* kTableNames[kTables] = {
    "branch",    "member",   "pairing", "service",     "activity", "partner",
    "fund",      "source",   "outflow", "reversible",  "report",   "policy",
    "cash_used", "taken_id", "served",  "certificate", "request",  "attestation",
};

[[noreturn]] void Die(const Status& status, const char* what) {
  bench::Die("state_tables", status, what);
}

int Main(int argc, char** argv) {
  const std::string data = bench::Flag(argc, argv, "data", "");
  if (data.empty()) {
    std::fprintf(stderr, "usage: state_tables --data=DIR\n");
    return 2;
  }
  EventStoreOptions options;
  options.path = data;
  options.verify_whole_chain_on_open = false;
  auto store = EventStore::Open(options);
  if (!store.ok()) Die(store.status(), "open");
  auto rows = (*store)->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) Die(rows.status(), "read model");

  std::printf("%-12s %10s %9s %12s %9s\n", "table", "rows", "keys>15B", "heap MB", "B/row");
  int64_t sum = 0;
  for (int table = 0; table < kTables; ++table) {
    const std::string from(1, static_cast<char>('a' + table));
    const std::string to(1, static_cast<char>('a' + table + 1));
    uint64_t count = 0;
    uint64_t long_keys = 0;
    int64_t heap = 0;
    {
      LedgerState state;
      const bench::HeapFigures before = bench::Heap();
      Status status =
          (*rows)->ForEachRowIn(from, to, [&](std::string_view key, std::string_view v) {
            ++count;
            if (key.size() - 1 > IdText::kInline) ++long_keys;
            return state.LoadRow(static_cast<Table>(table), key.substr(1), v);
          });
      if (!status.ok()) Die(status, kTableNames[table]);
      heap = (bench::Heap() - before).in_use_bytes;
    }
    sum += heap;
    std::printf("%-12s %10lu %9lu %12.1f %9.1f\n", kTableNames[table],
                static_cast<unsigned long>(count), static_cast<unsigned long>(long_keys),
                heap / 1e6, count == 0 ? 0.0 : static_cast<double>(heap) / count);
  }
  std::printf("%-12s %10s %9s %12.1f\n", "sum", "", "", sum / 1e6);

  LedgerState state;
  const bench::HeapFigures before = bench::Heap();
  auto start = std::chrono::steady_clock::now();
  auto checkpoint = LoadLedgerState(**rows, state);
  if (!checkpoint.ok()) Die(checkpoint.status(), "load");
  const double load_seconds = bench::SecondsSince(start);
  const int64_t loaded = (bench::Heap() - before).in_use_bytes;
  start = std::chrono::steady_clock::now();
  state.FinishLoad();  // again: it derives the indexes afresh
  const double finish_seconds = bench::SecondsSince(start);
  start = std::chrono::steady_clock::now();
  LedgerState copy = state.Clone();
  const double clone_seconds = bench::SecondsSince(start);
  const int64_t cloned = (bench::Heap() - before).in_use_bytes - loaded;
  const double events = static_cast<double>(checkpoint->value);
  std::printf("loaded state (with derived indexes): %.1f MB heap, %.0f B/event, %.2f s\n",
              loaded / 1e6, loaded / events, load_seconds);
  std::printf("of which deriving the indexes (FinishLoad): %.2f s\n", finish_seconds);
  std::printf("its clone: %.1f MB heap, %.2f s\n", cloned / 1e6, clone_seconds);
  std::printf("members %zu, events %.0f\n", state.members().size(), events);
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Main(argc, argv); }
