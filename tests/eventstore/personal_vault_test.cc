// The personal vault (eventstore/personal_vault.h, docs/privacy.md): records sealed beside their
// events, opened only under the master key that wrapped their data key, tamper-evident, erased
// with their key; the commitment recomputes from the data key.
#include "eventstore/personal_vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>

#include "eventstore/event_store.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

PersonalKey KeyOf(uint8_t byte) {
  PersonalKey key;
  key.fill(byte);
  return key;
}

// Puts one value at one key of the personal family: a tampering writer.
class PutRecord : public SideRecord {
 public:
  PutRecord(std::string key, std::string value) : key_(std::move(key)), value_(std::move(value)) {}
  void Write(Position, SideWrites& out) const override { out.puts.emplace_back(key_, value_); }

 private:
  std::string key_;
  std::string value_;
};

class PersonalVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.path() + "/data";
    store_ = EventStore::Open(options).value();
  }

  // Appends an event with `side`; returns its position.
  Position Append(const std::string& id, std::shared_ptr<const SideRecord> side) {
    EventDraft draft = testing::MakeDraft(id, "member-m1");
    draft.side = std::move(side);
    auto appended = store_->Append({draft});
    EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    return (*appended)[0].position;
  }

  testing::TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(PersonalVaultTest, RecordsOpenOnlyUnderTheirMasterKeyAndUntampered) {
  PersonalVault vault(*store_, KeyOf(1));
  ASSERT_TRUE(vault.CommitKey("m1").ok());
  const Position first =
      Append("e1", vault.Seal("m1", "MemberRegistered", R"({"name":"王秀兰"})").value());
  const Position second =
      Append("e2", vault.Seal("m1", "MemberUpdated", R"({"phone":"13800000001"})").value());
  auto records = vault.Read("m1");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].position, first);
  EXPECT_EQ((*records)[0].type, "MemberRegistered");
  EXPECT_EQ((*records)[0].fields, R"({"name":"王秀兰"})");
  EXPECT_EQ((*records)[1].position, second);

  // The commitment recomputes from the stored data key, and from nothing else.
  const PersonalKey data_key = vault.DataKey("m1").value().value();
  EXPECT_EQ(
      PersonalVault::Commitment(vault.CommitKey("m1").value(), R"({"name":"王秀兰"})"),
      PersonalVault::Commitment(PersonalVault::CommitKeyOf(data_key), R"({"name":"王秀兰"})"));
  EXPECT_NE(PersonalVault::CommitKeyOf(data_key), data_key);

  // Another master key opens nothing.
  PersonalVault stranger(*store_, KeyOf(2));
  EXPECT_EQ(stranger.Read("m1").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(stranger.CommitKey("m1").status().code(), StatusCode::kCorruption);

  // A changed byte of a sealed record, or a record moved to another position, does not open.
  const std::string key = PersonalVault::RecordKey("m1", first);
  std::string sealed = store_->PersonalGet(key).value().value();
  sealed[sealed.size() / 2] ^= 1;
  Append("e3", std::make_shared<PutRecord>(key, sealed));
  EXPECT_EQ(vault.ReadAt("m1", first).status().code(), StatusCode::kCorruption);
  const std::string moved =
      store_->PersonalGet(PersonalVault::RecordKey("m1", second)).value().value();
  Append("e4", std::make_shared<PutRecord>(PersonalVault::RecordKey("m1", Position{99}), moved));
  EXPECT_EQ(vault.ReadAt("m1", Position{99}).status().code(), StatusCode::kCorruption);
}

TEST_F(PersonalVaultTest, ErasureDeletesTheKeyAndRecordsAndRefusesMore) {
  PersonalVault vault(*store_, KeyOf(7));
  ASSERT_TRUE(vault.CommitKey("m1").ok());
  Append("e1", vault.Seal("m1", "MemberRegistered", R"({"name":"王秀兰"})").value());
  ASSERT_TRUE(vault.CommitKey("m2").ok());
  Append("e2", vault.Seal("m2", "MemberRegistered", R"({"name":"李桂英"})").value());
  Append("e3", PersonalVault::Erase("m1"));
  ASSERT_TRUE(vault.Purge(*store_, "m1").ok());
  EXPECT_TRUE(vault.Erased("m1").value());
  EXPECT_FALSE(vault.WrappedKey("m1").value().has_value());
  EXPECT_TRUE(vault.Read("m1").value().empty());
  const Status refused = vault.CommitKey("m1").status();
  EXPECT_EQ(refused.reason(), "personal_data_erased");
  ASSERT_EQ(vault.Read("m2").value().size(), 1u);  // the others keep theirs
  EXPECT_FALSE(vault.Erased("m2").value());
}

// A master key file: made once (0600, 32 bytes), then read back; a file of another size refused.
TEST_F(PersonalVaultTest, MasterKeyFileIsMadeOnceAndReadBack) {
  const std::string path = dir_.path() + "/personal.key";
  auto made = PersonalVault::LoadOrCreateMasterKey(path);
  ASSERT_TRUE(made.ok());
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto again = PersonalVault::LoadOrCreateMasterKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*made, *again);
  std::FILE* f = std::fopen((dir_.path() + "/short.key").c_str(), "w");
  std::fputs("short", f);
  std::fclose(f);
  EXPECT_EQ(PersonalVault::LoadOrCreateMasterKey(dir_.path() + "/short.key").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ledger
