// kafka_bench: how fast the Kafka relay publishes the log, and how soon an appended event is
// visible to a consumer of `<prefix>.events` and on a read replica.
//
// What it measures, against the broker at --brokers (`scripts/bench kafka` starts one of its
// own: Apache Kafka 3.9, one KRaft node on 127.0.0.1), with the ledger ledgerd runs (LedgerNode:
// the store with the domain rules in its writer, and the projector) in a fresh directory:
//   1. live: --events events (default 100,000: half donations from 50 partners, a quarter
//      expenses each spending the two donations before it, a quarter logged visits) appended in
//      batches of 1,000 as fast as the store takes them while a KafkaRelay runs; timed from the
//      first append until the relay has confirmed every event (idempotent producer, acks=all):
//      events/s and messages/s (events plus partner items), and how long after the last append
//      everything was confirmed (the relay's tail lag).
//   2. drain: --events more events appended with no relay running (their rate, against the rate
//      while relaying, is what the relay costs the writer); then a relay starts and is timed
//      until it has confirmed them: catching up a backlog, e.g. after an outage.
//   3. replica catch-up: a read replica (what `ledgerd --replica` runs: a LedgerNode of its own,
//      fed by a KafkaReplicator that checks every hash) starts from the beginning of the topic
//      and is timed until its projections have applied everything so far.
//   4. latency: --latency_events single-event appends (default 2,000) paced at --latency_rate
//      per second (200), each timed from the call to Append until (a) a consumer
//      (KafkaTopicReader on `<prefix>.events`, no consumer group, in this process) receives it,
//      and (b) the replica's projections have applied it, so that its read routes answer with it
//      (what `min_position` waits for): p50/p99/max of append->consumer-visible and
//      append->replica-visible, and of the append alone (durable commit) for comparison.
//
// How to run: `scripts/bench kafka` (Release build). Standalone, against a running broker:
//   build/release/benchmarks/kafka_bench --brokers=HOST:PORT --work_dir=DIR [--events=N]
//       [--latency_events=N] [--latency_rate=N] [--json_out=FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "benchmarks/bench_support.h"
#include "domain/event_payload.h"
#include "eventstore/kafka/kafka_relay.h"
#include "eventstore/kafka/kafka_replicator.h"
#include "eventstore/kafka/kafka_topic_reader.h"
#include "projections/ledger_node.h"

