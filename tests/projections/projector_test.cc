// The read side over a real store: the scenario's figures through the decider and projector,
// refused events changing nothing, and rebuilds equal to incrementally built rows byte for byte.
#include "projections/projector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "domain/event_payload.h"
#include "eventstore/ledger_replay.h"
#include "projections/ledger_node.h"
#include "tests/domain/event_generator.h"
#include "tests/domain/ledger_scenario.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

using testing::Draft;
using testing::LedgerFixture;

void AppendScenario(EventStore& store) {
  for (const testing::ScenarioEvent& event : testing::OctoberScenario()) {
    auto result = store.Append({Draft(event.id, event.type, event.fields, event.occurred_at_us)});
    ASSERT_TRUE(result.ok()) << event.id << ": " << result.status().ToString();
  }
}

class ProjectorTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

// The scenario appended through the store's decider reads back through the projector.
TEST_F(ProjectorTest, ScenarioFiguresThroughStoreAndProjector) {
  LedgerFixture ledger(dir_.path());
  AppendScenario(ledger.store());
  Projector& projector = ledger.StartProjector();
  ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
  projector.Read([](const LedgerState& state) {
    EXPECT_EQ(state.FindFund(FundRef("f-aid"))->balance_fen, Fen{223000});
    EXPECT_EQ(state.FindMember(MemberRef("v-wang"))->credit_minutes, Minutes{240});
    EXPECT_EQ(state.FindSource(SourceRef("d-avic"))->remaining_fen, Fen{0});
    const Report* report = state.FindReport(ReportKey{BranchId("b-shiyuan"), 202610});
    ASSERT_NE(report, nullptr);
    ASSERT_TRUE(report->seal.has_value());
    EXPECT_GT(report->seal->position, 0u);
    EXPECT_EQ(report->seal->hash.size(), 32u);  // the read side knows the seal's hash
  });
  // The server computed the cash redemption's amount and stored it in the event.
  auto position = ledger.store().FindId("ev-rd-wang");
  ASSERT_TRUE(position.ok());
  auto event = ledger.store().ReadAt(*position);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->stream, "member-v-wang");
  const events::EventData* data = VerifyEventData(event->payload);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->data_as_RedemptionMade()->amount_fen(), 4000);
  // Streams resolved by the decider: a verification goes to its volunteer's stream.
  auto verified = ledger.store().ReadAt(*ledger.store().FindId("ev-svc-li-1-ok"));
  EXPECT_EQ(verified->stream, "member-v-li");
}

// A refused event, alone or inside a batch, changes nothing; its reason is the outcome code.
TEST_F(ProjectorTest, RefusedEventsChangeNothing) {
  LedgerFixture ledger(dir_.path());
  AppendScenario(ledger.store());
  const Head before = ledger.store().GetHead();
  const int64_t at = testing::BeijingUs(2026, 11, 10);
  auto refused = ledger.store().Append(
      {Draft("ev-bad", "RedemptionMade",
             R"(redemption_id: "rd-x", member_id: "v-wang", minutes: 100000, reward: training,
         course: "x")",
             at)});
  EXPECT_EQ(refused.status().code(), StatusCode::kRefused);
  EXPECT_EQ(refused.status().reason(), "insufficient_credits");
  // A valid first event does not survive a refused second one.
  auto batch = ledger.store().Append(
      {Draft("ev-ok", "TrainingCompleted",
             R"(training_id: "tr-1", member_id: "v-li", course: "急救", minutes: 60)", at),
       Draft("ev-bad2", "DisbursementMade",
             R"(disbursement_id: "x-9", fund_id: "f-aid", purpose: "elder_aid",
                amount_fen: 999999999)",
             at)});
  EXPECT_EQ(batch.status().reason(), "insufficient_funds");
  EXPECT_EQ(ledger.store().GetHead(), before);
  // And the write side forgot it too: the same training can be recorded now.
  auto retry = ledger.store().Append(
      {Draft("ev-ok", "TrainingCompleted",
             R"(training_id: "tr-1", member_id: "v-li", course: "急救", minutes: 60)", at)});
  EXPECT_TRUE(retry.ok()) << retry.status().ToString();
}

// Appends `count` random events (accepted ones stay; refused ones are simply refused).
uint64_t AppendRandom(EventStore& store, uint64_t seed, int count, int64_t start_us) {
  testing::EventGenerator generator(seed, "s" + std::to_string(seed) + "-");
  uint64_t accepted = 0;
  for (int i = 0; i < count; ++i) {
    auto event = generator.Next();
    auto result =
        store.Append({Draft(event.id, event.type, event.fields, start_us + i * 60'000'000LL)});
    if (result.ok()) ++accepted;
    EXPECT_TRUE(result.ok() || result.status().code() == StatusCode::kRefused ||
                result.status().code() == StatusCode::kInvalidArgument)
        << result.status().ToString();
  }
  return accepted;
}

