#include "eventstore/event_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

using testing::MakeDraft;
using testing::TempDir;

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    options_.path = dir_.path();
    auto opened = EventStore::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::vector<AppendResult> MustAppend(std::vector<EventDraft> batch) {
    auto result = store_->Append(std::move(batch));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(result).value() : std::vector<AppendResult>{};
  }

  std::vector<StoredEvent> ReadAll() {
    auto events = store_->ReadFrom(Position{0}, 100000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? std::move(events).value() : std::vector<StoredEvent>{};
  }

  TempDir dir_;
  EventStoreOptions options_;
  std::unique_ptr<EventStore> store_;
};

// Appended events come back from every reader with what the store assigned.
TEST_F(EventStoreTest, AppendThenReadBack) {
  auto results = MustAppend(
      {MakeDraft("e1", "member-a"), MakeDraft("e2", "member-b"), MakeDraft("e3", "member-a")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].position, Position{0});
  EXPECT_EQ(results[1].position, Position{1});
  EXPECT_EQ(results[2].position, Position{2});
  EXPECT_EQ(results[0].version, StreamVersion{1});
  EXPECT_EQ(results[1].version, StreamVersion{1});
  EXPECT_EQ(results[2].version, StreamVersion{2});
  EXPECT_FALSE(results[0].duplicate);

  const Head head = store_->GetHead();
  EXPECT_EQ(head.next, Position{3});
  EXPECT_EQ(head.hash, results[2].hash);

  auto events = ReadAll();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].prev_hash, Hash{});
  EXPECT_EQ(events[1].prev_hash, events[0].hash);
  EXPECT_EQ(events[2].prev_hash, events[1].hash);
  EXPECT_EQ(events[1].id, "e2");
  EXPECT_EQ(events[1].payload, testing::PayloadFor("e2"));
  EXPECT_EQ(events[1].actor, "key-test");
  EXPECT_EQ(events[1].type, "ServiceLogged");

  auto at = store_->ReadAt(Position{2});
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->id, "e3");
  EXPECT_EQ(store_->ReadAt(Position{3}).status().code(), StatusCode::kNotFound);

  auto stream = store_->ReadStream("member-a", StreamVersion{1}, 10);
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[0].id, "e1");
  EXPECT_EQ((*stream)[1].id, "e3");
  auto tail = store_->ReadStream("member-a", StreamVersion{2}, 10);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].id, "e3");

  auto found = store_->FindId("e2");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, Position{1});
  EXPECT_EQ(store_->FindId("nope").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->VerifyChain().ok());
}

// A stream name that is a prefix of another never reads the other's events.
TEST_F(EventStoreTest, StreamsWithSharedPrefixesStayApart) {
  MustAppend(
      {MakeDraft("e1", "member-a"), MakeDraft("e2", "member-ab"), MakeDraft("e3", "member-a")});
  auto a = store_->ReadStream("member-a", StreamVersion{1}, 10);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 2u);
  auto ab = store_->ReadStream("member-ab", StreamVersion{1}, 10);
  ASSERT_TRUE(ab.ok());
  ASSERT_EQ(ab->size(), 1u);
  EXPECT_EQ((*ab)[0].version, StreamVersion{1});
}

// The same id with the same content returns the original result and writes nothing.
TEST_F(EventStoreTest, ReplayOfSameIdReturnsOriginal) {
  auto first = MustAppend({MakeDraft("e1", "member-a")});
  auto again = MustAppend({MakeDraft("e1", "member-a")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].duplicate);
  EXPECT_EQ(again[0].position, first[0].position);
  EXPECT_EQ(again[0].hash, first[0].hash);
  EXPECT_EQ(again[0].version, first[0].version);
  EXPECT_EQ(again[0].recorded_at_us, first[0].recorded_at_us);
  EXPECT_EQ(store_->GetHead().next, Position{1});
}

