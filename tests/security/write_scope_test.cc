// Threat: a coordinator writes outside its branch — takes cash out of another branch's fund,
// names another branch's member, elder, fund, donation or event, or races the writer so that a
// record created meanwhile lands in another branch. The scope is decided by the store's single
// writer against its own state (domain/scope_rules.h), so every case is refused and nothing is
// written.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "domain/scope_rules.h"
#include "tests/security/security_test_support.h"

namespace ledger {
namespace {
using api::Response;
using security_testing::Code;
using security_testing::Event;
using security_testing::Int;
using testing::ApiFixture;
using testing::JsonOf;

class WriteScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.LoadScenario();
    gaoliying_ = api_.CreateKey("coordinator", "branch_id", "b-gaoliying");
  }
  // Posts `event` with the 高丽营镇 coordinator's key; expects 403 and an unmoved head.
  void ExpectRefused(const std::string& event) {
    const Head before = api_.head();
    Response response = api_.Call("POST", "/v1/events", event, gaoliying_);
    EXPECT_EQ(response.status, 403) << event << "\n" << response.body;
    EXPECT_EQ(Code(response), "forbidden");
    EXPECT_EQ(api_.head(), before) << "a refused write moved the head";
  }
  ApiFixture api_;
  std::string gaoliying_;
};

// The High finding: RedemptionMade checked the member's branch only, so a coordinator could
// cash out its own volunteer's credits from another branch's fund.
TEST_F(WriteScopeTest, CoordinatorCannotCashOutFromAnotherBranchsFund) {
  const std::string at = "?min_position=" + std::to_string(api_.head().next.value - 1);
  const int64_t balance_before =
      Int(JsonOf(api_.Call("GET", "/v1/funds/f-aid" + at).body), "balance_fen");
  ExpectRefused(Event("ev-drain", "RedemptionMade",
                      R"(redemption_id: "rd-drain", member_id: "v-zhang", minutes: 60,
                         reward: cash, fund_id: "f-aid")"));
  EXPECT_EQ(Int(JsonOf(api_.Call("GET", "/v1/funds/f-aid" + at).body), "balance_fen"),
            balance_before);
}

// Every other scoped field of the table, one event each, names something of 石园街道.
TEST_F(WriteScopeTest, EveryReferenceToAnotherBranchIsRefused) {
  const char* const cases[][3] = {
      {"ev-x1", "ServiceLogged",
       R"(service_id: "s-x1", volunteer_id: "v-zhang", elder_id: "e-zhao", kind: home_visit,
          minutes: 30)"},
      {"ev-x2", "ServiceLogged",
       R"(service_id: "s-x2", volunteer_id: "v-zhang", activity_id: "a-chongyang",
          kind: activity, minutes: 30)"},
      {"ev-x3", "PairingFormed",
       R"(pairing_id: "pair-x", volunteer_id: "v-zhang", elder_id: "e-zhao")"},
      {"ev-x4", "PairingEnded", R"(pairing_id: "pair-1", reason: "x")"},
      {"ev-x5", "CreditsTransferred",
       R"(transfer_id: "t-x", from_member_id: "v-zhang", to_member_id: "v-wang", minutes: 10)"},
      {"ev-x6", "DonationReceived",
       R"(donation_id: "d-x", partner_id: "p-avic", fund_id: "f-aid", amount_fen: 100,
          kind: cash)"},
      {"ev-x7", "DisbursementMade",
       R"(disbursement_id: "x-x", fund_id: "f-aid", purpose: "elder_aid", amount_fen: 100)"},
      {"ev-x8", "ExpenseRecorded",
       R"(expense_id: "x-e", fund_id: "f-aid", category: training, amount_fen: 100)"},
      {"ev-x9", "RestrictionChanged", R"(donation_id: "d-wuye", consent_ref: "x")"},
      {"ev-x10", "SaleRecorded",
       R"(sale_id: "sale-x", fund_id: "f-aid", product: "x", category: embroidery, quantity: 1,
          unit_price_fen: 100, channel: charity_sale)"},
      {"ev-x11", "ServiceVerified", R"(service_id: "svc-li-1", confirmed_by: "e-qian")"},
      {"ev-x12", "MonthlyReportSealed", R"(branch_id: "b-shiyuan", month: "2026-10")"},
      {"ev-x14", "FundOpened", R"(fund_id: "f-x", name: "无分部基金")"},
      {"ev-x15", "EventReversed", R"(reversal_id: "rv-x", reverses_id: "ev-rd-wang", reason: "x")"},
      {"ev-x16", "BranchOpened", R"(branch_id: "b-x", name: "x")"},
      // Service requests: 石园街道's elder, request (q-qian is cancelled, q-zhao resolved: the
      // scope refuses before the rules would), and a visit naming 石园街道's request.
      {"ev-x17", "ServiceRequested",
       R"(request_id: "q-x", elder_id: "e-zhao", need: errand, description: "x")"},
      {"ev-x18", "RequestAssigned", R"(request_id: "q-zhao", volunteer_id: "v-zhang")"},
      {"ev-x19", "RequestCancelled", R"(request_id: "q-qian", reason: "x")"},
      {"ev-x20", "ServiceLogged",
       R"(service_id: "s-x20", volunteer_id: "v-zhang", elder_id: "e-sun", kind: home_visit,
          minutes: 30, request_id: "q-zhao")"},
      // Money and filing: 石园街道's goods and fund; a donor's consent is the donor's or an
      // admin's, never a coordinator's; the programme's seal and head office's receipt an admin's.
      {"ev-x22", "GoodsDistributed",
       R"(distribution_id: "gd-x", donation_id: "d-avic-goods", items: [{name: "大米",
          quantity: 1}])"},
      {"ev-x23", "GrantReceived",
       R"(grant_id: "g-x", partner_id: "p-gov", fund_id: "f-aid", amount_fen: 1, program: other)"},
      {"ev-x24", "DonorConsentRecorded",
       R"(consent_id: "c-x", donation_id: "d-wuye", document_ref: "x")"},
      {"ev-x25", "MonthlyReportSealed", R"(month: "2026-09")"},
      {"ev-x26", "FilingAcknowledged", R"(month: "2026-10", receipt_ref: "x")"},
      // A volunteer's file: 石园街道's member honoured, corrected, or named as a relative; and
      // the reversal of 石园街道's activity.
      {"ev-x27", "AwardGranted", R"(award_id: "aw-x", member_id: "v-wang", title: "x")"},
      {"ev-x28", "MemberUpdated", R"(member_id: "v-wang", phone: "1")"},
      {"ev-x29", "RelationRegistered",
       R"(relation_id: "rel-x", member_id: "v-zhang", relative_id: "v-wang", relation: sibling)"},
      {"ev-x30", "EventReversed",
       R"(reversal_id: "rv-a", reverses_id: "ev-a-chongyang-2", reason: "x")"},
  };
  for (const auto& [id, type, fields] : cases) {
    SCOPED_TRACE(id);
    ExpectRefused(Event(id, type, fields));
  }
}

