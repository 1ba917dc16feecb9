// The pipelined writer: while one commit group is being written and synced, the sequencer already
// checks and sequences the next requests against it. These tests hold a group's WAL sync open
// (FaultInjectionFileSystem::HoldNextWalSync) to pin down what the next requests see and when
// they are answered: ids and stream versions of the group in flight count, nothing of it is
// visible or acknowledged before it is durable, and when it fails, everything sequenced after it
// fails too and nothing of it survives a reopen.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "eventstore/event_store.h"
#include "tests/eventstore/fault_injection_fs.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

using testing::FaultInjectionFileSystem;
using testing::MakeDraft;

// Accepts everything and counts the requests it was asked about, so a test can wait until the
// sequencer has reached a request.
class CountingDecider : public AppendDecider {
 public:
  Status Decide(std::span<EventDraft* const>) override {
    std::lock_guard lock(mutex_);
    ++decided_;
    cv_.notify_all();
    return Status::Ok();
  }
  void Undo() override {}

  void WaitForDecided(int count) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return decided_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int decided_ = 0;
};

// The outcome of one AppendAsync, once its callback has run.
class Outcome {
 public:
  EventStore::AppendCallback Callback() {
    // Notifies under the lock: the test may destroy this as soon as Wait returns.
    return [this](Result<std::vector<AppendResult>> result) {
      std::lock_guard lock(mutex_);
      result_.emplace(std::move(result));
      cv_.notify_all();
    };
  }
  bool Done() {
    std::lock_guard lock(mutex_);
    return result_.has_value();
  }
  Result<std::vector<AppendResult>> Wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return result_.has_value(); });
    return *result_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Result<std::vector<AppendResult>>> result_;
};

class EventStorePipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    decider_ = std::make_shared<CountingDecider>();
    options_.path = dir_.path();
    options_.env = env_.get();
    options_.decider = decider_;
    auto opened = EventStore::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Starts appending `id` to `stream` and waits until its group's WAL sync is held.
  void StartHeldGroup(const std::string& id, const std::string& stream, Outcome& outcome) {
    fs_->HoldNextWalSync();
    store_->AppendAsync({MakeDraft(id, stream)}, outcome.Callback());
    fs_->WaitUntilSyncHeld();
  }

  testing::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ =
      std::make_shared<FaultInjectionFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env_ = testing::NewEnvOver(fs_);
  EventStoreOptions options_;
  std::shared_ptr<CountingDecider> decider_;
  std::unique_ptr<EventStore> store_;
};

// An id whose first copy is in flight in another group is a replay (same content) or a conflict
// (other content), and neither answer comes before the first copy is durable.
TEST_F(EventStorePipelineTest, DuplicateOfIdInFlightWaitsForItsGroup) {
  Outcome first, replay, conflict, later;
  StartHeldGroup("x", "member-a", first);  // decided once

  store_->AppendAsync({MakeDraft("x", "member-a")}, replay.Callback());
  EventDraft changed = MakeDraft("x", "member-a");
  changed.payload += " ";
  store_->AppendAsync({changed}, conflict.Callback());
  store_->AppendAsync({MakeDraft("y", "member-a")}, later.Callback());
  decider_->WaitForDecided(2);  // "y" is sequenced, so the two before it are too

  // Nothing of the group in flight is visible or acknowledged yet.
  EXPECT_FALSE(first.Done());
  EXPECT_FALSE(replay.Done());
  EXPECT_FALSE(conflict.Done());
  EXPECT_FALSE(later.Done());
  EXPECT_EQ(store_->GetHead().next, Position{0});
  EXPECT_EQ(store_->FindId("x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ReadAt(Position{0}).status().code(), StatusCode::kNotFound);
  auto stream = store_->ReadStream("member-a", StreamVersion{1}, 10);
  ASSERT_TRUE(stream.ok());
  EXPECT_TRUE(stream->empty());
  EXPECT_FALSE(store_->WaitForPosition(Position{0}, std::chrono::milliseconds(1)));

  fs_->ReleaseHeldSync(/*fail=*/false);
  auto original = first.Wait();
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  auto replayed = replay.Wait();
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_TRUE((*replayed)[0].duplicate);
  EXPECT_EQ((*replayed)[0].position, (*original)[0].position);
  EXPECT_EQ((*replayed)[0].hash, (*original)[0].hash);
  EXPECT_EQ((*replayed)[0].version, (*original)[0].version);
  EXPECT_EQ((*replayed)[0].recorded_at_us, (*original)[0].recorded_at_us);
  EXPECT_EQ((*replayed)[0].stream, "member-a");
  EXPECT_EQ(conflict.Wait().status().code(), StatusCode::kIdConflict);
  auto y = later.Wait();
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].position, Position{1});
  EXPECT_EQ((*y)[0].version, StreamVersion{2});  // counts "x", still in flight when sequenced

  // And once that group is durable, the store itself answers for the id.
  auto again = store_->Append({MakeDraft("x", "member-a")});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)[0].duplicate);
  EXPECT_EQ((*again)[0].position, Position{0});
  EXPECT_EQ(store_->GetHead().next, Position{2});
  EXPECT_TRUE(store_->VerifyChain().ok());
}

