// The relay in a process of its own, for KafkaRelayTest.KilledRelayResumesFromItsCheckpoint:
// publishes the ledger at DIR and kills itself with SIGKILL as soon as at least N events are
// confirmed, with more in flight: a crash in the middle of publication.
// Usage: kafka_relay_child DIR BROKERS PREFIX N
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "eventstore/event_store.h"
#include "eventstore/kafka/kafka_relay.h"

namespace {
// Give up (exit 2, failing the test) when N events are not confirmed within this time.
constexpr auto kConfirmTimeout = std::chrono::seconds(120);
constexpr auto kProgressPollInterval = std::chrono::microseconds(200);
}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: kafka_relay_child DIR BROKERS PREFIX N\n");
    return 2;
  }
  ledger::EventStoreOptions store_options;
  store_options.path = argv[1];
  store_options.create_if_missing = false;
  auto store = ledger::EventStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 2;
  }
  ledger::KafkaRelayOptions options;
  options.client.brokers = argv[2];
  options.topic_prefix = argv[3];
  const uint64_t kill_after = std::strtoull(argv[4], nullptr, 10);
  auto relay = ledger::KafkaRelay::Start(**store, options);
  if (!relay.ok()) {
    std::fprintf(stderr, "start: %s\n", relay.status().ToString().c_str());
    return 2;
  }
  const auto deadline = std::chrono::steady_clock::now() + kConfirmTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((*relay)->progress().confirmed.value >= kill_after) kill(getpid(), SIGKILL);
    std::this_thread::sleep_for(kProgressPollInterval);
  }
  std::fprintf(stderr, "kafka_relay_child: %lu events not confirmed in time: %s\n", kill_after,
               (*relay)->progress().last_error.c_str());
  return 2;
}
