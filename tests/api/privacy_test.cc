// Personal data (docs/privacy.md, issue 16): posted through the real API, it never reaches a file
// of the data directory or a default export; reads show it only to those who may see it; an
// erasure destroys it, keeps every figure and the chain, and refuses it from then on.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "api/jcs.h"
#include "domain/event_payload.h"
#include "eventstore/personal_vault.h"
#include "projections/ledger_node.h"
#include "tests/api/api_fixture.h"
#include "tools/ledger_export.h"

namespace ledger::testing {
namespace {

namespace json = boost::json;

// Distinctive strings that appear nowhere else.
constexpr std::string_view kElderName = "甄隐娘测试九号";
constexpr std::string_view kElderPhone = "13987654321";
constexpr std::string_view kNewPhone = "13912340987";
constexpr std::string_view kVolunteerName = "贾雨婵测试五号";
constexpr std::string_view kPlace = "槐花胡同七号院东厢";
constexpr std::string_view kContent = "陪同复诊并代取降压药";

// How often `needle` occurs in the files under `dir` (every file, recursively).
int HitsUnder(const std::string& dir, std::string_view needle) {
  int hits = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
      ++hits;
    }
  }
  return hits;
}

class PrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Post(R"({"id":"b","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00+08:00",
             "data":{"branch_id":"b-1","name":"石园"}})");
    Post(std::string(
             R"({"id":"e","type":"MemberRegistered","occurred_at":"2026-10-01T09:00:00+08:00",
             "data":{"member_id":"e-1","kind":"elder","branch_id":"b-1","name":")") +
         std::string(kElderName) + R"(","phone":")" + std::string(kElderPhone) +
         R"(","birth_year":1938,"lives_alone":true}})");
    Post(std::string(
             R"({"id":"v","type":"MemberRegistered","occurred_at":"2026-10-01T09:00:00+08:00",
             "data":{"member_id":"v-1","kind":"volunteer","branch_id":"b-1","name":")") +
         std::string(kVolunteerName) + R"(","skills":["理发"]}})");
    Post(std::string(R"({"id":"s","type":"ServiceLogged","occurred_at":"2026-10-02T11:00:00+08:00",
             "data":{"service_id":"s-1","volunteer_id":"v-1","elder_id":"e-1","kind":"home_visit",
                     "started_at":"2026-10-02T09:00:00+08:00","minutes":90,"place":")") +
         std::string(kPlace) + R"(","content":")" + std::string(kContent) + R"("}})");
    Post(R"({"id":"sv","type":"ServiceVerified","occurred_at":"2026-10-02T12:00:00+08:00",
             "data":{"service_id":"s-1","confirmed_by":"e-1"}})");
    Post(std::string(R"({"id":"u","type":"MemberUpdated","occurred_at":"2026-10-03T09:00:00+08:00",
             "data":{"member_id":"e-1","phone":")") +
         std::string(kNewPhone) + R"("}})");
  }

  void Post(const std::string& body) {
    api::Response response = f_.Call("POST", "/v1/events", body);
    ASSERT_EQ(response.status, 201) << response.body;
  }

  json::object Member(std::string_view id, std::string_view key = kTestAdminKey) {
    api::Response response = f_.Call("GET", "/v1/members/" + std::string(id), {}, key);
    EXPECT_EQ(response.status, 200) << response.body;
    return JsonOf(response.body).as_object();
  }

  std::string Export() {
    std::ostringstream out;
    EXPECT_TRUE(tools::WriteExport(f_.node().ledger().store(), f_.node().signing_key(), out).ok());
    return out.str();
  }

  // Flushes every memtable and compacts the personal family, so that the files hold all.
  void Flush() { ASSERT_TRUE(f_.node().ledger().store().PurgePersonal().ok()); }

  ApiFixture f_;
};

