#include "eventstore/kafka/kafka_relay.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "eventstore/envelope_codec.h"
#include "eventstore/kafka/kafka_internal.h"

namespace ledger {
namespace {

using kafka_internal::KafkaStatus;

// librdkafka and relay diagnostics go to stderr, at most one line per interval: a broker that is
// down for an hour must not fill the log with a line per reconnect attempt.
constexpr int64_t kLogIntervalMs = 5000;
// After a purge, delivery reports come at once; this bounds the polls that wait for them.
constexpr int kDrainPollsMax = 200;
// Stop-aware waits (topic creation) check for a stop this often.
constexpr int kStopCheckIntervalMs = 100;
// Kafka's own limit on topic names, less the longest suffix we add (".donations").
constexpr size_t kTopicPrefixBytesMax = 249 - 10;
// The backoff doubles per failure in a row; past this many doublings it stays at its maximum.
constexpr int kBackoffDoublingsMax = 16;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClockUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `always`: a line that must not be lost to the rate limit (the relay stopping for good).
void LogLine(std::string_view line, bool always = false) {
  static std::atomic<int64_t> last_ms{-kLogIntervalMs};
  const int64_t now = SteadyMs();
  int64_t last = last_ms.load();
  if (!always && (now - last < kLogIntervalMs || !last_ms.compare_exchange_strong(last, now))) {
    return;
  }
  std::fprintf(stderr, "kafka relay: %.*s\n", static_cast<int>(line.size()), line.data());
}

void OnLog(const rd_kafka_t*, int level, const char* facility, const char* text) {
  if (level > 4) return;  // warnings and worse (syslog levels)
  LogLine(std::string(facility) + ": " + text);
}

bool ValidTopicPrefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > kTopicPrefixBytesMax) return false;
  return std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Status ValidateOptions(const KafkaRelayOptions& options) {
  if (!ValidTopicPrefix(options.topic_prefix)) {
    return Status::InvalidArgument("kafka topic prefix '" + options.topic_prefix +
                                   "' must be 1 to 239 of [a-zA-Z0-9._-]");
  }
  if (options.topic_partitions < 1 || options.topic_replication_factor < 1) {
    return Status::InvalidArgument("kafka topic partitions and replication factor must be >= 1");
  }
  if (options.read_events_max < 1 || options.in_flight_events_max < 1) {
    return Status::InvalidArgument("kafka relay batch sizes must be >= 1");
  }
  if (options.idle_wait_ms < 1 || options.delivery_poll_ms < 1 || options.backoff_ms_min < 1 ||
      options.backoff_ms_max < options.backoff_ms_min || options.admin_timeout_ms < 1 ||
      options.stop_flush_timeout_ms < 0) {
    return Status::InvalidArgument("kafka relay waits must be positive (backoff min <= max)");
  }
  return Status::Ok();
}

}  // namespace

std::string KafkaRelay::EventsTopic(std::string_view prefix) {
  return std::string(prefix) + ".events";
}

std::string KafkaRelay::DonationsTopic(std::string_view prefix) {
  return std::string(prefix) + ".donations";
}

Result<std::unique_ptr<KafkaRelay>> KafkaRelay::Start(EventStore& store,
                                                      KafkaRelayOptions options) {
  if (Status status = ValidateOptions(options); !status.ok()) return status;
  auto rows = store.OpenMetaTable(kRelayTable);
  if (!rows.ok()) return rows.status();
  Result<Position> checkpoint = (*rows)->Checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  const Position head = store.GetHead().next;
  if (*checkpoint > head) {
    return Status::Corruption("kafka relay checkpoint " + std::to_string(checkpoint->value) +
                              " is past the log's head " + std::to_string(head.value));
  }
  std::unique_ptr<KafkaRelay> relay(
      new KafkaRelay(store, std::move(options), std::move(rows).value(), *checkpoint));
  // The first producer is made here so that a bad property fails the start, not the thread.
  if (!relay->CreateProducer()) return Status::InvalidArgument(relay->last_error_);
  relay->thread_ = std::thread(&KafkaRelay::Run, relay.get());
  return relay;
}

KafkaRelay::KafkaRelay(EventStore& store, KafkaRelayOptions options,
                       std::unique_ptr<ReadModelStore> rows, Position checkpoint)
    : store_(store),
      options_(std::move(options)),
      events_topic_(EventsTopic(options_.topic_prefix)),
      donations_topic_(DonationsTopic(options_.topic_prefix)),
      rows_(std::move(rows)),
      confirmed_(checkpoint) {
  shown_.confirmed = checkpoint;
  shown_.produced = checkpoint;
}

