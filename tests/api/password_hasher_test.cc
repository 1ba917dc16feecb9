// The password policy and hashing (api/password_hasher.h): the length rule counts characters,
// the shipped list of common passwords (at least 10,000, Chinese-typical ones among them) is
// refused case-insensitively, hashes are Argon2id with libsodium's interactive limits, and the
// work pool refuses jobs past its queue bound instead of blocking.
#include "api/password_hasher.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace ledger::api {
namespace {

TEST(PasswordHasherTest, PolicyCountsCharactersAndRefusesTheCommonList) {
  EXPECT_GE(CommonPasswordCount(), 10'000u);
  // Every line of the shipped list is refused (as typed, and upper-cased), so the count above is
  // the list's and not some other set's.
  std::ifstream list(LEDGER_SOURCE_DIR "/api/data/common_passwords.txt");
  ASSERT_TRUE(list.is_open());
  std::set<std::string> distinct;
  size_t long_enough = 0;
  for (std::string line; std::getline(list, line);) {
    if (line.empty() || line.starts_with('#')) continue;
    distinct.insert(line);
    if (CheckPassword(line) == PasswordCheck::kTooShort) continue;
    ++long_enough;
    EXPECT_EQ(CheckPassword(line), PasswordCheck::kCommon) << line;
    std::string upper = line;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(CheckPassword(upper), PasswordCheck::kCommon) << upper;
  }
  EXPECT_GE(distinct.size(), 10'000u);
  EXPECT_GT(long_enough, 1'000u);
  for (const char* chinese_typical : {"88888888", "a1234567", "woaini1314", "5201314520"}) {
    EXPECT_EQ(CheckPassword(chinese_typical), PasswordCheck::kCommon) << chinese_typical;
  }
  EXPECT_EQ(CheckPassword("123456"), PasswordCheck::kTooShort);
  // Characters, not bytes: seven Chinese characters (21 bytes) are too short, eight are enough.
  EXPECT_EQ(CheckPassword("我的密码很安全"), PasswordCheck::kTooShort);
  EXPECT_EQ(CheckPassword("我的密码非常安全"), PasswordCheck::kOk);
  EXPECT_EQ(CheckPassword("x7-quiet-lantern"), PasswordCheck::kOk);
  EXPECT_EQ(CheckPassword(std::string(kPasswordBytesMax, 'q')), PasswordCheck::kOk);
  EXPECT_EQ(CheckPassword(std::string(kPasswordBytesMax + 1, 'q')), PasswordCheck::kTooLong);
}

TEST(PasswordHasherTest, Argon2idWithInteractiveLimitsAndADummyForNoHash) {
  const std::optional<std::string> hash = HashPassword("x7-quiet-lantern");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(crypto_pwhash_str_needs_rehash(hash->c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                           crypto_pwhash_MEMLIMIT_INTERACTIVE),
            0)
      << "hashed with other limits than the interactive ones: " << *hash;
  EXPECT_NE(HashPassword("x7-quiet-lantern"), hash) << "a fresh salt each time";
  EXPECT_TRUE(VerifyPassword(*hash, "x7-quiet-lantern"));
  EXPECT_FALSE(VerifyPassword(*hash, "x7-quiet-lanterN"));
  // No hash (an unknown login) or a malformed one never matches, whatever the password.
  EXPECT_FALSE(VerifyPassword("", ""));
  EXPECT_FALSE(VerifyPassword("", "x7-quiet-lantern"));
  EXPECT_FALSE(VerifyPassword("$argon2i$garbage", "x7-quiet-lantern"));
}

TEST(PasswordHasherTest, WorkPoolRefusesPastItsQueueBound) {
  std::mutex gate;
  std::unique_lock hold(gate);
  std::atomic<bool> started{false};
  std::atomic<int> ran{0};
  {
    WorkPool pool(1, 2);
    auto job = [&] {
      started = true;
      std::lock_guard wait(gate);
      ++ran;
    };
    EXPECT_TRUE(pool.Submit(job));
    while (!started.load()) std::this_thread::yield();  // the thread holds it, blocked on the gate
    EXPECT_TRUE(pool.Submit(job));
    EXPECT_TRUE(pool.Submit(job));
    EXPECT_FALSE(pool.Submit(job)) << "a third waiting job past a bound of 2";
    hold.unlock();
  }  // the pool runs what waits, then joins
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
}  // namespace ledger::api