// 《慈善法》§55: the donor consents with its own key (for its own donations only), or an admin
// records the consent citing the signed document; a partner may record nothing else.
TEST_F(WriteScopeTest, DonorConsentIsTheDonorsOwnOrAnAdminsCitingTheDocument) {
  const std::string avic = api_.CreateKey("partner", "partner_id", "p-avic");
  auto refused = [&](const std::string& event, const std::string& key) {
    const Head before = api_.head();
    Response response = api_.Call("POST", "/v1/events", event, key);
    EXPECT_EQ(response.status, 403) << event << "\n" << response.body;
    EXPECT_EQ(api_.head(), before) << "a refused write moved the head";
  };
  refused(Event("ev-c1", "DonorConsentRecorded",
                R"(consent_id: "c-1", donation_id: "d-wuye", restricted_to: "school")"),
          avic);
  refused(Event("ev-c2", "DonationReceived",
                R"(donation_id: "d-self", partner_id: "p-avic", fund_id: "f-aid",
                   amount_fen: 100, kind: cash)"),
          avic);
  refused(Event("ev-c3", "DonorConsentRecorded",
                R"(consent_id: "c-3", donation_id: "d-wuye", restricted_to: "school")"),
          std::string(testing::kTestAdminKey));
  Response own = api_.Call("POST", "/v1/events",
                           Event("ev-c4", "DonorConsentRecorded",
                                 R"(consent_id: "c-4", donation_id: "d-avic-goods",
                                    restricted_to: "school")"),
                           avic);
  EXPECT_EQ(own.status, 201) << own.body;
  Response cited = api_.Call("POST", "/v1/events",
                             Event("ev-c5", "DonorConsentRecorded",
                                   R"(consent_id: "c-5", donation_id: "d-wuye",
                                      restricted_to: "school", document_ref: "同意书-1")"));
  EXPECT_EQ(cited.status, 201) << cited.body;
}

// A batch cannot smuggle a reference in either: one event out of scope refuses the batch.
TEST_F(WriteScopeTest, OneOutOfScopeEventRefusesTheWholeBatch) {
  const Head before = api_.head();
  const std::string batch =
      R"({"events":[)" +
      Event("ev-b1", "ServiceLogged",
            R"(service_id: "s-b1", volunteer_id: "v-zhang", elder_id: "e-sun", kind: home_visit,
               minutes: 30)") +
      "," +
      Event("ev-b2", "RedemptionMade",
            R"(redemption_id: "rd-b2", member_id: "v-zhang", minutes: 10, reward: cash,
               fund_id: "f-aid")") +
      "]}";
  Response response = api_.Call("POST", "/v1/events/batch", batch, gaoliying_);
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(api_.head(), before);
}

// The Medium finding: the check read the projection, so a member that an admin registered in
// another branch while the coordinator's write was in flight was unknown to it and passed.
// Each round races an admin's registration of a 石园街道 volunteer against a 高丽营镇
// coordinator's service for her; the coordinator's write must never land.
TEST_F(WriteScopeTest, RacingARegistrationNeverLandsAWriteInAnotherBranch) {
  constexpr int kRounds = 60;
  int landed = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string member = "v-race-" + std::to_string(round);
    // Built before the race: the test's event builder is not thread-safe.
    const std::string registration = Event(
        "ev-reg-" + member, "MemberRegistered",
        R"(member_id: ")" + member + R"(", kind: volunteer, branch_id: "b-shiyuan", name: "王")");
    const std::string service = Event("ev-svc-" + member, "ServiceLogged",
                                      R"(service_id: "s-)" + member + R"(", volunteer_id: ")" +
                                          member + R"(", kind: errand, minutes: 30)");
    std::atomic<bool> go{false};
    std::thread admin([&] {
      while (!go.load()) std::this_thread::yield();
      Response registered = api_.Call("POST", "/v1/events", registration);
      EXPECT_EQ(registered.status, 201) << registered.body;
    });
    go = true;
    // Retry while the member is unknown: the first answer that is not unknown_member decides.
    Response response;
    for (int attempt = 0; attempt < 10'000; ++attempt) {
      response = api_.Call("POST", "/v1/events", service, gaoliying_);
      if (Code(response) != "unknown_member") break;
    }
    admin.join();
    if (response.status == 201) ++landed;
    EXPECT_EQ(response.status, 403) << "round " << round << ": " << response.body;
  }
  EXPECT_EQ(landed, 0) << landed << " of " << kRounds << " raced writes landed in another branch";
}