// The goal: no plain text of a person's data in any file of the data directory or an export.
TEST_F(PrivacyTest, PersonalFieldsNeverReachTheDataDirectoryNorAnExport) {
  Flush();
  const std::string exported = Export();
  for (std::string_view needle :
       {kElderName, kElderPhone, kNewPhone, kVolunteerName, kPlace, kContent}) {
    EXPECT_EQ(HitsUnder(f_.data_dir(), needle), 0) << needle;
    EXPECT_EQ(exported.find(needle), std::string::npos) << needle;
  }
  // The reads still have them, from the vault.
  const json::object elder = Member("e-1");
  EXPECT_EQ(elder.at("name").as_string(), kElderName);
  EXPECT_EQ(elder.at("phone").as_string(), kNewPhone);  // MemberUpdated folded after
  EXPECT_EQ(elder.at("birth_year").as_int64(), 1938);
  EXPECT_EQ(elder.at("lives_alone").as_bool(), true);
  EXPECT_EQ(Member("v-1").at("skills").as_array().size(), 1u);
}

// Admins and the member herself see the fields; an auditor and another member do not.
TEST_F(PrivacyTest, AdminAndTheMemberSeeThemAnAuditorDoesNot) {
  const std::string auditor = f_.CreateKey("auditor");
  const std::string herself = f_.CreateKey("member", "member_id", "e-1");
  EXPECT_EQ(Member("e-1").at("name").as_string(), kElderName);
  EXPECT_EQ(Member("e-1", herself).at("name").as_string(), kElderName);
  const json::object seen = Member("e-1", auditor);
  EXPECT_FALSE(seen.contains("name"));
  EXPECT_FALSE(seen.contains("phone"));
  EXPECT_EQ(seen.at("verified_minutes").as_int64(), 0);  // an elder earns no minutes
  // A visit's place and content: in the admin's stream read, not the auditor's.
  api::Response admin_stream = f_.Call("GET", "/v1/streams/member-v-1");
  api::Response auditor_stream = f_.Call("GET", "/v1/streams/member-v-1", {}, auditor);
  EXPECT_NE(admin_stream.body.find(kPlace), std::string::npos);
  EXPECT_EQ(auditor_stream.body.find(kPlace), std::string::npos);
  EXPECT_EQ(auditor_stream.body.find(kVolunteerName), std::string::npos);
}

// The commitment in the log is HMAC-SHA-256(HKDF(data key), JCS of the fields given).
TEST_F(PrivacyTest, TheCommitmentRecomputesFromTheDataKey) {
  PersonalVault* vault = f_.node().ledger().vault();
  ASSERT_NE(vault, nullptr);
  auto key = vault->DataKey("e-1");
  ASSERT_TRUE(key.ok() && key->has_value());
  auto position = f_.node().ledger().store().FindId("u");
  ASSERT_TRUE(position.ok());
  auto stored = f_.node().ledger().store().ReadAt(*position);
  ASSERT_TRUE(stored.ok());
  const auto* update = VerifyEventData(stored->payload)->data_as_MemberUpdated();
  ASSERT_NE(update->personal(), nullptr);
  const std::string recorded(reinterpret_cast<const char*>(update->personal()->data()),
                             update->personal()->size());
  const std::string fields = api::CanonicalJson(json::object{{"phone", std::string(kNewPhone)}});
  EXPECT_EQ(recorded, PersonalVault::Commitment(PersonalVault::CommitKeyOf(**key), fields));
  EXPECT_NE(recorded, PersonalVault::Commitment(
                          PersonalVault::CommitKeyOf(**key),
                          api::CanonicalJson(json::object{{"phone", std::string(kElderPhone)}})));
}

