// What every Kafka client of the ledger (the relay, readers of its topics) is told about the
// cluster. Kept apart from librdkafka's headers: only eventstore/kafka/ includes those.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"

namespace ledger {

struct KafkaClientOptions {
  std::string brokers;  // bootstrap servers, "HOST:PORT[,HOST:PORT...]"
  // Extra librdkafka properties, applied after the client's own defaults so they can override
  // them: security.protocol, sasl.mechanisms, sasl.username, sasl.password, ssl.ca.location...
  // (librdkafka's CONFIGURATION.md). An unknown property or a bad value fails the client's start.
  std::vector<std::pair<std::string, std::string>> config;
};

// Parses one "key=value" setting (the value may contain '='). InvalidArgument when there is no
// '=' or the key is empty. For command-line flags such as ledgerd's --kafka-config.
Result<std::pair<std::string, std::string>> ParseKafkaSetting(std::string_view key_value);

}  // namespace ledger
