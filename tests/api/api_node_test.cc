// ApiNode's signing key: given by path, created there with mode 0600, and the one that signs.
#include "api/api_node.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/eventstore/test_support.h"

namespace ledger::api {
namespace {

TEST(ApiNodeTest, SigningKeyGivenByPathIsCreatedThereAndUsed) {
  testing::TempDir dir;
  ApiNodeOptions options;
  options.data_dir = dir.path() + "/data";
  options.admin_key = "admin-key-for-this-test-0123456789abcdef";
  options.signing_key_path = dir.path() + "/keys-elsewhere.pem";
  options.ledger.checkpoints.interval_events = 3;
  {
    auto node = ApiNode::Open(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    struct stat info;
    ASSERT_EQ(stat(options.signing_key_path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_NE(stat((options.data_dir + "/signing.key").c_str(), &info), 0);
    auto key = SigningKey::Load(options.signing_key_path);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ((*node)->signing_key().public_key(), (*key)->public_key());
  }
  // Reopened with the same path, the ledger keeps its identity.
  auto again = ApiNode::Open(options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->signing_key().public_key(),
            SigningKey::Load(options.signing_key_path).value()->public_key());
}

}  // namespace
}  // namespace ledger::api
