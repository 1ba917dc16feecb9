#include "eventstore/event_pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace ledger {
namespace {
constexpr size_t kBatchEvents = 1024;
constexpr size_t kQueueBatchesMax = 8;
}  // namespace

Status PipelineEvents(
    const std::function<Status(const std::function<bool(StoredEvent)>& emit)>& produce,
    const std::function<bool(const StoredEvent&)>& consume) {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<StoredEvent>> queue;  // bounded by kQueueBatchesMax
  bool producing_done = false;
  bool stop = false;  // the consumer stopped: the producer gives up
  Status produce_status;

  std::thread producer([&] {
    std::vector<StoredEvent> batch;
    batch.reserve(kBatchEvents);
    auto hand_over = [&] {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return queue.size() < kQueueBatchesMax || stop; });
      if (stop) return false;
      queue.push_back(std::move(batch));
      batch = {};
      batch.reserve(kBatchEvents);
      changed.notify_all();
      return true;
    };
    Status status = produce([&](StoredEvent event) {
      batch.push_back(std::move(event));
      return batch.size() < kBatchEvents || hand_over();
    });
    if (!batch.empty()) hand_over();
    std::lock_guard lock(mutex);
    produce_status = std::move(status);
    producing_done = true;
    changed.notify_all();
  });

  bool consuming = true;
  while (consuming) {
    std::vector<StoredEvent> batch;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !queue.empty() || producing_done; });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
      changed.notify_all();
    }
    for (const StoredEvent& event : batch) {
      consuming = consume(event);
      if (!consuming) break;
    }
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
    changed.notify_all();
  }
  producer.join();
  return produce_status;
}

}  // namespace ledger