// Rows built incrementally, with flushes at arbitrary points and a restart in the middle, equal
// a rebuild from scratch byte for byte.
TEST_F(ProjectorTest, RebuildEqualsIncrementalRows) {
  const uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  std::printf("seed %lu\n", seed);
  std::map<std::string, std::string> incremental;
  {
    LedgerFixture ledger(dir_.path());
    ledger.StartProjector(ProjectorOptions{.read_events_max = 13, .flush_events_max = 37});
    AppendScenario(ledger.store());
    EXPECT_GT(AppendRandom(ledger.store(), seed, 3000, testing::BeijingUs(2026, 11, 3)), 500u);
    ledger.StopProjector();  // stop part way: whatever was applied is flushed
  }
  {
    LedgerFixture ledger(dir_.path());  // restart: decider primes from rows + tail
    EXPECT_GT(AppendRandom(ledger.store(), seed + 1, 2000, testing::BeijingUs(2026, 12, 3)), 300u);
    Projector& projector =
        ledger.StartProjector(ProjectorOptions{.read_events_max = 101, .flush_events_max = 500});
    ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(30)));
    ledger.StopProjector();
    incremental = testing::AllRows(ledger.rows());
    EXPECT_EQ(ledger.rows().Checkpoint().value(), ledger.store().GetHead().next);

    auto other = ledger.store().OpenReadModel("rebuilt");
    ASSERT_TRUE(other.ok());
    auto rebuilt = Projector::Rebuild(ledger.store(), **other);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    EXPECT_EQ(*rebuilt, ledger.store().GetHead().next.value);
    const auto rebuilt_rows = testing::AllRows(**other);
    EXPECT_EQ(rebuilt_rows.size(), incremental.size());
    EXPECT_TRUE(rebuilt_rows == incremental) << "rebuilt rows differ from incremental ones";
  }
}

// LoadLedgerStates gives two states equal to a replay of the log, derived indexes included
// (active pairings, open sources, a fund's outflows: the copy is taken before they are derived),
// and independent: an event applied to one leaves the other as it was.
TEST_F(ProjectorTest, LoadedStatesAndTheirCopyEqualAReplay) {
  LedgerFixture ledger(dir_.path());
  AppendScenario(ledger.store());
  EXPECT_GT(AppendRandom(ledger.store(), 23, 3000, testing::BeijingUs(2026, 11, 3)), 500u);
  auto rows = ledger.store().OpenReadModel("rebuilt");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(Projector::Rebuild(ledger.store(), **rows).ok());
  LedgerState replayed;
  ASSERT_TRUE(ReplayInto(ledger.store(), Position{0}, replayed).ok());
  LedgerState state;
  LedgerState copy;
  LedgerLoadTimes times;
  Result<Position> at = LoadLedgerStates(**rows, state, copy, &times);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(*at, ledger.store().GetHead().next);
  EXPECT_TRUE(state == replayed);
  EXPECT_TRUE(copy == replayed);
  EXPECT_GE(times.rows, 0.0);
  testing::LedgerDriver driver;
  driver.state() = std::move(copy);
  // A new member (into the members' last chunk, shared) and a changed one (another chunk).
  ASSERT_EQ(driver.Run("MemberRegistered", R"(member_id: "v-load", kind: volunteer,
                                             branch_id: "b-shiyuan", name: "新")"),
            "ok");
  ASSERT_EQ(driver.Run("MemberDeactivated", R"(member_id: "v-wang", reason: "moved")"), "ok");
  EXPECT_FALSE(driver.state().FindMember(MemberRef("v-wang"))->active);
  EXPECT_TRUE(state.FindMember(MemberRef("v-wang"))->active);
  EXPECT_EQ(state.FindMember(MemberRef("v-load")), nullptr);
  EXPECT_FALSE(driver.state() == state);
  EXPECT_TRUE(state == replayed);
}

// ForEachRow's promise, which the rebuild's dump and verify --data build on: the tables come in
// Table order, each table's rows together.
TEST_F(ProjectorTest, ForEachRowVisitsTheTablesInOrderEachTogether) {
  LedgerFixture ledger(dir_.path());
  AppendScenario(ledger.store());
  EXPECT_GT(AppendRandom(ledger.store(), 29, 2000, testing::BeijingUs(2026, 11, 3)), 300u);
  LedgerState state;
  ASSERT_TRUE(ReplayInto(ledger.store(), Position{0}, state).ok());
  std::vector<Table> runs;  // the table of each run of rows
  state.ForEachRow([&](Table table, std::string_view, std::string_view) {
    if (runs.empty() || runs.back() != table) runs.push_back(table);
  });
  EXPECT_GT(runs.size(), 8u);
  EXPECT_TRUE(std::is_sorted(runs.begin(), runs.end()));
  EXPECT_EQ(std::adjacent_find(runs.begin(), runs.end()), runs.end());
}

