// The data directory holds names and phone numbers in plain text (the log, the read model), so
// nothing in it is for other users: ledgerd makes it 0700 (narrowing an existing one) and runs
// under umask 077, so every directory under it is 0700 and every file 0600; ledgerctl writes
// its files 0600 too.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/security/child_process.h"

namespace ledger::api {
namespace {

namespace fs = std::filesystem;
using testing::HttpClient;

constexpr std::string_view kAdminKey = "perm-test-admin-7d41c9e2b5a3f0681e2c4d9b7a5f3e10";

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// Every entry under `dir` (and `dir`): directories 0700, files 0600. Returns how many files.
int ExpectPrivate(const std::string& dir) {
  EXPECT_EQ(ModeOf(dir), 0700u) << dir;
  int files = 0;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    const std::string path = entry.path().string();
    if (entry.is_symlink()) continue;
    if (entry.is_directory()) {
      EXPECT_EQ(ModeOf(path), 0700u) << path;
    } else {
      EXPECT_EQ(ModeOf(path), 0600u) << path;
      ++files;
    }
  }
  return files;
}

// Starts ledgerd on `data`, writes a member with a phone number, checks the directory while it
// runs and after a clean stop.
void WriteAndCheck(const std::string& data) {
  testing::Ledgerd ledgerd({"--data", data, "--listen", "127.0.0.1:0", "--log-requests", "off"},
                           {"LEDGER_ADMIN_KEY=" + std::string(kAdminKey)});
  const uint16_t port = ledgerd.Port();
  ASSERT_NE(port, 0);
  HttpClient client(port);
  auto branch = client.Request("POST", "/v1/events",
                               R"({"id":"b-1","type":"BranchOpened",)"
                               R"("occurred_at":"2026-10-01T09:00:00+08:00",)"
                               R"("data":{"branch_id":"b-1","name":"石园街道"}})",
                               kAdminKey);
  ASSERT_EQ(branch->status, 201) << branch->body;
  auto member = client.Request("POST", "/v1/events",
                               R"({"id":"m-1","type":"MemberRegistered",)"
                               R"("occurred_at":"2026-10-01T10:00:00+08:00",)"
                               R"("data":{"member_id":"e-1","kind":"elder","branch_id":"b-1",)"
                               R"("name":"赵奶奶","phone":"13800138000"}})",
                               kAdminKey);
  ASSERT_EQ(member->status, 201) << member->body;
  // An admin's read of her: recorded in the access log, a RocksDB instance of its own.
  auto read = client.Request("GET", "/v1/members/e-1?min_position=1", "", kAdminKey);
  ASSERT_EQ(read->status, 200) << read->body;
  EXPECT_GT(ExpectPrivate(data), 3);
  EXPECT_EQ(ledgerd.Stop(SIGTERM), 0);
  EXPECT_GT(ExpectPrivate(data), 3);
  EXPECT_TRUE(fs::exists(data + "/access-log/CURRENT")) << "the access log's files were checked";
}

// Runs ledgerctl with `args`; returns its exit status and stderr.
testing::ChildResult Ledgerctl(const std::string& dir, std::vector<std::string> args) {
  return testing::RunChild(LEDGERCTL_PATH, std::move(args), {}, dir + "/stderr");
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A new data directory (and its missing parent) is made 0700, everything in it private.
TEST(DataDirPermissionsTest, NewDataDirectoryIsPrivate) {
  testing::TempDir dir;
  WriteAndCheck(dir.path() + "/ledger/data");
  EXPECT_EQ(ModeOf(dir.path() + "/ledger"), 0700u);
}

// A data directory made by an earlier version (0755) is narrowed to 0700 at start.
TEST(DataDirPermissionsTest, ExistingOpenDataDirectoryIsNarrowed) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);  // whatever the test's umask
  WriteAndCheck(data);
}

// ledgerctl's output (here an export of the personal data) is its user's alone.
TEST(DataDirPermissionsTest, LedgerctlWritesPrivateFiles) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  WriteAndCheck(data);
  testing::ChildResult run = testing::RunChild(
      LEDGERCTL_PATH, {"export", "--data", data, "--out", dir.path() + "/x.jsonl"}, {},
      dir.path() + "/stderr");
  ASSERT_EQ(run.exit_status, 0) << run.stderr_text;
  EXPECT_EQ(ModeOf(dir.path() + "/x.jsonl"), 0600u);
  ExpectPrivate(data);
}

// A backup is private; it holds signing.key and admin.key (a restored ledger needs them), never
// the access log, and the master key of the personal data only with --with-personal-key, saying
// on stderr which it did; asked for a key that is not there, it copies nothing.
TEST(DataDirPermissionsTest, BackupCopiesThePersonalKeyOnlyWhenAsked) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  WriteAndCheck(data);  // ledgerd made its personal.key on first start
  const std::string key = Contents(data + "/personal.key");
  ASSERT_FALSE(key.empty());
  testing::ChildResult without =
      Ledgerctl(dir.path(), {"backup", "--data", data, "--out", dir.path() + "/b2"});
  ASSERT_EQ(without.exit_status, 0) << without.stderr_text;
  EXPECT_NE(without.stderr_text.find("personal.key not copied"), std::string::npos)
      << without.stderr_text;
  EXPECT_NE(without.stderr_text.find("--with-personal-key"), std::string::npos);
  EXPECT_NE(without.stderr_text.find("signing.key copied"), std::string::npos);
  EXPECT_EQ(Contents(dir.path() + "/b2/signing.key"), Contents(data + "/signing.key"));
  EXPECT_FALSE(fs::exists(dir.path() + "/b2/personal.key"));
  EXPECT_FALSE(fs::exists(dir.path() + "/b2/access-log"));
  ExpectPrivate(dir.path() + "/b2");
  testing::ChildResult with = Ledgerctl(
      dir.path(), {"backup", "--data", data, "--out", dir.path() + "/b3", "--with-personal-key"});
  ASSERT_EQ(with.exit_status, 0) << with.stderr_text;
  EXPECT_NE(with.stderr_text.find("personal.key copied"), std::string::npos) << with.stderr_text;
  EXPECT_EQ(Contents(dir.path() + "/b3/personal.key"), key);
  ExpectPrivate(dir.path() + "/b3");

  // A ledger whose master key is kept elsewhere (--personal-key PATH): said, and asking for the
  // key that is not there copies nothing.
  fs::remove(data + "/personal.key");
  testing::ChildResult plain =
      Ledgerctl(dir.path(), {"backup", "--data", data, "--out", dir.path() + "/b0"});
  ASSERT_EQ(plain.exit_status, 0) << plain.stderr_text;
  EXPECT_NE(plain.stderr_text.find("no personal.key"), std::string::npos) << plain.stderr_text;
  testing::ChildResult missing = Ledgerctl(
      dir.path(), {"backup", "--data", data, "--out", dir.path() + "/b1", "--with-personal-key"});
  EXPECT_NE(missing.exit_status, 0);
  EXPECT_FALSE(fs::exists(dir.path() + "/b1"));
}

}  // namespace
}  // namespace ledger::api
