// append_bench: durable append throughput and latency of our EventStore against PostgreSQL 15,
// measured in one run, printed as one table and written as one JSON file.
//
// What it measures. Four cells; each runs `--warmup_seconds` (default 1) unmeasured, then
// `--seconds` (default 8) measured, on a fresh, empty store or table:
//   1. batched, ours: one client calls EventStore::Append with batches of `--batch_events` (1000)
//      events of `--payload_bytes` (300) bytes of deterministic pseudo-random printable data,
//      ids "b-<n>", type "ServiceLogged", round robin over `--streams` (1000) streams
//      "member-<k>". The store always writes a commit group as one RocksDB WriteBatch with a
//      synced WAL, so every acknowledged batch is durable.
//   2. single, ours: `--single_clients` (64) threads each call Append with one event, on
//      `--client_streams` (16) streams of their own ("member-<client>.<k>"); the store's writer
//      group-commits whatever is queued. Each thread times each append with steady_clock;
//      p50/p99 are taken over all measured appends of all threads.
//   3. batched, PostgreSQL: one connection; each batch is one prepared, autocommit
//      `INSERT INTO events ... SELECT * FROM unnest($1::text[], ..., $6::bytea[])` with binary
//      array parameters, so one transaction (one WAL flush) per batch.
//   4. single, PostgreSQL: 64 connections on 64 threads, each a prepared autocommit single-row
//      INSERT; PostgreSQL group-commits concurrent WAL flushes on its own.
// scripts/bench gives PostgreSQL shared_buffers=1GB, max_wal_size=8GB and checkpoint_timeout=30min
// so that no checkpoint falls inside a cell; each PostgreSQL cell checkpoints before and after
// its window. `--workloads=batched` or `=single` runs half the cells (e.g. under perf);
// `--stores=ours` or `=postgres` runs one system's cells (`scripts/bench http` runs only the
// 64-way single PostgreSQL cell, as the peer of its POST /v1/events figure).
// PostgreSQL assigns positions (bigserial) and enforces unique ids and unique (stream, version),
// the constraints our store checks; the client computes the versions. Our store does more per
// event (SHA-256 hash chain, envelope encoding and a read-back check), PostgreSQL less.
//
// An append counts if it started after the warmup and finished before the end of the window;
// events/s = events of those appends / window seconds. Each cell also samples process CPU
// (getrusage: our store's threads, or only the libpq clients for PostgreSQL) and machine CPU
// (/proc/stat: includes the PostgreSQL server) over the window.
//
// Targets (issue 17; printed with met / not met; they do not change the exit status): batched
// >= 400,000 events/s and >= 3x PostgreSQL; 64-way single >= 100,000 events/s and >= 5x
// PostgreSQL.
// Exit status: 0 when every cell ran, 1 when something broke, 2 on bad flags, 130 on SIGINT.
//
// How to run: `scripts/bench append` installs what is missing, builds the release preset,
// starts a throwaway PostgreSQL 15 on 127.0.0.1 (synchronous_commit=on, fsync=on), runs this
// binary, stops PostgreSQL and writes var/bench/append-<timestamp>.json and
// var/bench/append-latest.json. Standalone:
//   build/release/benchmarks/append_bench --work_dir=DIR [--postgres=CONNINFO] [--json_out=FILE]
// Without --postgres the PostgreSQL cells are skipped. Our store lives in a fresh directory
// under --work_dir, removed at the end. Further flags: see Usage() below.
//
// Not Google Benchmark: the cells compare two systems, one started outside this process,
// report latency percentiles over concurrent clients and print a comparison against targets;
// a plain main is simpler than bending the framework to that.
#include <libpq-fe.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "domain/status.h"
#include "eventstore/event.h"
#include "eventstore/event_store.h"

namespace ledger {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kEventType[] = "ServiceLogged";
constexpr int64_t kOccurredAtBaseUs = 1'700'000'000'000'000;
constexpr size_t kPayloadPoolEntries = 4096;  // distinct payloads, reused round robin
constexpr uint64_t kPayloadSeed = 0x5a4841495949ULL;

// Bounds on the flags: every loop and buffer of the benchmark is bounded by these.
constexpr double kSecondsMax = 600;
constexpr size_t kBatchEventsMax = 10000;  // EventStoreOptions::append_request_events_max
constexpr size_t kPayloadBytesMax = 64 * 1024;
constexpr size_t kStreamsMax = 1'000'000;
constexpr int kClientsMax = 1024;

// Targets from the issue.
constexpr double kBatchedEventsPerSecondTarget = 400'000;
constexpr double kSingleEventsPerSecondTarget = 100'000;
constexpr double kBatchedRatioTarget = 3;
constexpr double kSingleRatioTarget = 5;

// PostgreSQL type oids (stable, from catalog/pg_type.dat; the server headers are not installed).
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kTextArrayOid = 1009;
constexpr Oid kInt8ArrayOid = 1016;
constexpr Oid kByteaArrayOid = 1001;

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnInterrupt(int) { interrupted.store(true); }

struct BenchConfig {
  std::string work_dir = "var/bench/tmp";
  std::string postgres_conninfo;  // empty: skip the PostgreSQL cells
  std::string json_out;           // empty: no JSON file
  double warmup_seconds = 1;
  double measure_seconds = 8;
  size_t batch_events = 1000;
  size_t payload_bytes = 300;
  size_t streams = 1000;
  int single_clients = 64;
  size_t client_streams = 16;
  bool run_batched = true;  // --workloads=batched,single
  bool run_single = true;
  bool run_ours = true;  // --stores=ours,postgres
  bool run_postgres = true;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: append_bench [--work_dir=DIR] [--postgres=CONNINFO] [--json_out=FILE]\n"
               "                    [--seconds=8] [--warmup_seconds=1] [--batch_events=1000]\n"
               "                    [--payload_bytes=300] [--streams=1000]\n"
               "                    [--single_clients=64] [--client_streams=16]\n"
               "                    [--workloads=batched,single] [--stores=ours,postgres]\n"
               "Without --postgres the PostgreSQL cells are skipped. See the header comment of\n"
               "benchmarks/append_bench.cc for what each cell measures.\n");
}

