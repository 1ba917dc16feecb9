#include "api/demo_ledger.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <vector>

#include "api/rfc3339.h"
#include "domain/civil_time.h"

// What the seed says and what the demo chose where it is silent.
//
// The seed's figures (shared/seed/project-brief.zh.txt), each reproduced exactly: 2021-08 to
// 2023-08; at least 20 volunteers (22 here, 11 per branch); 520 visits (累计探访长者520人次) adding
// up to over 600 hours (累计参与志愿服务时长超600小时: 37,440 minutes = 624 h); 40-odd problems
// solved (解决长者各项生活难题40余个: 42 service requests, each answered by one of the 520 visits);
// 30 activities serving 465 people (开展各类活动30场，直接服务465人次); a team of 10 given
// professional training (培养由10人组成的专业志愿服务队); 55,000 service bags bought by
// 石园街道党工委 for 990,000 元 (in two purchases: 18 元 a bag); 110,000 元 of subscriptions and
// custom orders by enterprise unions and the basketball organisers.
//
// Chosen, since the seed gives no amounts: the partners' goods and their values, the CSR
// programme money, the management fee and the community fund, the aid, the expenses, the charity
// sales and the redemptions (modest, plausible sums for a street and a town in Shunyi).
//
// The money as API.md's "Money and filing" records it:
//   1. kGoods: the three partners' directed donations in kind (DonationReceived of kind in_kind
//      with items) into the goods-only fund f-goods, whose goods never count as money; then
//      GoodsDistributed of them to every elder (festivals, winter) and to some activities, with
//      part of each still in stock.
//   2. kGrants: 中航's CSR programme money, the community fund and 高丽营镇's management fee as
//      GrantReceived with their program (the inflow channel grant).
//   3. Seals: each branch seals its month on the 1st of the next, the admin seals the whole
//      programme (no branch_id: the branchless funds f-aid and f-goods too) on the 2nd, and head
//      office acknowledges the filing (FilingAcknowledged, 总行备案) on the 5th. November 2026 is
//      left unsealed: the console's tests seal it.
namespace ledger::api {
namespace {
namespace json = boost::json;

// The policy in force from the first day. The default scale (100/300/600/1000/1500 h, after
// 《中国注册志愿者管理办法》) is a lifetime's scale: this programme's volunteers give about 30 h
// each in two years (600 h among 20-odd women), so under it every one of them stays at 0★ and
// 星级反哺 rewards no one. Here 1★ comes after about a year of monthly visits (10 h), the
// programme's average after two years is 2★–3★, and 5★ (70 h) stays ahead as a goal; every star
// from 1★ adds to a cash redemption, and a monthly cap of 500 元 a member keeps the aid fund whole.
constexpr int kStarThresholdsHours[] = {10, 20, 35, 50, 70};
constexpr int kStarBonusBp[] = {0, 300, 600, 1000, 1500, 2000};
constexpr int64_t kCreditValueFenPerHour = 2000;
constexpr int64_t kCashRedemptionMonthlyCapFen = 50'000;

constexpr int kSeedFirstYear = 2021;
constexpr int kSeedFirstMonth = 8;
constexpr int kSeedMonths = 25;  // 2021-08 … 2023-08
constexpr int kSeedVisits = 520;
constexpr int kSeedRequests = 42;
constexpr int kSeedActivities = 30;
constexpr int kSeedBeneficiaries = 465;
constexpr int kVisitMinutes[] = {60, 75, 90, 60, 75};  // 72 on average: 520 visits = 624 h

// Microseconds since the epoch of a Beijing date and time.
int64_t At(int year, int month, int day, int hour, int minute = 0) {
  return ((DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 24 +
           hour) *
              3600 +
          minute * 60 - kBeijingOffsetSeconds) *
         1'000'000;
}

struct YearMonth {
  int year;
  int month;
};

// The seed's month `index` (0 = 2021-08).
YearMonth SeedMonth(int index) {
  const int months = kSeedFirstYear * 12 + (kSeedFirstMonth - 1) + index;
  return {months / 12, months % 12 + 1};
}

YearMonth NextMonth(YearMonth m) {
  return m.month == 12 ? YearMonth{m.year + 1, 1} : YearMonth{m.year, m.month + 1};
}

std::string TwoDigits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }
std::string MonthText(YearMonth m) { return std::to_string(m.year) + "-" + TwoDigits(m.month); }
std::string DateText(YearMonth m, int day) { return MonthText(m) + "-" + TwoDigits(day); }

// `total` split in proportion to `weights`, the remainder one each to the first ones: the
// parts add up to `total` exactly.
std::vector<int> Spread(int total, const std::vector<int>& weights) {
  int weight_sum = 0;
  for (int w : weights) weight_sum += w;
  std::vector<int> parts;
  int given = 0;
  for (int w : weights) {
    parts.push_back(total * w / weight_sum);
    given += parts.back();
  }
  for (size_t i = 0; given < total; i = (i + 1) % parts.size(), ++given) ++parts[i];
  return parts;
}

// The events, put in time order when posted (events of the same instant keep the order they
// were added in), since a seal refuses anything later in its month.
class DemoBuilder {
 public:
  void Add(const std::string& id, const char* type, int64_t at_us, json::object data) {
    events_.push_back({at_us, events_.size(),
                       json::object{{"id", id},
                                    {"type", type},
                                    {"occurred_at", FormatInstant(at_us)},
                                    {"data", std::move(data)}}});
  }
  // The request bodies of POST /v1/events/batch, `batch_events` events each at most.
  std::vector<std::string> Bodies(size_t batch_events) {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Entry& a, const Entry& b) { return a.at_us < b.at_us; });
    std::vector<std::string> bodies;
    for (size_t from = 0; from < events_.size(); from += batch_events) {
      json::array batch;
      for (size_t i = from; i < std::min(events_.size(), from + batch_events); ++i) {
        batch.push_back(events_[i].event);
      }
      bodies.push_back(json::serialize(json::object{{"events", std::move(batch)}}));
    }
    return bodies;
  }
  size_t size() const { return events_.size(); }

 private:
  struct Entry {
    int64_t at_us;
    size_t order;
    json::object event;
  };
  std::vector<Entry> events_;
};