// A read model that passes everything to another, but fails the `fail_at`th Load.
class FailingLoads : public ReadModelStore {
 public:
  FailingLoads(ReadModelStore& rows, int fail_at) : rows_(rows), fail_at_(fail_at) {}
  Status Commit(const std::vector<RowWrite>& writes, std::optional<Position> at) override {
    return rows_.Commit(writes, at);
  }
  Result<Position> Checkpoint() const override { return rows_.Checkpoint(); }
  Status ForEachRow(
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return rows_.ForEachRow(visit);
  }
  Status ForEachRowIn(
      std::string_view from, std::string_view to,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return rows_.ForEachRowIn(from, to, visit);
  }
  Status Clear() override { return rows_.Clear(); }
  Status Load(const std::vector<std::pair<std::string_view, std::string_view>>& rows) override {
    ++loads;
    if (loads == fail_at_) return Status::IoError("disk full");
    return rows_.Load(rows);
  }
  int loads = 0;

 private:
  ReadModelStore& rows_;
  const int fail_at_;
};

// A rebuild loads the rows table by table and commits the checkpoint only after the last: one
// that fails part way leaves a read model at position 0 without rows, never a checkpoint over
// missing rows; the next rebuild writes them all.
TEST_F(ProjectorTest, RebuildFailingPartWaySetsNoCheckpoint) {
  LedgerFixture ledger(dir_.path());
  Projector& projector = ledger.StartProjector();
  AppendScenario(ledger.store());
  ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
  ledger.StopProjector();
  const auto expected = testing::AllRows(ledger.rows());

  auto other = ledger.store().OpenReadModel("rebuilt");
  ASSERT_TRUE(other.ok());
  FailingLoads failing(**other, 3);
  auto failed = Projector::Rebuild(ledger.store(), failing);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "disk full");
  EXPECT_EQ(failing.loads, 3);  // the tables after the failure were not loaded
  EXPECT_EQ((*other)->Checkpoint().value(), Position{0});
  // The first two tables' files join only with a Commit, which never came.
  EXPECT_TRUE(testing::AllRows(**other).empty());

  FailingLoads working(**other, 0);
  auto rebuilt = Projector::Rebuild(ledger.store(), working);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_GT(working.loads, 5);  // one load per table
  EXPECT_EQ((*other)->Checkpoint().value(), ledger.store().GetHead().next);
  EXPECT_TRUE(testing::AllRows(**other) == expected);
}

// A node decodes the rows once: the projector keeps them and the writer gets a copy, which
// replays the log tail the rows lack. Both then hold what a replay of the whole log gives.
TEST_F(ProjectorTest, NodeLoadsRowsOnceAndItsWriterReplaysTheTail) {
  {
    LedgerFixture ledger(dir_.path());
    Projector& projector = ledger.StartProjector();
    AppendScenario(ledger.store());
    ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
    ledger.StopProjector();
  }
  const int64_t at = testing::BeijingUs(2026, 11, 3);
  {
    LedgerFixture ledger(dir_.path());  // no projector: the rows stay behind this event
    ASSERT_TRUE(ledger.store()
                    .Append({Draft("svc-tail", "ServiceLogged",
                                   R"(service_id: "svc-tail", volunteer_id: "v-wang",
                                      elder_id: "e-zhao", kind: home_visit, minutes: 60)",
                                   at)})
                    .ok());
  }
  LedgerNodeOptions options;
  options.data_dir = dir_.path();
  auto node = LedgerNode::Open(options);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ((*node)->startup().tail_events, 1u);
  // The writer knows the tail's service (and the rows' members): its verification is accepted,
  // its id is taken.
  EventStore& store = (*node)->store();
  EXPECT_TRUE(store
                  .Append({Draft("svc-tail-ok", "ServiceVerified",
                                 R"(service_id: "svc-tail", confirmed_by: "e-zhao")", at + 60)})
                  .ok());
  EXPECT_FALSE(store
                   .Append({Draft("svc-tail-again", "ServiceLogged",
                                  R"(service_id: "svc-tail", volunteer_id: "v-wang",
                                     elder_id: "e-zhao", kind: home_visit, minutes: 30)",
                                  at + 120)})
                   .ok());
  const Position head = store.GetHead().next;
  ASSERT_TRUE((*node)->projector().WaitForApplied(head, std::chrono::seconds(10)));
  LedgerState replayed;
  ASSERT_TRUE(ReplayInto(store, Position{0}, replayed).ok());
  EXPECT_NE(replayed.FindService(ServiceRef("svc-tail")), nullptr);
  (*node)->projector().Read([&](const LedgerState& state) {
    EXPECT_TRUE(state == replayed) << "the projector's state differs from a replay";
  });
}

