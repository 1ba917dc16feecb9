// KafkaReplicator: what makes a read replica. It follows the primary's `<prefix>.events` topic
// from the beginning, restores position order (records may arrive out of order across
// partitions, and more than once: the relay delivers at least once), skips what the local log
// already holds, and appends each group of events the primary recorded together with the local
// store's clock set to their recorded_at — so the local store assigns the very positions and
// hashes the primary did. Before a group is appended, each event must link to the one before it
// and hash to its stated hash; after, the local positions and hashes must be the primary's. On
// the first difference (a broken or altered chain) the replicator stops for good, with nothing of
// the bad event applied, and its health names the position. (A chain forged and re-hashed from
// some point on links up; the primary's signed checkpoints, which `ledgerctl verify --kafka`
// checks, are what exposes it.)
//
// Thread-safety: safe for concurrent use; one background thread applies.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "eventstore/event_store.h"
#include "eventstore/kafka/kafka_client.h"

namespace ledger {

struct KafkaReplicatorOptions {
  KafkaClientOptions client;
  std::string topic_prefix = "zhaiyi";  // follows <prefix>.events
  int64_t poll_ms = 200;                // one wait for records
  int64_t reopen_backoff_ms = 1000;     // after the topic could not be opened
  size_t group_events_max = 5000;       // events appended in one request
};

class KafkaReplicator {
 public:
  // Starts following. `store` must have been opened with clock_us reading `*recorded_at_us`,
  // which the replicator sets before each append; both must outlive the replicator.
  static Result<std::unique_ptr<KafkaReplicator>> Start(EventStore& store,
                                                        std::atomic<int64_t>* recorded_at_us,
                                                        KafkaReplicatorOptions options);
  ~KafkaReplicator();

  // The error that stopped it for good (a chain that does not reproduce), or OK.
  Status health() const;

 private:
  KafkaReplicator(EventStore& store, std::atomic<int64_t>* recorded_at_us,
                  KafkaReplicatorOptions options)
      : store_(store), recorded_at_us_(recorded_at_us), options_(std::move(options)) {}
  void Run();
  void Fail(Status status);

  EventStore& store_;
  std::atomic<int64_t>* recorded_at_us_;
  const KafkaReplicatorOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  Status failure_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace ledger
