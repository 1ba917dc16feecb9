// Crash test with a real process: crash_writer appends continuously and reports every
// acknowledged event; we SIGKILL it at random moments, reopen the store, and check that every
// acknowledged event is present and intact, positions are gapless and the chain verifies.
// Cycles: LEDGER_CRASH_CYCLES (default 24). Seed: LEDGER_CRASH_SEED (default: time), printed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "eventstore/event_store.h"
#include "tests/eventstore/test_support.h"

extern char** environ;

namespace ledger {
namespace {

using testing::EnvInt;

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child SpawnWriter(const std::string& dir, int cycle) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::string cycle_arg = std::to_string(cycle);
  std::string path = CRASH_WRITER_PATH;
  char* argv[] = {path.data(), const_cast<char*>(dir.c_str()), cycle_arg.data(), nullptr};
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, path.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  child.out_fd = fds[0];
  return child;
}

// Reads complete "ack POSITION ID" lines from `fd` into `acks` until `deadline` (or EOF when
// `deadline` is nullopt). Returns false on EOF.
bool ReadAcks(int fd, std::string* partial, std::map<uint64_t, std::string>* acks,
              std::optional<std::chrono::steady_clock::time_point> deadline) {
  char buffer[65536];
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return true;
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) == 0) return true;
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return false;
    partial->append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t end; (end = partial->find('\n', start)) != std::string::npos; start = end + 1) {
      std::istringstream line(partial->substr(start, end - start));
      std::string word, id;
      uint64_t position;
      if (line >> word >> position >> id && word == "ack") {
        EXPECT_TRUE(acks->emplace(position, id).second) << "position acknowledged twice";
      }
    }
    partial->erase(0, start);
  }
}

TEST(EventStoreCrashTest, EveryAcknowledgedEventSurvivesKillNine) {
  const int cycles = EnvInt("LEDGER_CRASH_CYCLES", 24);
  const unsigned seed = static_cast<unsigned>(
      EnvInt("LEDGER_CRASH_SEED", static_cast<int>(std::time(nullptr) & 0x7fffffff)));
  std::printf("crash test: %d cycles, seed %u (rerun with LEDGER_CRASH_SEED=%u)\n", cycles, seed,
              seed);
  std::mt19937 random(seed);
  testing::TempDir dir;
  std::map<uint64_t, std::string> acks;  // every acknowledged event, across all cycles
  uint64_t kills_mid_write = 0;

  for (int cycle = 0; cycle < cycles; ++cycle) {
    Child child = SpawnWriter(dir.path(), cycle);
    std::string partial;
    const size_t acks_before = acks.size();
    // Let it get going, then kill it at a random moment 5-200 ms later.
    const auto started = std::chrono::steady_clock::now();
    while (acks.size() == acks_before &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(30)) {
      if (!ReadAcks(child.out_fd, &partial, &acks,
                    std::chrono::steady_clock::now() + std::chrono::milliseconds(20))) {
        break;
      }
    }
    ASSERT_GT(acks.size(), acks_before) << "cycle " << cycle << ": the writer acknowledged nothing";
    const auto kill_at = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(5 + static_cast<int>(random() % 196));
    ReadAcks(child.out_fd, &partial, &acks, kill_at);
    ASSERT_EQ(kill(child.pid, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(waitpid(child.pid, &wait_status, 0), child.pid);
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "cycle " << cycle << ": writer exited on its own";
    ReadAcks(child.out_fd, &partial, &acks, std::nullopt);  // what it printed before dying
    close(child.out_fd);
    if (!partial.empty()) ++kills_mid_write;

    EventStoreOptions options;
    options.path = dir.path();
    auto opened = EventStore::Open(options);
    ASSERT_TRUE(opened.ok()) << "cycle " << cycle << ": " << opened.status().ToString();
    EventStore& store = **opened;
    const Head head = store.GetHead();
    ASSERT_GT(head.next.value, acks.rbegin()->first) << "cycle " << cycle;
    for (const auto& [position, id] : acks) {
      auto event = store.ReadAt(Position{position});
      ASSERT_TRUE(event.ok()) << "cycle " << cycle << " position " << position << ": "
                              << event.status().ToString();
      ASSERT_EQ(event->id, id) << "cycle " << cycle << " position " << position;
      ASSERT_EQ(event->payload, testing::PayloadFor(id));
    }
    Status verified = store.VerifyChain();  // gapless positions and an intact chain to the head
    ASSERT_TRUE(verified.ok()) << "cycle " << cycle << ": " << verified.ToString();
  }
  std::printf("crash test: %zu acknowledged events survived %d kills (%lu mid-line)\n", acks.size(),
              cycles, kills_mid_write);
}

}  // namespace
}  // namespace ledger