// The rule is one table with a row per event type, in the schema's order.
TEST(ScopeRulesTest, EveryEventTypeHasItsRow) {
  const auto rules = ScopeRules();
  size_t index = 0;
  for (events::Data type : events::EnumValuesData()) {
    if (type == events::Data::NONE) continue;
    ASSERT_LT(index, rules.size());
    EXPECT_EQ(rules[index].type, type) << events::EnumNameData(type);
    EXPECT_EQ(&ScopeRuleFor(type), &rules[index]);
    ++index;
  }
  EXPECT_EQ(index, rules.size());
}

// What a member may record names the member in one of the row's member fields, or is about
// her own attestation; today that is exactly her own ServiceLogged and AttestationRevoked.
TEST(ScopeRulesTest, MemberSelfFieldsNameAMemberField) {
  std::vector<events::Data> member_types;
  for (const EventScopeRule& rule : ScopeRules()) {
    if (rule.member_self_field.empty()) continue;
    member_types.push_back(rule.type);
    int matches = 0;
    for (const ScopedField& field : rule.fields) {
      if (field.name == rule.member_self_field &&
          (field.ref == ScopeRef::kMember || field.ref == ScopeRef::kAttestation)) {
        ++matches;
      }
    }
    EXPECT_EQ(matches, 1) << events::EnumNameData(rule.type);
  }
  EXPECT_EQ(member_types, (std::vector<events::Data>{events::Data::ServiceLogged,
                                                     events::Data::AttestationRevoked}));
}

}  // namespace
}  // namespace ledger
