// replay_bench: how fast the projections are rebuilt from the log.
//
// What it measures. A generated ledger of `--events` (default 5,000,000) events with a realistic
// mix (per 100 events about 35 services logged, 30 verified, 2 rejected, 8 donations, 5 sales,
// 8 aid payments, 3 expenses, 4 redemptions, 2 trainings, 1 credit gift, 1 activity, 1
// reversal; 40,000 members in two branches, 200 partners, 4 funds) is written to a RocksDB data
// directory once and kept under `--work_dir` for later runs. Every event is checked against the
// ledger rules while it is generated, so the log is one the real decider would have written.
// Then, timed:
//   1. scan: read every event from the log, decode its envelope and re-hash the chain;
//   2. replay: scan and apply every event to an in-memory LedgerState (no row writes);
//   3. rebuild: `Projector::Rebuild`, what `ledgerctl rebuild` does: scan, apply, and write the
//      changed rows with checkpoints into a fresh read model.
// Each prints events/s and the CPU time per event of all the process's threads (which compares
// between runs on a loaded machine). Targets (issue 17): replay >= 1,000,000 events/s, rebuild
// >= 500,000 events/s on this machine.
//
// How to run: `scripts/bench replay` (Release build). Standalone:
//   build/release/benchmarks/replay_bench --work_dir=DIR [--events=N] [--json_out=FILE]
//       [--steps=scan,replay,rebuild]   (a subset, e.g. to profile one step)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/bench_support.h"
#include "domain/event_payload.h"
#include "domain/ledger_state.h"
#include "eventstore/event_store.h"
#include "eventstore/ledger_replay.h"
#include "projections/projector.h"