namespace ledger {
namespace {

using Clock = std::chrono::steady_clock;
using Builder = flatbuffers::FlatBufferBuilder;

constexpr int kPartners = 50;
constexpr size_t kAppendBatchEvents = 1000;
// Bounds: the relay confirming everything, the consumer seeing the warm-up event, and the
// consumer seeing every timed event after the last append.
constexpr auto kConfirmTimeout = std::chrono::seconds(300);
constexpr auto kWarmUpTimeout = std::chrono::seconds(30);
constexpr auto kWarmUpAppendInterval = std::chrono::milliseconds(100);
constexpr auto kConsumeTimeout = std::chrono::seconds(60);
constexpr auto kConsumerPollTimeout = std::chrono::milliseconds(100);
constexpr auto kStartPollInterval = std::chrono::milliseconds(1);

using bench::Flag;
using bench::SecondsSince;

[[noreturn]] void Die(const Status& status, const char* what) {
  bench::Die("kafka_bench", status, what);
}

template <typename T>
EventDraft Draft(const std::string& id, Builder& b, events::Data type, flatbuffers::Offset<T> data,
                 int64_t at_us) {
  b.Finish(events::CreateEventData(b, type, data.Union()));
  EventDraft draft;
  draft.id = id;
  draft.type = std::string(EventTypeName(type));
  draft.occurred_at_us = at_us;
  draft.actor = "bench";
  draft.payload.assign(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  return draft;
}

// Events the rules always accept: the setup (a branch, a fund, the partners, a volunteer and an
// elder), then donations, expenses drawing on them (first in, first out) and logged visits.
// Each expense spends exactly the two donations before it, so the fund's open sources stay few:
// the writer's undo journal copies a fund's whole pool of open sources per inflow and outflow,
// which makes appends slow down as that pool grows; this benchmark measures the relay.
class EventSource {
 public:
  std::vector<EventDraft> Setup() {
    std::vector<EventDraft> drafts;
    Builder b(256);
    drafts.push_back(Draft("ev-b0", b, events::Data::BranchOpened,
                           events::CreateBranchOpenedDirect(b, "b0", "石园街道"), Next()));
    b.Clear();
    drafts.push_back(Draft("ev-f0", b, events::Data::FundOpened,
                           events::CreateFundOpenedDirect(b, "f0", "长者困济帮扶基金", "b0"),
                           Next()));
    for (const auto kind : {events::MemberKind::volunteer, events::MemberKind::elder}) {
      const char* id = kind == events::MemberKind::volunteer ? "v0" : "e0";
      b.Clear();
      drafts.push_back(Draft(std::string("ev-") + id, b, events::Data::MemberRegistered,
                             events::CreateMemberRegisteredDirect(b, id, kind, "b0"), Next()));
    }
    for (int i = 0; i < kPartners; ++i) {
      const std::string id = "p" + std::to_string(i);
      b.Clear();
      drafts.push_back(Draft("ev-" + id, b, events::Data::PartnerRegistered,
                             events::CreatePartnerRegisteredDirect(b, id.c_str(), "企业"), Next()));
    }
    return drafts;
  }

  EventDraft Event() {
    const uint64_t n = counter_++;
    const std::string id = std::to_string(n);
    Builder b(256);
    switch (n % 4) {
      case 0:
      case 1: {
        const std::string partner = "p" + std::to_string(n % kPartners);
        return Draft("ev-d" + id, b, events::Data::DonationReceived,
                     events::CreateDonationReceivedDirect(b, ("d" + id).c_str(), partner.c_str(),
                                                          "f0", 1000),
                     Next());
      }
      case 2:
        return Draft("ev-x" + id, b, events::Data::ExpenseRecorded,
                     events::CreateExpenseRecordedDirect(b, ("x" + id).c_str(), "f0",
                                                         events::ExpenseCategory::materials, 2000),
                     Next());
      default: {
        const int64_t at_us = Next();
        return Draft(
            "ev-s" + id, b, events::Data::ServiceLogged,
            events::CreateServiceLoggedDirect(b, ("s" + id).c_str(), "v0",
                                              events::ServiceKind::home_visit, at_us, 30, "e0"),
            at_us);
      }
    }
  }

 private:
  int64_t Next() { return now_us_ += 1'000'000; }
  uint64_t counter_ = 0;
  int64_t now_us_ = 1'767'196'800'000'000;  // 2026-01-01 00:00 Beijing
};

void AppendOrDie(EventStore& store, std::vector<EventDraft> drafts) {
  auto result = store.Append(std::move(drafts));
  if (!result.ok()) Die(result.status(), "append");
}

// Appends `events` events in batches of `batch_events`.
void AppendEvents(EventStore& store, EventSource& source, uint64_t events, size_t batch_events) {
  std::vector<EventDraft> batch;
  for (uint64_t i = 0; i < events; ++i) {
    batch.push_back(source.Event());
    if (batch.size() == batch_events || i + 1 == events) {
      AppendOrDie(store, std::move(batch));
      batch = {};
    }
  }
}

void WaitConfirmedOrDie(const KafkaRelay& relay, Position next) {
  if (!relay.WaitForConfirmed(next, kConfirmTimeout)) {
    std::fprintf(stderr, "kafka_bench: the relay did not confirm %lu events in time: %s\n",
                 next.value, relay.progress().last_error.c_str());
    std::exit(1);
  }
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()));
  return values[index];
}

// Reads <prefix>.events from its end in a thread of its own and notes when each position first
// arrives.
class Consumer {
 public:
  Consumer(const std::string& brokers, const std::string& topic) {
    KafkaTopicReaderOptions options;
    options.client.brokers = brokers;
    options.topic = topic;
    options.start_offset = KafkaTopicReaderOptions::kFromEnd;
    auto reader = KafkaTopicReader::Open(options);
    if (!reader.ok()) Die(reader.status(), "consumer");
    reader_ = std::move(reader).value();
    thread_ = std::thread([this] { Run(); });
  }
  ~Consumer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    thread_.join();
  }

