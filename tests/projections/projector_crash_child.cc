// projector_crash_child DIR CYCLE: a ledger under load for the projection crash test. Opens the
// ledger in DIR (priming the decider from rows and log), runs the projector with small, frequent
// flushes, and appends random events until it is killed (or kRunSecondsMax passes). Prints
// "ready" once it has appended its first event. Exit 2: the ledger did not open.
#include <chrono>
#include <cstdio>
#include <string>

#include "tests/domain/event_builder.h"
#include "tests/domain/event_generator.h"
#include "tests/projections/ledger_fixture.h"

namespace {
constexpr int kRunSecondsMax = 60;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: projector_crash_child DIR CYCLE\n");
    return 64;
  }
  const int cycle = std::stoi(argv[2]);
  ledger::testing::LedgerFixture ledger(argv[1]);
  ledger.StartProjector(ledger::ProjectorOptions{.read_events_max = 7, .flush_events_max = 11});
  ledger::testing::EventGenerator generator(static_cast<uint64_t>(cycle) * 7919 + 1,
                                            "c" + std::to_string(cycle) + "-");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kRunSecondsMax);
  const int64_t start_us = ledger::testing::BeijingUs(2026, 1 + cycle % 12, 1);
  bool announced = false;
  for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    auto event = generator.Next();
    auto result = ledger.store().Append(
        {ledger::testing::Draft(event.id, event.type, event.fields, start_us + i * 1'000'000LL)});
    if (!result.ok() && result.status().code() != ledger::StatusCode::kRefused &&
        result.status().code() != ledger::StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "append failed: %s\n", result.status().ToString().c_str());
      return 3;
    }
    if (!announced && result.ok()) {
      std::printf("ready\n");
      std::fflush(stdout);
      announced = true;
    }
  }
  return 0;
}
