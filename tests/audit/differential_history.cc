// Writes a random history into a real ledger for the differential test (run_differential): the
// property test's EventGenerator's events, appended to an EventStore on disk through the domain
// rules (LedgerDecider), some of them in all-or-nothing batches, with monthly seals of past
// months, events dated into sealed months, and policy changes. Refused requests leave no trace;
// their count by reason is printed, with the seed to reproduce the run.
//
//   differential_history --data DIR --events N --seed S
//   differential_history --forge --data DIR     (see Forge)
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "domain/civil_time.h"
#include "projections/ledger_node.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/event_generator.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kDayUs = 24 * 60 * kMinuteUs;
constexpr size_t kInFlightMax = 2000;  // below the store's queue bound

// Appends requests asynchronously, in order, at most kInFlightMax at a time, and tallies them.
class Appender {
 public:
  explicit Appender(EventStore& store) : store_(store) {}

  void Submit(std::vector<EventDraft> batch) {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return in_flight_ < kInFlightMax; });
    ++in_flight_;
    const size_t events = batch.size();
    lock.unlock();
    store_.AppendAsync(
        std::move(batch), [this, events](const Result<std::vector<AppendResult>>& r) {
          std::lock_guard done(mutex_);
          if (r.ok()) {
            accepted_ += events;
          } else {
            ++refused_[r.status().reason().empty() ? r.status().ToString() : r.status().reason()];
          }
          --in_flight_;
          idle_.notify_all();
        });
  }

  void Drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return in_flight_ == 0; });
  }

  void Print() const {
    std::printf("accepted events: %zu\nrefused requests by reason:\n", accepted_);
    for (const auto& [reason, count] : refused_)
      std::printf("  %-28s %zu\n", reason.c_str(), count);
  }

 private:
  EventStore& store_;
  std::mutex mutex_;
  std::condition_variable idle_;
  size_t in_flight_ = 0;
  size_t accepted_ = 0;
  std::map<std::string, size_t> refused_;
};

MonthKey PreviousMonth(MonthKey month) { return month % 100 == 1 ? month - 89 : month - 1; }

std::string PolicyFields(std::mt19937_64& random) {
  switch (random() % 4) {
    case 0: {
      const int64_t k = 1 + static_cast<int64_t>(random() % 20);
      return "star_thresholds_hours: [" + std::to_string(k) + ", " + std::to_string(3 * k) + ", " +
             std::to_string(6 * k) + ", " + std::to_string(10 * k) + ", " + std::to_string(15 * k) +
             "]";
    }
    case 1:
      return "credit_value_fen_per_hour: " + std::to_string(500 + random() % 4000);
    case 2:
      return "star_bonus_bp: [0, 100, 500, " + std::to_string(random() % 3000) + ", 1500, 2000]";
    default:
      return "cash_redemption_monthly_cap_fen: " +
             std::to_string(random() % 3 == 0 ? 0 : 2000 + random() % 20000);
  }
}

// Events the property test's generator does not make, so that their rules meet the others:
// expenses of every category naming a purpose (overhead must not draw on it), trainings,
// activities, pairings and, rarely, deactivations.
std::pair<std::string, std::string> ExtraEvent(std::mt19937_64& random, int64_t n) {
  auto pick = [&](const char* prefix, int pool) {
    return "\"" + std::string(prefix) + std::to_string(random() % pool) + "\"";
  };
  static const char* kCategories[] = {"materials", "management", "training", "activity"};
  switch (random() % 8) {
    case 0:
    case 1:
    case 2:
      return {"ExpenseRecorded",
              "expense_id: \"xe" + std::to_string(n) + "\", fund_id: " + pick("f", 3) +
                  ", category: " + kCategories[random() % 4] + ", purpose: " + pick("purpose", 3) +
                  ", amount_fen: " + std::to_string(1 + random() % 20000)};
    case 3:
      return {"TrainingCompleted",
              "training_id: \"tr" + std::to_string(n) + "\", member_id: " + pick("v", 40) +
                  ", course: \"c\", minutes: " + std::to_string(random() % 600)};
    case 4:
      return {"ActivityHeld", "activity_id: \"a" + std::to_string(n) +
                                  "\", branch_id: " + pick("b", 3) +
                                  ", title: \"t\", date: \"2026-03-01\", beneficiaries: " +
                                  std::to_string(random() % 50)};
    case 5:
    case 6:
      return {"PairingFormed", "pairing_id: \"pr" + std::to_string(n) + "\", volunteer_id: " +
                                   pick("v", 40) + ", elder_id: " + pick("e", 40)};
    default:
      if (random() % 10 == 0) {
        return {"MemberDeactivated", "member_id: " + pick("v", 40) + ", reason: \"moved\""};
      }
      return {"PairingEnded",
              "pairing_id: \"pr" + std::to_string(random() % (n + 1)) + "\", reason: \"r\""};
  }
}

