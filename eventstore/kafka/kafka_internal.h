// librdkafka glue shared by the relay and the topic reader (internal to eventstore/kafka/: the
// only module that includes librdkafka's headers).
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"
#include "eventstore/kafka/kafka_client.h"

namespace ledger::kafka_internal {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

// A configuration with `defaults`, then bootstrap.servers, then options.config (so a deployment
// can override any default). InvalidArgument naming the property librdkafka refuses.
Result<ConfPtr> MakeConf(const KafkaClientOptions& options,
                         const std::vector<std::pair<std::string, std::string>>& defaults);

// Status for a librdkafka error code: Unavailable for transient, broker-side and timeout
// errors (the caller retries), InvalidArgument for configuration and argument errors.
Status KafkaStatus(rd_kafka_resp_err_t error, std::string_view what);

// A client handle (producer or consumer) built from `conf`, which it takes over.
// InvalidArgument with librdkafka's message when it refuses the configuration.
Result<rd_kafka_t*> NewClient(rd_kafka_type_t type, ConfPtr conf);

}  // namespace ledger::kafka_internal
