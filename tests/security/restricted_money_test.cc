// Threat: money given for one purpose is spent as overhead by naming that purpose as a
// management or materials expense's free-text purpose. Overhead draws restricted money only
// when the restriction names its category (API.md, "Money and filing").
#include <gtest/gtest.h>

#include "tests/security/security_test_support.h"

namespace ledger {
namespace {
using api::Response;
using security_testing::Code;
using security_testing::Event;
using security_testing::Int;
using testing::ApiFixture;
using testing::JsonOf;

TEST(RestrictedMoneyTest, OverheadCannotSpendMoneyRestrictedToAnotherPurpose) {
  ApiFixture api;
  for (const std::string& event : {
           Event("ev-b", "BranchOpened", R"(branch_id: "b1", name: "石园街道")"),
           Event("ev-p", "PartnerRegistered",
                 R"(partner_id: "c1", name: "中航", kind: enterprise)"),
           Event("ev-f", "FundOpened", R"(fund_id: "f1", name: "基金", branch_id: "b1")"),
           Event("ev-d1", "DonationReceived",
                 R"(donation_id: "d1", partner_id: "c1", fund_id: "f1", amount_fen: 100000,
                    kind: cash, restricted_to: "elder_aid")"),
       }) {
    ASSERT_EQ(api.Call("POST", "/v1/events", event).status, 201) << event;
  }
  for (const char* category : {"management", "materials"}) {
    SCOPED_TRACE(category);
    const Head before = api.head();
    Response refused = api.Call(
        "POST", "/v1/events",
        Event(
            "ev-x", "ExpenseRecorded",
            std::string(R"(expense_id: "x1", fund_id: "f1", amount_fen: 1000, purpose: "elder_aid",
                             category: )") +
                category));
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(Code(refused), "insufficient_funds");
    EXPECT_EQ(api.head(), before);
  }
  // Money restricted to management pays management, and only that restriction is drawn.
  ASSERT_EQ(api.Call("POST", "/v1/events",
                     Event("ev-d2", "DonationReceived",
                           R"(donation_id: "d2", partner_id: "c1", fund_id: "f1",
                              amount_fen: 30000, kind: cash, restricted_to: "management")"))
                .status,
            201);
  Response paid = api.Call("POST", "/v1/events",
                           Event("ev-x2", "ExpenseRecorded",
                                 R"(expense_id: "x2", fund_id: "f1", amount_fen: 20000,
                                    purpose: "elder_aid", category: management)"));
  ASSERT_EQ(paid.status, 201) << paid.body;
  const std::string after = "?min_position=" + std::to_string(Int(JsonOf(paid.body), "position"));
  const boost::json::value d1 = JsonOf(api.Call("GET", "/v1/donations/d1" + after).body);
  const boost::json::value d2 = JsonOf(api.Call("GET", "/v1/donations/d2" + after).body);
  EXPECT_EQ(Int(d1, "remaining_fen"), 100000) << d1;
  EXPECT_EQ(Int(d2, "remaining_fen"), 10000) << d2;
}

}  // namespace
}  // namespace ledger