struct Pair {
  const char* volunteer;
  const char* volunteer_name;
  const char* elder;
  const char* elder_name;
  int elder_birth_year;  // all over 80 when the programme began
};

struct Branch {
  const char* id;
  const char* name;
  const char* short_name;  // in ids
  Pair pairs[11];
};

constexpr Branch kBranches[] = {
    {"b-shiyuan",
     "石园街道",
     "sy",
     {{"v-wang", "王秀兰", "e-zhao", "赵德福", 1938},
      {"v-li", "李桂英", "e-qian", "钱淑珍", 1940},
      {"v-liu", "刘淑华", "e-zhou", "周玉兰", 1939},
      {"v-chen", "陈美玲", "e-wu", "吴秀英", 1936},
      {"v-yang", "杨丽华", "e-zheng", "郑桂芝", 1940},
      {"v-huang", "黄素芬", "e-feng", "冯国庆", 1935},
      {"v-ma", "马桂芳", "e-xie", "谢福山", 1934},
      {"v-zhu", "朱丽娟", "e-deng", "邓秀琴", 1937},
      {"v-hu", "胡秀梅", "e-cao", "曹玉华", 1939},
      {"v-guo", "郭春兰", "e-peng", "彭德才", 1933},
      {"v-he", "何玉珍", "e-zeng", "曾桂珍", 1938}}},
    {"b-gaoliying",
     "高丽营镇",
     "gly",
     {{"v-zhang", "张凤", "e-sun", "孙桂兰", 1936},
      {"v-zhao2", "赵春梅", "e-ma", "马德顺", 1937},
      {"v-sun2", "孙红霞", "e-hu", "胡翠兰", 1940},
      {"v-zhou2", "周秀珍", "e-guo", "郭玉珍", 1938},
      {"v-xu", "徐桂香", "e-he", "何长福", 1935},
      {"v-gao", "高淑英", "e-lin", "林凤英", 1939},
      {"v-luo", "罗淑芬", "e-xiao", "肖淑贞", 1934},
      {"v-liang", "梁秀云", "e-tian", "田振华", 1936},
      {"v-song", "宋桂荣", "e-dong", "董玉芬", 1937},
      {"v-tang", "唐慧敏", "e-pan", "潘长海", 1932},
      {"v-han", "韩玉梅", "e-yuan", "袁凤兰", 1940}}},
};

struct Volunteer {
  const Branch* branch;
  const Pair* pair;
  int index;  // 0 … 21, across both branches
};

std::vector<Volunteer> Volunteers() {
  std::vector<Volunteer> out;
  for (const Branch& branch : kBranches) {
    for (const Pair& pair : branch.pairs) {
      out.push_back({&branch, &pair, static_cast<int>(out.size())});
    }
  }
  return out;
}

// A visit's kind, what was done, and (for a visit answering a request) the need asked for.
struct VisitKind {
  const char* kind;
  const char* need;
  const char* content;
  const char* request;  // the request's description
};
constexpr VisitKind kVisitKinds[] = {
    {"home_visit", "home_visit", "打扫卫生、测量血压", "老人腿脚不便，想请人上门看看"},
    {"companionship", "companionship", "陪同散步、聊天读报", "老人独居，想找人聊聊天"},
    {"home_visit", "home_visit", "整理房间、检查水电燃气", "家里东西太多，想请人帮忙收拾"},
    {"respite_care", "respite_care", "喘息服务：替家属照看老人半天", "家属外出办事，请人照看半天"},
    {"errand", "errand", "代购药品和米面", "想请人代买降压药和米面"},
    {"other", "repair", "更换厨房水龙头", "厨房水龙头漏水"},
    {"other", "health", "陪同去社区卫生服务站复查", "需要有人陪同去社区卫生服务站复查"},
};

// The partners' in-kind goods (no amounts are in the seed: chosen).
struct Goods {
  const char* name;
  int quantity;
  const char* unit;
  int64_t value_fen;  // of the whole line
};
struct GoodsDonation {
  const char* donation_id;
  const char* partner_id;
  YearMonth month;
  int day;
  const char* agreement_ref;
  Goods items[2];
};
constexpr GoodsDonation kGoods[] = {
    {"d-avic-goods",
     "p-avic",
     {2021, 12},
     20,
     "物资定向捐赠协议-中航-2021",
     {{"大米（10公斤）", 200, "袋", 1'200'000}, {"食用油（5升）", 200, "桶", 1'400'000}}},
    {"d-wuye-goods",
     "p-wuye",
     {2022, 1},
     14,
     "物资定向捐赠协议-物业-2022",
     {{"电暖器", 40, "台", 800'000}, {"居家安全扶手", 60, "套", 900'000}}},
    {"d-qinglian-goods",
     "p-qinglian",
     {2022, 7},
     8,
     "物资定向捐赠协议-青联-2022",
     {{"保温杯", 200, "个", 600'000}, {"护膝", 200, "副", 600'000}}},
};

// Money granted to the programme (chosen amounts): a CSR programme, a community fund, a town's
// management fee. d-avic keeps its id from the demo's first version (the console's tests read it).
struct Grant {
  const char* grant_id;
  const char* partner_id;
  YearMonth month;
  int day;
  int64_t amount_fen;
  const char* restricted_to;  // "" when unrestricted
  const char* program;
  const char* agreement_ref;
};
constexpr Grant kGrants[] = {
    {"d-avic",
     "p-avic",
     {2021, 9},
     15,
     5'000'000,
     "elder_aid",
     "csr_program",
     "企业社会责任社区公益计划-中航-2021"},
    {"d-community",
     "p-community",
     {2021, 10},
     12,
     3'000'000,
     "",
     "community_fund",
     "社区公益基金拨付-2021"},
    {"d-gly-fee",
     "p-gaoliying",
     {2022, 1},
     10,
     2'000'000,
     "",
     "management_fee",
     "镇街管理费拨付-高丽营镇-2022"},
};