namespace ledger {
namespace {

constexpr int kGeneratorVersion = 1;
constexpr int kMembersDefault = 40000;  // half volunteers, half elders
constexpr int kPartners = 200;
constexpr int kFunds = 4;
constexpr size_t kAppendBatchEvents = 1000;

using Builder = flatbuffers::FlatBufferBuilder;

template <typename T>
std::string Finish(Builder& b, events::Data type, flatbuffers::Offset<T> data) {
  b.Finish(events::CreateEventData(b, type, data.Union()));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

// Generates valid events: each candidate is executed against the generator's own LedgerState
// and kept only if the rules accept it.
class LedgerGenerator {
 public:
  // `members` members, half volunteers and half elders, registered first.
  LedgerGenerator(uint64_t seed, int members)
      : members_per_kind_(members / 2),
        setup_steps_(2 + 2 * members_per_kind_ + kPartners + kFunds),
        random_(seed) {}

  // Appends the next accepted event to `batch`.
  void Next(std::vector<EventDraft>& batch) {
    while (true) {
      std::string payload = Candidate();
      if (TryAccept(std::move(payload), batch)) return;
    }
  }

  uint64_t accepted() const { return position_; }

 private:
  std::string Volunteer(int branch) {
    return "v" + std::to_string(Pick(members_per_kind_ / 2) * 2 + branch);
  }
  std::string Elder(int branch) {
    return "e" + std::to_string(Pick(members_per_kind_ / 2) * 2 + branch);
  }
  uint64_t Pick(uint64_t n) { return random_() % n; }

  std::string Candidate() {
    Builder b(512);
    const uint64_t n = counter_++;
    if (setup_step_ < setup_steps_) return Setup(b);
    const int branch = static_cast<int>(Pick(2));
    const uint64_t dice = Pick(100);
    if (dice < 35) {
      const std::string id = "s" + std::to_string(n);
      pending_.push_back(id);
      return Finish(b, events::Data::ServiceLogged,
                    events::CreateServiceLoggedDirect(
                        b, id.c_str(), Volunteer(branch).c_str(), events::ServiceKind::home_visit,
                        now_us_, static_cast<int32_t>(30 + Pick(150)), Elder(branch).c_str()));
    }
    if (dice < 67 && !pending_.empty()) {
      const size_t i = Pick(pending_.size());
      std::string id = pending_[i];
      pending_[i] = pending_.back();
      pending_.pop_back();
      if (dice < 65) {
        verified_.push_back("ev" + std::to_string(n));
        return Finish(b, events::Data::ServiceVerified,
                      events::CreateServiceVerifiedDirect(b, id.c_str(), "elder", 5));
      }
      return Finish(b, events::Data::ServiceRejected,
                    events::CreateServiceRejectedDirect(b, id.c_str(), "no show"));
    }
    const std::string fund = "f" + std::to_string(Pick(kFunds));
    const std::string partner = "p" + std::to_string(Pick(kPartners));
    if (dice < 75) {
      const std::string id = "d" + std::to_string(n);
      return Finish(b, events::Data::DonationReceived,
                    events::CreateDonationReceivedDirect(
                        b, id.c_str(), partner.c_str(), fund.c_str(),
                        static_cast<int64_t>(10000 + Pick(1000000)), events::DonationKind::cash,
                        Pick(2) ? "elder_aid" : nullptr, "agreement"));
    }
    if (dice < 80) {
      const std::string id = "sale" + std::to_string(n);
      return Finish(
          b, events::Data::SaleRecorded,
          events::CreateSaleRecordedDirect(
              b, id.c_str(), fund.c_str(), "便民服务挂袋", events::SaleCategory::patent_product,
              static_cast<int32_t>(1 + Pick(50)), 1800, events::SaleChannel::enterprise_purchase,
              partner.c_str(), Volunteer(branch).c_str(), 1000));
    }
    if (dice < 88) {
      const std::string id = "x" + std::to_string(n);
      disbursements_.push_back("ev" + std::to_string(n));
      return Finish(b, events::Data::DisbursementMade,
                    events::CreateDisbursementMadeDirect(b, id.c_str(), fund.c_str(), "elder_aid",
                                                         static_cast<int64_t>(1000 + Pick(50000)),
                                                         Elder(branch).c_str()));
    }
    if (dice < 91) {
      const std::string id = "x" + std::to_string(n);
      return Finish(b, events::Data::ExpenseRecorded,
                    events::CreateExpenseRecordedDirect(b, id.c_str(), fund.c_str(),
                                                        events::ExpenseCategory::materials,
                                                        static_cast<int64_t>(100 + Pick(5000))));
    }
    if (dice < 95) {
      const std::string id = "r" + std::to_string(n);
      const bool cash = Pick(2);
      return Finish(b, events::Data::RedemptionMade,
                    events::CreateRedemptionMadeDirect(
                        b, id.c_str(), Volunteer(branch).c_str(), 60,
                        cash ? events::RewardKind::cash : events::RewardKind::training,
                        cash ? fund.c_str() : nullptr, cash ? nullptr : "护理"));
    }
    if (dice < 97) {
      const std::string id = "t" + std::to_string(n);
      return Finish(b, events::Data::TrainingCompleted,
                    events::CreateTrainingCompletedDirect(b, id.c_str(), Volunteer(branch).c_str(),
                                                          "急救", 120));
    }
    if (dice < 98) {
      const std::string id = "g" + std::to_string(n);
      return Finish(b, events::Data::CreditsTransferred,
                    events::CreateCreditsTransferredDirect(b, id.c_str(), Volunteer(branch).c_str(),
                                                           Elder(branch).c_str(), 30));
    }
    if (dice < 99) {
      const std::string id = "a" + std::to_string(n);
      return Finish(b, events::Data::ActivityHeld,
                    events::CreateActivityHeldDirect(b, id.c_str(), branch ? "b1" : "b0", "重阳节",
                                                     "2026-10-29", 20, 35));
    }
    std::vector<std::string>& pool =
        Pick(2) && !disbursements_.empty() ? disbursements_ : verified_;
    const std::string target = pool.empty() ? "none" : pool[Pick(pool.size())];
    const std::string id = "rv" + std::to_string(n);
    return Finish(b, events::Data::EventReversed,
                  events::CreateEventReversedDirect(b, id.c_str(), target.c_str(), "correction"));
  }

  std::string Setup(Builder& b) {
    const int step = setup_step_++;
    if (step < 2) {
      const std::string id = "b" + std::to_string(step);
      return Finish(
          b, events::Data::BranchOpened,
          events::CreateBranchOpenedDirect(b, id.c_str(), step ? "高丽营镇" : "石园街道"));
    }
    int i = step - 2;
    if (i < 2 * members_per_kind_) {
      const bool elder = i >= members_per_kind_;
      const int k = i % members_per_kind_;
      const std::string id = (elder ? "e" : "v") + std::to_string(k);
      const std::string branch = "b" + std::to_string(k % 2);
      return Finish(
          b, events::Data::MemberRegistered,
          events::CreateMemberRegisteredDirect(
              b, id.c_str(), elder ? events::MemberKind::elder : events::MemberKind::volunteer,
              branch.c_str()));
    }
    i -= 2 * members_per_kind_;
    if (i < kPartners) {
      const std::string id = "p" + std::to_string(i);
      return Finish(b, events::Data::PartnerRegistered,
                    events::CreatePartnerRegisteredDirect(b, id.c_str(), "企业",
                                                          events::PartnerKind::enterprise));
    }
    i -= kPartners;
    const std::string id = "f" + std::to_string(i);
    const std::string branch = "b" + std::to_string(i % 2);
    return Finish(
        b, events::Data::FundOpened,
        events::CreateFundOpenedDirect(b, id.c_str(), "长者困济帮扶基金", branch.c_str()));
  }

  bool TryAccept(std::string payload, std::vector<EventDraft>& batch) {
    const events::EventData* data = VerifyEventData(payload);
    if (data == nullptr) std::abort();
    EventDraft draft;
    draft.id = "ev" + std::to_string(counter_ - 1);
    draft.type = std::string(EventTypeName(data->data_type()));
    draft.stream = state_.StreamOf(*data);
    draft.occurred_at_us = now_us_;
    draft.actor = "bench";
    const EventMeta meta{position_, EventRef(draft.id), draft.stream, now_us_, {}};
    const Execution execution = state_.Execute(meta, *data);
    if (execution.outcome != Outcome::kOk) return false;
    draft.payload = execution.computed_amount_fen
                        ? WithRedemptionAmount(*data->data_as_RedemptionMade(),
                                               execution.computed_amount_fen->value)
                        : std::move(payload);
    batch.push_back(std::move(draft));
    ++position_;
    now_us_ += 1'000'000;
    return true;
  }

  const int members_per_kind_;
  const int setup_steps_;
  std::mt19937_64 random_;
  LedgerState state_;
  uint64_t counter_ = 0;
  uint64_t position_ = 0;
  int setup_step_ = 0;
  int64_t now_us_ = 1'767'196'800'000'000;  // 2026-01-01 00:00 Beijing
  std::vector<std::string> pending_, verified_, disbursements_;
};

using bench::Flag;
using bench::SecondsSince;

// CPU seconds this process has used (every thread, user and system): a step's figure still
// compares between runs on a loaded machine, where its wall time does not.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of the calling thread: in a replay, the thread that applies the events.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

[[noreturn]] void Die(const Status& status, const char* what) {
  bench::Die("replay_bench", status, what);
}

int Main(int argc, char** argv) {
  const std::string work_dir = Flag(argc, argv, "work_dir", "");
  const uint64_t events = std::stoull(Flag(argc, argv, "events", "5000000"));
  const int members = std::stoi(Flag(argc, argv, "members", std::to_string(kMembersDefault)));
  const std::string json_out = Flag(argc, argv, "json_out", "");
  const std::string steps = Flag(argc, argv, "steps", "scan,replay,rebuild");
  auto step = [&](const char* name) { return steps.find(name) != std::string::npos; };
  if (work_dir.empty()) {
    std::fprintf(stderr, "usage: replay_bench --work_dir=DIR [--events=N] [--json_out=FILE]\n");
    return 2;
  }
  // The default member count keeps the directory name it had before --members.
  const std::string data = work_dir + "/replay-" + std::to_string(events) +
                           (members == kMembersDefault ? "" : "-m" + std::to_string(members)) +
                           "-v" + std::to_string(kGeneratorVersion);
  const std::string complete_marker = data + "/GENERATED";

  EventStoreOptions options;
  options.path = data;
  double generate_seconds = 0, append_seconds = 0;
  if (!std::filesystem::exists(complete_marker)) {
    std::filesystem::remove_all(data);
    std::filesystem::create_directories(data);
    std::printf("generating %lu events into %s (once; later runs reuse it) ...\n", events,
                data.c_str());
    std::fflush(stdout);
    auto store = EventStore::Open(options);
    if (!store.ok()) Die(store.status(), "open");
    LedgerGenerator generator(20261129, members);
    const auto start = std::chrono::steady_clock::now();
    std::vector<EventDraft> batch;
    while (generator.accepted() < events) {
      batch.clear();
      while (batch.size() < kAppendBatchEvents && generator.accepted() < events) {
        generator.Next(batch);
      }
      const auto append_start = std::chrono::steady_clock::now();
      auto result = (*store)->Append(std::move(batch));
      append_seconds += SecondsSince(append_start);
      if (!result.ok()) Die(result.status(), "append");
      batch = {};
    }
    generate_seconds = SecondsSince(start);
    // The append rate stays with the ledger, for the runs that reuse it (scripts/bench scale).
    std::ofstream(complete_marker) << events << " " << events / append_seconds << "\n";
    std::printf("generated in %.1f s, of which %.1f s appending (%.0f events/s)\n",
                generate_seconds, append_seconds, events / append_seconds);
  }

  options.verify_whole_chain_on_open = false;
  auto store = EventStore::Open(options);
  if (!store.ok()) Die(store.status(), "open");
  const uint64_t head = (*store)->GetHead().next.value;

  // 1. scan + re-hash
  double scan_rate = 0, scan_seconds = 0, scan_cpu = 0;
  if (step("scan")) {
    const double cpu_start = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    uint64_t scanned = 0;
    const Hash zero{};
    Status status = (*store)->Scan(Position{0}, Position{head}, &zero, [&](const StoredEvent&) {
      ++scanned;
      return true;
    });
    if (!status.ok()) Die(status, "scan");
    scan_seconds = SecondsSince(start);
    scan_cpu = CpuSeconds() - cpu_start;
    scan_rate = scanned / scan_seconds;
  }

  // 2. replay in memory
  double replay_rate = 0, replay_seconds = 0, replay_cpu = 0, apply_cpu = 0;
  LedgerState state;
  bench::HeapFigures state_heap;
  if (step("replay")) {
    const bench::HeapFigures before = bench::Heap();
    const double cpu_start = CpuSeconds();
    const double apply_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    auto replayed = ReplayInto(**store, Position{0}, state);
    apply_cpu = ThreadCpuSeconds() - apply_start;
    if (!replayed.ok()) Die(replayed.status(), "replay");
    replay_seconds = SecondsSince(start);
    replay_cpu = CpuSeconds() - cpu_start;
    replay_rate = head / replay_seconds;
    state_heap = bench::Heap() - before;
  }

  // 3. rebuild the read model
  double rebuild_rate = 0, rebuild_seconds = 0, rebuild_cpu = 0;
  if (step("rebuild")) {
    auto rows = (*store)->OpenReadModel("bench_rebuild");
    if (!rows.ok()) Die(rows.status(), "read model");
    const double cpu_start = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    auto rebuilt = Projector::Rebuild(**store, **rows);
    if (!rebuilt.ok()) Die(rebuilt.status(), "rebuild");
    rebuild_seconds = SecondsSince(start);
    rebuild_cpu = CpuSeconds() - cpu_start;
    rebuild_rate = *rebuilt / rebuild_seconds;
  }
  std::printf("\nreplay benchmark: %lu events (%u cores)\n", head,
              std::thread::hardware_concurrency());
  std::printf("%-34s %12s %10s\n", "step", "events/s", "seconds");
  std::printf("%-34s %12.0f %10.2f\n", "scan + re-hash chain", scan_rate, scan_seconds);
  std::printf("%-34s %12.0f %10.2f\n", "replay into memory (no writes)", replay_rate,
              replay_seconds);
  std::printf("%-34s %12.0f %10.2f\n", "rebuild read model (ledgerctl)", rebuild_rate,
              rebuild_seconds);
  auto per_event_us = [&](double cpu) { return head == 0 ? 0.0 : cpu * 1e6 / head; };
  std::printf("CPU per event (all threads): scan %.2f us, replay %.2f us, rebuild %.2f us\n",
              per_event_us(scan_cpu), per_event_us(replay_cpu), per_event_us(rebuild_cpu));
  std::printf("CPU per event of the replay's applying thread (LedgerState::Execute): %.2f us\n",
              per_event_us(apply_cpu));
  std::printf("targets (issue 17): replay >= 1,000,000 events/s: %s; rebuild >= 500,000: %s\n",
              replay_rate >= 1e6 ? "met" : "NOT MET", rebuild_rate >= 5e5 ? "met" : "NOT MET");
  std::printf("members %zu, services %zu, funds %zu, sources %zu, outflows %zu, reports %zu\n",
              state.members().size(), state.services().size(), state.funds().size(),
              state.sources().size(), state.outflows().size(), state.reports().size());
  std::printf("one replayed LedgerState: %.1f MB heap in use (%.0f bytes/event)\n",
              state_heap.in_use_bytes / 1e6,
              head == 0 ? 0.0 : static_cast<double>(state_heap.in_use_bytes) / head);
  if (!json_out.empty()) {
    std::ofstream json(json_out);
    json << "{\"events\":" << head << ",\"members\":" << state.members().size()
         << ",\"append_events_per_second\":" << (append_seconds > 0 ? events / append_seconds : 0)
         << ",\"state_heap_bytes\":" << state_heap.in_use_bytes
         << ",\"replay_seconds\":" << replay_seconds << ",\"scan_events_per_second\":" << scan_rate
         << ",\"replay_events_per_second\":" << replay_rate
         << ",\"rebuild_events_per_second\":" << rebuild_rate
         << ",\"rebuild_seconds\":" << rebuild_seconds << ",\"scan_cpu_seconds\":" << scan_cpu
         << ",\"replay_cpu_seconds\":" << replay_cpu << ",\"apply_cpu_seconds\":" << apply_cpu
         << ",\"rebuild_cpu_seconds\":" << rebuild_cpu
         << ",\"target_events_per_second\":1000000,\"rebuild_target_events_per_second\":500000}\n";
  }
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Main(argc, argv); }
