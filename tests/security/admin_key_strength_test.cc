// The bootstrap admin key may do everything, so a guessable one is refused: ledgerd will not
// start with a LEDGER_ADMIN_KEY or admin.key shorter than 32 characters or under an estimated
// 128 bits of entropy, and says the rule (api/key_store: CheckAdminKeyStrength).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "api/api_node.h"
#include "api/key_store.h"
#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/security/child_process.h"

namespace ledger::api {
namespace {

const char* const kWeakKeys[] = {
    "",                                              // nothing at all (rejected as too short)
    "secret",                                        // short
    "test-admin-key-0123456789abcdef",               // 31 characters
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  // long, one character: 0 bits
    "passwordpasswordpasswordpassword",              // 32 characters, about 88 bits
    "abababababababababababababababababababababababababababababababab",  // 64 bits
};

const char* const kStrongKeys[] = {
    "3f9c1d7e2a5b60c84e1f97d2a3b5c6e80f1d2c3b4a5968778695a4b3c2d1e0f9",  // openssl rand -hex 32
    "admin.9b2e4c6a8d0f1e3a5c7b9d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a1c3b5d7f9e2a",
    "J3q-Xv9_Lr2Tz8Wk5Yb1Nc6Hd0Pf4Gs7Mx2Qa9Ue",  // base64url, 40 characters
};

// The rule: at least 32 characters and an estimated 128 bits.
TEST(AdminKeyStrengthTest, WeakKeysAreRefusedAndStrongOnesTaken) {
  for (const char* key : kWeakKeys) {
    Status status = CheckAdminKeyStrength(key, "LEDGER_ADMIN_KEY");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << key;
    EXPECT_NE(status.message().find("at least 32 characters"), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("128 bits"), std::string::npos) << status.message();
  }
  for (const char* key : kStrongKeys) {
    EXPECT_TRUE(CheckAdminKeyStrength(key, "LEDGER_ADMIN_KEY").ok()) << key;
  }
  EXPECT_DOUBLE_EQ(AdminKeyEntropyBits("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
  EXPECT_DOUBLE_EQ(AdminKeyEntropyBits("0123456789abcdef"), 64);
}

// From the environment, from admin.key, and given to an ApiNode directly: weak keys are refused;
// a generated admin.key passes.
TEST(AdminKeyStrengthTest, EveryWayInChecksTheKey) {
  testing::TempDir dir;
  auto from_env = LoadOrCreateAdminKey(dir.path() + "/a", "short-admin-key");
  EXPECT_EQ(from_env.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(from_env.status().message().find("LEDGER_ADMIN_KEY"), std::string::npos);

  auto created = LoadOrCreateAdminKey(dir.path() + "/b", nullptr);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_TRUE(CheckAdminKeyStrength(created->key, "admin.key").ok());

  std::ofstream(dir.path() + "/b/admin.key", std::ios::trunc) << "admin.0123\n";
  auto from_file = LoadOrCreateAdminKey(dir.path() + "/b", nullptr);
  EXPECT_EQ(from_file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(from_file.status().message().find("admin.key"), std::string::npos);

  ApiNodeOptions options;
  options.data_dir = dir.path() + "/c";
  options.admin_key = "weak-admin-key";
  EXPECT_EQ(ApiNode::Open(std::move(options)).status().code(), StatusCode::kInvalidArgument);
}

// ledgerd with a weak LEDGER_ADMIN_KEY exits 1 at once, saying the rule on stderr, and serves
// nothing; with a strong one it starts.
TEST(AdminKeyStrengthTest, LedgerdRefusesToStartWithAWeakKey) {
  testing::TempDir dir;
  for (const char* weak :
       {"secret", "test-admin-key-0123456789abcdef", "passwordpasswordpasswordpassword"}) {
    testing::ChildResult run =
        testing::RunChild(LEDGERD_PATH, {"--data", dir.path() + "/data", "--listen", "127.0.0.1:0"},
                          {"LEDGER_ADMIN_KEY=" + std::string(weak)}, dir.path() + "/stderr");
    EXPECT_EQ(run.exit_status, 1) << weak;
    EXPECT_NE(run.stderr_text.find("LEDGER_ADMIN_KEY is too weak"), std::string::npos)
        << run.stderr_text;
    EXPECT_NE(run.stderr_text.find("at least 32 characters"), std::string::npos) << run.stderr_text;
  }
  testing::Ledgerd strong(
      {"--data", dir.path() + "/data", "--listen", "127.0.0.1:0", "--log-requests", "off"},
      {"LEDGER_ADMIN_KEY=" + std::string(kStrongKeys[0])});
  EXPECT_NE(strong.Port(), 0);
  EXPECT_EQ(strong.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace ledger::api
