// OneShotEvent: a waiter returns exactly when the event is set, whether it was set before or
// while it waits, sees what the setter wrote, and may destroy the event as soon as Wait returns.
#include "eventstore/one_shot_event.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace ledger {
namespace {

TEST(OneShotEventTest, SetBeforeWaitReturnsAtOnce) {
  OneShotEvent event;
  event.Set();
  event.Wait();
}

// Many waiters each wait for a value another thread writes before setting, and free the event
// the moment Wait returns (the setter must not touch it after Set).
TEST(OneShotEventTest, WaiterSeesValueAndMayFreeAtOnce) {
  constexpr int kRounds = 2000;
  struct Slot {
    int value = 0;
    OneShotEvent done;
  };
  std::atomic<Slot*> handoff{nullptr};
  std::thread setter([&] {
    for (int round = 0; round < kRounds; ++round) {
      Slot* slot = nullptr;
      while ((slot = handoff.exchange(nullptr)) == nullptr) std::this_thread::yield();
      slot->value = round + 1;
      slot->done.Set();
    }
  });
  for (int round = 0; round < kRounds; ++round) {
    auto slot = std::make_unique<Slot>();
    handoff.store(slot.get());
    slot->done.Wait();
    ASSERT_EQ(slot->value, round + 1);
    slot.reset();  // at once: the setter may still be inside Set
  }
  setter.join();
}

}  // namespace
}  // namespace ledger