int Run(const std::string& dir, int64_t events, uint64_t seed) {
  std::printf("differential history: %ld events, seed %lu\n", events, seed);
  std::filesystem::create_directories(dir);
  auto key = SigningKey::LoadOrCreate(dir + "/signing.key");
  if (!key.ok()) return std::fprintf(stderr, "%s\n", key.status().ToString().c_str()), 1;
  LedgerNodeOptions options;
  options.data_dir = dir;
  options.signing_key = *key;
  auto node = LedgerNode::Open(options);
  if (!node.ok()) return std::fprintf(stderr, "%s\n", node.status().ToString().c_str()), 1;
  Appender appender((*node)->store());
  testing::EventGenerator generator(seed);
  std::mt19937_64 noise(seed ^ 0x5eed5eedULL);
  const int64_t base = testing::BeijingUs(2026, 1, 1);
  MonthKey last_month = MonthOfInstant(base);
  // Volunteers whose service comes in whole hours, so that they land exactly on star thresholds
  // (whole hours too): the boundary of every star rule is met, not just passed.
  appender.Submit(
      {testing::Draft("whole-branch", "BranchOpened", "branch_id: \"bw\", name: \"w\"", base)});
  for (int w = 0; w < 10; ++w) {
    appender.Submit({testing::Draft("whole-member-" + std::to_string(w), "MemberRegistered",
                                    "member_id: \"w" + std::to_string(w) +
                                        "\", kind: volunteer, branch_id: \"bw\", name: \"w\"",
                                    base)});
  }
  for (int64_t i = 0; i < events;) {
    int64_t at = base + i * 3 * kMinuteUs;  // 20,000 events span six weeks
    if (const MonthKey month = MonthOfInstant(at); month != last_month) {
      for (const char* branch : {"b0", "b1"}) {  // b2 is never sealed
        const std::string fields = "branch_id: \"" + std::string(branch) + "\", month: \"" +
                                   FormatMonth(last_month) + "\"";
        appender.Submit(
            {testing::Draft("seal-" + std::string(branch) + "-" + FormatMonth(last_month),
                            "MonthlyReportSealed", fields, at)});
      }
      // The whole programme's month before (branchless funds and b2 too), a month later than
      // the branches', and head office's receipt of its filing.
      const std::string before = FormatMonth(PreviousMonth(last_month));
      appender.Submit({testing::Draft("seal-programme-" + before, "MonthlyReportSealed",
                                      "month: \"" + before + "\"", at),
                       testing::Draft("filing-" + before, "FilingAcknowledged",
                                      "month: \"" + before + "\", receipt_ref: \"总行\"", at)});
      last_month = month;
    }
    if (noise() % 30 == 0) at -= 35 * kDayUs;  // into a month that may be sealed
    if (noise() % 400 == 0) {
      appender.Submit(
          {testing::Draft("policy-" + std::to_string(i), "PolicySet", PolicyFields(noise), at)});
    }
    if (noise() % 15 == 0) {
      const std::string service = "ws" + std::to_string(i);
      const std::string volunteer = "w" + std::to_string(noise() % 10);
      std::string logged = "service_id: \"" + service;
      logged += "\", volunteer_id: \"" + volunteer;
      logged += "\", kind: errand, minutes: 60";
      std::string verified = "service_id: \"" + service;
      verified += "\", confirmed_by: \"e\"";
      appender.Submit({testing::Draft(service + "-log", "ServiceLogged", logged, at),
                       testing::Draft(service + "-verify", "ServiceVerified", verified, at)});
      if (noise() % 4 == 0) {
        std::string redeemed = "redemption_id: \"" + service;
        redeemed += "-r\", member_id: \"" + volunteer;
        redeemed += "\", minutes: 45, reward: cash, fund_id: \"f" + std::to_string(noise() % 3);
        redeemed += "\"";
        appender.Submit({testing::Draft(service + "-redeem", "RedemptionMade", redeemed, at)});
      }
    }
    if (noise() % 25 == 0) {
      auto [type, fields] = ExtraEvent(noise, i);
      appender.Submit({testing::Draft("extra-" + std::to_string(i), type, fields, at)});
    }
    const size_t batch_size = noise() % 20 == 0 ? 2 + noise() % 3 : 1;
    std::vector<EventDraft> batch;
    for (size_t k = 0; k < batch_size && i < events; ++k, ++i) {
      const testing::EventGenerator::Event event = generator.Next();
      batch.push_back(testing::Draft(event.id, event.type, event.fields, at));
    }
    appender.Submit(std::move(batch));
  }
  appender.Drain();
  appender.Print();
  std::printf("head: %lu\n", (*node)->store().GetHead().next.value);
  return 0;
}

