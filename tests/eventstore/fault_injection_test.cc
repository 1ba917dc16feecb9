// Failed WAL writes and syncs: nothing unacknowledged becomes visible, the store stops taking
// appends, and a reopen after a simulated power cut recovers exactly the acknowledged state.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include "eventstore/event_store.h"
#include "tests/eventstore/fault_injection_fs.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

using testing::FaultInjectionFileSystem;
using testing::MakeDraft;

enum class Fault { kWalAppend, kWalSync };

struct FaultCase {
  Fault fault;
  int nth;  // which WAL operation after arming fails
};

class FaultInjectionTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  void Open() {
    EventStoreOptions options;
    options.path = dir_.path();
    options.env = env_.get();
    auto opened = EventStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::vector<EventDraft> Batch(int n) {
    std::vector<EventDraft> batch;
    for (int k = 0; k < 3; ++k) {
      batch.push_back(MakeDraft("b" + std::to_string(n) + "-" + std::to_string(k),
                                "stream-" + std::to_string(n % 4)));
    }
    return batch;
  }

  testing::TempDir dir_;
  std::shared_ptr<FaultInjectionFileSystem> fs_ =
      std::make_shared<FaultInjectionFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env_ = testing::NewEnvOver(fs_);
  std::unique_ptr<EventStore> store_;
};

TEST_P(FaultInjectionTest, FailedBatchIsNotAcknowledgedAndReopenRecoversAcknowledged) {
  const FaultCase fault = GetParam();
  Open();
  std::vector<std::string> acknowledged;
  int n = 0;
  for (; n < 5; ++n) {
    auto result = store_->Append(Batch(n));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const auto& r : *result) acknowledged.push_back(r.id);
  }

  if (fault.fault == Fault::kWalAppend) {
    fs_->FailNthWalAppend(fault.nth);
  } else {
    fs_->FailNthWalSync(fault.nth);
  }
  std::vector<std::string> failed_ids;
  for (int attempts = 0;; ++attempts, ++n) {
    ASSERT_LT(attempts, 10) << "the injected fault never fired";
    std::vector<EventDraft> batch = Batch(n);
    const Head before = store_->GetHead();
    auto result = store_->Append(batch);
    if (result.ok()) {
      for (const auto& r : *result) acknowledged.push_back(r.id);
      continue;
    }
    EXPECT_EQ(result.status().code(), StatusCode::kIoError) << result.status().ToString();
    // Nothing of the failed batch is visible.
    EXPECT_EQ(store_->GetHead(), before);
    for (const EventDraft& event : batch) {
      failed_ids.push_back(event.id);
      EXPECT_EQ(store_->FindId(event.id).status().code(), StatusCode::kNotFound);
    }
    break;
  }
  EXPECT_FALSE(store_->health().ok());

  // Later appends are refused until reopen, even with the fault gone.
  fs_->Disarm();
  auto refused = store_->Append(Batch(1000));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();

  // Power cut: whatever was not synced is gone.
  store_.reset();
  fs_->DropUnsyncedWalData();
  Open();
  EXPECT_EQ(store_->GetHead().next, Position{acknowledged.size()});
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    auto event = store_->ReadAt(Position{i});
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    EXPECT_EQ(event->id, acknowledged[i]);
    EXPECT_EQ(event->payload, testing::PayloadFor(acknowledged[i]));
  }
  for (const std::string& id : failed_ids) {
    EXPECT_EQ(store_->FindId(id).status().code(), StatusCode::kNotFound);
  }
  EXPECT_TRUE(store_->VerifyChain().ok());

  // And the store takes appends again, continuing the chain.
  auto after = store_->Append(Batch(2000));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->front().position, Position{acknowledged.size()});
  EXPECT_TRUE(store_->VerifyChain().ok());
}

INSTANTIATE_TEST_SUITE_P(
    WalFaults, FaultInjectionTest,
    ::testing::Values(FaultCase{Fault::kWalAppend, 1}, FaultCase{Fault::kWalAppend, 3},
                      FaultCase{Fault::kWalSync, 1}, FaultCase{Fault::kWalSync, 2},
                      FaultCase{Fault::kWalSync, 4}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return std::string(info.param.fault == Fault::kWalAppend ? "Append" : "Sync") +
             std::to_string(info.param.nth);
    });

}  // namespace
}  // namespace ledger