  // When `position` arrived, if it did.
  std::optional<Clock::time_point> SeenAt(uint64_t position) {
    std::lock_guard lock(mutex_);
    auto it = seen_.find(position);
    if (it == seen_.end()) return std::nullopt;
    return it->second;
  }
  // Waits (polling every kConsumerPollTimeout at most) until every position in [from, to) has
  // arrived or the timeout runs out.
  bool WaitForAll(uint64_t from, uint64_t to, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      {
        std::lock_guard lock(mutex_);
        uint64_t missing = 0;
        for (uint64_t p = from; p < to; ++p) missing += !seen_.contains(p);
        if (missing == 0) return true;
      }
      const auto now = Clock::now();
      if (now >= deadline) return false;
      std::this_thread::sleep_for(std::min<Clock::duration>(kConsumerPollTimeout, deadline - now));
    }
  }

 private:
  void Run() {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stop_) return;
      }
      auto records = reader_->Poll(kConsumerPollTimeout);
      const auto now = Clock::now();
      if (!records.ok()) Die(records.status(), "consumer poll");
      std::lock_guard lock(mutex_);
      for (const KafkaRecord& record : *records) {
        const std::string* position = record.Header("position");
        if (position != nullptr) seen_.emplace(std::stoull(*position), now);
      }
    }
  }

  std::unique_ptr<KafkaTopicReader> reader_;
  std::mutex mutex_;
  bool stop_ = false;                           // guarded by mutex_
  std::map<uint64_t, Clock::time_point> seen_;  // guarded by mutex_: position -> first arrival
  std::thread thread_;
};

// A read replica as `ledgerd --replica` runs one: a LedgerNode in `dir` whose store takes each
// group's recorded_at from the primary, fed from the beginning of <prefix>.events by a
// KafkaReplicator (which checks every position and hash against the primary's).
class Replica {
 public:
  Replica(const std::string& dir, const std::string& brokers, const std::string& topic_prefix) {
    std::filesystem::remove_all(dir);
    LedgerNodeOptions options;
    options.data_dir = dir;
    options.store.clock_us = [this] { return recorded_at_us_.load(); };
    auto node = LedgerNode::Open(options);
    if (!node.ok()) Die(node.status(), "open replica");
    node_ = std::move(node).value();
    KafkaReplicatorOptions replicator_options;
    replicator_options.client.brokers = brokers;
    replicator_options.topic_prefix = topic_prefix;
    auto replicator =
        KafkaReplicator::Start(node_->store(), &recorded_at_us_, std::move(replicator_options));
    if (!replicator.ok()) Die(replicator.status(), "replicator");
    replicator_ = std::move(replicator).value();
  }
  ~Replica() { replicator_.reset(); }  // before the node: it appends to the store

