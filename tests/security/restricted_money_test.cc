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

// Threat: goods given in kind are spent as cash (their declared value counted as money). Goods
// enter the fund's goods stock, never its balance; they are handed out as goods, never below zero.
TEST(RestrictedMoneyTest, GoodsInKindAreNeverSpentAsCash) {
  ApiFixture api;
  for (const std::string& event : {
           Event("ev-b", "BranchOpened", R"(branch_id: "b1", name: "石园街道")"),
           Event("ev-e", "MemberRegistered",
                 R"(member_id: "e1", kind: elder, branch_id: "b1", name: "赵大爷")"),
           Event("ev-p", "PartnerRegistered",
                 R"(partner_id: "c1", name: "中航", kind: enterprise)"),
           Event("ev-f", "FundOpened", R"(fund_id: "f1", name: "基金", branch_id: "b1")"),
           Event("ev-d1", "DonationReceived",
                 R"(donation_id: "d1", partner_id: "c1", fund_id: "f1", amount_fen: 500000,
                    kind: in_kind, items: [{name: "大米", quantity: 50, unit: "袋",
                    value_fen: 500000}])"),
       }) {
    ASSERT_EQ(api.Call("POST", "/v1/events", event).status, 201) << event;
  }
  for (const std::string& spend : {
           Event("ev-x1", "DisbursementMade",
                 R"(disbursement_id: "x1", fund_id: "f1", purpose: "elder_aid", amount_fen: 1)"),
           Event("ev-x2", "ExpenseRecorded",
                 R"(expense_id: "x2", fund_id: "f1", amount_fen: 1, category: training)"),
       }) {
    const Head before = api.head();
    Response refused = api.Call("POST", "/v1/events", spend);
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(Code(refused), "insufficient_funds");
    EXPECT_EQ(api.head(), before);
  }
  const Head before = api.head();
  Response too_many = api.Call("POST", "/v1/events",
                               Event("ev-g1", "GoodsDistributed",
                                     R"(distribution_id: "g1", donation_id: "d1", elder_id: "e1",
                                        items: [{name: "大米", quantity: 51}])"));
  EXPECT_EQ(too_many.status, 422) << too_many.body;
  EXPECT_EQ(Code(too_many), "insufficient_goods");
  EXPECT_EQ(api.head(), before);
  Response handed = api.Call("POST", "/v1/events",
                             Event("ev-g2", "GoodsDistributed",
                                   R"(distribution_id: "g2", donation_id: "d1", elder_id: "e1",
                                      items: [{name: "大米", quantity: 50}])"));
  ASSERT_EQ(handed.status, 201) << handed.body;
  const std::string after = "?min_position=" + std::to_string(Int(JsonOf(handed.body), "position"));
  const boost::json::value fund = JsonOf(api.Call("GET", "/v1/funds/f1" + after).body);
  EXPECT_EQ(Int(fund, "balance_fen"), 0) << fund;
  const boost::json::value& rice = fund.at("goods").at(0);
  EXPECT_EQ(rice.at("received").to_number<int64_t>(), 50) << fund;
  EXPECT_EQ(rice.at("in_stock").to_number<int64_t>(), 0) << fund;
  // The donor's trail shows where its goods went.
  const boost::json::value d1 = JsonOf(api.Call("GET", "/v1/donations/d1" + after).body);
  EXPECT_EQ(d1.at("goods_uses").at(0).at("elder_id").as_string(), "e1") << d1;
}

}  // namespace
}  // namespace ledger