KafkaRelay::~KafkaRelay() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  DestroyProducer();  // only when the thread never started
}

KafkaRelayProgress KafkaRelay::progress() const {
  KafkaRelayProgress progress;
  int64_t oldest_us;
  {
    std::lock_guard lock(mutex_);
    progress = shown_;
    oldest_us = shown_oldest_unconfirmed_us_;
  }
  // The head moves without the relay: take it now, so that lag never reads as 0 while the
  // relay thread is stuck.
  progress.head = store_.GetHead().next;
  progress.lag_events =
      progress.head > progress.confirmed ? progress.head.value - progress.confirmed.value : 0;
  if (progress.lag_events > 0 && oldest_us < 0) {
    // Nothing read yet (the broker was never reached, say): the oldest is the event at the
    // checkpoint.
    auto oldest = store_.ReadAt(progress.confirmed);
    if (oldest.ok()) oldest_us = oldest->recorded_at_us;
  }
  if (progress.lag_events > 0 && oldest_us >= 0) {
    const int64_t now_us = options_.clock_us ? options_.clock_us() : SystemClockUs();
    progress.lag_seconds = static_cast<double>(std::max<int64_t>(0, now_us - oldest_us)) / 1e6;
  }
  return progress;
}

bool KafkaRelay::WaitForConfirmed(Position next, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    return shown_.confirmed >= next || !health_.ok() || stop_ || thread_done_;
  });
  return shown_.confirmed >= next;
}

Status KafkaRelay::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

bool KafkaRelay::stopping() const {
  std::lock_guard lock(mutex_);
  return stop_ || !health_.ok();
}

void KafkaRelay::Fail(Status status) {
  LogLine("stopped: " + status.ToString(), /*always=*/true);
  std::lock_guard lock(mutex_);
  if (health_.ok()) health_ = std::move(status);
  changed_.notify_all();
}

void KafkaRelay::NoteError(std::string error) {
  LogLine(error);
  last_error_ = std::move(error);
}

// ---- the relay thread ----

void KafkaRelay::Run() {
  if (Rebuild()) {
    while (!stopping()) {
      if (!Step()) BackOff();
    }
  }
  if (producer_ != nullptr && health().ok()) {
    // Give what is in flight a bounded chance to be confirmed, so a clean stop re-publishes
    // as little as possible after the restart.
    rd_kafka_flush(producer_, static_cast<int>(options_.stop_flush_timeout_ms));
    Advance();
  }
  DestroyProducer();
  PublishProgress();
  std::lock_guard lock(mutex_);
  thread_done_ = true;
  changed_.notify_all();
}

bool KafkaRelay::Rebuild() {
  Status failure;
  Status status = store_.Scan(Position{0}, confirmed_, nullptr, [&](const StoredEvent& event) {
    std::vector<PartnerItem> ignored;  // published before the checkpoint already
    failure = feed_.Apply(event, &ignored);
    last_hash_ = event.hash;
    return failure.ok() && !stopping();
  });
  if (status.ok()) status = failure;
  if (!status.ok()) {
    Fail(Status(status.code(), "kafka relay rebuilding its partner state: " + status.message()));
    return false;
  }
  return feed_.next() == confirmed_;  // false only when stopped part way
}