// Parses the value of --`flag`, a comma-separated list of `first` and/or `second`, into whether
// each was named. Returns false (after printing why) on any other word.
bool ParsePair(std::string_view flag, const std::string& value, std::string_view first,
               std::string_view second, bool* run_first, bool* run_second) {
  *run_first = false;
  *run_second = false;
  std::stringstream list(value);
  for (std::string word; std::getline(list, word, ',');) {
    if (word == first) {
      *run_first = true;
    } else if (word == second) {
      *run_second = true;
    } else {
      std::fprintf(stderr, "append_bench: --%.*s takes %.*s and/or %.*s, got '%s'\n",
                   static_cast<int>(flag.size()), flag.data(), static_cast<int>(first.size()),
                   first.data(), static_cast<int>(second.size()), second.data(), word.c_str());
      return false;
    }
  }
  return true;
}

// Parses --name=value flags. Returns nullopt (after printing why) on a bad flag.
std::optional<BenchConfig> ParseFlags(int argc, char** argv) {
  BenchConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      std::exit(0);
    }
    const size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) {
      std::fprintf(stderr, "append_bench: expected --name=value, got '%s'\n", argv[i]);
      return std::nullopt;
    }
    const std::string_view name = arg.substr(2, equals - 2);
    const std::string value(arg.substr(equals + 1));
    char* end = nullptr;
    auto number = [&](double min, double max) -> std::optional<double> {
      const double parsed = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(parsed >= min && parsed <= max)) {
        std::fprintf(stderr, "append_bench: --%s must be a number in [%g, %g], got '%s'\n",
                     std::string(name).c_str(), min, max, value.c_str());
        return std::nullopt;
      }
      return parsed;
    };
    std::optional<double> parsed;
    if (name == "work_dir") {
      config.work_dir = value;
    } else if (name == "postgres") {
      config.postgres_conninfo = value;
    } else if (name == "json_out") {
      config.json_out = value;
    } else if (name == "seconds") {
      if (!(parsed = number(0.1, kSecondsMax))) return std::nullopt;
      config.measure_seconds = *parsed;
    } else if (name == "warmup_seconds") {
      if (!(parsed = number(0, kSecondsMax))) return std::nullopt;
      config.warmup_seconds = *parsed;
    } else if (name == "batch_events") {
      if (!(parsed = number(1, kBatchEventsMax))) return std::nullopt;
      config.batch_events = static_cast<size_t>(*parsed);
    } else if (name == "payload_bytes") {
      if (!(parsed = number(0, kPayloadBytesMax))) return std::nullopt;
      config.payload_bytes = static_cast<size_t>(*parsed);
    } else if (name == "streams") {
      if (!(parsed = number(1, kStreamsMax))) return std::nullopt;
      config.streams = static_cast<size_t>(*parsed);
    } else if (name == "single_clients") {
      if (!(parsed = number(1, kClientsMax))) return std::nullopt;
      config.single_clients = static_cast<int>(*parsed);
    } else if (name == "client_streams") {
      if (!(parsed = number(1, kStreamsMax))) return std::nullopt;
      config.client_streams = static_cast<size_t>(*parsed);
    } else if (name == "workloads") {
      if (!ParsePair(name, value, "batched", "single", &config.run_batched, &config.run_single)) {
        return std::nullopt;
      }
    } else if (name == "stores") {
      if (!ParsePair(name, value, "ours", "postgres", &config.run_ours, &config.run_postgres)) {
        return std::nullopt;
      }
    } else {
      std::fprintf(stderr, "append_bench: unknown flag --%s\n", std::string(name).c_str());
      return std::nullopt;
    }
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Workload data: the same events for both systems.

// Deterministic printable payloads (0x21..0x7e), from a fixed seed.
std::vector<std::string> MakePayloadPool(size_t payload_bytes) {
  std::vector<std::string> pool(kPayloadPoolEntries);
  uint64_t state = kPayloadSeed;
  auto next = [&state] {  // splitmix64
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  for (std::string& payload : pool) {
    payload.resize(payload_bytes);
    for (char& c : payload) c = static_cast<char>(0x21 + next() % (0x7f - 0x21));
  }
  return pool;
}

// Event `n` of the batched workload goes to stream n % streams at version n / streams + 1.
struct BatchedWorkload {
  std::vector<std::string> stream_names;
  const std::vector<std::string>* payloads;

  std::string Id(uint64_t n) const { return "b-" + std::to_string(n); }
  const std::string& Stream(uint64_t n) const { return stream_names[n % stream_names.size()]; }
  int64_t Version(uint64_t n) const { return static_cast<int64_t>(n / stream_names.size() + 1); }
  const std::string& Payload(uint64_t n) const { return (*payloads)[n % payloads->size()]; }
};

BatchedWorkload MakeBatchedWorkload(const BenchConfig& config,
                                    const std::vector<std::string>& payloads) {
  BatchedWorkload workload{{}, &payloads};
  workload.stream_names.reserve(config.streams);
  for (size_t k = 0; k < config.streams; ++k) {
    workload.stream_names.push_back("member-" + std::to_string(k));
  }
  return workload;
}

// Event `n` of client `c` in the single workload goes to the client's own stream
// n % client_streams, at version n / client_streams + 1.
struct SingleWorkload {
  std::vector<std::vector<std::string>> stream_names;  // [client][k]
  const std::vector<std::string>* payloads;

  std::string Id(int client, uint64_t n) const {
    return "s-" + std::to_string(client) + "-" + std::to_string(n);
  }
  const std::string& Stream(int client, uint64_t n) const {
    const auto& names = stream_names[client];
    return names[n % names.size()];
  }
  int64_t Version(int client, uint64_t n) const {
    return static_cast<int64_t>(n / stream_names[client].size() + 1);
  }
  const std::string& Payload(int client, uint64_t n) const {
    return (*payloads)[(n * 131 + static_cast<uint64_t>(client)) % payloads->size()];
  }
};

SingleWorkload MakeSingleWorkload(const BenchConfig& config,
                                  const std::vector<std::string>& payloads) {
  SingleWorkload workload{{}, &payloads};
  workload.stream_names.resize(config.single_clients);
  for (int c = 0; c < config.single_clients; ++c) {
    for (size_t k = 0; k < config.client_streams; ++k) {
      workload.stream_names[c].push_back("member-" + std::to_string(c) + "." + std::to_string(k));
    }
  }
  return workload;
}

// ---------------------------------------------------------------------------------------------
// The load harness: N client threads run `op` back to back for warmup + measure seconds.

struct CpuTimes {
  double process_seconds = 0;  // user + system of this process, all threads
  uint64_t machine_busy_ticks = 0;
  uint64_t machine_iowait_ticks = 0;
  uint64_t machine_total_ticks = 0;
};

CpuTimes SampleCpu() {
  CpuTimes times;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
    times.process_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) {
    times.machine_busy_ticks = user + nice + system + irq + softirq + steal;
    times.machine_iowait_ticks = iowait;
    times.machine_total_ticks = times.machine_busy_ticks + idle + iowait;
  }
  return times;
}