// A log the rules did not write (`--forge`): the store without its decider takes a management
// expense paid from money restricted to "aid" (docs/rules.md, section 7). An auditor must refuse
// the event at position 4 and name the rule.
struct Forged {
  const char* stream;
  const char* type;
  const char* fields;
};

// A management expense paid from money given for `aid` (position 4): the rules refuse it.
constexpr Forged kRestrictedExpense[] = {
    {"branch-b0", "BranchOpened", "branch_id: \"b0\", name: \"n\""},
    {"partner-p0", "PartnerRegistered", "partner_id: \"p0\", name: \"n\", kind: enterprise"},
    {"fund-f0", "FundOpened", "fund_id: \"f0\", name: \"n\", branch_id: \"b0\""},
    {"fund-f0", "DonationReceived",
     "donation_id: \"d0\", partner_id: \"p0\", fund_id: \"f0\", amount_fen: 1000, kind: cash, "
     "restricted_to: \"aid\""},
    {"fund-f0", "ExpenseRecorded",
     "expense_id: \"x0\", fund_id: \"f0\", category: management, purpose: \"aid\", "
     "amount_fen: 400"},
};

// Credits given (position 5) to a volunteer who is no relative: as a log recorded before
// not_a_relative existed, it replays; only the rules of admission refuse it.
constexpr Forged kGiftToStranger[] = {
    {"branch-b0", "BranchOpened", "branch_id: \"b0\", name: \"n\""},
    {"member-v0", "MemberRegistered",
     "member_id: \"v0\", kind: volunteer, branch_id: \"b0\", name: \"n\""},
    {"member-v1", "MemberRegistered",
     "member_id: \"v1\", kind: volunteer, branch_id: \"b0\", name: \"n\""},
    {"member-v0", "ServiceLogged",
     "service_id: \"s0\", volunteer_id: \"v0\", kind: errand, minutes: 60"},
    {"member-v0", "ServiceVerified", "service_id: \"s0\", confirmed_by: \"王主任\""},
    {"member-v0", "CreditsTransferred",
     "transfer_id: \"t0\", from_member_id: \"v0\", to_member_id: \"v1\", minutes: 30"},
};

template <size_t N>
int Forge(const std::string& dir, const Forged (&history)[N]) {
  std::filesystem::create_directories(dir);
  if (auto key = SigningKey::LoadOrCreate(dir + "/signing.key"); !key.ok()) {
    return std::fprintf(stderr, "%s\n", key.status().ToString().c_str()), 1;
  }
  EventStoreOptions options;
  options.path = dir;  // no decider: every well-formed event is taken
  auto store = EventStore::Open(options);
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;
  int n = 0;
  for (const Forged& e : history) {
    EventDraft draft = testing::Draft("forged-" + std::to_string(n++), e.type, e.fields,
                                      testing::BeijingUs(2026, 3, 2));
    draft.stream = e.stream;
    if (auto appended = (*store)->Append({std::move(draft)}); !appended.ok()) {
      return std::fprintf(stderr, "%s\n", appended.status().ToString().c_str()), 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  std::string dir;
  int64_t events = 20000;
  uint64_t seed =
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  const char* forge = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--forge" || flag == "--forge-gift") {
      forge = argv[i];
      continue;
    }
    if (i + 1 == argc) break;
    if (flag == "--data") dir = argv[i + 1];
    if (flag == "--events") events = std::atoll(argv[i + 1]);
    if (flag == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    ++i;
  }
  if (dir.empty()) {
    std::fprintf(stderr,
                 "usage: differential_history --data DIR [--events N] [--seed S] | "
                 "--forge|--forge-gift --data DIR\n");
    return 2;
  }
  if (forge != nullptr && std::string(forge) == "--forge") {
    return ledger::Forge(dir, ledger::kRestrictedExpense);
  }
  if (forge != nullptr) return ledger::Forge(dir, ledger::kGiftToStranger);
  return ledger::Run(dir, events, seed);
}