// Subscriptions and custom orders (文创产品认购、定制): 110,000 元 in all, as the seed says.
struct Order {
  const char* sale_id;
  const char* buyer;
  YearMonth month;
  int day;
  const char* product;
  const char* category;
  int quantity;
  int64_t unit_price_fen;
};
constexpr Order kOrders[] = {
    {"sale-avic-union-2021",
     "p-avic-union",
     {2021, 12},
     8,
     "文创产品认购（便民挂袋 2.0 设计款）",
     "cultural_product",
     500,
     6000},
    {"sale-qinglian-2022",
     "p-qinglian",
     {2022, 5},
     18,
     "篮球赛事礼品定制",
     "event_gift",
     400,
     5000},
    {"sale-wuye-union-2022",
     "p-wuye-union",
     {2022, 9},
     5,
     "中秋文创礼盒",
     "cultural_product",
     300,
     8000},
    {"sale-avic-union-2023",
     "p-avic-union",
     {2023, 1},
     9,
     "新春手工刺绣定制",
     "embroidery",
     150,
     12000},
    {"sale-qinglian-2023", "p-qinglian", {2023, 6}, 16, "篮球赛事纪念摆件", "ornament", 360, 5000},
};

const char* ActivityTitle(int month, int k) {
  switch (month) {
    case 1:
    case 2:
      return "迎新春写福字、包饺子";
    case 6:
      return "端午节包粽子";
    case 9:
      return "中秋节联欢会";
    case 10:
      return "重阳节敬老活动";
    default:
      break;
  }
  static constexpr const char* kTitles[] = {
      "手工刺绣坊",       "老年人防跌倒健康讲座",
      "智能手机使用课堂", "防范电信诈骗讲座",
      "公益义卖会",       "社区义诊",
      "集体生日会",       "文创产品设计交流会（高校创业社团）",
      "八段锦健身",       "老年心理健康讲座",
      "家庭照护技能交流", "手工摆件制作"};
  return kTitles[k % std::size(kTitles)];
}

// Posts `body` to `target` as the admin; the answer.
Response Post(Handler& handler, const std::string& admin_key, const char* target,
              std::string body) {
  Request request;
  request.method = "POST";
  request.target = target;
  request.authorization = "Bearer " + admin_key;
  request.content_type = "application/json";
  request.body = std::move(body);
  return handler.HandleRequest(request);
}

// Each volunteer's verified minutes with when they were verified, and what she redeemed: so a
// redemption is added only when her credits cover it.
class Credits {
 public:
  void Verified(const std::string& volunteer, int64_t at_us, int minutes) {
    verified_[volunteer].emplace_back(at_us, minutes);
  }
  // Redeems `minutes` at `at_us` if her credits then cover them; whether it did.
  bool Redeem(const std::string& volunteer, int64_t at_us, int minutes) {
    int64_t balance = -redeemed_[volunteer];
    for (const auto& [when, verified] : verified_[volunteer]) {
      if (when < at_us) balance += verified;
    }
    if (balance < minutes) return false;
    redeemed_[volunteer] += minutes;
    return true;
  }

 private:
  std::map<std::string, std::vector<std::pair<int64_t, int>>> verified_;
  std::map<std::string, int64_t> redeemed_;
};

void AddSetup(DemoBuilder& demo, const std::vector<Volunteer>& volunteers) {
  int64_t at = At(2021, 8, 1, 8);
  auto next = [&at] { return at += 60'000'000; };  // setup events a minute apart
  demo.Add("ev-policy-2021", "PolicySet", next(),
           {{"star_thresholds_hours",
             json::array(std::begin(kStarThresholdsHours), std::end(kStarThresholdsHours))},
            {"credit_value_fen_per_hour", kCreditValueFenPerHour},
            {"star_bonus_bp", json::array(std::begin(kStarBonusBp), std::end(kStarBonusBp))},
            {"cash_redemption_monthly_cap_fen", kCashRedemptionMonthlyCapFen}});
  for (const Branch& branch : kBranches) {
    demo.Add(std::string("ev-") + branch.id, "BranchOpened", next(),
             {{"branch_id", branch.id}, {"name", branch.name}});
  }
  for (const Volunteer& v : volunteers) {
    const Pair& pair = *v.pair;
    demo.Add(std::string("ev-") + pair.volunteer, "MemberRegistered", next(),
             {{"member_id", pair.volunteer},
              {"kind", "volunteer"},
              {"branch_id", v.branch->id},
              {"name", pair.volunteer_name},
              {"gender", "女"},
              {"birth_year", 1966 + (v.index * 5) % 11},
              {"phone", "1380000" + std::to_string(1001 + v.index)},
              {"skills", json::array{"陪伴", v.index % 2 == 0 ? "刺绣" : "家务"}}});
    demo.Add(std::string("ev-") + pair.elder, "MemberRegistered", next(),
             {{"member_id", pair.elder},
              {"kind", "elder"},
              {"branch_id", v.branch->id},
              {"name", pair.elder_name},
              {"birth_year", pair.elder_birth_year},
              {"lives_alone", true}});
    demo.Add(std::string("ev-pair-") + pair.volunteer, "PairingFormed", next(),
             {{"pairing_id", std::string("pair-") + pair.volunteer},
              {"volunteer_id", pair.volunteer},
              {"elder_id", pair.elder}});
  }
  const struct {
    const char* id;
    const char* name;
    const char* kind;
  } partners[] = {
      {"p-gov", "石园街道党工委", "government"},
      {"p-gaoliying", "高丽营镇人民政府", "government"},
      {"p-avic", "中航复合材料有限责任公司", "enterprise"},
      {"p-wuye", "北京顺义物业服务集团有限公司", "enterprise"},
      {"p-qinglian", "北京青联篮球赛事主办方", "community_org"},
      {"p-avic-union", "中航复合材料有限责任公司工会", "enterprise"},
      {"p-wuye-union", "北京顺义物业服务集团有限公司工会", "enterprise"},
      {"p-community", "石园街道社区公益基金", "community_org"},
      {"m-shop", "社区便民超市", "merchant"},
  };
  for (const auto& partner : partners) {
    demo.Add(std::string("ev-") + partner.id, "PartnerRegistered", next(),
             {{"partner_id", partner.id}, {"name", partner.name}, {"kind", partner.kind}});
  }
  demo.Add("ev-f-launch", "FundOpened", next(),
           {{"fund_id", "f-launch"}, {"name", "项目启动及推广资金"}, {"branch_id", "b-shiyuan"}});
  demo.Add("ev-f-aid", "FundOpened", next(), {{"fund_id", "f-aid"}, {"name", "长者困济帮扶基金"}});
  demo.Add("ev-f-goods", "FundOpened", next(), {{"fund_id", "f-goods"}, {"name", "定向捐赠物资"}});
}

