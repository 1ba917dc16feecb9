#include "tools/partner_stream.h"

#include <charconv>
#include <optional>

#include "eventstore/kafka/kafka_relay.h"
#include "eventstore/kafka/kafka_topic_reader.h"

namespace ledger::tools {
namespace {

std::optional<uint64_t> PositionOf(const KafkaRecord& record) {
  const std::string* text = record.Header("position");
  if (text == nullptr) return std::nullopt;
  uint64_t position = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), position);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return position;
}

}  // namespace

Result<PartnerStreamSummary> StreamPartnerItems(const PartnerStreamOptions& options, std::FILE* out,
                                                const std::atomic<bool>& stop) {
  KafkaTopicReaderOptions reader_options;
  reader_options.client = options.client;
  reader_options.topic = KafkaRelay::DonationsTopic(options.topic_prefix);
  reader_options.start_offset = options.start_offset;
  auto reader = KafkaTopicReader::Open(std::move(reader_options));
  if (!reader.ok()) return reader.status();
  PartnerStreamSummary summary;
  std::optional<uint64_t> last_position;
  const auto poll_timeout = std::chrono::milliseconds(options.poll_timeout_ms);
  while (!stop && (options.items_max == 0 || summary.items < options.items_max)) {
    auto records = (*reader)->Poll(poll_timeout);
    if (!records.ok()) return records.status();
    for (const KafkaRecord& record : *records) {
      summary.next_offsets[record.partition] = record.offset + 1;
      if (record.key != options.partner_id) continue;
      const std::optional<uint64_t> position = PositionOf(record);
      if (!position) {
        return Status::Corruption("record at partition " + std::to_string(record.partition) +
                                  " offset " + std::to_string(record.offset) +
                                  " has no position header: not written by the ledger's relay");
      }
      if (last_position && *position <= *last_position) {
        ++summary.duplicates;
        continue;
      }
      last_position = position;
      std::fwrite(record.value.data(), 1, record.value.size(), out);
      std::fputc('\n', out);
      std::fflush(out);
      if (++summary.items == options.items_max) break;
    }
  }
  return summary;
}

}  // namespace ledger::tools