// The same id with other content is refused and writes nothing.
TEST_F(EventStoreTest, SameIdDifferentContentIsRefused) {
  MustAppend({MakeDraft("e1", "member-a")});
  const Head before = store_->GetHead();
  EventDraft changed = MakeDraft("e1", "member-a");
  changed.payload += " ";
  auto result = store_->Append({changed});
  EXPECT_EQ(result.status().code(), StatusCode::kIdConflict);
  EventDraft other_stream = MakeDraft("e1", "member-b");
  EXPECT_EQ(store_->Append({other_stream}).status().code(), StatusCode::kIdConflict);
  EXPECT_EQ(store_->GetHead(), before);
}

// Inside one batch a repeated id is a replay when identical and refuses the batch otherwise.
TEST_F(EventStoreTest, RepeatedIdInsideBatch) {
  auto results = MustAppend({MakeDraft("e1", "member-a"), MakeDraft("e1", "member-a")});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].position, results[1].position);
  EXPECT_TRUE(results[1].duplicate);
  EXPECT_EQ(store_->GetHead().next, Position{1});

  EventDraft changed = MakeDraft("e2", "member-a");
  changed.type = "Other";
  auto refused = store_->Append({MakeDraft("e2", "member-a"), changed});
  EXPECT_EQ(refused.status().code(), StatusCode::kIdConflict);
  EXPECT_EQ(store_->GetHead().next, Position{1});
  EXPECT_EQ(store_->FindId("e2").status().code(), StatusCode::kNotFound);
}

// expected_version is the stream's event count; a mismatch refuses the whole batch.
TEST_F(EventStoreTest, ExpectedVersionIsChecked) {
  EventDraft first = MakeDraft("e1", "member-a");
  first.expected_version = StreamVersion{0};
  MustAppend({first});

  EventDraft stale = MakeDraft("e2", "member-a");
  stale.expected_version = StreamVersion{0};
  auto refused = store_->Append({MakeDraft("e3", "member-b"), stale});
  EXPECT_EQ(refused.status().code(), StatusCode::kWrongExpectedVersion);
  EXPECT_NE(refused.status().message().find("at version 1"), std::string::npos);
  EXPECT_EQ(store_->GetHead().next, Position{1});
  EXPECT_EQ(store_->FindId("e3").status().code(), StatusCode::kNotFound);

  // Within a batch, a second event of the same stream sees the first one.
  EventDraft next = MakeDraft("e2", "member-a");
  next.expected_version = StreamVersion{1};
  EventDraft after = MakeDraft("e4", "member-a");
  after.expected_version = StreamVersion{2};
  auto ok = MustAppend({next, after});
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[1].version, StreamVersion{3});
}

// Refuses events of type "Refused"; rewrites the payload of "Computed" events; puts events
// with no stream into "resolved".
class TestDecider : public AppendDecider {
 public:
  Status Decide(std::span<EventDraft* const> events) override {
    for (EventDraft* event : events) {
      if (event->type == "Refused") return Status::Refused("test_rule", "refused " + event->id);
    }
    for (EventDraft* event : events) {
      if (event->type == "Computed") event->payload = "computed";
      if (event->stream.empty()) event->stream = "resolved";
    }
    accepted_ += static_cast<int>(events.size());
    last_ = static_cast<int>(events.size());
    return Status::Ok();
  }
  void Undo() override {
    accepted_ -= last_;
    ++undone_;
  }
  std::atomic<int> accepted_{0};
  int last_ = 0;
  std::atomic<int> undone_{0};
};

// A refusal by the decider refuses the whole batch; others in the same group are unaffected.
TEST_F(EventStoreTest, DeciderRefusalRefusesWholeBatch) {
  auto decider = std::make_shared<TestDecider>();
  options_.decider = decider;
  Reopen();
  auto refused =
      store_->Append({MakeDraft("e1", "member-a"), MakeDraft("e2", "member-a", "Refused")});
  EXPECT_EQ(refused.status().code(), StatusCode::kRefused);
  EXPECT_EQ(refused.status().reason(), "test_rule");
  EXPECT_EQ(store_->GetHead().next, Position{0});

  auto results = MustAppend({MakeDraft("e3", "member-a", "Computed")});
  ASSERT_EQ(results.size(), 1u);
  auto stored = store_->ReadAt(results[0].position);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->payload, "computed");
  EXPECT_EQ(decider->accepted_, 1);
  // A replay is not decided again.
  MustAppend({MakeDraft("e3", "member-a", "Computed")});
  EXPECT_EQ(decider->accepted_, 1);
}

