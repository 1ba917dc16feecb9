// Pipeline: reading (and checking) items on one thread while the caller's thread applies them,
// so that the two overlap on a machine with more than one core. Replays, rebuilds and the
// auditor's verify are all "read, decode and re-hash in order, then apply in order"; this is that
// shape once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

// Calls `produce` on a thread of its own; it must call `emit` with each item in order, and stop
// (returning its status) once `emit` returns false. Items reach `consume`, in the same order, on
// the calling thread, in batches handed over through a bounded queue; `consume` returns false to
// stop early. Every item emitted before `produce` returned is consumed unless `consume` stopped
// first. Returns `produce`'s status.
//
// `emit` copy-assigns each item into a slot of a batch that the consumer hands back once it is
// done with it, so an item type whose assignment reuses storage (strings, vectors) crosses
// without allocating once the batches have warmed up.
template <class Item>
Status Pipeline(const std::function<Status(const std::function<bool(const Item&)>& emit)>& produce,
                const std::function<bool(const Item&)>& consume) {
  constexpr size_t kBatchItems = 1024;
  constexpr size_t kQueueBatchesMax = 8;
  // A batch's slots [0, used) hold items; the rest keep their storage for reuse.
  struct Batch {
    std::vector<Item> slots;
    size_t used = 0;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch> queue;   // bounded by kQueueBatchesMax
  std::vector<Batch> spare;  // consumed batches, back for reuse (at most kQueueBatchesMax + 1)
  bool producing_done = false;
  bool stop = false;  // the consumer stopped: the producer gives up
  Status produce_status;

  std::thread producer([&] {
    Batch batch;
    auto hand_over = [&] {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return queue.size() < kQueueBatchesMax || stop; });
      if (stop) return false;
      queue.push_back(std::move(batch));
      batch = {};
      if (!spare.empty()) {
        batch = std::move(spare.back());
        spare.pop_back();
      }
      changed.notify_all();
      return true;
    };
    Status status = produce([&](const Item& item) {
      if (batch.used < batch.slots.size()) {
        batch.slots[batch.used] = item;
      } else {
        batch.slots.push_back(item);
      }
      ++batch.used;
      return batch.used < kBatchItems || hand_over();
    });
    if (batch.used > 0) hand_over();
    std::lock_guard lock(mutex);
    produce_status = std::move(status);
    producing_done = true;
    changed.notify_all();
  });

  bool consuming = true;
  Batch batch;
  while (consuming) {
    {
      std::unique_lock lock(mutex);
      if (batch.used > 0) {
        batch.used = 0;
        spare.push_back(std::move(batch));
      }
      changed.wait(lock, [&] { return !queue.empty() || producing_done; });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
      changed.notify_all();
    }
    for (size_t i = 0; i < batch.used && consuming; ++i) consuming = consume(batch.slots[i]);
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
    changed.notify_all();
  }
  producer.join();
  return produce_status;
}

// The common case: the events of a log.
inline Status PipelineEvents(
    const std::function<Status(const std::function<bool(const StoredEvent&)>& emit)>& produce,
    const std::function<bool(const StoredEvent&)>& consume) {
  return Pipeline<StoredEvent>(produce, consume);
}

}  // namespace ledger