struct LoadOptions {
  int clients = 1;
  size_t events_per_op = 1;
  double warmup_seconds = 1;
  double measure_seconds = 8;
};

struct LoadResult {
  Status error;                       // the first failed op, if any
  uint64_t ops_total = 0;             // every op run, warmup included
  uint64_t ops_measured = 0;          // ops inside the window
  double seconds = 0;                 // the window
  std::vector<int64_t> latencies_ns;  // one per measured op, all clients
  double process_cpu_cores = 0;       // process CPU seconds / window seconds
  double machine_busy_fraction = 0;   // of all cores, over the window
  double machine_iowait_fraction = 0;
};

// Runs `op(client, sequence)` from `options.clients` threads; sequence counts each client's ops
// from 0. Stops at the end of the window, on the first error, or on SIGINT.
LoadResult RunLoad(const LoadOptions& options,
                   const std::function<Status(int client, uint64_t sequence)>& op) {
  struct ClientState {
    std::vector<int64_t> latencies_ns;
    uint64_t ops_total = 0;
    Status error;
  };
  std::vector<ClientState> states(options.clients);
  std::atomic<bool> failed{false};
  std::latch start(options.clients + 1);
  Clock::time_point measure_start;
  Clock::time_point measure_end;

  std::vector<std::thread> threads;
  threads.reserve(options.clients);
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      ClientState& state = states[c];
      state.latencies_ns.reserve(1 << 16);
      start.arrive_and_wait();  // measure_start and measure_end are set before this returns
      for (uint64_t sequence = 0;; ++sequence) {
        const Clock::time_point began = Clock::now();
        if (began >= measure_end || failed.load(std::memory_order_relaxed) ||
            interrupted.load(std::memory_order_relaxed)) {
          break;
        }
        Status status = op(c, sequence);
        const Clock::time_point ended = Clock::now();
        ++state.ops_total;
        if (!status.ok()) {
          state.error = std::move(status);
          failed.store(true);
          break;
        }
        if (began >= measure_start && ended <= measure_end) {
          state.latencies_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(ended - began).count());
        }
      }
    });
  }

  const auto warmup = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.warmup_seconds));
  const auto window = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options.measure_seconds));
  measure_start = Clock::now() + warmup;
  measure_end = measure_start + window;
  start.arrive_and_wait();

  std::this_thread::sleep_until(measure_start);
  const CpuTimes before = SampleCpu();
  std::this_thread::sleep_until(measure_end);
  const CpuTimes after = SampleCpu();
  for (std::thread& thread : threads) thread.join();

  LoadResult result;
  result.seconds = options.measure_seconds;
  for (ClientState& state : states) {
    if (!state.error.ok() && result.error.ok()) result.error = state.error;
    result.ops_total += state.ops_total;
    result.ops_measured += state.latencies_ns.size();
    result.latencies_ns.insert(result.latencies_ns.end(), state.latencies_ns.begin(),
                               state.latencies_ns.end());
  }
  result.process_cpu_cores = (after.process_seconds - before.process_seconds) / result.seconds;
  const double total_ticks =
      static_cast<double>(after.machine_total_ticks - before.machine_total_ticks);
  if (total_ticks > 0) {
    result.machine_busy_fraction =
        static_cast<double>(after.machine_busy_ticks - before.machine_busy_ticks) / total_ticks;
    result.machine_iowait_fraction =
        static_cast<double>(after.machine_iowait_ticks - before.machine_iowait_ticks) / total_ticks;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// One cell of the table.

struct Cell {
  std::string workload;  // "batched" or "single"
  std::string store;     // "ours" or "postgres"
  bool ran = false;
  int clients = 0;
  size_t events_per_op = 0;
  uint64_t ops_total = 0;
  uint64_t events_total = 0;
  uint64_t ops_measured = 0;
  uint64_t events_measured = 0;
  double seconds = 0;
  double events_per_second = 0;
  double latency_us_p50 = 0;  // per op (a whole batch in the batched cells)
  double latency_us_p99 = 0;
  double latency_us_max = 0;
  double process_cpu_cores = 0;
  double machine_busy_fraction = 0;
  double machine_iowait_fraction = 0;
};

// Nearest-rank percentile of sorted values.
double PercentileUs(const std::vector<int64_t>& sorted_ns, double fraction) {
  if (sorted_ns.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted_ns.size())));
  rank = std::clamp<size_t>(rank, 1, sorted_ns.size());
  return static_cast<double>(sorted_ns[rank - 1]) / 1000.0;
}

