// The partner consumer behind `ledgerctl partner-stream`: follows `<prefix>.donations` (what the
// Kafka relay publishes, docs/kafka.md) for one partner and writes each of its items as one JSON
// line, dropping the relay's duplicates. It reads every partition from a given offset with a
// KafkaTopicReader, without a consumer group: the caller keeps its own place.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "domain/status.h"
#include "eventstore/kafka/kafka_client.h"

namespace ledger::tools {

struct PartnerStreamOptions {
  KafkaClientOptions client;
  std::string topic_prefix = "zhaiyi";
  std::string partner_id;
  // Where every partition starts: an offset, KafkaTopicReaderOptions::kFromBeginning or
  // kFromEnd (only items published from now on).
  int64_t start_offset = -1;
  uint64_t items_max = 0;  // stop after this many items; 0: no limit
  // How long one poll waits for records; also how soon a stop request is noticed.
  int64_t poll_timeout_ms = 200;
};

struct PartnerStreamSummary {
  uint64_t items = 0;       // written
  uint64_t duplicates = 0;  // copies the relay re-sent, dropped
  // partition -> the offset after the last record read: where a later run picks up.
  std::map<int32_t, int64_t> next_offsets;
};

// Writes every item of options.partner_id to `out`, one JSON object per line, flushed, until
// items_max items or `stop` becomes true. A partner's items all sit in one partition (the key is
// the partner id), so a copy is an item whose position is not past the last one written.
// NotFound when the topic does not exist (the relay has not created it yet); Unavailable when
// no broker answers in time or the client failed; InvalidArgument for a bad property.
[[nodiscard]] Result<PartnerStreamSummary> StreamPartnerItems(const PartnerStreamOptions& options,
                                                              std::FILE* out,
                                                              const std::atomic<bool>& stop);

}  // namespace ledger::tools
