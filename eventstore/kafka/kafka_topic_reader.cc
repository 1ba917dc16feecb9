#include "eventstore/kafka/kafka_topic_reader.h"

#include <atomic>

#include "eventstore/kafka/kafka_internal.h"

namespace ledger {

using kafka_internal::KafkaStatus;

static_assert(KafkaTopicReaderOptions::kFromBeginning == RD_KAFKA_OFFSET_BEGINNING);
static_assert(KafkaTopicReaderOptions::kFromEnd == RD_KAFKA_OFFSET_END);

const std::string* KafkaRecord::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<std::unique_ptr<KafkaTopicReader>> KafkaTopicReader::Open(KafkaTopicReaderOptions options) {
  // librdkafka wants a group id for a consumer even when, as here, nothing uses the group.
  static std::atomic<uint64_t> readers{0};
  const std::string group =
      "zhaiyi-reader-" + std::to_string(::getpid()) + "-" + std::to_string(readers.fetch_add(1));
  auto conf = kafka_internal::MakeConf(options.client, {
                                                           {"client.id", "zhaiyi-ledger-reader"},
                                                           {"group.id", group},
                                                           {"enable.auto.commit", "false"},
                                                           {"enable.auto.offset.store", "false"},
                                                           {"fetch.wait.max.ms", "100"},
                                                           {"reconnect.backoff.max.ms", "1000"},
                                                           {"log.connection.close", "false"},
                                                       });
  if (!conf.ok()) return conf.status();
  auto client = kafka_internal::NewClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  if (!client.ok()) return client.status();
  rd_kafka_t* consumer = *client;
  std::unique_ptr<KafkaTopicReader> reader(new KafkaTopicReader(consumer, std::move(options)));

  rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer, reader->options_.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t error = rd_kafka_metadata(
      consumer, 0, topic, &metadata, static_cast<int>(reader->options_.metadata_timeout_ms));
  rd_kafka_topic_destroy(topic);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(error, "topic metadata");
  Status status;
  std::unique_ptr<rd_kafka_topic_partition_list_t, kafka_internal::TopicPartitionListDeleter>
      assignment(rd_kafka_topic_partition_list_new(1));
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topics[0].partition_cnt < 1) {
    status = Status::NotFound("kafka topic " + reader->options_.topic + " does not exist");
  } else {
    for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
      rd_kafka_topic_partition_list_add(assignment.get(), reader->options_.topic.c_str(),
                                        metadata->topics[0].partitions[i].id)
          ->offset = reader->options_.start_offset;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  if (!status.ok()) return status;
  if (error = rd_kafka_assign(consumer, assignment.get()); error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(error, "assign partitions");
  }
  return reader;
}

KafkaTopicReader::~KafkaTopicReader() {
  rd_kafka_assign(consumer_, nullptr);
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
}

Result<std::vector<KafkaRecord>> KafkaTopicReader::Poll(std::chrono::milliseconds timeout) {
  std::vector<KafkaRecord> records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (records.size() < options_.poll_records_max) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    // Once something came, only take what is ready now.
    const int wait_ms = records.empty() ? static_cast<int>(std::max<int64_t>(0, left.count())) : 0;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, wait_ms);
    if (message == nullptr) {
      if (!records.empty() || left.count() <= 0) break;
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const rd_kafka_resp_err_t error = message->err;
      rd_kafka_message_destroy(message);
      if (error == RD_KAFKA_RESP_ERR__FATAL) return KafkaStatus(error, "kafka reader");
      continue;  // transient: librdkafka retries on its own
    }
    KafkaRecord& record = records.emplace_back();
    record.topic = rd_kafka_topic_name(message->rkt);
    record.partition = message->partition;
    record.offset = message->offset;
    if (message->key != nullptr) {
      record.key.assign(static_cast<const char*>(message->key), message->key_len);
    }
    if (message->payload != nullptr) {
      record.value.assign(static_cast<const char*>(message->payload), message->len);
    }
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        record.headers.emplace_back(name, value == nullptr
                                              ? std::string()
                                              : std::string(static_cast<const char*>(value), size));
      }
    }
    rd_kafka_message_destroy(message);
  }
  return records;
}

}  // namespace ledger