Cell MakeCell(std::string workload, std::string store, const LoadOptions& options,
              LoadResult& load) {
  Cell cell;
  cell.workload = std::move(workload);
  cell.store = std::move(store);
  cell.ran = true;
  cell.clients = options.clients;
  cell.events_per_op = options.events_per_op;
  cell.ops_total = load.ops_total;
  cell.events_total = load.ops_total * options.events_per_op;
  cell.ops_measured = load.ops_measured;
  cell.events_measured = load.ops_measured * options.events_per_op;
  cell.seconds = load.seconds;
  cell.events_per_second = static_cast<double>(cell.events_measured) / load.seconds;
  std::sort(load.latencies_ns.begin(), load.latencies_ns.end());
  cell.latency_us_p50 = PercentileUs(load.latencies_ns, 0.50);
  cell.latency_us_p99 = PercentileUs(load.latencies_ns, 0.99);
  cell.latency_us_max = PercentileUs(load.latencies_ns, 1.0);
  cell.process_cpu_cores = load.process_cpu_cores;
  cell.machine_busy_fraction = load.machine_busy_fraction;
  cell.machine_iowait_fraction = load.machine_iowait_fraction;
  return cell;
}

void PrintProgress(const Cell& cell) {
  std::fprintf(stderr,
               "  %-8s %-8s %12.0f events/s  (%llu events in %.1f s measured; %llu run in all)\n",
               cell.workload.c_str(), cell.store.c_str(), cell.events_per_second,
               static_cast<unsigned long long>(cell.events_measured), cell.seconds,
               static_cast<unsigned long long>(cell.events_total));
}

// ---------------------------------------------------------------------------------------------
// Ours.