// One visit: logged when it ends, confirmed by the elder the next evening.
struct Visit {
  const Volunteer* volunteer;
  std::string service_id;
  int64_t started_us;
  int minutes;
  const VisitKind* kind;
  std::string request_id;  // "" unless it answers a request
};

void AddVisit(DemoBuilder& demo, Credits& credits, const Visit& visit, int64_t verified_us) {
  const Pair& pair = *visit.volunteer->pair;
  json::object logged{{"service_id", visit.service_id},
                      {"volunteer_id", pair.volunteer},
                      {"elder_id", pair.elder},
                      {"kind", visit.kind->kind},
                      {"started_at", FormatInstant(visit.started_us)},
                      {"minutes", visit.minutes},
                      {"content", visit.kind->content}};
  if (!visit.request_id.empty()) logged["request_id"] = visit.request_id;
  demo.Add("ev-" + visit.service_id, "ServiceLogged",
           visit.started_us + visit.minutes * 60'000'000LL, std::move(logged));
  demo.Add("ev-" + visit.service_id + "-ok", "ServiceVerified", verified_us,
           {{"service_id", visit.service_id}, {"confirmed_by", pair.elder}, {"rating", 5}});
  credits.Verified(pair.volunteer, verified_us, visit.minutes);
}

// A request for `visit` asked two days before and assigned the day before.
void AddRequest(DemoBuilder& demo, const Visit& visit, int64_t asked_us, bool urgent) {
  const Pair& pair = *visit.volunteer->pair;
  demo.Add("ev-" + visit.request_id, "ServiceRequested", asked_us,
           {{"request_id", visit.request_id},
            {"elder_id", pair.elder},
            {"need", visit.kind->need},
            {"description", visit.kind->request},
            {"wanted_by", FormatInstant(visit.started_us)},
            {"requested_by", urgent ? "guardian" : "elder"},
            {"urgent", urgent}});
  demo.Add("ev-" + visit.request_id + "-assigned", "RequestAssigned", asked_us + 86'400'000'000LL,
           {{"request_id", visit.request_id}, {"volunteer_id", pair.volunteer}});
}

// Two years of visits: 520 in all, each volunteer's spread evenly over the 25 months.
void AddSeedVisits(DemoBuilder& demo, Credits& credits, const std::vector<Volunteer>& volunteers) {
  // v-wang, the volunteer who signs in to the demo, is the most active.
  std::vector<int> weights;
  weights.reserve(volunteers.size());
  for (const Volunteer& v : volunteers) {
    weights.push_back(v.index == 0 ? 34 : 12 + v.index * 9 % 21);
  }
  const std::vector<int> visits = Spread(kSeedVisits, weights);
  int visit_number = 0;
  int requests = 0;
  for (const Volunteer& v : volunteers) {
    for (int j = 0; j < visits[v.index]; ++j, ++visit_number) {
      const YearMonth month = SeedMonth(j * kSeedMonths / visits[v.index]);
      const int day = 3 + (v.index * 5 + j * 7) % 23;
      Visit visit{&v,
                  std::string("svc-") + v.pair->volunteer + "-" + MonthText(month) + "-" +
                      std::to_string(j + 1),
                  At(month.year, month.month, day, 9 + (v.index + j) % 5),
                  kVisitMinutes[(v.index + j) % std::size(kVisitMinutes)],
                  &kVisitKinds[(v.index + j) % std::size(kVisitKinds)],
                  ""};
      if (visit_number % 12 == 5 && requests < kSeedRequests) {
        ++requests;
        visit.request_id = "req-" + visit.service_id.substr(4);
        AddRequest(demo, visit, At(month.year, month.month, day - 2, 10), requests % 4 == 0);
      }
      AddVisit(demo, credits, visit, At(month.year, month.month, day + 1, 18));
      if (j == 2 && v.index % 6 == 3) {  // the same visit logged twice; the second is refused
        demo.Add("ev-" + visit.service_id + "-dup", "ServiceLogged",
                 At(month.year, month.month, day + 1, 8),
                 {{"service_id", visit.service_id + "-dup"},
                  {"volunteer_id", v.pair->volunteer},
                  {"elder_id", v.pair->elder},
                  {"kind", visit.kind->kind},
                  {"started_at", FormatInstant(visit.started_us)},
                  {"minutes", visit.minutes}});
        demo.Add("ev-" + visit.service_id + "-dup-no", "ServiceRejected",
                 At(month.year, month.month, day + 1, 18),
                 {{"service_id", visit.service_id + "-dup"}, {"reason", "重复登记"}});
      }
    }
  }
}

