// The programme's story, one month of it, with every figure computed by hand:
// two branches, volunteers paired with elders, visits logged and verified, a directed donation
// restricted to elder aid, the government purchase of 便民服务挂袋, a charity sale with the
// maker's share, aid disbursed, a cash and a training redemption, a reversal and a seal.
#include "tests/domain/ledger_scenario.h"

#include <gtest/gtest.h>

#include "domain/ledger_state.h"
#include "tests/domain/event_builder.h"

namespace ledger {
namespace {

using testing::BeijingUs;
using testing::LedgerDriver;

class LedgerScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::RunOctoberScenario(driver_); }
  const LedgerState& state() { return driver_.state(); }
  LedgerDriver driver_;
};

TEST_F(LedgerScenarioTest, VolunteersHoursCreditsAndIncome) {
  const Member* wang = state().FindMember(MemberRef("v-wang"));
  ASSERT_NE(wang, nullptr);
  EXPECT_EQ(wang->verified_minutes, Minutes{360});  // 4 visits × 90
  EXPECT_EQ(wang->pending_minutes, Minutes{0});
  EXPECT_EQ(wang->credit_minutes, Minutes{240});  // 360 - 120 redeemed for cash
  EXPECT_EQ(wang->redeemed_minutes, Minutes{120});
  EXPECT_EQ(wang->income_fen, Fen{15000});  // half of the 30,000 fen charity sale
  EXPECT_EQ(wang->star, 0);                 // 6 hours, far from 100

  const Member* li = state().FindMember(MemberRef("v-li"));
  EXPECT_EQ(li->verified_minutes, Minutes{240});  // 2 of 3 visits × 120; one rejected
  EXPECT_EQ(li->pending_minutes, Minutes{0});
  EXPECT_EQ(li->credit_minutes, Minutes{180});  // 240 - 60 redeemed for training
  EXPECT_EQ(li->redeemed_minutes, Minutes{60});
  EXPECT_EQ(li->income_fen, Fen{18000});  // 10% of the 180,000 fen purchase

  const Member* zhang = state().FindMember(MemberRef("v-zhang"));
  EXPECT_EQ(zhang->verified_minutes, Minutes{120});
  EXPECT_EQ(zhang->credit_minutes, Minutes{120});
  EXPECT_EQ(zhang->branch_id, BranchId("b-gaoliying"));
}

TEST_F(LedgerScenarioTest, FundFigures) {
  const Fund* fund = state().FindFund(FundRef("f-aid"));
  ASSERT_NE(fund, nullptr);
  // In: 500,000 + 100,000 donations; 162,000 of the purchase; 15,000 of the charity sale.
  EXPECT_EQ(fund->inflow_fen, Fen{777000});
  EXPECT_EQ(fund->inflow_by_channel_fen[static_cast<int>(Channel::kDonation)], Fen{600000});
  EXPECT_EQ(fund->inflow_by_channel_fen[static_cast<int>(Channel::kCharitySale)], Fen{15000});
  EXPECT_EQ(fund->inflow_by_channel_fen[static_cast<int>(Channel::kGovernmentPurchase)],
            Fen{162000});
  EXPECT_EQ(fund->inflow_by_channel_fen[static_cast<int>(Channel::kEnterprisePurchase)], Fen{0});
  // Out: aid 300,000 + 250,000, cash redemption 4,000; the 20,000 expense was reversed.
  EXPECT_EQ(fund->outflow_fen, Fen{554000});
  EXPECT_EQ(fund->outflow_by_category_fen[static_cast<int>(Category::kDisbursement)], Fen{550000});
  EXPECT_EQ(fund->outflow_by_category_fen[static_cast<int>(Category::kRedemption)], Fen{4000});
  EXPECT_EQ(fund->outflow_by_category_fen[static_cast<int>(Category::kMaterials)], Fen{0});
  EXPECT_EQ(fund->balance_fen, Fen{223000});
  EXPECT_EQ(fund->earmarks_fen.at("elder_aid"), Fen{0});  // the directed donation is fully used
  EXPECT_EQ(fund->unrestricted_fen, Fen{223000});
}