// A fresh directory under `parent`, removed with everything in it when this goes away.
class ScratchDir {
 public:
  static Result<std::unique_ptr<ScratchDir>> Create(const std::string& parent,
                                                    const std::string& prefix) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) return Status::IoError("create " + parent + ": " + error.message());
    std::string pattern = parent + "/" + prefix + "XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError("mkdtemp " + pattern + ": " + std::strerror(errno));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
    if (error) {
      std::fprintf(stderr, "append_bench: remove %s: %s\n", path_.c_str(), error.message().c_str());
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Status CheckAppended(const Result<std::vector<AppendResult>>& appended, size_t events) {
  if (!appended.ok()) return appended.status();
  if (appended->size() != events) {
    return Status::IoError("Append returned " + std::to_string(appended->size()) + " results for " +
                           std::to_string(events) + " events");
  }
  for (const AppendResult& result : *appended) {
    if (result.duplicate) return Status::IoError("event " + result.id + " was a duplicate");
  }
  return Status::Ok();
}

// Runs `workload_name` against a fresh store; `op` gets the open store.
Result<Cell> RunOurs(const BenchConfig& config, const std::string& workload_name,
                     const LoadOptions& options,
                     const std::function<Status(EventStore&, int, uint64_t)>& op) {
  Result<std::unique_ptr<ScratchDir>> dir = ScratchDir::Create(config.work_dir, "ours-");
  if (!dir.ok()) return dir.status();
  EventStoreOptions store_options;
  store_options.path = (*dir)->path() + "/store";
  Result<std::unique_ptr<EventStore>> store = EventStore::Open(std::move(store_options));
  if (!store.ok()) return store.status();

  LoadResult load = RunLoad(
      options, [&](int client, uint64_t sequence) { return op(**store, client, sequence); });
  if (!load.error.ok()) return load.error;
  Cell cell = MakeCell(workload_name, "ours", options, load);
  // Pair check: the log holds exactly the events acknowledged.
  const uint64_t stored_events = (*store)->GetHead().next.value;
  if (stored_events != cell.events_total) {
    return Status::Corruption("the log holds " + std::to_string(stored_events) +
                              " events, the clients appended " + std::to_string(cell.events_total));
  }
  return cell;
}

Result<Cell> RunOursBatched(const BenchConfig& config, const BatchedWorkload& workload) {
  const LoadOptions options{1, config.batch_events, config.warmup_seconds, config.measure_seconds};
  return RunOurs(config, "batched", options, [&](EventStore& store, int, uint64_t sequence) {
    std::vector<EventDraft> batch(config.batch_events);
    for (size_t i = 0; i < batch.size(); ++i) {
      const uint64_t n = sequence * config.batch_events + i;
      EventDraft& draft = batch[i];
      draft.id = workload.Id(n);
      draft.stream = workload.Stream(n);
      draft.type = kEventType;
      draft.occurred_at_us = kOccurredAtBaseUs + static_cast<int64_t>(n);
      draft.payload = workload.Payload(n);
    }
    return CheckAppended(store.Append(std::move(batch)), config.batch_events);
  });
}

Result<Cell> RunOursSingle(const BenchConfig& config, const SingleWorkload& workload) {
  const LoadOptions options{config.single_clients, 1, config.warmup_seconds,
                            config.measure_seconds};
  return RunOurs(config, "single", options, [&](EventStore& store, int client, uint64_t n) {
    std::vector<EventDraft> batch(1);
    EventDraft& draft = batch[0];
    draft.id = workload.Id(client, n);
    draft.stream = workload.Stream(client, n);
    draft.type = kEventType;
    draft.occurred_at_us = kOccurredAtBaseUs + static_cast<int64_t>(n);
    draft.payload = workload.Payload(client, n);
    return CheckAppended(store.Append(std::move(batch)), 1);
  });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

std::string TrimmedError(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Result<PgConn> PgConnect(const std::string& conninfo) {
  PgConn conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::IoError("connect to PostgreSQL (" + conninfo +
                           "): " + TrimmedError(PQerrorMessage(conn.get())));
  }
  return conn;
}

// Runs SQL without parameters; returns the first row's first column ("" if none).
Result<std::string> PgExec(PGconn* conn, const std::string& sql) {
  PgResult result(PQexec(conn, sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Status::IoError("PostgreSQL: " + sql.substr(0, 60) + ": " +
                           TrimmedError(PQresultErrorMessage(result.get())));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0) {
    return std::string(PQgetvalue(result.get(), 0, 0));
  }
  return std::string();
}

Status PgPrepare(PGconn* conn, const char* name, const char* sql, const std::vector<Oid>& types) {
  PgResult result(PQprepare(conn, name, sql, static_cast<int>(types.size()), types.data()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return Status::IoError(std::string("PostgreSQL prepare ") + name + ": " +
                           TrimmedError(PQresultErrorMessage(result.get())));
  }
  return Status::Ok();
}

// Runs a prepared INSERT; checks it inserted `rows` rows.
Status PgInsert(PGconn* conn, const char* name, int params, const char* const* values,
                const int* lengths, const int* formats, size_t rows) {
  PgResult result(PQexecPrepared(conn, name, params, values, lengths, formats, 0));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return Status::IoError(std::string("PostgreSQL insert: ") +
                           TrimmedError(PQresultErrorMessage(result.get())));
  }
  if (std::string_view(PQcmdTuples(result.get())) != std::to_string(rows)) {
    return Status::IoError(std::string("PostgreSQL inserted ") + PQcmdTuples(result.get()) +
                           " rows, expected " + std::to_string(rows));
  }
  return Status::Ok();
}

constexpr const char* kPgSchema = R"(
SET client_min_messages = warning;
DROP TABLE IF EXISTS events;
CREATE TABLE events (
  position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  version bigint NOT NULL,
  id text NOT NULL UNIQUE,
  type text NOT NULL,
  occurred_at bigint NOT NULL,
  payload bytea NOT NULL,
  UNIQUE (stream_id, version)
);
CHECKPOINT;
)";

constexpr const char* kPgInsertBatchSql =
    "INSERT INTO events (stream_id, version, id, type, occurred_at, payload) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], "
    "$6::bytea[])";
constexpr const char* kPgInsertOneSql =
    "INSERT INTO events (stream_id, version, id, type, occurred_at, payload) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

void PutBigEndian32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}
void PutBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

// A one-dimensional array without nulls in PostgreSQL's binary format (array_send).
class PgBinaryArray {
 public:
  PgBinaryArray(Oid element_oid, size_t elements) {
    PutBigEndian32(1, &bytes_);  // dimensions
    PutBigEndian32(0, &bytes_);  // has nulls
    PutBigEndian32(element_oid, &bytes_);
    PutBigEndian32(static_cast<uint32_t>(elements), &bytes_);
    PutBigEndian32(1, &bytes_);  // lower bound
  }
  void AddBytes(std::string_view value) {
    PutBigEndian32(static_cast<uint32_t>(value.size()), &bytes_);
    bytes_.append(value);
  }
  void AddInt64(int64_t value) {
    PutBigEndian32(8, &bytes_);
    PutBigEndian64(static_cast<uint64_t>(value), &bytes_);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

struct PostgresInfo {
  std::string server_version;
  std::string fsync;
  std::string synchronous_commit;
  std::string wal_sync_method;
  std::string shared_buffers;
  std::string max_wal_size;
  std::string max_connections;
};

Result<PostgresInfo> ReadPostgresInfo(PGconn* conn) {
  PostgresInfo info;
  // clang-format off
  const std::pair<const char*, std::string*> settings[] = {
      {"server_version", &info.server_version},
      {"fsync", &info.fsync},
      {"synchronous_commit", &info.synchronous_commit},
      {"wal_sync_method", &info.wal_sync_method},
      {"shared_buffers", &info.shared_buffers},
      {"max_wal_size", &info.max_wal_size},
      {"max_connections", &info.max_connections},
  };
  // clang-format on
  for (const auto& [name, value] : settings) {
    Result<std::string> shown = PgExec(conn, std::string("SHOW ") + name);
    if (!shown.ok()) return shown.status();
    *value = *shown;
  }
  return info;
}

// Resets the table, runs the load, checks the table holds what was inserted, and checkpoints
// so that the next cell does not pay for this one's dirty pages.
Result<Cell> RunPostgres(const BenchConfig& config, const std::string& workload_name,
                         const LoadOptions& options, const char* insert_sql,
                         const std::vector<Oid>& insert_types,
                         const std::function<Status(PGconn*, int, uint64_t)>& op) {
  Result<PgConn> admin = PgConnect(config.postgres_conninfo);
  if (!admin.ok()) return admin.status();
  if (Result<std::string> reset = PgExec(admin->get(), kPgSchema); !reset.ok()) {
    return reset.status();
  }
  std::vector<PgConn> connections;
  for (int c = 0; c < options.clients; ++c) {
    Result<PgConn> conn = PgConnect(config.postgres_conninfo);
    if (!conn.ok()) return conn.status();
    if (Status s = PgPrepare(conn->get(), "insert", insert_sql, insert_types); !s.ok()) return s;
    connections.push_back(std::move(conn).value());
  }

  LoadResult load = RunLoad(options, [&](int client, uint64_t sequence) {
    return op(connections[client].get(), client, sequence);
  });
  if (!load.error.ok()) return load.error;
  Cell cell = MakeCell(workload_name, "postgres", options, load);

  Result<std::string> rows = PgExec(admin->get(), "SELECT count(*) FROM events");
  if (!rows.ok()) return rows.status();
  if (*rows != std::to_string(cell.events_total)) {
    return Status::Corruption("the events table holds " + *rows + " rows, the clients inserted " +
                              std::to_string(cell.events_total));
  }
  if (Result<std::string> done = PgExec(admin->get(), "DROP TABLE events; CHECKPOINT");
      !done.ok()) {
    return done.status();
  }
  return cell;
}

Result<Cell> RunPostgresBatched(const BenchConfig& config, const BatchedWorkload& workload) {
  const LoadOptions options{1, config.batch_events, config.warmup_seconds, config.measure_seconds};
  const std::vector<Oid> types = {kTextArrayOid, kInt8ArrayOid, kTextArrayOid,
                                  kTextArrayOid, kInt8ArrayOid, kByteaArrayOid};
  return RunPostgres(config, "batched", options, kPgInsertBatchSql, types,
                     [&](PGconn* conn, int, uint64_t sequence) {
                       const size_t events = config.batch_events;
                       PgBinaryArray streams(kTextOid, events), versions(kInt8Oid, events),
                           ids(kTextOid, events), event_types(kTextOid, events),
                           occurred(kInt8Oid, events), payloads(kByteaOid, events);
                       for (size_t i = 0; i < events; ++i) {
                         const uint64_t n = sequence * events + i;
                         streams.AddBytes(workload.Stream(n));
                         versions.AddInt64(workload.Version(n));
                         ids.AddBytes(workload.Id(n));
                         event_types.AddBytes(kEventType);
                         occurred.AddInt64(kOccurredAtBaseUs + static_cast<int64_t>(n));
                         payloads.AddBytes(workload.Payload(n));
                       }
                       const PgBinaryArray* arrays[] = {&streams,     &versions, &ids,
                                                        &event_types, &occurred, &payloads};
                       const char* values[6];
                       int lengths[6];
                       int formats[6];
                       for (int p = 0; p < 6; ++p) {
                         values[p] = arrays[p]->bytes().data();
                         lengths[p] = static_cast<int>(arrays[p]->bytes().size());
                         formats[p] = 1;  // binary
                       }
                       return PgInsert(conn, "insert", 6, values, lengths, formats, events);
                     });
}

Result<Cell> RunPostgresSingle(const BenchConfig& config, const SingleWorkload& workload) {
  const LoadOptions options{config.single_clients, 1, config.warmup_seconds,
                            config.measure_seconds};
  const std::vector<Oid> types = {kTextOid, kInt8Oid, kTextOid, kTextOid, kInt8Oid, kByteaOid};
  return RunPostgres(
      config, "single", options, kPgInsertOneSql, types, [&](PGconn* conn, int client, uint64_t n) {
        const std::string version = std::to_string(workload.Version(client, n));
        const std::string id = workload.Id(client, n);
        const std::string occurred_at = std::to_string(kOccurredAtBaseUs + static_cast<int64_t>(n));
        const std::string& payload = workload.Payload(client, n);
        const char* values[6] = {workload.Stream(client, n).c_str(),
                                 version.c_str(),
                                 id.c_str(),
                                 kEventType,
                                 occurred_at.c_str(),
                                 payload.data()};
        const int lengths[6] = {0, 0, 0, 0, 0, static_cast<int>(payload.size())};
        const int formats[6] = {0, 0, 0, 0, 0, 1};  // text, except the bytea payload
        return PgInsert(conn, "insert", 6, values, lengths, formats, 1);
      });
}

// ---------------------------------------------------------------------------------------------
// Report.

struct MachineFacts {
  unsigned nproc = 0;
  std::string date_utc;
  std::string hostname;
  std::string kernel;
  std::string cpu_model;
  uint64_t memory_bytes = 0;
  std::string load_average;  // /proc/loadavg before the first cell: other work skews results
};

MachineFacts ReadMachineFacts() {
  MachineFacts facts;
  facts.nproc = std::thread::hardware_concurrency();
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &utc);
  facts.date_utc = date;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) facts.hostname = host;
  utsname name{};
  if (uname(&name) == 0) facts.kernel = std::string(name.sysname) + " " + name.release;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) facts.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_bytes > 0) facts.memory_bytes = uint64_t(pages) * uint64_t(page_bytes);
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five, fifteen;
  if (loadavg >> one >> five >> fifteen) facts.load_average = one + " " + five + " " + fifteen;
  return facts;
}