// A projector that meets an event the rules refuse stops and says where.
TEST_F(ProjectorTest, StopsOnALogTheRulesRefuse) {
  EventStoreOptions options;
  options.path = dir_.path();
  {
    auto raw = EventStore::Open(options);  // no decider: writes anything
    ASSERT_TRUE(raw.ok());
    auto result = (*raw)->Append(
        {Draft("ev-orphan", "ServiceLogged",
               R"(service_id: "s", volunteer_id: "nobody", kind: home_visit, minutes: 30)", 0)});
    ASSERT_FALSE(result.ok());  // no stream without a decider to resolve it
    EventDraft draft = Draft("ev-orphan", "ServiceLogged",
                             R"(service_id: "s", volunteer_id: "nobody", kind: home_visit,
                                minutes: 30)",
                             0);
    draft.stream = "member-nobody";
    ASSERT_TRUE((*raw)->Append({draft}).ok());
  }
  auto store = EventStore::Open(options);
  ASSERT_TRUE(store.ok());
  auto rows = (*store)->OpenReadModel(kLedgerReadModel);
  auto projector = Projector::Start(**store, **rows);
  ASSERT_TRUE(projector.ok());
  EXPECT_FALSE((*projector)->WaitForApplied(Position{1}, std::chrono::seconds(5)));
  EXPECT_EQ((*projector)->health().code(), StatusCode::kCorruption);
  EXPECT_NE((*projector)->health().message().find("position 0"), std::string::npos);
  EXPECT_NE((*projector)->health().message().find("unknown_member"), std::string::npos);
}

// The writer applies in slices, releasing the lock between them, and a slice ends only where an
// append ends: a reader never sees part of a batch, whichever way the log is read and sliced.
TEST_F(ProjectorTest, ReadersNeverSeePartOfABatch) {
  LedgerFixture ledger(dir_.path());
  AppendScenario(ledger.store());
  // Reads of 64 events end inside the batches of 50; slices of 8 would too, but for appends.
  Projector& projector = ledger.StartProjector(
      ProjectorOptions{.read_events_max = 64, .flush_events_max = 500, .slice_events_min = 8});
  ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
  const auto training = [&projector] {
    return projector.Read([](const LedgerState& state) {
      return state.FindMember(MemberRef("v-li"))->training_minutes.value;
    });
  };
  const int64_t base = training();
  constexpr int kBatches = 40;
  constexpr int kBatchEvents = 50;
  std::atomic<bool> done{false};
  std::atomic<int> partial{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      if ((training() - base) % kBatchEvents != 0) partial.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  const int64_t at = testing::BeijingUs(2026, 11, 10);
  for (int b = 0; b < kBatches; ++b) {
    std::vector<EventDraft> batch;
    for (int i = 0; i < kBatchEvents; ++i) {
      const std::string id = "tr-" + std::to_string(b) + "-" + std::to_string(i);
      batch.push_back(Draft("ev-" + id, "TrainingCompleted",
                            "training_id: \"" + id +
                                "\", member_id: \"v-li\", course: \"急救\", "
                                "minutes: 1",
                            at));
    }
    auto appended = ledger.store().Append(std::move(batch));
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }
  ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(30)));
  done = true;
  reader.join();
  EXPECT_EQ(training() - base, kBatches * kBatchEvents);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(partial.load(), 0) << "a read saw part of a batch";
}

// Every applied event reaches OnApplied's callback before applied() passes it.
TEST_F(ProjectorTest, OnAppliedSeesEachEventBeforeItIsApplied) {
  LedgerFixture ledger(dir_.path());
  Projector& projector = ledger.StartProjector();
  std::mutex mutex;
  std::vector<uint64_t> seen;
  bool early = false;
  projector.OnApplied([&](const StoredEvent& event) {
    std::lock_guard lock(mutex);
    early = early || projector.applied() > event.position;
    seen.push_back(event.position.value);
  });
  AppendScenario(ledger.store());
  ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), ledger.store().GetHead().next.value);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
  EXPECT_FALSE(early);
}

}  // namespace
}  // namespace ledger