TEST_F(LedgerScenarioTest, FundUseTrailIsFirstInFirstOut) {
  // Aid 1 draws only on the money restricted to elder aid.
  const Outflow* aid1 = state().FindOutflow(OutflowRef("x-aid1"));
  ASSERT_NE(aid1, nullptr);
  ASSERT_EQ(aid1->sources.size(), 1u);
  EXPECT_EQ(aid1->sources[0], (Allocation{SourceId("d-avic"), PartnerId("p-avic"), 300000}));
  // Aid 2: the rest of the restricted money first, then the oldest unrestricted inflow.
  const Outflow* aid2 = state().FindOutflow(OutflowRef("x-aid2"));
  ASSERT_EQ(aid2->sources.size(), 2u);
  EXPECT_EQ(aid2->sources[0], (Allocation{SourceId("d-avic"), PartnerId("p-avic"), 200000}));
  EXPECT_EQ(aid2->sources[1], (Allocation{SourceId("sale-gov"), PartnerId("p-gov"), 50000}));
  // The reversed expense keeps its trail but is marked reversed.
  const Outflow* materials = state().FindOutflow(OutflowRef("x-mat"));
  EXPECT_TRUE(materials->reversed);
  const Outflow* cash = state().FindOutflow(OutflowRef("rd-wang"));
  ASSERT_EQ(cash->sources.size(), 1u);
  EXPECT_EQ(cash->sources[0], (Allocation{SourceId("sale-gov"), PartnerId("p-gov"), 4000}));

  const Source* avic = state().FindSource(SourceRef("d-avic"));
  EXPECT_EQ(avic->amount_fen, Fen{500000});
  EXPECT_EQ(avic->remaining_fen, Fen{0});
  ASSERT_EQ(avic->uses.size(), 2u);
  EXPECT_EQ(avic->uses[0].outflow_id, OutflowId("x-aid1"));
  EXPECT_EQ(avic->uses[0].amount_fen, Fen{300000});
  EXPECT_EQ(avic->uses[1].outflow_id, OutflowId("x-aid2"));
  EXPECT_EQ(avic->uses[1].amount_fen, Fen{200000});
  // 162,000 - 50,000 (aid 2) - 4,000 (cash); the expense's 20,000 came back.
  const Source* gov = state().FindSource(SourceRef("sale-gov"));
  EXPECT_EQ(gov->remaining_fen, Fen{108000});
  ASSERT_EQ(gov->uses.size(), 2u);
}

TEST_F(LedgerScenarioTest, PartnerFigures) {
  const Partner* avic = state().FindPartner(PartnerRef("p-avic"));
  EXPECT_EQ(avic->donated_fen, Fen{500000});
  EXPECT_EQ(avic->used_fen, Fen{500000});
  EXPECT_EQ(avic->purchased_fen, Fen{0});
  const Partner* gov = state().FindPartner(PartnerRef("p-gov"));
  EXPECT_EQ(gov->purchased_fen, Fen{180000});
  EXPECT_EQ(gov->used_fen, Fen{54000});  // 50,000 + 4,000
  const Partner* wuye = state().FindPartner(PartnerRef("p-wuye"));
  EXPECT_EQ(wuye->donated_fen, Fen{100000});
  EXPECT_EQ(wuye->used_fen, Fen{0});
}

TEST_F(LedgerScenarioTest, MonthlyReportsAndSeal) {
  const Report* shiyuan = state().FindReport(ReportKey{BranchId("b-shiyuan"), 202610});
  ASSERT_NE(shiyuan, nullptr);
  EXPECT_EQ(shiyuan->verified_minutes, Minutes{600});  // 360 + 240
  EXPECT_EQ(shiyuan->services, 6);
  EXPECT_EQ(shiyuan->elders_served, 2);  // 赵 and 钱
  EXPECT_EQ(shiyuan->activities, 1);
  EXPECT_EQ(shiyuan->beneficiaries, 35);
  EXPECT_EQ(shiyuan->new_members, 4);
  EXPECT_EQ(shiyuan->donations_fen, Fen{600000});
  EXPECT_EQ(shiyuan->sales_fen, Fen{210000});  // 180,000 + 30,000 gross
  EXPECT_EQ(shiyuan->disbursed_fen, Fen{550000});
  EXPECT_EQ(shiyuan->redeemed_cash_fen, Fen{4000});
  EXPECT_EQ(shiyuan->redeemed_training_minutes, Minutes{60});
  ASSERT_TRUE(shiyuan->seal.has_value());
  EXPECT_EQ(shiyuan->seal->star_counts, (std::array<int64_t, 6>{2, 0, 0, 0, 0, 0}));

  const Report* gaoliying = state().FindReport(ReportKey{BranchId("b-gaoliying"), 202610});
  EXPECT_EQ(gaoliying->verified_minutes, Minutes{120});
  EXPECT_EQ(gaoliying->services, 2);
  EXPECT_EQ(gaoliying->elders_served, 1);
  EXPECT_FALSE(gaoliying->seal.has_value());

  const Report* all = state().FindReport(ReportKey{BranchId(), 202610});
  EXPECT_EQ(all->verified_minutes, Minutes{720});
  EXPECT_EQ(all->services, 8);
  EXPECT_EQ(all->elders_served, 3);
  EXPECT_EQ(all->new_members, 6);
  EXPECT_EQ(all->donations_fen, Fen{600000});
}