bool KafkaRelay::Step() {
  if (producer_ == nullptr && !CreateProducer()) return false;
  if (fatal_) {
    // The idempotent producer cannot go on (e.g. its sequence state was lost): a new one gets a
    // new producer id, and the unconfirmed tail is produced again.
    DestroyProducer();
    return false;
  }
  if (!topics_ready_ && !EnsureTopics()) return false;
  if (rewind_) {
    if (!purged_) {
      // Whatever the producer still holds after the failed message would land out of order:
      // drop it, and produce the whole unconfirmed tail again in order.
      rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      purged_ = true;
    }
    rd_kafka_poll(producer_, static_cast<int>(options_.delivery_poll_ms));
    if (outstanding_total_ > 0) return true;  // reports of the purged messages are coming
    Advance();                                // events before the failure may be confirmed
    if (!rewind_backed_off_) {
      rewind_backed_off_ = true;
      return false;
    }
    rewind_ = false;
    purged_ = false;
    rewind_backed_off_ = false;
    ++rewinds_total_;
    for (PendingEvent& event : pending_) {
      event.failed = false;
      event.sent = false;
    }
    for (PendingEvent& event : pending_) {
      if (!Produce(event)) return false;
    }
  }
  if (!ReadAndProduce()) return false;

  const bool more_to_read =
      pending_.size() < options_.in_flight_events_max && feed_.next() < store_.GetHead().next;
  if (more_to_read) {
    rd_kafka_poll(producer_, 0);
  } else if (!pending_.empty()) {
    rd_kafka_poll(producer_, static_cast<int>(options_.delivery_poll_ms));
  } else {
    rd_kafka_poll(producer_, 0);
    // Whether or not an event came, the next step looks at the head again.
    store_.WaitForPosition(feed_.next(), std::chrono::milliseconds(options_.idle_wait_ms));
  }
  Advance();
  PublishProgress();
  return true;
}

bool KafkaRelay::CreateProducer() {
  auto conf = kafka_internal::MakeConf(
      options_.client,
      {
          {"client.id", "zhaiyi-ledger-relay"},
          {"enable.idempotence", "true"},
          {"acks", "all"},
          // Never give up on a message: the relay bounds what it queues instead, and a broker
          // outage only delays publication.
          {"message.timeout.ms", "0"},
          // Java clients' partitioner: every client maps a stream id to the same partition.
          {"partitioner", "murmur2_random"},
          {"linger.ms", "5"},
          // Reconnect within a second of the broker's return.
          {"reconnect.backoff.ms", "100"},
          {"reconnect.backoff.max.ms", "1000"},
          {"log.connection.close", "false"},
      });
  if (!conf.ok()) {
    NoteError(conf.status().message());
    return false;
  }
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaRelay::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &KafkaRelay::OnError);
  rd_kafka_conf_set_log_cb(conf->get(), &OnLog);
  auto client = kafka_internal::NewClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!client.ok()) {
    NoteError(client.status().message());
    return false;
  }
  producer_ = *client;
  fatal_ = false;
  return true;
}

void KafkaRelay::DestroyProducer() {
  if (producer_ == nullptr) return;
  rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  for (int i = 0; i < kDrainPollsMax && outstanding_total_ > 0; ++i) {
    rd_kafka_poll(producer_, static_cast<int>(options_.delivery_poll_ms));
  }
  rd_kafka_destroy(producer_);
  producer_ = nullptr;
  // Reports not served are lost with the producer: everything unconfirmed goes out again.
  outstanding_total_ = 0;
  for (PendingEvent& event : pending_) {
    event.outstanding = 0;
    event.sent = false;
  }
  rewind_ = !pending_.empty();
  purged_ = true;
}

