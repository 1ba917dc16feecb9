// Crash in the middle of projection: a real process appends and projects with frequent flushes
// and is killed with SIGKILL at random moments. After every kill the ledger must reopen (the
// decider primes from rows and log), and at the end the projector, resuming from its
// checkpoint, must produce exactly the rows of a rebuild from scratch.
// Cycles: LEDGER_PROJECTION_CRASH_CYCLES (default 8); seed: LEDGER_PROJECTION_CRASH_SEED.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>

#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

extern char** environ;

namespace ledger {
namespace {

using testing::EnvInt;

TEST(ProjectorCrashTest, RowsAfterKillsEqualARebuild) {
  const int cycles = EnvInt("LEDGER_PROJECTION_CRASH_CYCLES", 8);
  const unsigned seed = static_cast<unsigned>(
      EnvInt("LEDGER_PROJECTION_CRASH_SEED", static_cast<int>(std::time(nullptr) & 0x7fffffff)));
  std::printf("projection crash test: %d cycles, seed %u\n", cycles, seed);
  std::mt19937 random(seed);
  testing::TempDir dir;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string path = PROJECTOR_CRASH_CHILD_PATH;
    std::string cycle_arg = std::to_string(cycle);
    std::string dir_arg = dir.path();
    char* argv[] = {path.data(), dir_arg.data(), cycle_arg.data(), nullptr};
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    char ready[16] = {};
    ASSERT_GT(read(fds[0], ready, sizeof(ready) - 1), 0) << "cycle " << cycle;  // first append
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 300));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "cycle " << cycle << ": the child exited by itself";
  }

  testing::LedgerFixture ledger(dir.path());  // primes the decider: rows + log tail must agree
  const Position head = ledger.store().GetHead().next;
  ASSERT_GT(head.value, 0u);
  Projector& projector = ledger.StartProjector();
  ASSERT_TRUE(projector.WaitForApplied(head, std::chrono::seconds(60)))
      << projector.health().ToString();
  ledger.StopProjector();
  const auto resumed = testing::AllRows(ledger.rows());
  auto rebuilt_rows = ledger.store().OpenReadModel("rebuilt");
  ASSERT_TRUE(rebuilt_rows.ok());
  auto rebuilt = Projector::Rebuild(ledger.store(), **rebuilt_rows);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(*rebuilt, head.value);
  const auto fresh = testing::AllRows(**rebuilt_rows);
  EXPECT_EQ(resumed.size(), fresh.size());
  EXPECT_TRUE(resumed == fresh) << "rows resumed after crashes differ from a rebuild";
  std::printf("projection crash test: %lu events, %zu rows\n", head.value, fresh.size());
}

}  // namespace
}  // namespace ledger