// The decider resolves streams left empty; a version mismatch found after that undoes it.
TEST_F(EventStoreTest, DeciderResolvesStreamsAndIsUndoneOnVersionMismatch) {
  auto decider = std::make_shared<TestDecider>();
  options_.decider = decider;
  Reopen();
  auto results = MustAppend({MakeDraft("e1", "")});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].stream, "resolved");
  EXPECT_EQ(results[0].version, StreamVersion{1});

  EventDraft stale = MakeDraft("e2", "");
  stale.expected_version = StreamVersion{0};
  auto refused = store_->Append({MakeDraft("e3", "other"), stale});
  EXPECT_EQ(refused.status().code(), StatusCode::kWrongExpectedVersion);
  EXPECT_EQ(decider->undone_, 1);
  EXPECT_EQ(decider->accepted_, 1);
  EXPECT_EQ(store_->GetHead().next, Position{1});
}

// Many threads appending at once get gapless, unique positions and gapless stream versions.
TEST_F(EventStoreTest, GaplessPositionsUnderConcurrentAppenders) {
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 150;
  std::mutex mutex;
  std::map<uint64_t, std::string> ids_by_position;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(t);
      for (int n = 0; n < kAppendsPerThread; ++n) {
        std::vector<EventDraft> batch;
        const int size = 1 + static_cast<int>(random() % 4);
        for (int k = 0; k < size; ++k) {
          batch.push_back(
              MakeDraft("t" + std::to_string(t) + "-" + std::to_string(n) + "-" + std::to_string(k),
                        "stream-" + std::to_string(random() % 7)));
        }
        auto result = store_->Append(batch);
        if (!result.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        for (const AppendResult& r : *result) {
          EXPECT_TRUE(ids_by_position.emplace(r.position.value, r.id).second);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  const uint64_t count = ids_by_position.size();
  EXPECT_EQ(store_->GetHead().next, Position{count});
  EXPECT_EQ(ids_by_position.rbegin()->first, count - 1);
  auto events = ReadAll();
  ASSERT_EQ(events.size(), count);
  std::map<std::string, uint64_t> versions;
  for (const StoredEvent& event : events) {
    EXPECT_EQ(ids_by_position[event.position.value], event.id);
    EXPECT_EQ(event.version.value, ++versions[event.stream]) << event.stream;
  }
  EXPECT_TRUE(store_->VerifyChain().ok());
}

// Every limit is enforced before anything is queued, and a refused batch writes nothing.
TEST_F(EventStoreTest, LimitsAreEnforced) {
  options_.append_request_events_max = 3;
  options_.event_payload_bytes_max = 200;
  Reopen();
  EXPECT_EQ(store_->Append({}).status().code(), StatusCode::kInvalidArgument);
  std::vector<EventDraft> big;
  for (int i = 0; i < 4; ++i) big.push_back(MakeDraft("b" + std::to_string(i), "s"));
  EXPECT_EQ(store_->Append(big).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append({MakeDraft(std::string(129, 'x'), "s")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append({MakeDraft("", "s")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Append({MakeDraft("x", "")}).status().code(), StatusCode::kInvalidArgument);
  EventDraft fat = MakeDraft("fat", "s");
  fat.payload.assign(201, 'p');
  EXPECT_EQ(store_->Append({MakeDraft("ok", "s"), fat}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetHead().next, Position{0});
}

// Blocks the writer inside Decide until released, so the queue can be filled deterministically.
class GateDecider : public AppendDecider {
 public:
  Status Decide(std::span<EventDraft* const>) override {
    if (!held_.exchange(true)) {  // only the first request waits at the gate
      entered_.count_down();
      release_.wait();
    }
    return Status::Ok();
  }
  void Undo() override {}
  std::atomic<bool> held_{false};
  std::latch entered_{1};
  std::latch release_{1};
};

// A full queue answers Overloaded at once instead of growing without bound.
TEST_F(EventStoreTest, FullQueueIsOverloaded) {
  auto gate = std::make_shared<GateDecider>();
  options_.decider = gate;
  options_.append_queue_requests_max = 2;
  Reopen();
  std::atomic<int> done{0};
  auto count = [&](Result<std::vector<AppendResult>> r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    ++done;
  };
  store_->AppendAsync({MakeDraft("held", "s")}, count);
  gate->entered_.wait();  // the writer holds "held"; the queue is empty
  store_->AppendAsync({MakeDraft("q1", "s")}, count);
  store_->AppendAsync({MakeDraft("q2", "s")}, count);
  auto overflow = store_->Append({MakeDraft("q3", "s")});
  EXPECT_EQ(overflow.status().code(), StatusCode::kOverloaded);
  gate->release_.count_down();
  store_.reset();  // drains the queue and acknowledges
  EXPECT_EQ(done, 3);
  options_.decider = nullptr;
  Reopen();
  EXPECT_EQ(store_->GetHead().next, Position{3});
  EXPECT_EQ(store_->FindId("q3").status().code(), StatusCode::kNotFound);
}

// Reopening keeps the head, the chain and the stream versions.
TEST_F(EventStoreTest, ReopenContinuesTheChain) {
  auto first = MustAppend({MakeDraft("e1", "member-a"), MakeDraft("e2", "member-a")});
  Reopen();
  EXPECT_EQ(store_->GetHead().next, Position{2});
  EXPECT_EQ(store_->GetHead().hash, first[1].hash);
  EventDraft next = MakeDraft("e3", "member-a");
  next.expected_version = StreamVersion{2};
  auto results = MustAppend({next});
  EXPECT_EQ(results[0].version, StreamVersion{3});
  auto replay = MustAppend({MakeDraft("e1", "member-a")});
  EXPECT_TRUE(replay[0].duplicate);
  EXPECT_EQ(replay[0].position, Position{0});
  Reopen();
  EXPECT_TRUE(store_->VerifyChain().ok());
  EXPECT_EQ(store_->GetHead().next, Position{3});
}

// Stream versions stay exact while the sequencer runs ahead over many groups, looks stream
// heads up a batch of requests at a time, forgets them (a cache of 3 streams for 10) and starts
// over after a reopen; a stale expected version is refused as before and takes no version.
TEST_F(EventStoreTest, StreamVersionsStayExactAcrossGroupsEvictionAndReopen) {
  constexpr int kStreams = 10;
  options_.stream_cache_entries_max = 3;
  Reopen();
  std::map<std::string, uint64_t> versions;  // the model: each stream's event count
  int next_id = 0;
  for (int round = 0; round < 3; ++round) {
    struct Sent {
      std::vector<EventDraft> batch;
      bool stale = false;
      std::optional<Result<std::vector<AppendResult>>> outcome;
    };
    std::vector<Sent> sent(200);
    std::mutex mutex;
    std::condition_variable cv;
    int answered = 0;
    for (size_t r = 0; r < sent.size(); ++r) {
      Sent& request = sent[r];
      request.stale = r % 17 == 5;
      std::map<std::string, uint64_t> planned = versions;
      for (size_t k = 0; k < 1 + r % 3; ++k) {
        const std::string stream = "s" + std::to_string((r * 7 + k * 3 + round) % kStreams);
        EventDraft event = MakeDraft("v" + std::to_string(next_id++), stream);
        event.expected_version = StreamVersion{planned[stream]++};
        request.batch.push_back(std::move(event));
      }
      if (request.stale) {
        request.batch.back().expected_version->value += 1;
      } else {
        versions = planned;
      }
      // One thread enqueues in order, so the sequencer checks them in this order.
      store_->AppendAsync(request.batch, [&, r](Result<std::vector<AppendResult>> result) {
        std::lock_guard lock(mutex);
        sent[r].outcome.emplace(std::move(result));
        ++answered;
        cv.notify_all();
      });
    }
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return answered == static_cast<int>(sent.size()); });
    }
    for (const Sent& request : sent) {
      const Result<std::vector<AppendResult>>& result = *request.outcome;
      if (request.stale) {
        EXPECT_EQ(result.status().code(), StatusCode::kWrongExpectedVersion);
        continue;
      }
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      for (size_t k = 0; k < request.batch.size(); ++k) {
        EXPECT_EQ((*result)[k].version.value, request.batch[k].expected_version->value + 1);
      }
    }
    for (const auto& [stream, version] : versions) {
      auto events = store_->ReadStream(stream, StreamVersion{1}, 10000);
      ASSERT_TRUE(events.ok()) << events.status().ToString();
      ASSERT_EQ(events->size(), version) << stream;
      EXPECT_EQ(events->back().version.value, version) << stream;
      EventDraft behind = MakeDraft("behind-" + std::to_string(round) + stream, stream);
      behind.expected_version = StreamVersion{version - 1};
      auto refused = store_->Append({behind});
      EXPECT_EQ(refused.status().code(), StatusCode::kWrongExpectedVersion);
      EXPECT_NE(refused.status().message().find("at version " + std::to_string(version)),
                std::string::npos)
          << refused.status().message();
    }
    options_.stream_cache_entries_max = round == 0 ? 1 << 20 : 1;
    Reopen();
  }
  EXPECT_TRUE(store_->VerifyChain().ok());
}

// The sequencer reads durable stream heads through one iterator per round of requests. With
// room for one head only, every request forgets the others and reads its stream's head again:
// each read must see every group acknowledged before it, in the same round and in later ones —
// one request at a time (a round each), and many queued at once (rounds of up to 64).
TEST_F(EventStoreTest, StreamHeadsReadAgainSeeEveryAcknowledgedGroup) {
  options_.stream_cache_entries_max = 1;
  Reopen();
  std::map<std::string, uint64_t> versions;
  int next_id = 0;
  auto draft = [&](const std::string& stream) {
    EventDraft event = MakeDraft("h" + std::to_string(next_id++), stream);
    event.expected_version = StreamVersion{versions[stream]++};
    return event;
  };
  for (int i = 0; i < 30; ++i) {
    const std::string stream = "s" + std::to_string(i % 3);
    auto result = store_->Append({draft(stream)});
    ASSERT_TRUE(result.ok()) << i << ": " << result.status().ToString();
    EXPECT_EQ((*result)[0].version.value, versions[stream]);
  }
  std::mutex mutex;
  std::condition_variable cv;
  int answered = 0;
  std::vector<std::optional<Status>> outcomes(300);
  std::vector<uint64_t> expected(outcomes.size());
  for (size_t r = 0; r < outcomes.size(); ++r) {
    const std::string stream = "s" + std::to_string(r % 5);
    EventDraft event = draft(stream);
    expected[r] = versions[stream];
    store_->AppendAsync({event}, [&, r](Result<std::vector<AppendResult>> result) {
      std::lock_guard lock(mutex);
      outcomes[r] = result.ok() && (*result)[0].version.value == expected[r]
                        ? Status::Ok()
                        : (result.ok() ? Status::Corruption("wrong version") : result.status());
      ++answered;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return answered == static_cast<int>(outcomes.size()); });
  for (size_t r = 0; r < outcomes.size(); ++r) {
    EXPECT_TRUE(outcomes[r]->ok()) << r << ": " << outcomes[r]->ToString();
  }
}

// recorded_at never goes back, even when the clock does.
TEST_F(EventStoreTest, RecordedAtIsMonotonic) {
  std::atomic<int64_t> now{5'000'000};
  options_.clock_us = [&] { return now.load(); };
  Reopen();
  auto a = MustAppend({MakeDraft("e1", "s")});
  now = 1'000'000;
  auto b = MustAppend({MakeDraft("e2", "s")});
  EXPECT_EQ(a[0].recorded_at_us, 5'000'000);
  EXPECT_EQ(b[0].recorded_at_us, 5'000'000);
}

// WaitForPosition wakes when the event is committed and times out otherwise.
TEST_F(EventStoreTest, WaitForPositionWakesOnCommit) {
  EXPECT_FALSE(store_->WaitForPosition(Position{0}, std::chrono::milliseconds(10)));
  std::atomic<bool> woke{false};
  std::thread waiter(
      [&] { woke = store_->WaitForPosition(Position{1}, std::chrono::seconds(30)); });
  MustAppend({MakeDraft("e1", "s")});
  MustAppend({MakeDraft("e2", "s")});
  waiter.join();
  EXPECT_TRUE(woke);
}

class EventStoreTamperTest : public EventStoreTest, public ::testing::WithParamInterface<bool> {};

// A log altered on disk refuses to open, naming the position.
TEST_P(EventStoreTamperTest, TamperedLogRefusesToOpenNamingPosition) {
  std::vector<EventDraft> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(MakeDraft("e" + std::to_string(i), "s"));
  MustAppend(batch);
  store_.reset();
  testing::TamperLogEntry(dir_.path(), 5, /*remove=*/GetParam());
  auto opened = EventStore::Open(options_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
  EXPECT_NE(opened.status().message().find("position 5"), std::string::npos)
      << opened.status().message();
}

INSTANTIATE_TEST_SUITE_P(FlipOrDelete, EventStoreTamperTest, ::testing::Bool());

// Once a tail was verified on open, a later open starts from there; a full verify still
// catches tampering before the checkpoint.
TEST_F(EventStoreTest, VerifiedCheckpointAndFullVerification) {
  std::vector<EventDraft> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(MakeDraft("e" + std::to_string(i), "s"));
  MustAppend(batch);
  Reopen();  // verifies 0..9 and checkpoints there
  store_.reset();
  testing::TamperLogEntry(dir_.path(), 2, /*remove=*/false);
  auto opened = EventStore::Open(options_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Status full = (*opened)->VerifyChain();
  EXPECT_EQ(full.code(), StatusCode::kCorruption);
  EXPECT_NE(full.message().find("position 2"), std::string::npos) << full.message();
  opened->reset();
  options_.verify_whole_chain_on_open = true;
  EXPECT_EQ(EventStore::Open(options_).status().code(), StatusCode::kCorruption);
}

// Verify-on-read: a payload bit flipped on disk after the open's check is refused by ReadFrom
// (the projector's read) and ReadAt, naming the position; the events before it still read.
TEST_F(EventStoreTest, ReadsRefuseAnEventAlteredAfterOpen) {
  std::vector<EventDraft> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(MakeDraft("e" + std::to_string(i), "s"));
  MustAppend(batch);
  Reopen();  // verifies 0..9 and checkpoints there, so the next open does not re-hash them
  store_.reset();
  testing::TamperLogEntry(dir_.path(), 4, /*remove=*/false);
  Reopen();
  Result<std::vector<StoredEvent>> before = store_->ReadFrom(Position{0}, 4);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->size(), 4u);
  EXPECT_EQ((*before)[3].id, "e3");
  Result<std::vector<StoredEvent>> across = store_->ReadFrom(Position{0}, 10);
  ASSERT_FALSE(across.ok());
  EXPECT_EQ(across.status().code(), StatusCode::kCorruption);
  EXPECT_NE(across.status().message().find("position 4"), std::string::npos)
      << across.status().message();
  Result<StoredEvent> at = store_->ReadAt(Position{4});
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(at.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(store_->ReadAt(Position{5}).ok());
}

}  // namespace
}  // namespace ledger
