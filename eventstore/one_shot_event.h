// OneShotEvent: one thread waits until another sets it, once. The store's committer sets one per
// blocked Append; on Linux setting costs one futex wake, and none when the waiter has not gone to
// sleep yet (a std::promise costs an allocation, a mutex and a condition variable on top).
//
// Thread-safe for one waiter and one setter. The setter must not touch the object after Set: the
// waiter may return from Wait and destroy it at once (a futex wake on a reused address at worst
// wakes another futex waiter spuriously, and every waiter re-checks its state).
#pragma once

#include <atomic>
#include <cstdint>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ledger {

class OneShotEvent {
 public:
  // Wakes the waiter; everything written before Set is visible to it after Wait.
  void Set() {
    if (state_.exchange(kSet, std::memory_order_acq_rel) == kSleeping) {
#if defined(__linux__)
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr,
              nullptr, 0);
#else
      state_.notify_one();
#endif
    }
  }

  // Blocks until Set has been called.
  void Wait() {
    uint32_t state = state_.load(std::memory_order_acquire);
    while (state != kSet) {
      if (state == kPending &&
          !state_.compare_exchange_weak(state, kSleeping, std::memory_order_acquire)) {
        continue;  // `state` now holds the current value
      }
#if defined(__linux__)
      // Returns at once if the state is no longer kSleeping; spurious returns loop.
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kSleeping,
              nullptr, nullptr, 0);
#else
      state_.wait(kSleeping, std::memory_order_acquire);
#endif
      state = state_.load(std::memory_order_acquire);
    }
  }

 private:
  static constexpr uint32_t kPending = 0;
  static constexpr uint32_t kSleeping = 1;  // pending, and the waiter may be in FUTEX_WAIT
  static constexpr uint32_t kSet = 2;
  std::atomic<uint32_t> state_{kPending};
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  static_assert(std::atomic<uint32_t>::is_always_lock_free);
};

}  // namespace ledger
