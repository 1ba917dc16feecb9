// Attestation tokens: valid, expired, signed by another key, altered — in process and through
// `ledgerctl attestation verify` offline with only the public key.
#include "api/attestation_token.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "api/encoding.h"
#include "tests/eventstore/test_support.h"

namespace ledger::api {
namespace {

class AttestationTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = SigningKey::LoadOrCreate(dir_.path() + "/signing.key").value();
    statement_ = boost::json::object{{"attestation_id", "att-1"},
                                     {"member_id", "v-wang"},
                                     {"merchant_id", "m-shop"},
                                     {"star", 2},
                                     {"verified_hours", 6},
                                     {"issued_at", "2026-11-01T10:00:00+08:00"},
                                     {"expires_at", "2026-12-01T00:00:00+08:00"}};
  }
  static constexpr int64_t kNovember15Us = 1'794'700'000'000'000;  // before the expiry
  static constexpr int64_t kDecember2Us = 1'796'200'000'000'000;   // after it
  testing::TempDir dir_;
  std::shared_ptr<const SigningKey> key_;
  boost::json::object statement_;
};

TEST_F(AttestationTokenTest, ValidExpiredWrongKeyAltered) {
  const std::string token = SignAttestation(*key_, statement_);
  VerifiedAttestation valid = VerifyAttestation(token, key_->public_key(), kNovember15Us);
  EXPECT_EQ(valid.check, AttestationCheck::kValid);
  EXPECT_EQ(valid.statement, statement_);

  VerifiedAttestation expired = VerifyAttestation(token, key_->public_key(), kDecember2Us);
  EXPECT_EQ(expired.check, AttestationCheck::kExpired);
  EXPECT_EQ(expired.expires_at, "2026-12-01T00:00:00+08:00");

  auto other = SigningKey::LoadOrCreate(dir_.path() + "/other.key").value();
  EXPECT_EQ(VerifyAttestation(token, other->public_key(), kNovember15Us).check,
            AttestationCheck::kInvalid);
  EXPECT_EQ(
      VerifyAttestation(SignAttestation(*other, statement_), key_->public_key(), kNovember15Us)
          .check,
      AttestationCheck::kInvalid);

  // A richer star in the statement, with the original signature.
  boost::json::object raised = statement_;
  raised["star"] = 5;
  const std::string altered =
      Base64Url(boost::json::serialize(raised)) + token.substr(token.find('.'));
  EXPECT_EQ(VerifyAttestation(altered, key_->public_key(), kNovember15Us).check,
            AttestationCheck::kInvalid);
  EXPECT_EQ(VerifyAttestation("garbage", key_->public_key(), kNovember15Us).check,
            AttestationCheck::kInvalid);
}

int RunCommand(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(AttestationTokenTest, LedgerctlVerifiesOfflineWithThePublicKey) {
  const std::string pubkey = dir_.path() + "/ledger.pub";
  std::ofstream(pubkey) << key_->PublicKeyPem();
  boost::json::object lasting = statement_;
  lasting["expires_at"] = "2099-01-01T00:00:00+08:00";
  const std::string ctl = LEDGERCTL_PATH;
  const std::string quiet = " > /dev/null";
  EXPECT_EQ(RunCommand(ctl + " attestation verify " + SignAttestation(*key_, lasting) +
                       " --pubkey " + pubkey + quiet),
            0);
  boost::json::object past = statement_;
  past["expires_at"] = "2020-01-01T00:00:00+08:00";
  EXPECT_EQ(RunCommand(ctl + " attestation verify " + SignAttestation(*key_, past) + " --pubkey " +
                       pubkey + quiet),
            1);  // expired
  auto other = SigningKey::LoadOrCreate(dir_.path() + "/other.key").value();
  EXPECT_EQ(RunCommand(ctl + " attestation verify " + SignAttestation(*other, lasting) +
                       " --pubkey " + pubkey + quiet),
            1);
}

}  // namespace
}  // namespace ledger::api
