// KafkaRelay: publishes the committed log to Apache Kafka (docs/kafka.md).
//
// A background thread follows the store from the relay's checkpoint and produces, in position
// order, every event to `<prefix>.events` (key: stream id; value: the stored envelope bytes;
// headers: type, position, hash) and the partner items of PartnerFeed to `<prefix>.donations`
// (key: partner id; value: JSON). The producer is librdkafka's idempotent producer (acks=all),
// so a broker sees each produce once and in order while the connection holds.
//
// The checkpoint is the next position whose delivery is not yet confirmed: it advances only
// past events all of whose messages the broker acknowledged, in order, and is stored in the
// read model "relay" (its own column family; rows are never used). After a crash or restart the
// relay replays the log up to the checkpoint to rebuild its partner state, then publishes from
// there, so the topics get every event at least once: duplicates only of the events produced but
// not yet confirmed when it stopped. Consumers de-duplicate by position (docs/kafka.md).
//
// Appends never wait for the relay: it only reads the log. When the broker is unreachable the
// relay keeps at most `in_flight_events_max` events queued in the producer, backs off, and
// catches up when the broker is back; its lag shows in progress().
//
// Thread-safety: all public methods are safe from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/position.h"
#include "domain/status.h"
#include "eventstore/event_store.h"
#include "eventstore/kafka/kafka_client.h"
#include "eventstore/kafka/partner_feed.h"
#include "eventstore/read_model_store.h"

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace ledger {

// The meta table whose checkpoint is the relay's (EventStore::OpenMetaTable).
inline constexpr std::string_view kRelayTable = "relay";

struct KafkaRelayOptions {
  KafkaClientOptions client;
  std::string topic_prefix = "zhaiyi";  // topics <prefix>.events and <prefix>.donations

  // Topics are created when missing, with these settings; existing topics are used as they are.
  // Without create_topics the relay waits (backing off) until both exist.
  bool create_topics = true;
  int32_t topic_partitions = 1;          // one keeps the topic in position order
  int16_t topic_replication_factor = 1;  // one broker; 3 for a production cluster
  // Replicas and partners read from the beginning, so nothing expires by default.
  std::vector<std::pair<std::string, std::string>> topic_config = {{"retention.ms", "-1"},
                                                                   {"retention.bytes", "-1"}};

  size_t read_events_max = 1024;         // events read from the log per step
  size_t in_flight_events_max = 20000;   // events produced whose delivery is not confirmed yet
  int64_t idle_wait_ms = 100;            // wait for new events when caught up
  int64_t delivery_poll_ms = 10;         // wait for delivery reports when nothing else to do
  int64_t backoff_ms_min = 100;          // after a failure; doubles per failure in a row...
  int64_t backoff_ms_max = 5000;         // ...up to this
  int64_t admin_timeout_ms = 15000;      // one topic creation or metadata request
  int64_t stop_flush_timeout_ms = 5000;  // on stop, wait this long for outstanding deliveries

  // Microseconds since the Unix epoch for lag_seconds; nullptr: the system clock.
  std::function<int64_t()> clock_us;
  // Test seam: when it returns true for a position, a successful delivery of that event is
  // treated as failed (as if the acknowledgement were lost), which makes the relay re-publish
  // from there.
  std::function<bool(Position)> fail_delivery_for_test;
};

// A snapshot of the relay, for /metrics and /readyz.
struct KafkaRelayProgress {
  Position confirmed;         // the checkpoint: every event before it is on the broker
  Position produced;          // the next event to hand to the producer
  Position head;              // the log's head when the snapshot was taken
  uint64_t lag_events = 0;    // head - confirmed
  double lag_seconds = 0;     // age (by recorded_at) of the oldest unconfirmed event; 0 if none
  bool topics_ready = false;  // the topics exist; false until the broker was first reached
  uint64_t delivered_messages_total = 0;  // acknowledged messages, both topics
  uint64_t failed_deliveries_total = 0;   // deliveries reported failed (each causes a rewind)
  uint64_t rewinds_total = 0;             // times the unconfirmed tail was produced again
  std::string last_error;  // the latest broker or delivery error; "" since a confirmed delivery
};

class KafkaRelay {
 public:
  // Validates the options and the librdkafka configuration, opens the checkpoint, and starts
  // the relay thread (which first replays the log up to the checkpoint). `store` must outlive
  // the relay. The broker need not be reachable. InvalidArgument for a bad option or property;
  // the errors of OpenMetaTable.
  [[nodiscard]] static Result<std::unique_ptr<KafkaRelay>> Start(EventStore& store,
                                                                 KafkaRelayOptions options);

  // Stops the thread: waits up to stop_flush_timeout_ms for outstanding deliveries, stores the
  // checkpoint past what was confirmed, and closes the producer. Never blocks appends.
  ~KafkaRelay();

  KafkaRelay(const KafkaRelay&) = delete;
  KafkaRelay& operator=(const KafkaRelay&) = delete;

  KafkaRelayProgress progress() const;

  // Blocks until every event before `next` is confirmed, the relay fails, or the timeout runs
  // out. True when confirmed.
  bool WaitForConfirmed(Position next, std::chrono::milliseconds timeout) const;

  // The error that stopped the relay for good (a log that does not verify or replay, a failed
  // checkpoint write), or OK. Broker trouble is never one: the relay retries it.
  Status health() const;

  // "<prefix>.events" and "<prefix>.donations".
  static std::string EventsTopic(std::string_view prefix);
  static std::string DonationsTopic(std::string_view prefix);

 private:
  // One message of an event, kept until the event is confirmed so that it can be produced again.
  struct Message {
    bool to_events_topic = true;  // else the donations topic
    std::string key;
    std::string value;
    std::string type;  // headers
    std::string position;
    std::string hash;
  };
  // An event produced (or about to be) whose delivery is not confirmed yet.
  struct PendingEvent {
    Position position;
    int64_t recorded_at_us = 0;
    std::vector<Message> messages;
    size_t outstanding = 0;  // messages produced without a delivery report yet
    bool sent = false;       // every message was handed to the producer
    bool failed = false;     // a delivery failed: produce the tail again
  };

  KafkaRelay(EventStore& store, KafkaRelayOptions options, std::unique_ptr<ReadModelStore> rows,
             Position checkpoint);

  // The relay thread.
  void Run();
  // Replays [0, confirmed_) into the partner feed. False (health set) on failure.
  bool Rebuild();
  // One step of producing, polling and confirming; returns false to back off.
  bool Step();
  bool CreateProducer();
  void DestroyProducer();
  bool EnsureTopics();
  // Reads the next events of the log and produces them. False on a read or produce error.
  bool ReadAndProduce();
  // Hands every message of `event` to the producer. False if stopping or on a produce error.
  bool Produce(PendingEvent& event);
  // Produces the whole unconfirmed tail again after a failure, once every outstanding delivery
  // has reported. False while still waiting or on error.
  bool Rewind();
  // Pops confirmed events off the front and stores the checkpoint if it moved.
  void Advance();
  void PublishProgress();
  // Waits for the current backoff (growing with each failure in a row), or until stopped.
  void BackOff();
  bool stopping() const;
  void Fail(Status status);
  void NoteError(std::string error);

  static void OnDelivery(rd_kafka_s* client, const rd_kafka_message_s* message, void* opaque);
  static void OnError(rd_kafka_s* client, int error, const char* reason, void* opaque);

  EventStore& store_;
  const KafkaRelayOptions options_;
  const std::string events_topic_;
  const std::string donations_topic_;
  std::unique_ptr<ReadModelStore> rows_;

  // Relay thread only.
  rd_kafka_s* producer_ = nullptr;
  PartnerFeed feed_;
  Hash last_hash_{};                  // the hash before feed_.next(), to check each read links
  std::deque<PendingEvent> pending_;  // bounded by in_flight_events_max, in position order
  Position confirmed_;                // == rows_'s checkpoint once stored
  bool topics_ready_ = false;
  bool rewind_ = false;  // a delivery failed: re-produce pending_ once all have reported
  bool purged_ = false;  // the producer was told to drop what it still holds, for the rewind
  bool fatal_ = false;   // the producer raised a fatal error: make a new one
  bool rewind_backed_off_ = false;  // the rewind waited its backoff already
  size_t outstanding_total_ = 0;    // sum of pending_[i].outstanding
  int failures_in_row_ = 0;
  uint64_t delivered_messages_total_ = 0;
  uint64_t failed_deliveries_total_ = 0;
  uint64_t rewinds_total_ = 0;
  std::string last_error_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stop_ = false;                         // guarded by mutex_
  bool thread_done_ = false;                  // guarded by mutex_
  Status health_;                             // guarded by mutex_
  KafkaRelayProgress shown_;                  // guarded by mutex_: the last published snapshot
  int64_t shown_oldest_unconfirmed_us_ = -1;  // guarded by mutex_; -1: none or unknown
  std::thread thread_;
};

}  // namespace ledger