bool KafkaRelay::EnsureTopics() {
  const std::string names[] = {events_topic_, donations_topic_};
  if (!options_.create_topics) {
    for (const std::string& name : names) {
      rd_kafka_topic_t* topic = rd_kafka_topic_new(producer_, name.c_str(), nullptr);
      const rd_kafka_metadata_t* metadata = nullptr;
      rd_kafka_resp_err_t error = rd_kafka_metadata(producer_, 0, topic, &metadata,
                                                    static_cast<int>(options_.admin_timeout_ms));
      if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = metadata->topic_cnt == 1 ? metadata->topics[0].err
                                         : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        rd_kafka_metadata_destroy(metadata);
      }
      rd_kafka_topic_destroy(topic);
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        NoteError(KafkaStatus(error, "topic " + name).message());
        return false;
      }
    }
    topics_ready_ = true;
    return true;
  }

  std::array<char, 512> error_text{};
  rd_kafka_NewTopic_t* topics[2] = {};
  for (int i = 0; i < 2; ++i) {
    topics[i] = rd_kafka_NewTopic_new(names[i].c_str(), options_.topic_partitions,
                                      options_.topic_replication_factor, error_text.data(),
                                      error_text.size());
    LEDGER_ASSERT(topics[i] != nullptr);  // Start validated the name and counts
    for (const auto& [key, value] : options_.topic_config) {
      if (rd_kafka_NewTopic_set_config(topics[i], key.c_str(), value.c_str()) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        NoteError("topic setting " + key + " refused");
      }
    }
  }
  rd_kafka_AdminOptions_t* admin =
      rd_kafka_AdminOptions_new(producer_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  const int timeout_ms = static_cast<int>(options_.admin_timeout_ms);
  rd_kafka_AdminOptions_set_request_timeout(admin, timeout_ms, nullptr, 0);
  rd_kafka_AdminOptions_set_operation_timeout(admin, timeout_ms, nullptr, 0);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(producer_);
  rd_kafka_CreateTopics(producer_, topics, 2, admin, queue);
  rd_kafka_NewTopic_destroy_array(topics, 2);
  rd_kafka_AdminOptions_destroy(admin);

  // The admin request times itself out after timeout_ms; wait a little longer for its result,
  // serving the client's own events meanwhile so that a broker's error (a refused login, say)
  // is noted as it happens and named as the cause when the request fails.
  const int64_t deadline_ms = SteadyMs() + 2 * options_.admin_timeout_ms;
  const std::string error_before = last_error_;
  rd_kafka_event_t* result = nullptr;
  while (result == nullptr && !stopping() && SteadyMs() < deadline_ms) {
    rd_kafka_poll(producer_, 0);
    result = rd_kafka_queue_poll(queue, kStopCheckIntervalMs);
  }
  const std::string cause = last_error_ != error_before ? " (" + last_error_ + ")" : "";
  bool ready = false;
  if (result == nullptr) {
    NoteError("topic creation: no answer from the brokers" + cause);
  } else if (rd_kafka_event_error(result) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    NoteError(std::string("topic creation: ") + rd_kafka_event_error_string(result) + cause);
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** created =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(result), &count);
    ready = true;
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t error = rd_kafka_topic_result_error(created[i]);
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* message = rd_kafka_topic_result_error_string(created[i]);
        NoteError(std::string("creating topic ") + rd_kafka_topic_result_name(created[i]) + ": " +
                  (message != nullptr ? message : rd_kafka_err2str(error)));
        ready = false;
      }
    }
  }
  if (result != nullptr) rd_kafka_event_destroy(result);
  rd_kafka_queue_destroy(queue);
  if (ready) {
    topics_ready_ = true;
    failures_in_row_ = 0;
  }
  return ready;
}

bool KafkaRelay::ReadAndProduce() {
  if (pending_.size() >= options_.in_flight_events_max) return true;
  const size_t room = options_.in_flight_events_max - pending_.size();
  if (feed_.next() >= store_.GetHead().next) return true;
  auto events = store_.ReadFrom(feed_.next(), std::min(room, options_.read_events_max));
  if (!events.ok()) {
    NoteError("reading the log: " + events.status().ToString());
    return false;
  }
  for (const StoredEvent& event : *events) {
    // The pair of the store's read-time check: the events handed over link up with the last.
    if (event.position != feed_.next() || event.prev_hash != last_hash_) {
      Fail(Status::Corruption("kafka relay: the event at position " +
                              std::to_string(event.position.value) +
                              " does not follow the previous one in the chain"));
      return false;
    }
    std::vector<PartnerItem> items;
    if (Status status = feed_.Apply(event, &items); !status.ok()) {
      Fail(std::move(status));
      return false;
    }
    last_hash_ = event.hash;
    PendingEvent& pending = pending_.emplace_back();
    pending.position = event.position;
    pending.recorded_at_us = event.recorded_at_us;
    pending.messages.reserve(1 + items.size());
    Message& message = pending.messages.emplace_back();
    message.to_events_topic = true;
    message.key = event.stream;
    EncodeEnvelope(event, &message.value);
    message.type = event.type;
    message.position = std::to_string(event.position.value);
    message.hash = HexOf(event.hash);
    for (PartnerItem& item : items) {
      Message& partner_message = pending.messages.emplace_back();
      partner_message.to_events_topic = false;
      partner_message.key = std::move(item.partner_id);
      partner_message.value = std::move(item.json);
      partner_message.type = event.type;
      partner_message.position = pending.messages.front().position;
      partner_message.hash = pending.messages.front().hash;
    }
    // During a rewind nothing new goes out ahead of the tail being produced again.
    if (!rewind_ && !Produce(pending)) return false;
  }
  return true;
}