// The seed's activity `k` (0 … 29): by turns in each branch, spread over the 25 months.
struct SeedActivityAt {
  const Branch* branch;
  YearMonth month;
  int day;
  std::string id;
};
SeedActivityAt SeedActivity(int k) {
  const Branch& branch = kBranches[k % 2];
  const YearMonth month = SeedMonth(k * kSeedMonths / kSeedActivities);
  return {&branch, month, 12 + k % 8,
          std::string("a-") + branch.short_name + "-" + MonthText(month)};
}

// 30 activities, 15 in each branch, 465 people served; each paid from the launch fund.
void AddSeedActivities(DemoBuilder& demo) {
  std::vector<int> weights;
  weights.reserve(kSeedActivities);
  for (int k = 0; k < kSeedActivities; ++k) weights.push_back(10 + k * 7 % 12);
  const std::vector<int> served = Spread(kSeedBeneficiaries, weights);
  for (int k = 0; k < kSeedActivities; ++k) {
    const SeedActivityAt a = SeedActivity(k);
    const YearMonth month = a.month;
    const int day = a.day;
    const std::string& id = a.id;
    demo.Add("ev-" + id, "ActivityHeld", At(month.year, month.month, day, 15),
             {{"activity_id", id},
              {"branch_id", a.branch->id},
              {"title", ActivityTitle(month.month, k)},
              {"date", DateText(month, day)},
              {"participants", 6 + k % 7},
              {"beneficiaries", served[k]}});
    demo.Add("ev-x-" + id, "ExpenseRecorded", At(month.year, month.month, day, 17),
             {{"expense_id", "x-" + id},
              {"fund_id", "f-launch"},
              {"category", "activity"},
              {"amount_fen", 150'000 + 2'000 * served[k]},
              {"description", std::string(ActivityTitle(month.month, k)) + "：场地、物料"},
              {"evidence_ref", "发票-" + id}});
  }
}

