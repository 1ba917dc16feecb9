#include "api/demo_ledger.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/rfc3339.h"
#include "domain/civil_time.h"

namespace ledger::api {
namespace {
namespace json = boost::json;

// Microseconds since the epoch of a Beijing date and time.
int64_t At(int month, int day, int hour, int minute = 0) {
  return ((DaysFromCivil(2026, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 24 +
           hour) *
              3600 +
          minute * 60 - kBeijingOffsetSeconds) *
         1'000'000;
}

class DemoBuilder {
 public:
  void Add(const std::string& id, const char* type, int64_t at_us, json::object data) {
    events_.push_back(json::object{{"id", id},
                                   {"type", type},
                                   {"occurred_at", FormatInstant(at_us)},
                                   {"data", std::move(data)}});
  }
  std::string Body() const { return json::serialize(json::object{{"events", events_}}); }
  size_t size() const { return events_.size(); }

 private:
  json::array events_;
};

struct Pair {
  const char* volunteer;
  const char* volunteer_name;
  const char* elder;
  const char* elder_name;
  int elder_birth_year;
};

}  // namespace

Result<DemoSummary> LoadDemoLedger(Handler& handler, const std::string& admin_key) {
  DemoBuilder demo;
  const struct {
    const char* id;
    const char* name;
    Pair pairs[6];
  } branches[] = {
      {"b-shiyuan",
       "石园街道",
       {{"v-wang", "王秀兰", "e-zhao", "赵德福", 1938},
        {"v-li", "李桂英", "e-qian", "钱淑珍", 1941},
        {"v-liu", "刘淑华", "e-zhou", "周玉兰", 1939},
        {"v-chen", "陈美玲", "e-wu", "吴秀英", 1943},
        {"v-yang", "杨丽华", "e-zheng", "郑桂芝", 1940},
        {"v-huang", "黄素芬", "e-feng", "冯国庆", 1942}}},
      {"b-gaoliying",
       "高丽营镇",
       {{"v-zhang", "张凤", "e-sun", "孙桂兰", 1936},
        {"v-zhao2", "赵春梅", "e-ma", "马德顺", 1937},
        {"v-sun2", "孙红霞", "e-hu", "胡翠兰", 1944},
        {"v-zhou2", "周秀珍", "e-guo", "郭玉珍", 1938},
        {"v-xu", "徐桂香", "e-he", "何长福", 1941},
        {"v-gao", "高淑英", "e-lin", "林凤英", 1939}}},
  };
  int64_t at = At(10, 1, 8);
  auto next = [&at] { return at += 60'000'000; };  // setup events a minute apart
  for (const auto& branch : branches) {
    demo.Add(std::string("ev-") + branch.id, "BranchOpened", next(),
             {{"branch_id", branch.id}, {"name", branch.name}});
  }
  for (const auto& branch : branches) {
    int n = 0;
    for (const Pair& pair : branch.pairs) {
      ++n;
      demo.Add(std::string("ev-") + pair.volunteer, "MemberRegistered", next(),
               {{"member_id", pair.volunteer},
                {"kind", "volunteer"},
                {"branch_id", branch.id},
                {"name", pair.volunteer_name},
                {"gender", "女"},
                {"birth_year", 1966 + n},
                {"phone", "1380000" + std::to_string(1000 + n)},
                {"skills", json::array{"陪伴", n % 2 == 0 ? "刺绣" : "家务"}}});
      demo.Add(std::string("ev-") + pair.elder, "MemberRegistered", next(),
               {{"member_id", pair.elder},
                {"kind", "elder"},
                {"branch_id", branch.id},
                {"name", pair.elder_name},
                {"birth_year", pair.elder_birth_year},
                {"lives_alone", true}});
      demo.Add(std::string("ev-pair-") + pair.volunteer, "PairingFormed", next(),
               {{"pairing_id", std::string("pair-") + pair.volunteer},
                {"volunteer_id", pair.volunteer},
                {"elder_id", pair.elder}});
    }
  }
  demo.Add(
      "ev-p-avic", "PartnerRegistered", next(),
      {{"partner_id", "p-avic"}, {"name", "中航复合材料有限责任公司"}, {"kind", "enterprise"}});
  demo.Add(
      "ev-p-wuye", "PartnerRegistered", next(),
      {{"partner_id", "p-wuye"}, {"name", "北京顺义物业服务集团有限公司"}, {"kind", "enterprise"}});
  demo.Add("ev-p-qinglian", "PartnerRegistered", next(),
           {{"partner_id", "p-qinglian"}, {"name", "北京青联篮球赛事"}, {"kind", "community_org"}});
  demo.Add("ev-p-gov", "PartnerRegistered", next(),
           {{"partner_id", "p-gov"}, {"name", "石园街道办事处"}, {"kind", "government"}});
  demo.Add("ev-m-shop", "PartnerRegistered", next(),
           {{"partner_id", "m-shop"}, {"name", "社区便民超市"}, {"kind", "merchant"}});
  demo.Add("ev-f-aid", "FundOpened", next(), {{"fund_id", "f-aid"}, {"name", "长者困济帮扶基金"}});

  // A month of visits: each volunteer visits her elder every week; the elder (or a guardian)
  // confirms; one visit logged twice is rejected.
  for (const auto& branch : branches) {
    int n = 0;
    for (const Pair& pair : branch.pairs) {
      ++n;
      for (int week = 0; week < 4; ++week) {
        const int day = 3 + week * 7 + n % 3;
        const int minutes = 60 + 15 * ((n + week) % 5);
        const std::string service =
            std::string("svc-") + pair.volunteer + "-" + std::to_string(week + 1);
        const int64_t started = At(10, day, 9 + n % 4);
        demo.Add("ev-" + service, "ServiceLogged", started + minutes * 60'000'000LL,
                 {{"service_id", service},
                  {"volunteer_id", pair.volunteer},
                  {"elder_id", pair.elder},
                  {"kind", week == 2 ? "companionship" : "home_visit"},
                  {"started_at", FormatInstant(started)},
                  {"minutes", minutes},
                  {"content", week == 2 ? "陪同散步、聊天" : "打扫卫生、测量血压"}});
        if (n == 6 && week == 3) {
          demo.Add("ev-" + service + "-no", "ServiceRejected", At(10, day + 1, 18),
                   {{"service_id", service}, {"reason", "重复登记"}});
        } else {
          demo.Add("ev-" + service + "-ok", "ServiceVerified", At(10, day + 1, 18),
                   {{"service_id", service}, {"confirmed_by", pair.elder}, {"rating", 5}});
        }
      }
    }
  }
  demo.Add("ev-a-chongyang", "ActivityHeld", At(10, 29, 15),
           {{"activity_id", "a-chongyang"},
            {"branch_id", "b-shiyuan"},
            {"title", "重阳节敬老活动"},
            {"date", "2026-10-29"},
            {"participants", 24},
            {"beneficiaries", 40}});
  demo.Add("ev-tr-chen", "TrainingCompleted", At(10, 20, 14),
           {{"training_id", "tr-chen"},
            {"member_id", "v-chen"},
            {"course", "老年人急救"},
            {"minutes", 120}});
  // Money in: a directed donation, a sponsor's gift, the government purchase of 便民服务挂袋,
  // an enterprise purchase and a charity sale of the volunteers' embroidery.
  demo.Add("ev-d-avic", "DonationReceived", At(10, 8, 10),
           {{"donation_id", "d-avic"},
            {"partner_id", "p-avic"},
            {"fund_id", "f-aid"},
            {"amount_fen", 500000},
            {"kind", "cash"},
            {"restricted_to", "elder_aid"},
            {"agreement_ref", "定向捐赠协议-2026-01"}});
  demo.Add("ev-d-qinglian", "DonationReceived", At(10, 12, 16),
           {{"donation_id", "d-qinglian"},
            {"partner_id", "p-qinglian"},
            {"fund_id", "f-aid"},
            {"amount_fen", 200000},
            {"kind", "cash"},
            {"description", "篮球赛事公益义捐"}});
  demo.Add("ev-sale-gov", "SaleRecorded", At(10, 15, 11),
           {{"sale_id", "sale-gov"},
            {"fund_id", "f-aid"},
            {"product", "便民服务挂袋"},
            {"category", "patent_product"},
            {"quantity", 200},
            {"unit_price_fen", 1800},
            {"channel", "government_purchase"},
            {"buyer_partner_id", "p-gov"},
            {"maker_id", "v-li"},
            {"maker_share_bp", 1000}});
  demo.Add("ev-sale-wuye", "SaleRecorded", At(10, 18, 11),
           {{"sale_id", "sale-wuye"},
            {"fund_id", "f-aid"},
            {"product", "手工刺绣靠垫"},
            {"category", "embroidery"},
            {"quantity", 30},
            {"unit_price_fen", 8000},
            {"channel", "enterprise_purchase"},
            {"buyer_partner_id", "p-wuye"},
            {"maker_id", "v-chen"},
            {"maker_share_bp", 3000}});
  demo.Add("ev-sale-charity", "SaleRecorded", At(10, 29, 16),
           {{"sale_id", "sale-charity"},
            {"fund_id", "f-aid"},
            {"product", "手工刺绣"},
            {"category", "embroidery"},
            {"quantity", 12},
            {"unit_price_fen", 6000},
            {"channel", "charity_sale"},
            {"maker_id", "v-wang"},
            {"maker_share_bp", 5000}});
  // Money out: aid to elders (the directed donation first), materials, and redemptions.
  demo.Add("ev-x-aid1", "DisbursementMade", At(10, 20, 10),
           {{"disbursement_id", "x-aid1"},
            {"fund_id", "f-aid"},
            {"purpose", "elder_aid"},
            {"amount_fen", 300000},
            {"elder_id", "e-zhao"},
            {"description", "冬季取暖补助"},
            {"evidence_ref", "receipt-001"}});
  demo.Add("ev-x-aid2", "DisbursementMade", At(10, 22, 10),
           {{"disbursement_id", "x-aid2"},
            {"fund_id", "f-aid"},
            {"purpose", "elder_aid"},
            {"amount_fen", 150000},
            {"elder_id", "e-sun"},
            {"evidence_ref", "receipt-002"}});
  demo.Add("ev-x-mat", "ExpenseRecorded", At(10, 25, 10),
           {{"expense_id", "x-mat"},
            {"fund_id", "f-aid"},
            {"category", "materials"},
            {"amount_fen", 30000},
            {"description", "刺绣材料"},
            {"evidence_ref", "receipt-003"}});
  demo.Add("ev-rd-wang", "RedemptionMade", At(10, 30, 10),
           {{"redemption_id", "rd-wang"},
            {"member_id", "v-wang"},
            {"minutes", 120},
            {"reward", "cash"},
            {"fund_id", "f-aid"}});
  demo.Add("ev-rd-li", "RedemptionMade", At(10, 30, 11),
           {{"redemption_id", "rd-li"},
            {"member_id", "v-li"},
            {"minutes", 60},
            {"reward", "training"},
            {"course", "老年护理"}});
  demo.Add("ev-seal-shiyuan-2026-10", "MonthlyReportSealed", At(11, 2, 10),
           {{"branch_id", "b-shiyuan"}, {"month", "2026-10"}});

  Request request;
  request.method = "POST";
  request.target = "/v1/events/batch";
  request.authorization = "Bearer " + admin_key;
  request.content_type = "application/json";
  request.body = demo.Body();
  Response response = handler.HandleRequest(request);
  if (response.status != 201) {
    return Status::InvalidArgument("the demo ledger was refused: " + response.body);
  }
  // One account per role, opened and activated through the API like any other.
  for (const DemoAccount& account : kDemoAccounts) {
    json::object body{
        {"login", account.login}, {"display_name", account.display_name}, {"role", account.role}};
    if (account.scope_field[0] != '\0') body[account.scope_field] = account.scope_id;
    request.target = "/v1/accounts";
    request.body = json::serialize(body);
    Response opened = handler.HandleRequest(request);
    if (opened.status != 201) {
      return Status::InvalidArgument("the demo account was refused: " + opened.body);
    }
    const json::value token = json::parse(opened.body).at("invitation").at("token");
    Request activate;
    activate.method = "POST";
    activate.target = "/v1/accounts/activate";
    activate.content_type = "application/json";
    activate.body = json::serialize(json::object{{"token", token}, {"password", account.password}});
    Response activated = handler.HandleRequest(activate);
    if (activated.status != 200) {
      return Status::InvalidArgument("the demo account was not activated: " + activated.body);
    }
  }
  return DemoSummary{demo.size() + std::size(kDemoAccounts)};
}

}  // namespace ledger::api