std::string WithThousands(double value) {
  std::string digits = std::to_string(static_cast<uint64_t>(std::llround(value)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

struct Target {
  std::string name;
  std::string goal;
  std::optional<double> value;  // nullopt: not measured
  double threshold;
  bool ratio;
  bool met() const { return value && *value >= threshold; }
};

std::optional<double> Ratio(const Cell& ours, const Cell& postgres) {
  if (!ours.ran || !postgres.ran || postgres.events_per_second <= 0) return std::nullopt;
  return ours.events_per_second / postgres.events_per_second;
}

std::vector<Target> EvaluateTargets(const Cell& ours_batched, const Cell& postgres_batched,
                                    const Cell& ours_single, const Cell& postgres_single,
                                    int single_clients) {
  const std::string single = std::to_string(single_clients) + "-way single";
  auto measured = [](const Cell& cell) {
    return cell.ran ? std::optional<double>(cell.events_per_second) : std::nullopt;
  };
  return {
      {"batched events/s", ">= 400,000", measured(ours_batched), kBatchedEventsPerSecondTarget,
       false},
      {"batched ours/postgres", ">= 3x", Ratio(ours_batched, postgres_batched), kBatchedRatioTarget,
       true},
      {single + " events/s", ">= 100,000", measured(ours_single), kSingleEventsPerSecondTarget,
       false},
      {single + " ours/postgres", ">= 5x", Ratio(ours_single, postgres_single), kSingleRatioTarget,
       true},
  };
}

void PrintTable(const BenchConfig& config, const MachineFacts& machine,
                const std::optional<PostgresInfo>& postgres, const std::vector<Cell>& cells,
                const std::vector<Target>& targets, const Cell& ours_batched,
                const Cell& postgres_batched, const Cell& ours_single,
                const Cell& postgres_single) {
  std::printf("\nAppend benchmark  %s  nproc=%u  %s  load average before: %s\n",
              machine.date_utc.c_str(), machine.nproc, machine.cpu_model.c_str(),
              machine.load_average.c_str());
  std::printf(
      "Each cell: fresh store/table, %.1f s warmup, then %.1f s measured. Events carry a "
      "%zu-byte payload.\n",
      config.warmup_seconds, config.measure_seconds, config.payload_bytes);
  std::printf(
      "  batched: 1 client, Append of %zu events per call over %zu streams "
      "(PostgreSQL: one INSERT ... unnest per batch)\n",
      config.batch_events, config.streams);
  std::printf(
      "  single:  %d clients, one event per call, %zu streams per client "
      "(PostgreSQL: %d connections, prepared autocommit INSERT)\n",
      config.single_clients, config.client_streams, config.single_clients);
  if (postgres) {
    std::printf(
        "  PostgreSQL %s: fsync=%s synchronous_commit=%s wal_sync_method=%s "
        "shared_buffers=%s max_wal_size=%s\n",
        postgres->server_version.c_str(), postgres->fsync.c_str(),
        postgres->synchronous_commit.c_str(), postgres->wal_sync_method.c_str(),
        postgres->shared_buffers.c_str(), postgres->max_wal_size.c_str());
    if (postgres->fsync != "on" || postgres->synchronous_commit != "on") {
      std::printf(
          "  WARNING: PostgreSQL is not running with fsync=on and "
          "synchronous_commit=on; the comparison is not like for like\n");
    }
  } else {
    std::printf("  PostgreSQL: skipped (no --postgres)\n");
  }
  std::printf("\n%-9s %-9s %8s %14s %12s %12s %12s %10s %8s %7s\n", "workload", "store", "clients",
              "events/s", "events", "p50 us", "p99 us", "proc cores", "cpu", "iowait");
  for (const Cell& cell : cells) {
    if (!cell.ran) {
      std::printf("%-9s %-9s %8s %14s\n", cell.workload.c_str(), cell.store.c_str(), "-",
                  "skipped");
      continue;
    }
    std::printf("%-9s %-9s %8d %14s %12s %12.0f %12.0f %10.2f %7.0f%% %6.0f%%\n",
                cell.workload.c_str(), cell.store.c_str(), cell.clients,
                WithThousands(cell.events_per_second).c_str(),
                WithThousands(static_cast<double>(cell.events_measured)).c_str(),
                cell.latency_us_p50, cell.latency_us_p99, cell.process_cpu_cores,
                100 * cell.machine_busy_fraction, 100 * cell.machine_iowait_fraction);
  }
  std::printf(
      "p50/p99: per Append call or INSERT, so per batch of %zu in the batched rows.\n"
      "proc cores: CPU of this process (our store; for PostgreSQL only its libpq "
      "clients).\ncpu, iowait: the whole machine (all %u cores, PostgreSQL's server "
      "included, and anything else running).\n",
      config.batch_events, machine.nproc);
  auto ratio_text = [](std::optional<double> ratio) {
    if (!ratio) return std::string("n/a");
    char text[32];
    std::snprintf(text, sizeof(text), "%.2fx", *ratio);
    return std::string(text);
  };
  std::printf("\nours/PostgreSQL: batched %s, single %s\n",
              ratio_text(Ratio(ours_batched, postgres_batched)).c_str(),
              ratio_text(Ratio(ours_single, postgres_single)).c_str());
  std::printf("\n%-32s %-12s %14s  %s\n", "target", "goal", "measured", "");
  for (const Target& target : targets) {
    std::string value = !target.value  ? "n/a"
                        : target.ratio ? ratio_text(target.value)
                                       : WithThousands(*target.value);
    std::printf("%-32s %-12s %14s  %s\n", target.name.c_str(), target.goal.c_str(), value.c_str(),
                !target.value  ? "not measured"
                : target.met() ? "met"
                               : "NOT MET");
  }
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

std::string JsonOptional(std::optional<double> value) {
  return value ? JsonNumber(*value) : "null";
}

Status WriteJson(const std::string& path, const BenchConfig& config, const MachineFacts& machine,
                 const std::optional<PostgresInfo>& postgres, const std::vector<Cell>& cells,
                 const std::vector<Target>& targets, std::optional<double> batched_ratio,
                 std::optional<double> single_ratio) {
  std::ostringstream json;
  json << "{\n  \"benchmark\": \"append\",\n";
  json << "  \"date_utc\": " << JsonString(machine.date_utc) << ",\n";
  json << "  \"machine\": {\"nproc\": " << machine.nproc
       << ", \"hostname\": " << JsonString(machine.hostname)
       << ", \"kernel\": " << JsonString(machine.kernel)
       << ", \"cpu_model\": " << JsonString(machine.cpu_model)
       << ", \"memory_bytes\": " << machine.memory_bytes
       << ", \"load_average\": " << JsonString(machine.load_average) << "},\n";
  json << "  \"config\": {\"warmup_seconds\": " << JsonNumber(config.warmup_seconds)
       << ", \"measure_seconds\": " << JsonNumber(config.measure_seconds)
       << ", \"batch_events\": " << config.batch_events
       << ", \"payload_bytes\": " << config.payload_bytes << ", \"streams\": " << config.streams
       << ", \"single_clients\": " << config.single_clients
       << ", \"client_streams\": " << config.client_streams
       << ", \"work_dir\": " << JsonString(config.work_dir) << "},\n";
  json << "  \"postgres\": ";
  if (postgres) {
    json << "{\"server_version\": " << JsonString(postgres->server_version)
         << ", \"fsync\": " << JsonString(postgres->fsync)
         << ", \"synchronous_commit\": " << JsonString(postgres->synchronous_commit)
         << ", \"wal_sync_method\": " << JsonString(postgres->wal_sync_method)
         << ", \"shared_buffers\": " << JsonString(postgres->shared_buffers)
         << ", \"max_wal_size\": " << JsonString(postgres->max_wal_size)
         << ", \"max_connections\": " << JsonString(postgres->max_connections) << "},\n";
  } else {
    json << "null,\n";
  }
  json << "  \"cells\": [\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    json << "    {\"workload\": " << JsonString(c.workload)
         << ", \"store\": " << JsonString(c.store) << ", \"ran\": " << (c.ran ? "true" : "false");
    if (c.ran) {
      json << ", \"clients\": " << c.clients << ", \"events_per_op\": " << c.events_per_op
           << ", \"ops_total\": " << c.ops_total << ", \"events_total\": " << c.events_total
           << ", \"ops_measured\": " << c.ops_measured
           << ", \"events_measured\": " << c.events_measured
           << ", \"seconds\": " << JsonNumber(c.seconds)
           << ", \"events_per_second\": " << JsonNumber(c.events_per_second)
           << ", \"latency_us_p50\": " << JsonNumber(c.latency_us_p50)
           << ", \"latency_us_p99\": " << JsonNumber(c.latency_us_p99)
           << ", \"latency_us_max\": " << JsonNumber(c.latency_us_max)
           << ", \"process_cpu_cores\": " << JsonNumber(c.process_cpu_cores)
           << ", \"machine_busy_fraction\": " << JsonNumber(c.machine_busy_fraction)
           << ", \"machine_iowait_fraction\": " << JsonNumber(c.machine_iowait_fraction);
    }
    json << "}" << (i + 1 < cells.size() ? "," : "") << "\n";
  }
  json << "  ],\n";
  json << "  \"ratios_ours_over_postgres\": {\"batched\": " << JsonOptional(batched_ratio)
       << ", \"single\": " << JsonOptional(single_ratio) << "},\n";
  json << "  \"targets\": [\n";
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    json << "    {\"name\": " << JsonString(t.name) << ", \"goal\": " << JsonString(t.goal)
         << ", \"threshold\": " << JsonNumber(t.threshold)
         << ", \"measured\": " << JsonOptional(t.value) << ", \"met\": "
         << (!t.value  ? "null"
             : t.met() ? "true"
                       : "false")
         << "}" << (i + 1 < targets.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";

  std::ofstream out(path, std::ios::trunc);
  out << json.str();
  out.close();
  if (!out) return Status::IoError("write " + path);
  return Status::Ok();
}

int Main(int argc, char** argv) {
  std::optional<BenchConfig> parsed = ParseFlags(argc, argv);
  if (!parsed) {
    Usage(stderr);
    return 2;
  }
  const BenchConfig& config = *parsed;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);

  const MachineFacts machine = ReadMachineFacts();
  const std::vector<std::string> payloads = MakePayloadPool(config.payload_bytes);
  const BatchedWorkload batched = MakeBatchedWorkload(config, payloads);
  const SingleWorkload single = MakeSingleWorkload(config, payloads);
  const bool with_postgres = config.run_postgres && !config.postgres_conninfo.empty();

  std::optional<PostgresInfo> postgres;
  if (with_postgres) {
    Result<PgConn> conn = PgConnect(config.postgres_conninfo);
    if (!conn.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", conn.status().ToString().c_str());
      return 1;
    }
    Result<PostgresInfo> info = ReadPostgresInfo(conn->get());
    if (!info.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", info.status().ToString().c_str());
      return 1;
    }
    postgres = std::move(info).value();
  }

  Cell ours_batched{"batched", "ours"};
  Cell postgres_batched{"batched", "postgres"};
  Cell ours_single{"single", "ours"};
  Cell postgres_single{"single", "postgres"};
  struct Step {
    Cell* cell;
    std::function<Result<Cell>()> run;
    bool wanted;
  };
  const Step steps[] = {
      {&ours_batched, [&] { return RunOursBatched(config, batched); },
       config.run_batched && config.run_ours},
      {&postgres_batched, [&] { return RunPostgresBatched(config, batched); },
       config.run_batched && with_postgres},
      {&ours_single, [&] { return RunOursSingle(config, single); },
       config.run_single && config.run_ours},
      {&postgres_single, [&] { return RunPostgresSingle(config, single); },
       config.run_single && with_postgres},
  };
  const auto cells_to_run = std::count_if(std::begin(steps), std::end(steps),
                                          [](const Step& step) { return step.wanted; });
  std::fprintf(
      stderr, "append_bench: %d cells, about %.0f s\n", static_cast<int>(cells_to_run),
      static_cast<double>(cells_to_run) * (config.warmup_seconds + config.measure_seconds));
  for (const Step& step : steps) {
    if (!step.wanted) continue;
    Result<Cell> cell = step.run();
    if (interrupted.load()) {
      std::fprintf(stderr, "append_bench: interrupted\n");
      return 130;
    }
    if (!cell.ok()) {
      std::fprintf(stderr, "append_bench: %s %s failed: %s\n", step.cell->workload.c_str(),
                   step.cell->store.c_str(), cell.status().ToString().c_str());
      return 1;
    }
    *step.cell = std::move(cell).value();
    PrintProgress(*step.cell);
  }

  const std::vector<Cell> cells = {ours_batched, postgres_batched, ours_single, postgres_single};
  const std::vector<Target> targets = EvaluateTargets(ours_batched, postgres_batched, ours_single,
                                                      postgres_single, config.single_clients);
  PrintTable(config, machine, postgres, cells, targets, ours_batched, postgres_batched, ours_single,
             postgres_single);
  if (!config.json_out.empty()) {
    Status written =
        WriteJson(config.json_out, config, machine, postgres, cells, targets,
                  Ratio(ours_batched, postgres_batched), Ratio(ours_single, postgres_single));
    if (!written.ok()) {
      std::fprintf(stderr, "append_bench: %s\n", written.ToString().c_str());
      return 1;
    }
    std::printf("\nwrote %s\n", config.json_out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Main(argc, argv); }