bool KafkaRelay::Produce(PendingEvent& event) {
  for (const Message& message : event.messages) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(3);
    rd_kafka_header_add(headers, "type", -1, message.type.data(),
                        static_cast<ssize_t>(message.type.size()));
    rd_kafka_header_add(headers, "position", -1, message.position.data(),
                        static_cast<ssize_t>(message.position.size()));
    rd_kafka_header_add(headers, "hash", -1, message.hash.data(),
                        static_cast<ssize_t>(message.hash.size()));
    const std::string& topic = message.to_events_topic ? events_topic_ : donations_topic_;
    rd_kafka_resp_err_t error;
    for (;;) {
      error = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(message.value.data()), message.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(event.position.value))),
          RD_KAFKA_V_END);
      if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL || stopping()) break;
      // The producer's own queue is full: serving delivery reports makes room.
      rd_kafka_poll(producer_, static_cast<int>(options_.delivery_poll_ms));
    }
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);  // still ours: librdkafka took nothing
      if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;  // stopping
      ++failed_deliveries_total_;
      NoteError(KafkaStatus(error, "producing position " + message.position).message());
      event.failed = true;
      rewind_ = true;
      return false;
    }
    ++event.outstanding;
    ++outstanding_total_;
  }
  event.sent = true;
  return true;
}

void KafkaRelay::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* relay = static_cast<KafkaRelay*>(opaque);
  const uint64_t position = reinterpret_cast<uintptr_t>(message->_private);
  LEDGER_ASSERT(!relay->pending_.empty());
  const uint64_t first = relay->pending_.front().position.value;
  LEDGER_ASSERT(position >= first);
  LEDGER_ASSERT(position - first < relay->pending_.size());
  PendingEvent& event = relay->pending_[position - first];
  LEDGER_ASSERT(event.outstanding > 0);
  --event.outstanding;
  --relay->outstanding_total_;
  rd_kafka_resp_err_t error = message->err;
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR && relay->options_.fail_delivery_for_test &&
      relay->options_.fail_delivery_for_test(event.position)) {
    error = RD_KAFKA_RESP_ERR__FAIL;
  }
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++relay->delivered_messages_total_;
    return;
  }
  // Purges are the relay's own doing (a rewind already under way, or a stop).
  if (error != RD_KAFKA_RESP_ERR__PURGE_QUEUE && error != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    ++relay->failed_deliveries_total_;
    relay->NoteError(
        KafkaStatus(error, "delivery of position " + std::to_string(position)).message());
  }
  event.failed = true;
  relay->rewind_ = true;
}

void KafkaRelay::OnError(rd_kafka_t* client, int error, const char* reason, void* opaque) {
  auto* relay = static_cast<KafkaRelay*>(opaque);
  if (error == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> text{};
    rd_kafka_fatal_error(client, text.data(), text.size());
    relay->NoteError(std::string("fatal producer error: ") + text.data());
    relay->fatal_ = true;
    return;
  }
  relay->NoteError(reason);
}

void KafkaRelay::Advance() {
  const Position before = confirmed_;
  while (!pending_.empty()) {
    const PendingEvent& front = pending_.front();
    if (!front.sent || front.outstanding > 0 || front.failed) break;
    confirmed_ = front.position.Next();
    pending_.pop_front();
  }
  if (confirmed_ == before) return;
  failures_in_row_ = 0;
  last_error_.clear();
  if (Status status = rows_->Commit({}, confirmed_); !status.ok()) {
    Fail(Status(status.code(), "kafka relay checkpoint: " + status.message()));
  }
}

void KafkaRelay::PublishProgress() {
  const Position head = store_.GetHead().next;
  const int64_t oldest_us = pending_.empty() ? -1 : pending_.front().recorded_at_us;
  std::lock_guard lock(mutex_);
  shown_.confirmed = confirmed_;
  shown_.produced = feed_.next();
  shown_.head = head;
  shown_.topics_ready = topics_ready_;
  shown_.delivered_messages_total = delivered_messages_total_;
  shown_.failed_deliveries_total = failed_deliveries_total_;
  shown_.rewinds_total = rewinds_total_;
  shown_.last_error = last_error_;
  shown_oldest_unconfirmed_us_ = oldest_us;
  changed_.notify_all();
}

void KafkaRelay::BackOff() {
  PublishProgress();
  const int doublings = std::min(failures_in_row_, kBackoffDoublingsMax);
  const int64_t wait_ms = std::min(options_.backoff_ms_max, options_.backoff_ms_min << doublings);
  ++failures_in_row_;
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                    [&] { return stop_ || !health_.ok(); });
}

}  // namespace ledger
