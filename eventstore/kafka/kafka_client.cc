#include "eventstore/kafka/kafka_client.h"

#include <array>

#include "eventstore/kafka/kafka_internal.h"

namespace ledger {

Result<std::pair<std::string, std::string>> ParseKafkaSetting(std::string_view key_value) {
  const size_t equals = key_value.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return Status::InvalidArgument("kafka setting '" + std::string(key_value) +
                                   "' is not KEY=VALUE");
  }
  return std::pair(std::string(key_value.substr(0, equals)),
                   std::string(key_value.substr(equals + 1)));
}

namespace kafka_internal {
namespace {
constexpr size_t kErrorTextBytesMax = 512;  // librdkafka writes its messages into this buffer
}  // namespace

Result<ConfPtr> MakeConf(const KafkaClientOptions& options,
                         const std::vector<std::pair<std::string, std::string>>& defaults) {
  if (options.brokers.empty()) return Status::InvalidArgument("no Kafka brokers given");
  ConfPtr conf(rd_kafka_conf_new());
  std::array<char, kErrorTextBytesMax> error{};
  auto set = [&](const std::string& key, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error.data(), error.size()) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("kafka setting " + key + ": " + error.data());
    }
    return Status::Ok();
  };
  for (const auto& [key, value] : defaults) {
    if (Status status = set(key, value); !status.ok()) return status;
  }
  if (Status status = set("bootstrap.servers", options.brokers); !status.ok()) return status;
  for (const auto& [key, value] : options.config) {
    if (Status status = set(key, value); !status.ok()) return status;
  }
  return conf;
}

Status KafkaStatus(rd_kafka_resp_err_t error, std::string_view what) {
  std::string message = std::string(what) + ": " + rd_kafka_err2str(error);
  switch (error) {
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return Status::InvalidArgument(std::move(message));
    default:
      return Status::Unavailable(std::move(message));
  }
}

Result<rd_kafka_t*> NewClient(rd_kafka_type_t type, ConfPtr conf) {
  std::array<char, kErrorTextBytesMax> error{};
  // On success rd_kafka_new takes the configuration over; on failure it stays ours.
  rd_kafka_t* client = rd_kafka_new(type, conf.get(), error.data(), error.size());
  if (client == nullptr) {
    return Status::InvalidArgument(std::string("kafka client: ") + error.data());
  }
  conf.release();  // NOLINT(bugprone-unused-return-value): owned by `client` now
  return client;
}

}  // namespace kafka_internal
}  // namespace ledger
