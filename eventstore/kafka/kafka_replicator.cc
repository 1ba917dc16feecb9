#include "eventstore/kafka/kafka_replicator.h"

#include <cstdio>
#include <map>
#include <vector>

#include "eventstore/envelope_codec.h"
#include "eventstore/hash_chain.h"
#include "eventstore/kafka/kafka_topic_reader.h"

namespace ledger {

Result<std::unique_ptr<KafkaReplicator>> KafkaReplicator::Start(
    EventStore& store, std::atomic<int64_t>* recorded_at_us, KafkaReplicatorOptions options) {
  if (options.client.brokers.empty()) {
    return Status::InvalidArgument("a replica needs the primary's Kafka brokers");
  }
  std::unique_ptr<KafkaReplicator> replicator(
      new KafkaReplicator(store, recorded_at_us, std::move(options)));
  replicator->thread_ = std::thread([r = replicator.get()] { r->Run(); });
  return replicator;
}

KafkaReplicator::~KafkaReplicator() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

Status KafkaReplicator::health() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void KafkaReplicator::Fail(Status status) {
  std::fprintf(stderr, "replica: stopped for good: %s\n", status.ToString().c_str());
  std::lock_guard lock(mutex_);
  failure_ = std::move(status);
}

void KafkaReplicator::Run() {
  std::unique_ptr<KafkaTopicReader> reader;
  std::map<uint64_t, StoredEvent> pending;  // ahead of the local head, in position order
  while (!stopping_) {
    if (reader == nullptr) {
      KafkaTopicReaderOptions reader_options;
      reader_options.client = options_.client;
      reader_options.topic = options_.topic_prefix + ".events";
      auto opened = KafkaTopicReader::Open(reader_options);
      if (!opened.ok()) {  // no broker or no topic yet: try again
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.reopen_backoff_ms));
        continue;
      }
      reader = std::move(opened).value();
    }
    auto records = reader->Poll(std::chrono::milliseconds(options_.poll_ms));
    if (!records.ok()) {
      reader.reset();
      continue;
    }
    const uint64_t head = store_.GetHead().next.value;
    for (const KafkaRecord& record : *records) {
      Result<StoredEvent> event = DecodeEnvelope(record.value);
      if (!event.ok()) {
        return Fail(Status::Corruption(
            "events topic partition " + std::to_string(record.partition) + " offset " +
            std::to_string(record.offset) + ": " + event.status().message()));
      }
      if (event->position.value >= head) pending.emplace(event->position.value, std::move(*event));
    }
    // Append the contiguous run after the head, a recorded-together group at a time.
    while (!pending.empty() && pending.begin()->first == store_.GetHead().next.value) {
      std::vector<StoredEvent> group;
      for (auto it = pending.begin();
           it != pending.end() && it->first == store_.GetHead().next.value + group.size() &&
           group.size() < options_.group_events_max &&
           (group.empty() || it->second.recorded_at_us == group.front().recorded_at_us);
           it = pending.erase(it)) {
        group.push_back(std::move(it->second));
      }
      // Nothing of a group is applied unless all of it continues the local chain.
      const Head head = store_.GetHead();
      ChainCheck chain(head.next, head.hash);
      for (const StoredEvent& e : group) {
        if (std::optional<std::string> problem = chain.Check(e)) {
          return Fail(Status::Corruption("position " + std::to_string(chain.next()) + ": " +
                                         *problem + " (broken chain)"));
        }
      }
      std::vector<EventDraft> drafts;
      drafts.reserve(group.size());
      for (const StoredEvent& e : group) {
        drafts.push_back(
            EventDraft{e.id, e.stream, e.type, std::nullopt, e.occurred_at_us, e.actor, e.payload});
      }
      *recorded_at_us_ = group.front().recorded_at_us;
      auto results = store_.Append(std::move(drafts));
      if (!results.ok()) {
        return Fail(
            Status(results.status().code(),
                   "position " + std::to_string(group.front().position.value) +
                       ": the primary's event does not apply here: " + results.status().message(),
                   results.status().reason()));
      }
      for (size_t i = 0; i < group.size(); ++i) {
        const AppendResult& r = (*results)[i];
        if (r.duplicate || r.position != group[i].position || r.hash != group[i].hash) {
          return Fail(Status::Corruption(
              "position " + std::to_string(group[i].position.value) +
              ": the replicated event does not reproduce the primary's hash (broken chain)"));
        }
      }
    }
  }
}

}  // namespace ledger
