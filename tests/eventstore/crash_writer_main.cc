// crash_writer DIR CYCLE: opens the store in DIR and appends continuously from several threads,
// printing "ack POSITION ID" to stdout (flushed) for every event only after Append acknowledged
// it. The crash test kills it with SIGKILL at random moments. Exits by itself after
// kRunSecondsMax, so a forgotten child never runs for ever. Exit 2: the store did not open.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/event_store.h"
#include "tests/eventstore/test_support.h"

namespace {
constexpr int kWriterThreads = 4;
constexpr int kRunSecondsMax = 60;
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_writer DIR CYCLE\n");
    return 64;
  }
  ledger::EventStoreOptions options;
  options.path = argv[1];
  const std::string cycle = argv[2];
  auto opened = ledger::EventStore::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "crash_writer: open failed: %s\n", opened.status().ToString().c_str());
    return 2;
  }
  ledger::EventStore& store = **opened;
  std::mutex out_mutex;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kRunSecondsMax);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(std::stoi(cycle) * 100 + t);
      for (int n = 0; std::chrono::steady_clock::now() < deadline; ++n) {
        std::vector<ledger::EventDraft> batch;
        const int size = 1 + static_cast<int>(random() % 8);
        for (int k = 0; k < size; ++k) {
          batch.push_back(ledger::testing::MakeDraft("c" + cycle + "-t" + std::to_string(t) + "-" +
                                                         std::to_string(n) + "-" +
                                                         std::to_string(k),
                                                     "stream-" + std::to_string(random() % 50)));
        }
        auto result = store.Append(batch);
        if (!result.ok()) {
          std::fprintf(stderr, "crash_writer: append failed: %s\n",
                       result.status().ToString().c_str());
          std::_Exit(3);
        }
        std::lock_guard lock(out_mutex);
        for (const auto& r : *result) std::printf("ack %lu %s\n", r.position.value, r.id.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return 0;
}
