#include "tests/domain/ledger_scenario.h"

#include <cstdio>
#include <cstdlib>

namespace ledger::testing {

std::vector<ScenarioEvent> OctoberScenario() {
  std::vector<ScenarioEvent> events;
  int64_t at = BeijingUs(2026, 10, 1, 9);
  auto add = [&](std::string id, std::string type, std::string fields) {
    events.push_back({"ev-" + std::move(id), std::move(type), std::move(fields), at});
    at += 60'000'000;  // a minute apart
  };
  add("b-shiyuan", "BranchOpened", R"(branch_id: "b-shiyuan", name: "石园街道")");
  add("b-gaoliying", "BranchOpened", R"(branch_id: "b-gaoliying", name: "高丽营镇")");
  add("v-wang", "MemberRegistered",
      R"(member_id: "v-wang", kind: volunteer, branch_id: "b-shiyuan", name: "王秀兰",
         gender: "女", birth_year: 1968, phone: "13800000001", skills: ["刺绣", "陪伴"])");
  add("v-li", "MemberRegistered",
      R"(member_id: "v-li", kind: volunteer, branch_id: "b-shiyuan", name: "李桂英",
         gender: "女", birth_year: 1971)");
  add("v-zhang", "MemberRegistered",
      R"(member_id: "v-zhang", kind: volunteer, branch_id: "b-gaoliying", name: "张凤")");
  add("e-zhao", "MemberRegistered",
      R"(member_id: "e-zhao", kind: elder, branch_id: "b-shiyuan", name: "赵德福",
         birth_year: 1938, lives_alone: true)");
  add("e-qian", "MemberRegistered",
      R"(member_id: "e-qian", kind: elder, branch_id: "b-shiyuan", name: "钱淑珍",
         birth_year: 1941, lives_alone: true)");
  add("e-sun", "MemberRegistered",
      R"(member_id: "e-sun", kind: elder, branch_id: "b-gaoliying", name: "孙桂兰",
         birth_year: 1936, lives_alone: true)");
  add("pair-1", "PairingFormed",
      R"(pairing_id: "pair-1", volunteer_id: "v-wang", elder_id: "e-zhao")");
  add("pair-2", "PairingFormed",
      R"(pairing_id: "pair-2", volunteer_id: "v-li", elder_id: "e-qian")");
  add("pair-3", "PairingFormed",
      R"(pairing_id: "pair-3", volunteer_id: "v-zhang", elder_id: "e-sun")");
  add("p-avic", "PartnerRegistered",
      R"(partner_id: "p-avic", name: "中航复合材料有限责任公司", kind: enterprise)");
  add("p-wuye", "PartnerRegistered",
      R"(partner_id: "p-wuye", name: "北京顺义物业服务集团有限公司", kind: enterprise)");
  add("p-qinglian", "PartnerRegistered",
      R"(partner_id: "p-qinglian", name: "北京青联篮球赛事", kind: community_org)");
  add("p-gov", "PartnerRegistered",
      R"(partner_id: "p-gov", name: "石园街道办事处", kind: government)");
  add("f-aid", "FundOpened",
      R"(fund_id: "f-aid", name: "长者困济帮扶基金", branch_id: "b-shiyuan")");
  add("a-chongyang", "ActivityHeld",
      R"(activity_id: "a-chongyang", branch_id: "b-shiyuan", title: "重阳节敬老活动",
         date: "2026-10-29", participants: 20, beneficiaries: 35)");
  // Service requests (订单式): 赵德福's guardian asks for a visit, the coordinator sends 王秀兰,
  // and her first visit answers it; 钱淑珍's repair request is cancelled.
  add("q-zhao", "ServiceRequested",
      R"(request_id: "q-zhao", elder_id: "e-zhao", need: home_visit, description: "想有人来坐坐",
         requested_by: guardian, urgent: false, wanted_by_us: )" +
          std::to_string(BeijingUs(2026, 10, 3, 9)));
  add("q-zhao-assign", "RequestAssigned", R"(request_id: "q-zhao", volunteer_id: "v-wang")");
  add("q-qian", "ServiceRequested",
      R"(request_id: "q-qian", elder_id: "e-qian", need: repair, description: "水龙头漏水")");
  add("q-qian-cancel", "RequestCancelled", R"(request_id: "q-qian", reason: "家属已修好")");
  // Visits: 王 4 × 90 min (the first answers q-zhao), 李 3 × 120 (one rejected), 张 2 × 60.
  for (int i = 1; i <= 4; ++i) {
    const std::string s = "svc-wang-" + std::to_string(i);
    add(s, "ServiceLogged",
        "service_id: \"" + s + R"(", volunteer_id: "v-wang", elder_id: "e-zhao",
        kind: home_visit, minutes: 90, place: "赵家")" +
            (i == 1 ? R"(, request_id: "q-zhao")" : ""));
    add(s + "-ok", "ServiceVerified",
        "service_id: \"" + s + R"(", confirmed_by: "e-zhao", rating: 5)");
  }
  for (int i = 1; i <= 3; ++i) {
    const std::string s = "svc-li-" + std::to_string(i);
    add(s, "ServiceLogged", "service_id: \"" + s + R"(", volunteer_id: "v-li", elder_id: "e-qian",
        kind: respite_care, minutes: 120)");
    if (i < 3) {
      add(s + "-ok", "ServiceVerified", "service_id: \"" + s + R"(", confirmed_by: "e-qian")");
    } else {
      add(s + "-no", "ServiceRejected", "service_id: \"" + s + R"(", reason: "logged twice")");
    }
  }
  for (int i = 1; i <= 2; ++i) {
    const std::string s = "svc-zhang-" + std::to_string(i);
    add(s, "ServiceLogged", "service_id: \"" + s + R"(", volunteer_id: "v-zhang", elder_id: "e-sun",
        kind: companionship, minutes: 60)");
    add(s + "-ok", "ServiceVerified", "service_id: \"" + s + R"(", confirmed_by: "e-sun")");
  }
  add("d-avic", "DonationReceived",
      R"(donation_id: "d-avic", partner_id: "p-avic", fund_id: "f-aid", amount_fen: 500000,
         kind: cash, restricted_to: "elder_aid", agreement_ref: "定向捐赠协议-2026-01")");
  add("sale-gov", "SaleRecorded",
      R"(sale_id: "sale-gov", fund_id: "f-aid", product: "便民服务挂袋", category: patent_product,
         quantity: 100, unit_price_fen: 1800, channel: government_purchase,
         buyer_partner_id: "p-gov", maker_id: "v-li", maker_share_bp: 1000)");
  add("sale-charity", "SaleRecorded",
      R"(sale_id: "sale-charity", fund_id: "f-aid", product: "手工刺绣", category: embroidery,
         quantity: 5, unit_price_fen: 6000, channel: charity_sale, maker_id: "v-wang",
         maker_share_bp: 5000)");
  add("d-wuye", "DonationReceived",
      R"(donation_id: "d-wuye", partner_id: "p-wuye", fund_id: "f-aid", amount_fen: 100000,
         kind: cash)");
  add("x-aid1", "DisbursementMade",
      R"(disbursement_id: "x-aid1", fund_id: "f-aid", purpose: "elder_aid", amount_fen: 300000,
         elder_id: "e-zhao", description: "冬季取暖补助", evidence_ref: "receipt-001")");
  add("x-aid2", "DisbursementMade",
      R"(disbursement_id: "x-aid2", fund_id: "f-aid", purpose: "elder_aid", amount_fen: 250000,
         elder_id: "e-qian", evidence_ref: "receipt-002")");
  add("x-mat", "ExpenseRecorded",
      R"(expense_id: "x-mat", fund_id: "f-aid", category: materials, amount_fen: 20000,
         description: "刺绣材料")");
  add("rd-wang", "RedemptionMade",
      R"(redemption_id: "rd-wang", member_id: "v-wang", minutes: 120, reward: cash,
         fund_id: "f-aid")");
  add("rd-li", "RedemptionMade",
      R"(redemption_id: "rd-li", member_id: "v-li", minutes: 60, reward: training,
         course: "老年护理")");
  add("rv-mat", "EventReversed",
      R"(reversal_id: "rv-mat", reverses_id: "ev-x-mat", reason: "entered twice")");
  // Money and filing: 中航's directed gift in kind (goods, never spendable money), some of it
  // handed to 赵德福; the street office's management-fee grant to the programme's own fund; and
  // 中航's consent, then the change of its cash gift's purpose.
  add("f-hq", "FundOpened", R"(fund_id: "f-hq", name: "总行项目基金")");
  add("d-avic-goods", "DonationReceived",
      R"(donation_id: "d-avic-goods", partner_id: "p-avic", fund_id: "f-aid", amount_fen: 480000,
         kind: in_kind, restricted_to: "elder_aid", agreement_ref: "定向捐赠协议-2026-02",
         items: [{name: "大米", quantity: 40, unit: "袋", value_fen: 320000},
                 {name: "食用油", quantity: 20, unit: "桶", value_fen: 160000}])");
  add("gd-zhao", "GoodsDistributed",
      R"(distribution_id: "gd-zhao", donation_id: "d-avic-goods", elder_id: "e-zhao",
         items: [{name: "大米", quantity: 2}, {name: "食用油", quantity: 1}])");
  add("g-gov", "GrantReceived",
      R"(grant_id: "g-gov", partner_id: "p-gov", fund_id: "f-hq", amount_fen: 200000,
         program: management_fee, agreement_ref: "管理费拨付-2026")");
  add("consent-avic", "DonorConsentRecorded",
      R"(consent_id: "consent-avic", donation_id: "d-avic", restricted_to: "elder_aid_winter",
         document_ref: "补充协议-2026-01")");
  add("rc-avic", "RestrictionChanged",
      R"(donation_id: "d-avic", restricted_to: "elder_aid_winter", consent_ref: "consent-avic")");
  // A certificate of 王's service (only its route records one: ApiFixture::LoadScenario leaves
  // both out), then revoked. The scenario's services carry no started_at: they started on
  // 1970-01-01. as_of: the events before it, in a ledger that starts with this scenario.
  add("cert-wang", "CertificateIssued",
      R"(certificate_id: "ZYK-2026-000001", member_id: "v-wang", from_date: "1970-01-01",
         to_date: "2026-10-31", verified_minutes: 360, services: 4, kinds: [home_visit],
         digest: "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592", as_of: )" +
          std::to_string(events.size()));
  add("cert-wang-revoked", "CertificateRevoked",
      R"(certificate_id: "ZYK-2026-000001", reason: "服务记录更正")");
  // The volunteer's file: 王 is honoured, 李's phone corrected, 钱淑珍's guardian registered
  // (李 herself, a neighbour), and the Chongyang activity corrected: reversed (it counted 20
  // participants, there were 24) and recorded anew.
  add("aw-wang", "AwardGranted",
      R"(award_id: "aw-wang", member_id: "v-wang", title: "优秀志愿者", grantor: "石园街道办事处",
         level: "区级")");
  add("upd-li", "MemberUpdated", R"(member_id: "v-li", phone: "13800000002")");
  add("rel-qian", "RelationRegistered",
      R"(relation_id: "rel-qian", member_id: "e-qian", relative_id: "v-li", relation: guardian)");
  // 孙's family asks for her personal data to be erased (PIPL §47, docs/privacy.md).
  add("erase-sun", "PersonalDataErased", R"(member_id: "e-sun", reason: "家属申请删除个人信息")");
  add("rv-chongyang", "EventReversed",
      R"(reversal_id: "rv-chongyang", reverses_id: "ev-a-chongyang", reason: "参与人数有误")");
  add("a-chongyang-2", "ActivityHeld",
      R"(activity_id: "a-chongyang", branch_id: "b-shiyuan", title: "重阳节敬老活动",
         date: "2026-10-29", participants: 24, beneficiaries: 35)");
  at = BeijingUs(2026, 11, 2, 10);
  add("seal-shiyuan-2026-10", "MonthlyReportSealed", R"(branch_id: "b-shiyuan", month: "2026-10")");
  // The whole programme's seal (every fund, f-hq too), and head office's receipt of the filing.
  add("seal-programme-2026-10", "MonthlyReportSealed", R"(month: "2026-10")");
  add("filing-2026-10", "FilingAcknowledged",
      R"(month: "2026-10", receipt_ref: "总行备案-2026-10", acknowledged_by: "义工社总行")");
  // 王 asks for a statement for a merchant's discount, then withdraws it (the attestation and
  // its merchant only their route records: ApiFixture::LoadScenario leaves the three out).
  add("p-shop", "PartnerRegistered",
      R"(partner_id: "p-shop", name: "石园便民超市", kind: merchant)");
  add("att-wang", "AttestationIssued",
      R"(attestation_id: "att-wang", member_id: "v-wang", merchant_id: "p-shop",
         purpose: "敬老折扣", discloses: [star, verified_hours], expires_at_us: )" +
          std::to_string(BeijingUs(2026, 12, 1, 0)));
  add("att-wang-revoked", "AttestationRevoked",
      R"(attestation_id: "att-wang", reason: "折扣已用")");
  return events;
}

std::vector<ScenarioEvent> OctoberScenarioForClients() {
  std::vector<ScenarioEvent> events = OctoberScenario();
  std::erase_if(events, [](const ScenarioEvent& event) {
    return event.type == "CertificateIssued" || event.type == "CertificateRevoked" ||
           event.type == "AttestationIssued" || event.type == "AttestationRevoked" ||
           event.type == "PersonalDataErased" || event.id == "ev-p-shop";
  });
  return events;
}

void RunOctoberScenario(LedgerDriver& driver) {
  for (const ScenarioEvent& event : OctoberScenario()) {
    driver.now_us = event.occurred_at_us;
    const std::string outcome = driver.RunWithId(event.id, event.type, event.fields);
    if (outcome != "ok") {
      std::fprintf(stderr, "scenario event %s refused: %s\n", event.id.c_str(), outcome.c_str());
      std::abort();
    }
  }
}

}  // namespace ledger::testing