TEST_F(LedgerScenarioTest, SealedMonthTakesOnlyLaterReversals) {
  driver_.now_us = BeijingUs(2026, 10, 20);
  EXPECT_EQ(driver_.Run("ServiceLogged", R"(service_id: "late", volunteer_id: "v-wang",
                                            elder_id: "e-zhao", kind: home_visit, minutes: 30)"),
            "month_sealed");
  EXPECT_EQ(driver_.Run("EventReversed",
                        R"(reversal_id: "rv-aid1", reverses_id: "ev-x-aid1", reason: "duplicate")"),
            "month_sealed");
  driver_.now_us = BeijingUs(2026, 11, 5);
  EXPECT_EQ(driver_.Run("EventReversed",
                        R"(reversal_id: "rv-aid1", reverses_id: "ev-x-aid1", reason: "duplicate")"),
            "ok");
  // The correction shows in November; the sealed October figures stay as they were.
  EXPECT_EQ(state().FindReport(ReportKey{BranchId("b-shiyuan"), 202611})->disbursed_fen,
            Fen{-300000});
  EXPECT_EQ(state().FindReport(ReportKey{BranchId("b-shiyuan"), 202610})->disbursed_fen,
            Fen{550000});
  EXPECT_EQ(state().FindFund(FundRef("f-aid"))->balance_fen, Fen{523000});
  EXPECT_EQ(state().FindSource(SourceRef("d-avic"))->remaining_fen, Fen{300000});
  // 中航 consented to a new purpose of d-avic (rc-avic): the money given back is earmarked for it.
  EXPECT_EQ(state().FindFund(FundRef("f-aid"))->earmarks_fen.at("elder_aid_winter"), Fen{300000});
}

// 王's certificate: recorded with its figures (her name is the vault's), numbered first of 2026,
// then revoked; numbering goes on within the year and starts again in the next.
TEST_F(LedgerScenarioTest, CertificateNumberedAndRevoked) {
  const Certificate* certificate = state().FindCertificate("ZYK-2026-000001");
  ASSERT_NE(certificate, nullptr);
  EXPECT_EQ(certificate->member_id, MemberId("v-wang"));
  EXPECT_EQ(certificate->verified_minutes, 360);
  EXPECT_EQ(certificate->services, 4);
  EXPECT_EQ(certificate->kinds, std::vector<events::ServiceKind>{events::ServiceKind::home_visit});
  EXPECT_TRUE(certificate->revoked);
  EXPECT_EQ(certificate->revocation_reason, "服务记录更正");
  EXPECT_EQ(state().NextCertificateId(BeijingUs(2026, 12, 31, 23)), "ZYK-2026-000002");
  // 1 January 2027 00:30 in Beijing is still 2026 in UTC: the Beijing year counts.
  EXPECT_EQ(state().NextCertificateId(BeijingUs(2027, 1, 1, 0) + 30 * 60'000'000LL),
            "ZYK-2027-000001");
}

}  // namespace
}  // namespace ledger

namespace ledger {
namespace {

// 赵德福's request is answered by 王秀兰's first visit, verified five minutes (events) after the
// request; 钱淑珍's is cancelled. October's report counts two opened, one resolved.
TEST(LedgerScenarioRequestsTest, RequestAnsweredByAVerifiedVisitIsResolved) {
  testing::LedgerDriver driver;
  testing::RunOctoberScenario(driver);
  const ServiceRequest* zhao = driver.state().FindRequest(RequestRef("q-zhao"));
  ASSERT_NE(zhao, nullptr);
  EXPECT_EQ(zhao->status, RequestStatus::kResolved);
  EXPECT_EQ(zhao->volunteer_id, MemberId("v-wang"));
  EXPECT_EQ(zhao->branch_id, BranchId("b-shiyuan"));
  EXPECT_EQ(zhao->service_ids, std::vector<ServiceId>{ServiceId("svc-wang-1")});
  EXPECT_EQ(zhao->resolved_at_us - zhao->requested_at_us, 5 * 60'000'000);
  EXPECT_EQ(zhao->requested_by, events::Requester::guardian);
  EXPECT_EQ(zhao->wanted_by_us, testing::BeijingUs(2026, 10, 3, 9));
  const ServiceRequest* qian = driver.state().FindRequest(RequestRef("q-qian"));
  ASSERT_NE(qian, nullptr);
  EXPECT_EQ(qian->status, RequestStatus::kCancelled);
  EXPECT_TRUE(qian->volunteer_id.empty());
  for (const BranchId& branch : {BranchId("b-shiyuan"), BranchId()}) {
    const Report* october = driver.state().FindReport(ReportKey{branch, *ParseMonth("2026-10")});
    ASSERT_NE(october, nullptr);
    EXPECT_EQ(october->requests_opened, 2);
    EXPECT_EQ(october->requests_resolved, 1);
    EXPECT_EQ(MedianMinutes(october->resolution_minutes), 5);
  }
}

}  // namespace
}  // namespace ledger