// Induction for all; three courses for the team of ten (five of each branch).
void AddSeedTraining(DemoBuilder& demo, const std::vector<Volunteer>& volunteers) {
  const struct {
    YearMonth month;
    int day;
    const char* course;
    int minutes;
    bool team_only;
  } courses[] = {
      {{2021, 8}, 20, "岗前培训：志愿服务基础知识", 60, false},
      {{2021, 11}, 18, "老年人急救", 120, true},
      {{2022, 4}, 21, "居家照护基础", 180, true},
      {{2022, 10}, 20, "心理慰藉与沟通技巧", 90, true},
  };
  for (const auto& course : courses) {
    for (const Volunteer& v : volunteers) {
      if (course.team_only && v.index % 11 >= 5) continue;
      const std::string id =
          std::string("tr-") + DateText(course.month, course.day) + "-" + v.pair->volunteer;
      demo.Add("ev-" + id, "TrainingCompleted",
               At(course.month.year, course.month.month, course.day, 16),
               {{"training_id", id},
                {"member_id", v.pair->volunteer},
                {"course", course.course},
                {"minutes", course.minutes}});
    }
    const std::string expense = "x-training-" + DateText(course.month, course.day);
    demo.Add("ev-" + expense, "ExpenseRecorded",
             At(course.month.year, course.month.month, course.day, 17),
             {{"expense_id", expense},
              {"fund_id", "f-launch"},
              {"category", "training"},
              {"amount_fen", course.team_only ? 1'500'000 : 500'000},
              {"description", std::string(course.course) + "：讲师、教材"},
              {"evidence_ref", "发票-" + expense}});
  }
}

// The partners' goods in kind into f-goods, then handed out: to every elder at festivals and in
// winter, and to some activities; part of each donation stays in stock.
void AddGoods(DemoBuilder& demo, const std::vector<Volunteer>& volunteers) {
  for (const GoodsDonation& goods : kGoods) {
    int64_t total_fen = 0;
    json::array items;
    for (const Goods& item : goods.items) {
      total_fen += item.value_fen;
      items.push_back({{"name", item.name},
                       {"quantity", item.quantity},
                       {"unit", item.unit},
                       {"value_fen", item.value_fen}});
    }
    demo.Add(std::string("ev-") + goods.donation_id, "DonationReceived",
             At(goods.month.year, goods.month.month, goods.day, 10),
             {{"donation_id", goods.donation_id},
              {"partner_id", goods.partner_id},
              {"fund_id", "f-goods"},
              {"amount_fen", total_fen},
              {"kind", "in_kind"},
              {"restricted_to", "elder_aid"},
              {"agreement_ref", goods.agreement_ref},
              {"items", std::move(items)},
              {"description", "定向捐赠物资"}});
  }
  // Which goods went where: each to every elder on a day, or to one activity.
  const struct {
    const GoodsDonation* donation;
    YearMonth month;
    int day;
    int activity;  // the seed's activity number; -1: to every elder
    int quantity[2];
  } handed_out[] = {
      {&kGoods[1], {2022, 1}, 16, -1, {1, 0}},   // 电暖器 before the coldest weeks
      {&kGoods[0], {2022, 1}, 18, 6, {20, 20}},  // 迎新春 in 石园街道
      {&kGoods[0], {2022, 1}, 25, -1, {2, 2}},   // 春节
      {&kGoods[1], {2022, 3}, 10, -1, {0, 2}},   // 扶手 installed
      {&kGoods[2], {2022, 7}, 18, 14, {30, 0}}, {&kGoods[2], {2022, 8}, 19, 15, {30, 0}},
      {&kGoods[0], {2022, 9}, 5, -1, {2, 2}},  // 中秋
      {&kGoods[2], {2022, 9}, 12, 16, {30, 0}}, {&kGoods[2], {2022, 10}, 13, 17, {30, 20}},
      {&kGoods[2], {2022, 11}, 15, -1, {0, 1}},  // 护膝 for the winter
  };
  for (const auto& given : handed_out) {
    const GoodsDonation& donation = *given.donation;
    json::array items;
    for (size_t i = 0; i < std::size(donation.items); ++i) {
      if (given.quantity[i] > 0) {
        items.push_back({{"name", donation.items[i].name}, {"quantity", given.quantity[i]}});
      }
    }
    const std::string prefix =
        std::string("gd-") + donation.partner_id + "-" + DateText(given.month, given.day);
    if (given.activity >= 0) {
      const SeedActivityAt activity = SeedActivity(given.activity);
      demo.Add("ev-" + prefix, "GoodsDistributed",
               At(given.month.year, given.month.month, given.day, 16),
               {{"distribution_id", prefix},
                {"donation_id", donation.donation_id},
                {"items", std::move(items)},
                {"activity_id", activity.id}});
      continue;
    }
    for (const Volunteer& v : volunteers) {
      const std::string id = prefix + "-" + v.pair->elder;
      demo.Add("ev-" + id, "GoodsDistributed",
               At(given.month.year, given.month.month, given.day, 10),
               {{"distribution_id", id},
                {"donation_id", donation.donation_id},
                {"items", items},
                {"elder_id", v.pair->elder}});
    }
  }
}

void AddSeedMoney(DemoBuilder& demo, Credits& credits, const std::vector<Volunteer>& volunteers) {
  // 石园街道党工委's purchase of 55,000 service bags (便民服务挂袋), 18 元 each: 990,000 元 for
  // the launch and promotion; making them costs materials.
  const struct {
    const char* id;
    YearMonth month;
    int quantity;
    int64_t materials_fen;
  } bags[] = {{"sale-gov-2021", {2021, 8}, 30'000, 16'500'000},
              {"sale-gov-2022", {2022, 3}, 25'000, 13'750'000}};
  for (const auto& bag : bags) {
    demo.Add(std::string("ev-") + bag.id, "SaleRecorded",
             At(bag.month.year, bag.month.month, 5, 10),
             {{"sale_id", bag.id},
              {"fund_id", "f-launch"},
              {"product", "便民服务挂袋（专利产品）"},
              {"category", "patent_product"},
              {"quantity", bag.quantity},
              {"unit_price_fen", 1800},
              {"channel", "government_purchase"},
              {"buyer_partner_id", "p-gov"}});
    const std::string expense = std::string("x-bags-") + MonthText(bag.month);
    demo.Add("ev-" + expense, "ExpenseRecorded", At(bag.month.year, bag.month.month, 25, 10),
             {{"expense_id", expense},
              {"fund_id", "f-launch"},
              {"category", "materials"},
              {"amount_fen", bag.materials_fen},
              {"description", "便民服务挂袋制作材料"},
              {"evidence_ref", "发票-" + expense}});
  }
  // Management (staff, rooms) each quarter, from the launch fund.
  for (int quarter = 0; quarter < 8; ++quarter) {
    const YearMonth month = SeedMonth(1 + quarter * 3);
    const std::string expense = "x-management-" + MonthText(month);
    demo.Add("ev-" + expense, "ExpenseRecorded", At(month.year, month.month, 28, 10),
             {{"expense_id", expense},
              {"fund_id", "f-launch"},
              {"category", "management"},
              {"amount_fen", 1'500'000},
              {"description", "项目管理费（专职人员、场地）"},
              {"evidence_ref", "发票-" + expense}});
  }
  for (const Grant& grant : kGrants) {
    json::object data{{"grant_id", grant.grant_id}, {"partner_id", grant.partner_id},
                      {"fund_id", "f-aid"},         {"amount_fen", grant.amount_fen},
                      {"program", grant.program},   {"agreement_ref", grant.agreement_ref}};
    if (*grant.restricted_to != '\0') data["restricted_to"] = grant.restricted_to;
    demo.Add(std::string("ev-") + grant.grant_id, "GrantReceived",
             At(grant.month.year, grant.month.month, grant.day, 10), std::move(data));
  }
  AddGoods(demo, volunteers);
  for (const Order& order : kOrders) {
    demo.Add(std::string("ev-") + order.sale_id, "SaleRecorded",
             At(order.month.year, order.month.month, order.day, 11),
             {{"sale_id", order.sale_id},
              {"fund_id", "f-aid"},
              {"product", order.product},
              {"category", order.category},
              {"quantity", order.quantity},
              {"unit_price_fen", order.unit_price_fen},
              {"channel", "enterprise_purchase"},
              {"buyer_partner_id", order.buyer}});
  }
  // Charity sales of the volunteers' embroidery: half of each goes to its maker (零活增收).
  for (int k = 0; k < 4; ++k) {
    const YearMonth month = SeedMonth(5 + k * 6);
    const Volunteer& maker = volunteers[k * 6 % volunteers.size()];
    const std::string id = "sale-charity-" + MonthText(month);
    demo.Add("ev-" + id, "SaleRecorded", At(month.year, month.month, 20, 16),
             {{"sale_id", id},
              {"fund_id", "f-aid"},
              {"product", "手工刺绣"},
              {"category", "embroidery"},
              {"quantity", 20 + 5 * k},
              {"unit_price_fen", 6000},
              {"channel", "charity_sale"},
              {"maker_id", maker.pair->volunteer},
              {"maker_share_bp", 5000}});
  }
  // Aid to elders: a heating allowance each winter, and help with medical bills.
  for (const YearMonth month : {YearMonth{2021, 12}, YearMonth{2022, 12}}) {
    for (const Volunteer& v : volunteers) {
      if (v.index % 3 != month.year % 3) continue;
      const std::string id = std::string("x-heating-") + MonthText(month) + "-" + v.pair->elder;
      demo.Add("ev-" + id, "DisbursementMade", At(month.year, month.month, 10, 10),
               {{"disbursement_id", id},
                {"fund_id", "f-aid"},
                {"purpose", "elder_aid"},
                {"amount_fen", 100'000},
                {"elder_id", v.pair->elder},
                {"description", "冬季取暖补助"},
                {"evidence_ref", "签收单-" + id}});
    }
  }
  for (int k = 0; k < 3; ++k) {
    const Pair& pair = *volunteers[4 + k * 7].pair;
    const std::string id = std::string("x-medical-2022-06-") + pair.elder;
    demo.Add("ev-" + id, "DisbursementMade", At(2022, 6, 15 + k, 10),
             {{"disbursement_id", id},
              {"fund_id", "f-aid"},
              {"purpose", "elder_aid"},
              {"amount_fen", 200'000},
              {"elder_id", pair.elder},
              {"description", "困难长者医疗救助"},
              {"evidence_ref", "签收单-" + id}});
  }
  // 星级反哺: credits redeemed for cash at the end of each year, and for training.
  for (const YearMonth month : {YearMonth{2022, 12}, YearMonth{2023, 7}}) {
    for (const Volunteer& v : volunteers) {
      if (v.index % 3 != 0) continue;
      const int64_t at = At(month.year, month.month, 26, 10);
      if (!credits.Redeem(v.pair->volunteer, at, 360)) continue;
      const std::string id = std::string("rd-") + MonthText(month) + "-" + v.pair->volunteer;
      demo.Add("ev-" + id, "RedemptionMade", at,
               {{"redemption_id", id},
                {"member_id", v.pair->volunteer},
                {"minutes", 360},
                {"reward", "cash"},
                {"fund_id", "f-aid"}});
    }
  }
  for (const Volunteer& v : volunteers) {
    const int64_t at = At(2023, 3, 15, 10);
    if (v.index % 4 != 1 || !credits.Redeem(v.pair->volunteer, at, 300)) continue;
    const std::string id = std::string("rd-2023-03-") + v.pair->volunteer;
    demo.Add("ev-" + id, "RedemptionMade", at,
             {{"redemption_id", id},
              {"member_id", v.pair->volunteer},
              {"minutes", 300},
              {"reward", "training"},
              {"course", "养老护理员（初级）"}});
  }
}

// A month sealed by each branch on the 1st of the next month, by the whole programme (the
// admin, no branch_id) on the 2nd, and acknowledged by head office (总行备案) on the 5th.
void AddSeals(DemoBuilder& demo, YearMonth month) {
  const YearMonth after = NextMonth(month);
  int minute = 0;
  for (const Branch& branch : kBranches) {
    demo.Add(std::string("ev-seal-") + branch.short_name + "-" + MonthText(month),
             "MonthlyReportSealed", At(after.year, after.month, 1, 10, minute++),
             {{"branch_id", branch.id}, {"month", MonthText(month)}});
  }
  demo.Add("ev-seal-" + MonthText(month), "MonthlyReportSealed", At(after.year, after.month, 2, 10),
           {{"month", MonthText(month)}});
  demo.Add("ev-filing-" + MonthText(month), "FilingAcknowledged",
           At(after.year, after.month, 5, 15),
           {{"month", MonthText(month)},
            {"receipt_ref", "总行备案-" + MonthText(month)},
            {"acknowledged_by", "宅益快义工社总行"}});
}

// October and November 2026: weekly visits in October, two in early November, requests open,
// assigned and resolved, the money of the month; October sealed, November left for the console.
void AddRecentMonths(DemoBuilder& demo, Credits& credits,
                     const std::vector<Volunteer>& volunteers) {
  for (const Volunteer& v : volunteers) {
    const int n = v.index % 11 + 1;
    for (int week = 0; week < 4; ++week) {
      const int day = 3 + week * 7 + n % 3;
      const Visit visit{&v,
                        std::string("svc-") + v.pair->volunteer + "-" + std::to_string(week + 1),
                        At(2026, 10, day, 9 + n % 4),
                        60 + 15 * ((n + week) % 5),
                        &kVisitKinds[week == 2 ? 1 : 0],
                        ""};
      if (n == 6 && week == 3) {  // logged twice by mistake: refused
        demo.Add("ev-" + visit.service_id, "ServiceLogged",
                 visit.started_us + visit.minutes * 60'000'000LL,
                 {{"service_id", visit.service_id},
                  {"volunteer_id", v.pair->volunteer},
                  {"elder_id", v.pair->elder},
                  {"kind", "home_visit"},
                  {"started_at", FormatInstant(visit.started_us)},
                  {"minutes", visit.minutes}});
        demo.Add("ev-" + visit.service_id + "-no", "ServiceRejected", At(2026, 10, day + 1, 18),
                 {{"service_id", visit.service_id}, {"reason", "重复登记"}});
        continue;
      }
      AddVisit(demo, credits, visit, At(2026, 10, day + 1, 18));
    }
  }
  for (const Branch& branch : kBranches) {
    const std::string id = std::string("a-chongyang") + (branch.short_name[0] == 's' ? "" : "-gly");
    demo.Add("ev-" + id, "ActivityHeld", At(2026, 10, 29, 15),
             {{"activity_id", id},
              {"branch_id", branch.id},
              {"title", "重阳节敬老活动"},
              {"date", "2026-10-29"},
              {"participants", branch.short_name[0] == 's' ? 24 : 18},
              {"beneficiaries", branch.short_name[0] == 's' ? 40 : 32}});
  }
  demo.Add("ev-tr-chen", "TrainingCompleted", At(2026, 10, 20, 14),
           {{"training_id", "tr-chen"},
            {"member_id", "v-chen"},
            {"course", "老年人急救（复训）"},
            {"minutes", 120}});
  demo.Add("ev-d-qinglian", "DonationReceived", At(2026, 10, 12, 16),
           {{"donation_id", "d-qinglian"},
            {"partner_id", "p-qinglian"},
            {"fund_id", "f-aid"},
            {"amount_fen", 200000},
            {"kind", "cash"},
            {"description", "篮球赛事公益义捐"}});
  demo.Add("ev-sale-charity", "SaleRecorded", At(2026, 10, 29, 16),
           {{"sale_id", "sale-charity"},
            {"fund_id", "f-aid"},
            {"product", "手工刺绣"},
            {"category", "embroidery"},
            {"quantity", 12},
            {"unit_price_fen", 6000},
            {"channel", "charity_sale"},
            {"maker_id", "v-wang"},
            {"maker_share_bp", 5000}});
  demo.Add("ev-x-aid1", "DisbursementMade", At(2026, 10, 20, 10),
           {{"disbursement_id", "x-aid1"},
            {"fund_id", "f-aid"},
            {"purpose", "elder_aid"},
            {"amount_fen", 300000},
            {"elder_id", "e-zhao"},
            {"description", "冬季取暖补助"},
            {"evidence_ref", "receipt-001"}});
  demo.Add("ev-x-aid2", "DisbursementMade", At(2026, 10, 22, 10),
           {{"disbursement_id", "x-aid2"},
            {"fund_id", "f-aid"},
            {"purpose", "elder_aid"},
            {"amount_fen", 150000},
            {"elder_id", "e-sun"},
            {"evidence_ref", "receipt-002"}});
  demo.Add("ev-x-mat", "ExpenseRecorded", At(2026, 10, 25, 10),
           {{"expense_id", "x-mat"},
            {"fund_id", "f-aid"},
            {"category", "materials"},
            {"amount_fen", 30000},
            {"description", "刺绣材料"},
            {"evidence_ref", "receipt-003"}});
  demo.Add("ev-rd-wang", "RedemptionMade", At(2026, 10, 30, 10),
           {{"redemption_id", "rd-wang"},
            {"member_id", "v-wang"},
            {"minutes", 120},
            {"reward", "cash"},
            {"fund_id", "f-aid"}});
  demo.Add("ev-rd-li", "RedemptionMade", At(2026, 10, 30, 11),
           {{"redemption_id", "rd-li"},
            {"member_id", "v-li"},
            {"minutes", 60},
            {"reward", "training"},
            {"course", "老年护理"}});
  AddSeals(demo, {2026, 10});

  // November: two visits each, three of them answering requests; two requests assigned and
  // three open at the end of the month (none of them e-zhao's: the console's tests make theirs).
  for (const Volunteer& v : volunteers) {
    for (int week = 0; week < 2; ++week) {
      const int day = 4 + week * 7 + v.index % 4;
      Visit visit{&v,
                  std::string("svc-") + v.pair->volunteer + "-2026-11-" + std::to_string(week + 1),
                  At(2026, 11, day, 9 + v.index % 4),
                  kVisitMinutes[(v.index + week) % std::size(kVisitMinutes)],
                  &kVisitKinds[(v.index + week * 3) % std::size(kVisitKinds)],
                  ""};
      if (week == 1 && (v.index == 1 || v.index == 11 || v.index == 12)) {
        visit.request_id = "req-2026-11-" + std::string(v.pair->elder);
        AddRequest(demo, visit, At(2026, 11, day - 2, 10), v.index == 11);
      }
      AddVisit(demo, credits, visit, At(2026, 11, day + 1, 18));
    }
  }
  const struct {
    int volunteer;  // -1: open
    int day;
    const VisitKind* kind;
    bool urgent;
  } pending[] = {{2, 26, &kVisitKinds[4], false},
                 {15, 27, &kVisitKinds[3], false},
                 {-1, 28, &kVisitKinds[5], true},
                 {-1, 29, &kVisitKinds[6], false},
                 {-1, 30, &kVisitKinds[1], false}};
  const int open_elders[] = {3, 5, 16};
  int open = 0;
  for (const auto& request : pending) {
    const int index = request.volunteer >= 0 ? request.volunteer : open_elders[open++];
    const Pair& pair = *volunteers[index].pair;
    const std::string id = "req-2026-11-" + std::string(pair.elder);
    demo.Add("ev-" + id, "ServiceRequested", At(2026, 11, request.day, 10),
             {{"request_id", id},
              {"elder_id", pair.elder},
              {"need", request.kind->need},
              {"description", request.kind->request},
              {"wanted_by", FormatInstant(At(2026, 12, 10, 12))},
              {"requested_by", request.urgent ? "guardian" : "coordinator"},
              {"urgent", request.urgent}});
    if (request.volunteer >= 0) {
      demo.Add("ev-" + id + "-assigned", "RequestAssigned", At(2026, 11, request.day, 15),
               {{"request_id", id}, {"volunteer_id", pair.volunteer}});
    }
  }
}

}  // namespace

Result<DemoSummary> LoadDemoLedger(Handler& handler, const std::string& admin_key) {
  DemoBuilder demo;
  Credits credits;
  const std::vector<Volunteer> volunteers = Volunteers();
  AddSetup(demo, volunteers);
  AddSeedVisits(demo, credits, volunteers);
  AddSeedActivities(demo);
  AddSeedTraining(demo, volunteers);
  AddSeedMoney(demo, credits, volunteers);
  for (int m = 0; m < kSeedMonths; ++m) AddSeals(demo, SeedMonth(m));
  AddRecentMonths(demo, credits, volunteers);

  constexpr size_t kDemoBatchEvents = 400;  // well under batch_events_max and the body limit
  for (const std::string& body : demo.Bodies(kDemoBatchEvents)) {
    Response response = Post(handler, admin_key, "/v1/events/batch", body);
    if (response.status != 201) {
      return Status::InvalidArgument("the demo ledger was refused: " + response.body);
    }
  }
  // One account per role, opened and activated through the API like any other.
  for (const DemoAccount& account : kDemoAccounts) {
    json::object body{
        {"login", account.login}, {"display_name", account.display_name}, {"role", account.role}};
    if (account.scope_field[0] != '\0') body[account.scope_field] = account.scope_id;
    Response opened = Post(handler, admin_key, "/v1/accounts", json::serialize(body));
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
