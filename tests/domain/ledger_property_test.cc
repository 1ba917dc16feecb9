// Property test: long random sequences of valid and invalid events keep the ledger's invariants,
// and journaled batches that are rolled back leave no trace. Seed: LEDGER_PROPERTY_SEED (default:
// time), printed; events: LEDGER_PROPERTY_EVENTS (default 120,000).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <random>

#include "domain/ledger_state.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/event_generator.h"

namespace ledger {
namespace {

using testing::BeijingUs;
using testing::EventGenerator;
using testing::LedgerDriver;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoll(value) : fallback;
}

// Checks every invariant over the whole state; returns the first violation, or "".
std::string CheckInvariants(const LedgerState& state) {
  for (const auto& [id, member] : state.members()) {
    if (member.credit_minutes < Minutes{}) return "member " + id.str() + " has negative credits";
    if (member.pending_minutes < Minutes{})
      return "member " + id.str() + " has negative pending minutes";
    if (member.star != state.policy().StarFor(member.verified_minutes)) {
      return "member " + id.str() + " has a stale star";
    }
  }
  // verified minutes = sum of verified services (reversed ones are no longer verified)
  std::map<MemberId, Minutes> verified;
  for (const auto& [id, service] : state.services()) {
    if (service.status == ServiceStatus::kVerified)
      verified[service.volunteer_id] += Minutes{service.minutes};
  }
  for (const auto& [id, member] : state.members()) {
    if (member.verified_minutes != verified[id])
      return "member " + id.str() + " verified minutes drift";
  }
  for (const auto& [id, fund] : state.funds()) {
    if (fund.balance_fen < Fen{}) return "fund " + id.str() + " is negative";
    if (fund.unrestricted_fen < Fen{}) return "fund " + id.str() + " unrestricted pool is negative";
    if (fund.inflow_fen - fund.outflow_fen != fund.balance_fen) {
      return "fund " + id.str() + ": inflow - outflow != balance";
    }
    Fen earmarked;
    for (const auto& [purpose, balance] : fund.earmarks_fen) {
      if (balance < Fen{}) return "fund " + id.str() + " earmark " + purpose + " is negative";
      earmarked += balance;
    }
    if (earmarked + fund.unrestricted_fen != fund.balance_fen) {
      return "fund " + id.str() + ": earmarks + unrestricted != balance";
    }
    Fen channels;
    for (Fen c : fund.inflow_by_channel_fen) channels += c;
    if (channels != fund.inflow_fen) return "fund " + id.str() + ": channels do not sum to inflow";
  }
  std::map<SourceId, Fen> used_by_source;
  for (const auto& [id, outflow] : state.outflows()) {
    Fen allocated;
    for (const Allocation& a : outflow.sources) allocated += a.amount_fen;
    if (allocated != outflow.amount_fen) return "outflow " + id.str() + ": allocations != amount";
    if (!outflow.reversed) {
      for (const Allocation& a : outflow.sources) used_by_source[a.source_id] += a.amount_fen;
    }
  }
  // Goods in kind: never money (no uses, nothing remaining), stock never below zero, and a fund's
  // goods are the sum of its in-kind donations' items.
  std::map<FundId, std::map<std::string, std::pair<int64_t, int64_t>>> goods_by_fund;
  for (const auto& [id, source] : state.sources()) {
    if (!source.in_kind) continue;
    if (!source.uses.empty() || source.remaining_fen != Fen{}) {
      return "in-kind source " + id.str() + " holds money";
    }
    if (source.reversed) continue;
    for (const GoodsItem& item : source.items) {
      if (item.distributed < 0 || item.distributed > item.quantity) {
        return "in-kind source " + id.str() + ": stock of " + item.name + " out of range";
      }
      auto& [received, distributed] = goods_by_fund[source.fund_id][item.name + "\n" + item.unit];
      received += item.quantity;
      distributed += item.distributed;
    }
  }
  for (const auto& [id, fund] : state.funds()) {
    std::map<std::string, std::pair<int64_t, int64_t>> listed;
    for (const auto& [key, goods] : fund.goods) listed[key] = {goods.received, goods.distributed};
    if (listed != goods_by_fund[id]) return "fund " + id.str() + ": goods disagree with donations";
  }
  for (const auto& [id, source] : state.sources()) {
    if (source.in_kind) continue;
    if (source.remaining_fen < Fen{}) return "source " + id.str() + " is negative";
    Fen uses;
    for (const Use& use : source.uses) uses += use.amount_fen;
    if (uses != used_by_source[id]) return "source " + id.str() + ": uses disagree with outflows";
    if (!source.reversed && uses + source.remaining_fen != source.amount_fen) {
      return "source " + id.str() + ": allocated + remaining != amount";
    }
  }
  // A request lists exactly the services naming it; a resolved one has a verified visit.
  for (const auto& [id, request] : state.requests()) {
    bool verified_visit = false;
    for (const ServiceId& service_id : request.service_ids) {
      const Service* service = state.FindService(service_id);
      if (service == nullptr || service->request_id != id) {
        return "request " + id.str() + " lists a service that does not name it";
      }
      verified_visit = verified_visit || service->status == ServiceStatus::kVerified;
    }
    const bool resolved = request.status == RequestStatus::kResolved;
    if (resolved != (request.resolved_at_us != 0) && request.requested_at_us != 0) {
      return "request " + id.str() + " has a resolution time without being resolved";
    }
    if (resolved && !verified_visit) return "request " + id.str() + " resolved without a visit";
    if ((request.status == RequestStatus::kOpen) != request.volunteer_id.empty() &&
        request.status != RequestStatus::kCancelled) {
      return "request " + id.str() + " is assigned without a volunteer, or open with one";
    }
  }
  for (const auto& [id, service] : state.services()) {
    if (service.request_id.empty()) continue;
    const ServiceRequest* request = state.FindRequest(service.request_id);
    if (request == nullptr || std::find(request->service_ids.begin(), request->service_ids.end(),
                                        id) == request->service_ids.end()) {
      return "service " + id.str() + " names a request that does not list it";
    }
  }
  return "";
}

TEST(LedgerPropertyTest, RandomHistoriesKeepInvariantsAndRollbackLeavesNoTrace) {
  const int64_t events = EnvInt("LEDGER_PROPERTY_EVENTS", 120000);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("LEDGER_PROPERTY_SEED", std::time(nullptr)));
  std::printf("property test: %ld events, seed %lu (rerun with LEDGER_PROPERTY_SEED=%lu)\n", events,
              seed, seed);
  EventGenerator generator(seed);
  LedgerDriver main_line;  // executes every event once
  LedgerDriver noisy;      // the same, plus rolled-back batches in between
  std::map<std::string, int> outcomes;
  std::mt19937_64 noise(seed ^ 0x9e3779b97f4a7c15ULL);
  main_line.state().TrackChanges(true);
  for (int64_t i = 0; i < events; ++i) {
    main_line.now_us = noisy.now_us = BeijingUs(2026, 1, 1) + i * 60'000'000LL;
    const EventGenerator::Event event = generator.Next();
    const std::string outcome = main_line.RunWithId(event.id, event.type, event.fields);
    ++outcomes[outcome];
    if (noise() % 50 == 0) {
      // A batch that a later event refuses: all of it must be undone.
      noisy.state().Begin();
      for (int k = 0; k < 3; ++k) {
        const EventGenerator::Event extra = generator.Next();
        noisy.RunWithId("noise-" + extra.id, extra.type, extra.fields);
      }
      noisy.state().Rollback();
    }
    ASSERT_EQ(noisy.RunWithId(event.id, event.type, event.fields), outcome) << "event " << i;
    if (i % 4000 == 0 || i == events - 1) {
      const std::string violation = CheckInvariants(main_line.state());
      ASSERT_EQ(violation, "") << "after event " << i << " (" << event.type << ")";
    }
  }
  EXPECT_TRUE(main_line.state() == noisy.state()) << "a rolled-back batch left a trace";
  // The persisted rows of everything ever changed rebuild the same state.
  LedgerState loaded;
  for (const auto& [table, key] : main_line.state().TakeChanges()) {
    if (std::optional<std::string> row = main_line.state().EncodeRow(table, key)) {
      ASSERT_TRUE(loaded.LoadRow(table, key, *row));
    }
  }
  loaded.FinishLoad();
  EXPECT_TRUE(loaded == main_line.state()) << "rows do not rebuild the state";
  // A clone (the write side's copy of the loaded state) is the same state, and a deep copy:
  // events applied to it leave the original as it was.
  LedgerDriver clone_line;
  clone_line.state() = loaded.Clone();
  EXPECT_TRUE(clone_line.state() == loaded);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    clone_line.now_us = main_line.now_us + (i + 1) * 60'000'000LL;
    const EventGenerator::Event event = generator.Next();
    if (clone_line.RunWithId(event.id, event.type, event.fields) == "ok") ++accepted;
  }
  EXPECT_GT(accepted, 0);
  EXPECT_FALSE(clone_line.state() == loaded);
  EXPECT_TRUE(loaded == main_line.state()) << "changing a clone changed the original";
  // The history must have exercised both acceptance and refusal broadly.
  EXPECT_GT(outcomes["ok"], events / 5);
  EXPECT_GT(outcomes["insufficient_funds"], 0);
  EXPECT_GT(outcomes["insufficient_credits"], 0);
  EXPECT_GT(outcomes["already_reversed"] + outcomes["already_exists"], 0);
  for (const auto& [code, count] : outcomes) std::printf("  %-28s %d\n", code.c_str(), count);
}

}  // namespace
}  // namespace ledger