  // True once the replica's projections have applied every event before `next`.
  bool WaitApplied(Position next, Clock::duration timeout) const {
    return node_->projector().WaitForApplied(
        next, std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  }
  void WaitAppliedOrDie(Position next, Clock::duration timeout) const {
    if (!WaitApplied(next, timeout)) {
      std::fprintf(stderr, "kafka_bench: the replica did not apply %lu events in time: %s\n",
                   next.value, replicator_->health().ToString().c_str());
      std::exit(1);
    }
  }
  // Dies unless the replica's log ends exactly where the primary's does.
  void CheckSameHeadOrDie(const EventStore& primary) const {
    const Head mine = node_->store().GetHead(), theirs = primary.GetHead();
    if (mine.next != theirs.next || mine.hash != theirs.hash) {
      std::fprintf(stderr, "kafka_bench: the replica's head differs from the primary's\n");
      std::exit(1);
    }
  }

 private:
  std::atomic<int64_t> recorded_at_us_{0};
  std::unique_ptr<LedgerNode> node_;
  std::unique_ptr<KafkaReplicator> replicator_;
};

int Main(int argc, char** argv) {
  const std::string brokers = Flag(argc, argv, "brokers", "");
  const std::string work_dir = Flag(argc, argv, "work_dir", "");
  const uint64_t events = std::stoull(Flag(argc, argv, "events", "100000"));
  const uint64_t latency_events = std::stoull(Flag(argc, argv, "latency_events", "2000"));
  const double latency_rate = std::stod(Flag(argc, argv, "latency_rate", "200"));
  const std::string json_out = Flag(argc, argv, "json_out", "");
  if (brokers.empty() || work_dir.empty() || latency_rate <= 0) {
    std::fprintf(stderr,
                 "usage: kafka_bench --brokers=HOST:PORT --work_dir=DIR [--events=N] "
                 "[--latency_events=N] [--latency_rate=PER_SECOND] [--json_out=FILE]\n");
    return 2;
  }
  // Two fresh ledgers as ledgerd runs them, each with the setup events and topics of its own,
  // so that appends with and without a relay are compared over the same positions.
  struct Ledger {
    std::unique_ptr<LedgerNode> node;
    EventSource source;
    KafkaRelayOptions relay;
  };
  auto open_ledger = [&](const std::string& name) {
    Ledger ledger;
    LedgerNodeOptions options;
    options.data_dir = work_dir + "/" + name;
    std::filesystem::remove_all(options.data_dir);
    auto node = LedgerNode::Open(options);
    if (!node.ok()) Die(node.status(), "open");
    ledger.node = std::move(node).value();
    AppendOrDie(ledger.node->store(), ledger.source.Setup());
    ledger.relay.client.brokers = brokers;
    ledger.relay.topic_prefix = "bench-" + name + "-" + std::to_string(std::time(nullptr));
    return ledger;
  };
  auto start_relay = [](Ledger& ledger) {
    auto relay = KafkaRelay::Start(ledger.node->store(), ledger.relay);
    if (!relay.ok()) Die(relay.status(), "relay");
    return std::move(relay).value();
  };
  std::printf("appending %lu events without a relay, then %lu while relaying ...\n", events,
              events);
  std::fflush(stdout);

  // 1. drain: a backlog appended with no relay running (once the topics exist, so that only
  // publishing is timed), then a relay catches up
  Ledger backlog = open_ledger("backlog");
  EventStore& backlog_store = backlog.node->store();
  WaitConfirmedOrDie(*start_relay(backlog), backlog_store.GetHead().next);
  const Position backlog_start = backlog_store.GetHead().next;
  auto started = Clock::now();
  AppendEvents(backlog_store, backlog.source, events, kAppendBatchEvents);
  const double quiet_append_seconds = SecondsSince(started);
  started = Clock::now();
  std::unique_ptr<KafkaRelay> relay = start_relay(backlog);
  // The relay's start (producer id, topic check) is a fixed cost: note when the first event
  // of the backlog is confirmed.
  while (relay->progress().confirmed <= backlog_start && SecondsSince(started) < 60) {
    std::this_thread::sleep_for(kStartPollInterval);
  }
  const double drain_start_seconds = SecondsSince(started);
  WaitConfirmedOrDie(*relay, backlog_store.GetHead().next);
  const double drain_seconds = SecondsSince(started);
  const uint64_t drain_messages = relay->progress().delivered_messages_total;
  relay.reset();
  backlog.node.reset();

  // 2. live: the same appends while a relay runs
  Ledger live = open_ledger("live");
  EventStore& store = live.node->store();
  EventSource& source = live.source;
  relay = start_relay(live);
  WaitConfirmedOrDie(*relay, store.GetHead().next);
  const uint64_t messages_before = relay->progress().delivered_messages_total;
  started = Clock::now();
  AppendEvents(store, source, events, kAppendBatchEvents);
  const double live_append_seconds = SecondsSince(started);
  WaitConfirmedOrDie(*relay, store.GetHead().next);
  const double live_seconds = SecondsSince(started);
  const uint64_t live_messages = relay->progress().delivered_messages_total - messages_before;

  // 3. replica catch-up: everything so far, from the beginning of the topic
  Replica replica(work_dir + "/replica", brokers, live.relay.topic_prefix);
  const Position caught_up_target = store.GetHead().next;
  started = Clock::now();
  replica.WaitAppliedOrDie(caught_up_target, kConfirmTimeout);
  const double replica_catch_up_seconds = SecondsSince(started);

  // 4. latency: paced single appends, seen by a consumer of the events topic and on the replica
  Consumer consumer(brokers, KafkaRelay::EventsTopic(live.relay.topic_prefix));
  // The consumer starts at the end once it has fetched: wait until it sees a fresh event.
  const auto warm_up_deadline = Clock::now() + kWarmUpTimeout;
  bool warm = false;
  while (!warm && Clock::now() < warm_up_deadline) {
    const uint64_t position = store.GetHead().next.value;
    AppendOrDie(store, {source.Event()});
    warm = consumer.WaitForAll(position, position + 1, kWarmUpAppendInterval);
  }
  if (!warm) {
    std::fprintf(stderr, "kafka_bench: the consumer saw nothing within %lld s\n",
                 static_cast<long long>(kWarmUpTimeout.count()));
    return 1;
  }
  std::vector<Clock::time_point> append_started(latency_events);
  std::vector<double> append_ms;
  const uint64_t first = store.GetHead().next.value;
  replica.WaitAppliedOrDie(Position{first}, kConsumeTimeout);
  std::vector<Clock::time_point> replica_applied(latency_events);
  std::atomic<bool> replica_in_time{true};
  std::thread replica_watcher([&] {
    for (uint64_t i = 0; i < latency_events && replica_in_time; ++i) {
      replica_in_time = replica.WaitApplied(Position{first + i + 1}, kConsumeTimeout);
      replica_applied[i] = Clock::now();
    }
  });
  const auto interval = std::chrono::duration<double>(1.0 / latency_rate);
  started = Clock::now();
  for (uint64_t i = 0; i < latency_events; ++i) {
    std::this_thread::sleep_until(started +
                                  std::chrono::duration_cast<Clock::duration>(interval * i));
    append_started[i] = Clock::now();
    auto result = store.Append({source.Event()});
    if (!result.ok()) Die(result.status(), "append");
    if ((*result)[0].position.value != first + i) {
      std::fprintf(stderr, "kafka_bench: something else appended meanwhile\n");
      return 1;
    }
    append_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - append_started[i]).count());
  }
  const double latency_seconds = SecondsSince(started);
  replica_watcher.join();
  if (!consumer.WaitForAll(first, first + latency_events, kConsumeTimeout)) {
    std::fprintf(stderr, "kafka_bench: the consumer did not see every timed event in time\n");
    return 1;
  }
  if (!replica_in_time) {
    std::fprintf(stderr, "kafka_bench: the replica did not apply every timed event in time\n");
    return 1;
  }
  std::vector<double> visible_ms, replica_ms;
  for (uint64_t i = 0; i < latency_events; ++i) {
    visible_ms.push_back(
        std::chrono::duration<double, std::milli>(*consumer.SeenAt(first + i) - append_started[i])
            .count());
    replica_ms.push_back(
        std::chrono::duration<double, std::milli>(replica_applied[i] - append_started[i]).count());
  }
  replica.CheckSameHeadOrDie(store);

  relay.reset();  // before `live`, whose store it reads

  const double drain_rate = events / drain_seconds;
  const double live_rate = events / live_seconds;
  const double live_tail_ms = (live_seconds - live_append_seconds) * 1000;
  const double append_p50 = Percentile(append_ms, 0.50), append_p99 = Percentile(append_ms, 0.99);
  const double visible_p50 = Percentile(visible_ms, 0.50);
  const double visible_p99 = Percentile(visible_ms, 0.99);
  const double visible_max = Percentile(visible_ms, 1.0);
  const double replica_p50 = Percentile(replica_ms, 0.50);
  const double replica_p99 = Percentile(replica_ms, 0.99);
  const double replica_max = Percentile(replica_ms, 1.0);
  const double replica_catch_up_rate = caught_up_target.value / replica_catch_up_seconds;
  std::printf(
      "\nkafka relay benchmark: one broker on 127.0.0.1, idempotent producer, acks=all "
      "(%u cores)\n",
      std::thread::hardware_concurrency());
  char text[128];
  auto row = [&text](const std::string& measure) {
    std::printf("| %-62s | %-60s |\n", measure.c_str(), text);
  };
  const std::string n = std::to_string(events);
  std::snprintf(text, sizeof text, "%s", "result");
  row("measure");
  std::printf("|%s|%s|\n", std::string(64, '-').c_str(), std::string(62, '-').c_str());
  std::snprintf(text, sizeof text, "%.0f events/s, %.0f messages/s (%.2f s, %.2f s to start)",
                drain_rate, drain_messages / drain_seconds, drain_seconds, drain_start_seconds);
  row("relay drains a " + n + "-event backlog: log -> acknowledged");
  std::snprintf(text, sizeof text, "%.0f events/s, %.0f messages/s (%.2f s)", live_rate,
                live_messages / live_seconds, live_seconds);
  row("relay live: " + n + " events appended (batches of 1,000) -> acked");
  std::snprintf(text, sizeof text, "all confirmed %.0f ms after the last append", live_tail_ms);
  row("  relay tail lag at the end of those appends");
  std::snprintf(text, sizeof text, "%.0f events/s while relaying, %.0f with no relay",
                events / live_append_seconds, events / quiet_append_seconds);
  row("  the appends themselves (" + n + " events, batches of 1,000)");
  std::snprintf(text, sizeof text, "p50 %.2f ms, p99 %.2f ms, max %.2f ms", visible_p50,
                visible_p99, visible_max);
  row("append -> consumer-visible on .events (" + std::to_string(latency_events) + " singles at " +
      std::to_string(static_cast<int>(latency_rate)) + "/s)");
  std::snprintf(text, sizeof text, "p50 %.2f ms, p99 %.2f ms, max %.2f ms", replica_p50,
                replica_p99, replica_max);
  row("append -> replica-visible (replica's projections applied it)");
  std::snprintf(text, sizeof text, "p50 %.2f ms, p99 %.2f ms", append_p50, append_p99);
  row("  of which the append alone (durable commit)");
  std::snprintf(text, sizeof text, "%.0f events/s (%lu events in %.2f s)", replica_catch_up_rate,
                caught_up_target.value, replica_catch_up_seconds);
  row("replica catch-up from the start of .events (checked, projected)");
  std::printf("(the timed singles took %.2f s; the replica ended at the primary's head hash)\n",
              latency_seconds);
  if (!json_out.empty()) {
    std::ofstream json(json_out);
    json << "{\"events\":" << events << ",\"drain_seconds\":" << drain_seconds
         << ",\"drain_events_per_second\":" << drain_rate
         << ",\"drain_start_seconds\":" << drain_start_seconds
         << ",\"drain_messages\":" << drain_messages
         << ",\"drain_messages_per_second\":" << drain_messages / drain_seconds
         << ",\"live_seconds\":" << live_seconds << ",\"live_events_per_second\":" << live_rate
         << ",\"live_tail_ms\":" << live_tail_ms << ",\"live_messages\":" << live_messages
         << ",\"append_events_per_second_relaying\":" << events / live_append_seconds
         << ",\"append_events_per_second_no_relay\":" << events / quiet_append_seconds
         << ",\"latency_events\":" << latency_events
         << ",\"latency_rate_per_second\":" << latency_rate << ",\"append_ms_p50\":" << append_p50
         << ",\"append_ms_p99\":" << append_p99 << ",\"visible_ms_p50\":" << visible_p50
         << ",\"visible_ms_p99\":" << visible_p99 << ",\"visible_ms_max\":" << visible_max
         << ",\"replica_visible_ms_p50\":" << replica_p50
         << ",\"replica_visible_ms_p99\":" << replica_p99
         << ",\"replica_visible_ms_max\":" << replica_max
         << ",\"replica_catch_up_events\":" << caught_up_target.value
         << ",\"replica_catch_up_events_per_second\":" << replica_catch_up_rate
         << ",\"latency_measures\":\"visible: to a consumer of <prefix>.events; replica_visible: "
            "applied by a read replica's projections\"}\n";
  }
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Main(argc, argv); }
