// `ledgerctl rebuild` as a user runs it: a real process on a real data directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "tests/domain/ledger_scenario.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

int RunLedgerctl(const std::string& args) {
  const std::string command = std::string(LEDGERCTL_PATH) + " " + args + " > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(LedgerctlRebuildTest, RebuildReproducesTheProjectorsRows) {
  testing::TempDir dir;
  std::map<std::string, std::string> before;
  {
    testing::LedgerFixture ledger(dir.path());
    for (const auto& event : testing::OctoberScenario()) {
      ASSERT_TRUE(
          ledger.store()
              .Append({testing::Draft(event.id, event.type, event.fields, event.occurred_at_us)})
              .ok());
    }
    Projector& projector = ledger.StartProjector();
    ASSERT_TRUE(projector.WaitForApplied(ledger.store().GetHead().next, std::chrono::seconds(10)));
    ledger.StopProjector();
    before = testing::AllRows(ledger.rows());
  }
  // By default, and by the name of any of the projections the one read model holds.
  for (const std::string args : {"", " --projection members", " --projection reports"}) {
    ASSERT_EQ(RunLedgerctl("rebuild --data " + dir.path() + args), 0) << args;
    testing::LedgerFixture ledger(dir.path());
    EXPECT_TRUE(testing::AllRows(ledger.rows()) == before) << args;
    EXPECT_EQ(ledger.rows().Checkpoint().value(), ledger.store().GetHead().next);
  }
}

TEST(LedgerctlRebuildTest, BadUsageExitsTwo) {
  EXPECT_EQ(RunLedgerctl("rebuild"), 2);
  EXPECT_EQ(RunLedgerctl("rebuild --data /tmp --projection nope"), 2);
  EXPECT_EQ(RunLedgerctl("frobnicate"), 2);
  EXPECT_EQ(RunLedgerctl("rebuild --data /nonexistent/ledger"), 1);
}

}  // namespace
}  // namespace ledger
