// KafkaTopicReader: reads every partition of one topic from a given offset, without a consumer
// group (no commits, no rebalances): the caller keeps its own position, as a replica keeps the
// ledger position it has applied. Used by tests, and later by replicas and the partner consumer.
//
// Not thread-safe: one owner polls it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"
#include "eventstore/kafka/kafka_client.h"

struct rd_kafka_s;

namespace ledger {

// One record of a topic.
struct KafkaRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first header called `name`, or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct KafkaTopicReaderOptions {
  KafkaClientOptions client;
  std::string topic;
  // Where each partition starts: an offset, kFromBeginning, or kFromEnd (only what comes next).
  int64_t start_offset = kFromBeginning;
  int64_t metadata_timeout_ms = 10000;  // finding the topic's partitions when opening
  size_t poll_records_max = 10000;      // records one Poll returns

  static constexpr int64_t kFromBeginning = -2;  // librdkafka's RD_KAFKA_OFFSET_BEGINNING
  static constexpr int64_t kFromEnd = -1;        // librdkafka's RD_KAFKA_OFFSET_END
};

class KafkaTopicReader {
 public:
  // Looks the topic's partitions up and assigns them all at start_offset. NotFound when the
  // topic does not exist; Unavailable when no broker answers in time; InvalidArgument for a bad
  // property.
  [[nodiscard]] static Result<std::unique_ptr<KafkaTopicReader>> Open(
      KafkaTopicReaderOptions options);
  ~KafkaTopicReader();

  KafkaTopicReader(const KafkaTopicReader&) = delete;
  KafkaTopicReader& operator=(const KafkaTopicReader&) = delete;

  // The records that arrive within `timeout`, at most poll_records_max of them, in offset order
  // within each partition; returns early once some records came and no more are ready. Broker
  // trouble is retried inside librdkafka and shows as an empty result; Unavailable only for a
  // fatal client error.
  [[nodiscard]] Result<std::vector<KafkaRecord>> Poll(std::chrono::milliseconds timeout);

 private:
  KafkaTopicReader(rd_kafka_s* consumer, KafkaTopicReaderOptions options)
      : consumer_(consumer), options_(std::move(options)) {}
  rd_kafka_s* consumer_;
  const KafkaTopicReaderOptions options_;
};

}  // namespace ledger
