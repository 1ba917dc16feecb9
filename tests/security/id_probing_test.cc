// Threat: a scoped caller probes which ids exist outside its scope by telling "not yours" (403)
// from "not there" (404). Both get the same 404 with the same wording.
#include <gtest/gtest.h>

#include "tests/security/security_test_support.h"

namespace ledger {
namespace {
using api::Response;
using security_testing::Code;
using testing::ApiFixture;

class IdProbingTest : public ::testing::Test {
 protected:
  void SetUp() override { api_.LoadScenario(); }

  // GET `theirs` and `missing` with `key`: the same status, code and detail (the id aside).
  void ExpectSameAnswer(const std::string& key, const std::string& path, const std::string& theirs,
                        const std::string& missing) {
    Response a = api_.Call("GET", path + theirs, "", key);
    Response b = api_.Call("GET", path + missing, "", key);
    EXPECT_EQ(a.status, 404) << path << theirs << ": " << a.body;
    EXPECT_EQ(b.status, 404) << path << missing << ": " << b.body;
    EXPECT_EQ(Code(a), Code(b));
    std::string a_body = a.body;
    a_body.replace(a_body.find(theirs), theirs.size(), missing);
    EXPECT_EQ(a_body, b.body) << "the answers differ beyond the id";
  }

  ApiFixture api_;
};

TEST_F(IdProbingTest, PartnerCannotTellAnotherPartnersDonationFromNone) {
  const std::string wuye = api_.CreateKey("partner", "partner_id", "p-wuye");
  ASSERT_EQ(api_.Call("GET", "/v1/donations/d-wuye", "", wuye).status, 200);
  ExpectSameAnswer(wuye, "/v1/donations/", "d-avic", "d-nonexistent");
  ExpectSameAnswer(wuye, "/v1/partners/", "p-avic", "p-nonexistent");
  ExpectSameAnswer(wuye, "/v1/streams/", "partner-p-avic", "partner-p-nonexistent");
}

TEST_F(IdProbingTest, CoordinatorCannotTellAnotherBranchsMemberFromNone) {
  const std::string gaoliying = api_.CreateKey("coordinator", "branch_id", "b-gaoliying");
  ASSERT_EQ(api_.Call("GET", "/v1/members/v-zhang", "", gaoliying).status, 200);
  ExpectSameAnswer(gaoliying, "/v1/members/", "v-wang", "v-nonexistent");
}

TEST_F(IdProbingTest, MemberCannotTellAnotherMemberFromNone) {
  const std::string wang = api_.CreateKey("member", "member_id", "v-wang");
  ExpectSameAnswer(wang, "/v1/members/", "v-li", "v-nonexistent");
  ExpectSameAnswer(wang, "/v1/streams/", "member-v-li", "member-v-nonexistent");
}

}  // namespace
}  // namespace ledger
