// The ledger key and signed checkpoints: what an auditor holding only the public key relies on.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "eventstore/checkpoint_signer.h"
#include "eventstore/event_store.h"
#include "eventstore/signed_checkpoint.h"
#include "eventstore/signing_key.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {

TEST(SigningKeyTest, CreatedOnceOwnerOnlyAndReloaded) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/signing.key";
  auto created = SigningKey::LoadOrCreate(path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = SigningKey::LoadOrCreate(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->public_key(), (*created)->public_key());
  EXPECT_EQ((*created)->public_key().size(), kPublicKeyBytes);
  EXPECT_EQ(SigningKey::Load(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
}

TEST(SigningKeyTest, SignaturesVerifyOnlyUnchangedAndWithTheRightKey) {
  testing::TempDir dir;
  auto key = SigningKey::LoadOrCreate(dir.path() + "/a.key").value();
  auto other = SigningKey::LoadOrCreate(dir.path() + "/b.key").value();
  const std::string signature = key->Sign("message");
  EXPECT_TRUE(VerifySignature(key->public_key(), "message", signature));
  EXPECT_FALSE(VerifySignature(key->public_key(), "messagf", signature));
  EXPECT_FALSE(VerifySignature(other->public_key(), "message", signature));
  std::string forged = signature;
  forged[5] ^= 1;
  EXPECT_FALSE(VerifySignature(key->public_key(), "message", forged));
  EXPECT_FALSE(VerifySignature(key->public_key(), "message", other->Sign("message")));
}

TEST(SigningKeyTest, PublicKeyParsesFromPemAndHex) {
  testing::TempDir dir;
  auto key = SigningKey::LoadOrCreate(dir.path() + "/a.key").value();
  auto from_pem = ParsePublicKey(key->PublicKeyPem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_EQ(*from_pem, key->public_key());
  EXPECT_EQ(ParsePublicKey(HexOf([&] {
                             Hash h;
                             std::copy(key->public_key().begin(), key->public_key().end(),
                                       h.begin());
                             return h;
                           }()) +
                           "\n")
                .value(),
            key->public_key());
  EXPECT_FALSE(ParsePublicKey("not a key").ok());
}

TEST(SignedCheckpointTest, AnyChangedFieldFailsVerification) {
  testing::TempDir dir;
  auto key = SigningKey::LoadOrCreate(dir.path() + "/a.key").value();
  StoredEvent event;
  event.position = Position{41};
  event.hash[0] = 7;
  event.recorded_at_us = 123456;
  const SignedCheckpoint checkpoint = SignCheckpoint(*key, event);
  EXPECT_TRUE(VerifyCheckpoint(key->public_key(), checkpoint));
  SignedCheckpoint moved = checkpoint;
  moved.position = Position{42};
  EXPECT_FALSE(VerifyCheckpoint(key->public_key(), moved));
  SignedCheckpoint rehashed = checkpoint;
  rehashed.hash[31] ^= 1;
  EXPECT_FALSE(VerifyCheckpoint(key->public_key(), rehashed));
  SignedCheckpoint retimed = checkpoint;
  retimed.recorded_at_us++;
  EXPECT_FALSE(VerifyCheckpoint(key->public_key(), retimed));
  auto decoded = DecodeCheckpointValue(checkpoint.position, EncodeCheckpointValue(checkpoint));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, checkpoint);
}

TEST(CheckpointSignerTest, SignsEveryIntervalAndEverySealAndResumes) {
  testing::TempDir dir;
  auto key = SigningKey::LoadOrCreate(dir.path() + "/signing.key").value();
  EventStoreOptions options;
  options.path = dir.path() + "/data";
  {
    auto store = EventStore::Open(options).value();
    auto signer = CheckpointSigner::Start(*store, key, {.interval_events = 5});
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    std::vector<EventDraft> batch;
    for (int i = 0; i < 12; ++i) {
      batch.push_back(testing::MakeDraft("e" + std::to_string(i), "s",
                                         i == 6 ? "MonthlyReportSealed" : "ServiceLogged"));
    }
    ASSERT_TRUE(store->Append(batch).ok());
    ASSERT_TRUE((*signer)->WaitForProgress(Position{12}, std::chrono::seconds(10)));
    ASSERT_TRUE((*signer)->Latest().has_value());
    EXPECT_EQ((*signer)->Latest()->position, Position{9});
  }
  auto store = EventStore::Open(options).value();
  auto stored = StoredCheckpoints(*store);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 3u);  // positions 4, 6 (the seal) and 9
  EXPECT_EQ((*stored)[0].position, Position{4});
  EXPECT_EQ((*stored)[1].position, Position{6});
  EXPECT_EQ((*stored)[2].position, Position{9});
  for (const SignedCheckpoint& checkpoint : *stored) {
    EXPECT_TRUE(VerifyCheckpoint(key->public_key(), checkpoint));
    EXPECT_EQ(checkpoint.hash, store->ReadAt(checkpoint.position)->hash);
  }
  // Restarted, it carries on from where it stopped without signing anything twice.
  auto signer = CheckpointSigner::Start(*store, key, {.interval_events = 5});
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ((*signer)->Latest()->position, Position{9});
  std::vector<EventDraft> more;
  for (int i = 12; i < 15; ++i) more.push_back(testing::MakeDraft("e" + std::to_string(i), "s"));
  ASSERT_TRUE(store->Append(more).ok());
  ASSERT_TRUE((*signer)->WaitForProgress(Position{15}, std::chrono::seconds(10)));
  EXPECT_EQ((*signer)->Latest()->position, Position{14});
  EXPECT_EQ(StoredCheckpoints(*store)->size(), 4u);
}

}  // namespace
}  // namespace ledger