// Erasure: the figures stay, the chain verifies, the fields and their ciphertext and key are gone
// from reads and files; erasing again and new personal fields for her are refused.
TEST_F(PrivacyTest, ErasureDestroysTheDataAndKeepsTheFigures) {
  PersonalVault* vault = f_.node().ledger().vault();
  Flush();
  auto wrapped = vault->WrappedKey("e-1");
  ASSERT_TRUE(wrapped.ok() && wrapped->has_value());
  ASSERT_GT(HitsUnder(f_.data_dir(), **wrapped), 0);  // the files hold her wrapped key...
  json::object volunteer_before = Member("v-1");
  json::object elder_before = Member("e-1");

  const std::string coordinator = f_.CreateKey("coordinator", "branch_id", "b-1");
  EXPECT_EQ(
      f_.Call("POST", "/v1/members/e-1/erasure", R"({"reason":"本人申请"})", coordinator).status,
      403);
  EXPECT_EQ(f_.Call("POST", "/v1/members/e-1/erasure", R"({})").status, 400);
  api::Response erased = f_.Call("POST", "/v1/members/e-1/erasure", R"({"reason":"本人申请"})");
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(JsonOf(erased.body).at("member_id").as_string(), "e-1");

  EXPECT_EQ(HitsUnder(f_.data_dir(), **wrapped), 0);  // ...and no longer
  auto after = vault->Read("e-1");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  const json::object elder = Member("e-1");
  EXPECT_FALSE(elder.contains("name"));
  EXPECT_FALSE(elder.contains("phone"));
  EXPECT_EQ(elder.at("personal_data_erased").as_bool(), true);
  EXPECT_TRUE(elder.contains("erased_at"));
  for (const char* figure : {"verified_minutes", "credit_minutes", "star", "pending_minutes"}) {
    EXPECT_EQ(Member("v-1").at(figure), volunteer_before.at(figure)) << figure;
    EXPECT_EQ(elder.at(figure), elder_before.at(figure)) << figure;
  }
  EXPECT_EQ(Member("v-1").at("name").as_string(), kVolunteerName);  // others keep theirs
  api::Response stream = f_.Call("GET", "/v1/streams/member-v-1");
  EXPECT_EQ(stream.body.find(kPlace), std::string::npos);
  EXPECT_TRUE(f_.node().ledger().store().VerifyChain().ok());

  const Head head = f_.head();
  api::Response again = f_.Call("POST", "/v1/members/e-1/erasure", R"({"reason":"again"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(JsonOf(again.body).at("code").as_string(), "already_erased");
  api::Response update = f_.Call("POST", "/v1/events", R"({"id":"u2","type":"MemberUpdated",
      "occurred_at":"2026-10-04T09:00:00+08:00","data":{"member_id":"e-1","phone":"13800009999"}})");
  EXPECT_EQ(update.status, 422) << update.body;
  EXPECT_EQ(JsonOf(update.body).at("code").as_string(), "personal_data_erased");
  api::Response visit = f_.Call("POST", "/v1/events", R"({"id":"s2","type":"ServiceLogged",
      "occurred_at":"2026-10-04T11:00:00+08:00","data":{"service_id":"s-2","volunteer_id":"v-1",
      "elder_id":"e-1","kind":"home_visit","started_at":"2026-10-04T09:00:00+08:00",
      "minutes":30,"place":"某处"}})");
  EXPECT_EQ(visit.status, 422) << visit.body;
  EXPECT_EQ(f_.head(), head);  // nothing written
  auto leftover = vault->WrappedKey("e-1");
  ASSERT_TRUE(leftover.ok());
  EXPECT_FALSE(leftover->has_value());
  // A visit to her without personal fields still counts.
  Post(R"({"id":"s3","type":"ServiceLogged","occurred_at":"2026-10-04T11:00:00+08:00",
           "data":{"service_id":"s-3","volunteer_id":"v-1","elder_id":"e-1","kind":"home_visit",
                   "started_at":"2026-10-04T09:00:00+08:00","minutes":30}})");
}

// The bytes of the file at `path`.
std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int Ledgerctl(const std::string& arguments) {
  const std::string command = std::string(LEDGERCTL_PATH) + " " + arguments + " >/dev/null 2>&1";
  return WEXITSTATUS(std::system(command.c_str()));
}