// Expected versions are checked against the versions of groups still in flight.
TEST_F(EventStorePipelineTest, ExpectedVersionCountsGroupInFlight) {
  Outcome first, next, stale;
  StartHeldGroup("e1", "member-a", first);
  EventDraft second = MakeDraft("e2", "member-a");
  second.expected_version = StreamVersion{1};
  store_->AppendAsync({second}, next.Callback());
  EventDraft behind = MakeDraft("e3", "member-a");
  behind.expected_version = StreamVersion{1};  // e2 took version 2
  store_->AppendAsync({behind}, stale.Callback());
  decider_->WaitForDecided(3);
  fs_->ReleaseHeldSync(/*fail=*/false);
  ASSERT_TRUE(first.Wait().ok());
  auto ok = next.Wait();
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].version, StreamVersion{2});
  EXPECT_EQ(stale.Wait().status().code(), StatusCode::kWrongExpectedVersion);
}

// The stream version cache may forget durable streams, never those of groups in flight.
TEST_F(EventStorePipelineTest, StreamCacheKeepsVersionsInFlight) {
  options_.stream_cache_entries_max = 1;
  Open();
  Outcome held;
  StartHeldGroup("a1", "stream-a", held);
  std::vector<Outcome> others(4);
  for (int i = 0; i < 3; ++i) {
    store_->AppendAsync({MakeDraft("o" + std::to_string(i), "stream-" + std::to_string(i))},
                        others[i].Callback());
  }
  EventDraft next = MakeDraft("a2", "stream-a");
  next.expected_version = StreamVersion{1};
  store_->AppendAsync({next}, others[3].Callback());
  decider_->WaitForDecided(5);
  fs_->ReleaseHeldSync(/*fail=*/false);
  ASSERT_TRUE(held.Wait().ok());
  for (Outcome& outcome : others) {
    auto result = outcome.Wait();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
  auto a = store_->ReadStream("stream-a", StreamVersion{1}, 10);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[1].id, "a2");
  EXPECT_EQ((*a)[1].version, StreamVersion{2});
}

// A group that fails takes down every group sequenced after it: their requests are refused
// (replays of the failed group's ids included), nothing of them becomes visible, and after a
// reopen the store knows nothing of them.
TEST_F(EventStorePipelineTest, FailedGroupRefusesEverythingSequencedAfterIt) {
  auto durable = store_->Append({MakeDraft("d1", "member-a")});
  ASSERT_TRUE(durable.ok()) << durable.status().ToString();
  const Head before = store_->GetHead();

  Outcome failed, after, replay_of_failed, last;
  StartHeldGroup("f1", "member-a", failed);
  EventDraft next = MakeDraft("n1", "member-a");
  next.expected_version = StreamVersion{2};  // counts f1, which is in flight
  store_->AppendAsync({next}, after.Callback());
  store_->AppendAsync({MakeDraft("f1", "member-a")}, replay_of_failed.Callback());
  store_->AppendAsync({MakeDraft("n2", "member-b")}, last.Callback());
  decider_->WaitForDecided(4);  // d1, f1, n1, n2: the replay before n2 is sequenced too

  fs_->ReleaseHeldSync(/*fail=*/true);
  EXPECT_EQ(failed.Wait().status().code(), StatusCode::kIoError);
  EXPECT_EQ(after.Wait().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(replay_of_failed.Wait().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(last.Wait().status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->health().ok());
  EXPECT_EQ(store_->GetHead(), before);
  EXPECT_EQ(store_->FindId("f1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindId("n1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Append({MakeDraft("z1", "member-b")}).status().code(),
            StatusCode::kUnavailable);

  // Power cut, reopen: only what was acknowledged is there, and the ids and versions the
  // sequencer had given out are free again.
  store_.reset();
  fs_->DropUnsyncedWalData();
  Open();
  EXPECT_EQ(store_->GetHead(), before);
  auto retried = store_->Append({MakeDraft("f1", "member-a"), next});
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_FALSE((*retried)[0].duplicate);
  EXPECT_EQ((*retried)[0].position, before.next);
  EXPECT_EQ((*retried)[0].version, StreamVersion{2});
  EXPECT_EQ((*retried)[1].version, StreamVersion{3});
  EXPECT_TRUE(store_->VerifyChain().ok());
}

// Many writers racing on the same ids, across groups in flight, get one position per id, and
// every replay reports it.
TEST_F(EventStorePipelineTest, ConcurrentReplaysAgreeOnOnePosition) {
  constexpr int kThreads = 8;
  constexpr int kIds = 200;
  std::mutex mutex;
  std::map<std::string, std::set<uint64_t>> positions;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kIds; ++n) {
        // Every thread walks the same ids, each from its own starting point.
        const int k = (n + t * kIds / kThreads) % kIds;
        const std::string id = "id-" + std::to_string(k);
        auto result = store_->Append({MakeDraft(id, "stream-" + std::to_string(k % 5))});
        if (!result.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        positions[id].insert((*result)[0].position.value);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  ASSERT_EQ(positions.size(), static_cast<size_t>(kIds));
  for (const auto& [id, seen] : positions) EXPECT_EQ(seen.size(), 1u) << id;
  EXPECT_EQ(store_->GetHead().next, Position{kIds});
  EXPECT_TRUE(store_->VerifyChain().ok());
}

}  // namespace
}  // namespace ledger