// export --personal writes the personal data apart (0600) while the log's export has none;
// import --personal checks it against the commitments and seals it under the new ledger's key;
// after an erasure the member is in neither.
TEST_F(PrivacyTest, PersonalExportAndImportRoundTrip) {
  TempDir dir;
  const std::string out = dir.path() + "/ledger.jsonl";
  const std::string personal = dir.path() + "/personal.jsonl";
  ASSERT_EQ(
      Ledgerctl("export --data " + f_.data_dir() + " --out " + out + " --personal " + personal), 0);
  struct stat info {};
  ASSERT_EQ(stat(personal.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_NE(FileText(personal).find(kElderName), std::string::npos);
  EXPECT_EQ(FileText(out).find(kElderName), std::string::npos);

  const std::string copy = dir.path() + "/copy";
  ASSERT_EQ(Ledgerctl("import --in " + out + " --data " + copy + " --personal " + personal), 0);
  EXPECT_NE(FileText(copy + "/personal.key"), FileText(f_.data_dir() + "/personal.key"));
  {
    LedgerNodeOptions options;
    options.data_dir = copy;
    options.personal_key = PersonalVault::LoadOrCreateMasterKey(copy + "/personal.key").value();
    auto node = LedgerNode::Open(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    auto records = (*node)->vault()->Read("e-1");
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    ASSERT_EQ(records->size(), 3u);  // registered, the visit's place, the correction
    EXPECT_NE(records->back().fields.find(kNewPhone), std::string::npos);
  }
  // A record that is not what the log committed to is refused, and nothing imported.
  std::string forged = FileText(personal);
  forged.replace(forged.find(kNewPhone), kNewPhone.size(), "13900000000");
  std::ofstream(dir.path() + "/forged.jsonl") << forged;
  EXPECT_EQ(Ledgerctl("import --in " + out + " --data " + dir.path() + "/forged --personal " +
                      dir.path() + "/forged.jsonl"),
            1);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/forged"));

  ASSERT_EQ(f_.Call("POST", "/v1/members/e-1/erasure", R"({"reason":"本人申请"})").status, 200);
  const std::string after = dir.path() + "/after.jsonl";
  ASSERT_EQ(Ledgerctl("export --data " + f_.data_dir() + " --out " + dir.path() +
                      "/after-ledger.jsonl --personal " + after),
            0);
  EXPECT_EQ(FileText(after).find(kElderName), std::string::npos);
  EXPECT_NE(FileText(after).find(kVolunteerName), std::string::npos);
}

// Her fields are kept in memory after a read (PersonalVault::ReadMemberRecords): a correction
// shows in the first read that waits for it, her visit's place never joins her fields, and an
// erasure empties the reads of the fields read just before it.
TEST_F(PrivacyTest, KeptFieldsFollowCorrectionsAndErasure) {
  EXPECT_EQ(Member("e-1").at("phone").as_string(), kNewPhone);  // read, and kept
  EXPECT_FALSE(Member("e-1").contains("place"));
  api::Response update = f_.Call("POST", "/v1/events", R"({"id":"u3","type":"MemberUpdated",
      "occurred_at":"2026-10-04T09:00:00+08:00","data":{"member_id":"e-1","phone":"13800001111"}})");
  ASSERT_EQ(update.status, 201) << update.body;
  const std::string position = std::to_string(JsonOf(update.body).at("position").as_int64());
  api::Response read =
      f_.Call("GET", "/v1/members/e-1?min_position=" + position, {}, kTestAdminKey);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(JsonOf(read.body).at("phone").as_string(), "13800001111");
  EXPECT_EQ(JsonOf(read.body).at("name").as_string(), kElderName);
  EXPECT_EQ(Member("e-1").at("phone").as_string(), "13800001111");
  api::Response erased = f_.Call("POST", "/v1/members/e-1/erasure", R"({"reason":"本人申请"})");
  ASSERT_EQ(erased.status, 200) << erased.body;
  const json::object after = Member("e-1");  // no min_position: the erasure's answer suffices
  EXPECT_FALSE(after.contains("name"));
  EXPECT_FALSE(after.contains("phone"));
  auto kept = f_.node().ledger().vault()->ReadMemberRecords("e-1");
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE((*kept)->empty());
}

}  // namespace
}  // namespace ledger::testing
