// The monthly filing package and the partner statement through the API: refused until the month
// is sealed; then one row per fact with its log position (each position holds an event of the
// sheet's kind), totals equal to the monthly report, the seals' hashes and signatures checkable
// with the ledger's public key, the same package from ledgerctl; a partner reads its own
// statement only, whose totals reconcile with the partner read.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include "api/encoding.h"
#include "eventstore/signed_checkpoint.h"
#include "projections/report_workbook.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::JsonOf;

std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

class FilingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.LoadScenario();  // October, sealed by 石园街道 and by the whole programme, acknowledged
    // November: 青联's goods in kind to 高丽营镇's fund, some handed to 孙桂兰 and to an
    // activity, and a community-fund grant, for 物资 and 基金收支.
    Post("ev-f-gly", "FundOpened",
         R"(fund_id: "f-gly", name: "高丽营镇活动基金", branch_id: "b-gaoliying")",
         testing::BeijingUs(2026, 11, 3, 9));
    Post("ev-d-goods", "DonationReceived",
         R"(donation_id: "d-goods", partner_id: "p-qinglian", fund_id: "f-gly",
            amount_fen: 360000, kind: in_kind, description: "篮球赛事物资",
            items: [{name: "篮球", quantity: 60, unit: "个", value_fen: 300000},
                    {name: "球衣", quantity: 20, unit: "套", value_fen: 60000}])",
         testing::BeijingUs(2026, 11, 3, 10));
    Post("ev-gd-sun", "GoodsDistributed",
         R"(distribution_id: "gd-sun", donation_id: "d-goods", elder_id: "e-sun",
            items: [{name: "篮球", quantity: 2}, {name: "球衣", quantity: 1}])",
         testing::BeijingUs(2026, 11, 4, 10));
    Post("ev-gd-chongyang", "GoodsDistributed",
         R"(distribution_id: "gd-chongyang", donation_id: "d-goods", activity_id: "a-chongyang",
            items: [{name: "篮球", quantity: 10}])",
         testing::BeijingUs(2026, 11, 5, 10));
    Post("ev-g-qinglian", "GrantReceived",
         R"(grant_id: "g-qinglian", partner_id: "p-qinglian", fund_id: "f-gly",
            amount_fen: 123456, program: community_fund, agreement_ref: "社区基金-2026-11")",
         testing::BeijingUs(2026, 11, 6, 10));
  }
  void Post(std::string_view id, std::string_view type, std::string_view fields, int64_t at_us) {
    Response response =
        api_.Call("POST", "/v1/events", ApiFixture::EventJson(id, type, fields, at_us));
    ASSERT_EQ(response.status, 201) << id << ": " << response.body;
  }
  void SealNovember(const std::string& branch_id) {
    Post("seal-" + (branch_id.empty() ? "programme" : branch_id) + "-2026-11",
         "MonthlyReportSealed",
         (branch_id.empty() ? "" : "branch_id: \"" + branch_id + "\", ") + "month: \"2026-11\"",
         testing::BeijingUs(2026, 12, 1, branch_id.empty() ? 12 : 10));
  }
  json::object Get(const std::string& target, std::string_view key = testing::kTestAdminKey) {
    Response response = api_.Call("GET", target, {}, key);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return JsonOf(response.body).as_object();
  }
  static const json::object& Sheet(const json::object& package, std::string_view key) {
    for (const json::value& sheet : package.at("sheets").as_array()) {
      if (sheet.at("key").as_string() == key) return sheet.as_object();
    }
    ADD_FAILURE() << "no sheet " << key;
    static const json::object kNone;
    return kNone;
  }
  static int64_t Total(const json::object& sheet, std::string_view column) {
    return sheet.at("totals").at(column).as_int64();
  }
  // The sum of `column` over the rows whose `filter` column says `value`.
  static int64_t SumWhere(const json::object& sheet, std::string_view column,
                          std::string_view filter, std::string_view value) {
    int64_t sum = 0;
    for (const json::value& row : sheet.at("rows").as_array()) {
      if (row.at(filter).as_string() == value) sum += row.at(column).as_int64();
    }
    return sum;
  }

  // The cover's value of `item`, or null.
  static json::value CoverValue(const json::object& package, std::string_view item) {
    for (const json::value& row : Sheet(package, "cover").at("rows").as_array()) {
      if (row.at("item").as_string() == item) return row.at("value");
    }
    return nullptr;
  }
  static size_t CountWhere(const json::object& sheet, std::string_view filter,
                           std::string_view value) {
    size_t n = 0;
    for (const json::value& row : sheet.at("rows").as_array()) {
      if (row.at(filter).as_string() == value) ++n;
    }
    return n;
  }
  ApiFixture api_;
};

// A month sealed neither by the whole programme nor by every branch is refused (head office
// files sealed months only), with a problem, and nothing is recorded.
TEST_F(FilingTest, AnUnsealedMonthIsRefused) {
  for (bool one_branch_sealed : {false, true}) {
    if (one_branch_sealed) SealNovember("b-shiyuan");
    const Head before = api_.head();
    for (const char* format : {"json", "xlsx"}) {
      Response response = api_.Call(
          "GET", std::string("/v1/reports/monthly/filing?month=2026-11&format=") + format);
      EXPECT_EQ(response.status, 409) << response.body;
      EXPECT_EQ(JsonOf(response.body).at("code").as_string(), "month_not_sealed");
    }
    EXPECT_EQ(api_.head().next, before.next);
  }
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?month=2026-13").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?month=2026-10&format=pdf").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?format=json").status, 400);
}

// Sealed: every sheet's rows name real events of its kind, the totals equal the monthly report
// (grants and goods received in kind among its figures), the programme's seal's hash and
// signature are those of the sealing event, and head office's receipt is on the cover.
TEST_F(FilingTest, SealedPackageRowsAndTotalsMatchTheLog) {
  const json::object package = Get("/v1/reports/monthly/filing?month=2026-10&format=json");
  EXPECT_EQ(package.at("month").as_string(), "2026-10");
  EXPECT_TRUE(package.at("sealed").as_bool());

  std::vector<std::string> names;
  for (const json::value& sheet : package.at("sheets").as_array()) {
    names.emplace_back(sheet.at("name").as_string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"封面", "志愿者注册", "培训记录", "活动登记",
                                             "服务时长", "兑换支取", "基金收支", "物资"}));

  // Rows: each position holds an event of the sheet's kind (or a reversal).
  const std::map<std::string, std::set<std::string>> kinds = {
      {"registrations", {"MemberRegistered"}},
      {"trainings", {"TrainingCompleted", "EventReversed"}},
      {"activities", {"ActivityHeld", "EventReversed"}},
      {"services", {"ServiceVerified", "EventReversed"}},
      {"redemptions", {"RedemptionMade", "EventReversed"}},
      {"funds",
       {"DonationReceived", "GrantReceived", "SaleRecorded", "DisbursementMade", "ExpenseRecorded",
        "RedemptionMade", "EventReversed"}},
      {"goods", {"DonationReceived", "GoodsDistributed", "EventReversed"}}};
  size_t rows = 0;
  for (const auto& [key, types] : kinds) {
    for (const json::value& row : Sheet(package, key).at("rows").as_array()) {
      const json::object event = Get("/v1/events/" + std::to_string(row.at("position").as_int64()));
      EXPECT_TRUE(types.contains(std::string(event.at("type").as_string())))
          << key << " row at " << row.at("position") << " is a " << event.at("type");
      ++rows;
    }
  }
  EXPECT_GT(rows, 20u);

  // Totals: the monthly report of all branches, figure by figure.
  const json::object report = Get("/v1/reports/monthly?month=2026-10");
  const json::object& figures = package.at("report").as_object();
  for (const char* figure : {"grants_fen", "in_kind_received_fen"}) {
    EXPECT_TRUE(figures.contains(figure)) << figure;
  }
  for (const auto& [name, value] : figures) {
    EXPECT_EQ(value, report.at(name)) << name;
  }
  EXPECT_EQ(Total(Sheet(package, "registrations"), "new_members"),
            report.at("new_members").as_int64());
  EXPECT_EQ(Total(Sheet(package, "services"), "verified_minutes"),
            report.at("verified_minutes").as_int64());
  EXPECT_EQ(Total(Sheet(package, "services"), "services"), report.at("services").as_int64());
  EXPECT_EQ(Total(Sheet(package, "services"), "elders_served"),
            report.at("elders_served").as_int64());
  EXPECT_EQ(Total(Sheet(package, "activities"), "activities"), report.at("activities").as_int64());
  EXPECT_EQ(Total(Sheet(package, "activities"), "beneficiaries"),
            report.at("beneficiaries").as_int64());
  EXPECT_EQ(Total(Sheet(package, "redemptions"), "redeemed_cash_fen"),
            report.at("redeemed_cash_fen").as_int64());
  const json::object& funds = Sheet(package, "funds");
  EXPECT_EQ(SumWhere(funds, "inflow_fen", "type", "捐赠") +
                SumWhere(funds, "inflow_fen", "type", "捐赠(实物)"),
            report.at("donations_fen").as_int64());
  EXPECT_EQ(SumWhere(funds, "inflow_fen", "type", "资助拨款"), report.at("grants_fen").as_int64());
  EXPECT_EQ(report.at("grants_fen").as_int64(), 200000);  // the street office's g-gov
  EXPECT_EQ(CountWhere(funds, "id", "g-gov"), 1u);
  EXPECT_EQ(SumWhere(funds, "inflow_fen", "type", "义卖/购买"), report.at("sales_fen").as_int64());
  EXPECT_EQ(SumWhere(funds, "outflow_fen", "type", "资助支出"),
            report.at("disbursed_fen").as_int64());
  EXPECT_EQ(Total(funds, "inflow_fen"), report.at("donations_fen").as_int64() +
                                            report.at("grants_fen").as_int64() +
                                            report.at("sales_fen").as_int64());
  // Goods in kind are no money: 物资 lists them, 基金收支 does not.
  EXPECT_EQ(CountWhere(funds, "id", "d-avic-goods"), 0u);
  // The reversed materials expense: its row and its reversal cancel out.
  EXPECT_EQ(SumWhere(funds, "outflow_fen", "id", "x-mat"), 0);
  EXPECT_EQ(funds.at("totals").at("inflow_yuan").as_string(),
            FormatYuan(Total(funds, "inflow_fen")));

  // 物资: 中航's two items received (value 4,800 元 = the report's in_kind_received_fen), and
  // 赵德福's share handed out, item by item.
  const json::object& goods = Sheet(package, "goods");
  EXPECT_EQ(goods.at("rows").as_array().size(), 4u);
  EXPECT_EQ(CountWhere(goods, "type", "受赠"), 2u);
  EXPECT_EQ(CountWhere(goods, "id", "gd-zhao"), 2u);
  EXPECT_EQ(Total(goods, "value_fen"), report.at("in_kind_received_fen").as_int64());
  EXPECT_EQ(Total(goods, "value_fen"), 480000);
  EXPECT_EQ(goods.at("totals").at("value_yuan").as_string(), "4,800.00");
  EXPECT_EQ(SumWhere(goods, "received_quantity", "item", "大米"), 40);
  EXPECT_EQ(SumWhere(goods, "distributed_quantity", "item", "大米"), 2);
  EXPECT_EQ(SumWhere(goods, "distributed_quantity", "item", "食用油"), 1);
  EXPECT_EQ(CountWhere(goods, "recipient", "e-zhao"), 2u);
  for (const json::value& row : goods.at("rows").as_array()) {
    EXPECT_EQ(row.at("donation_id").as_string(), "d-avic-goods");
    EXPECT_EQ(row.at("unit").as_string(), row.at("item").as_string() == "大米" ? "袋" : "桶");
  }
  EXPECT_EQ(goods.at("totals").at("received_quantity").as_string(), "");  // many units

  // The seal: the whole programme's, the hash of its event, signed with the ledger's key.
  const std::string public_key = FromHex(Get("/v1/audit/head").at("public_key").as_string());
  const json::array& seals = package.at("seals").as_array();
  ASSERT_EQ(seals.size(), 1u);
  EXPECT_TRUE(seals.at(0).at("branch_id").is_null());
  for (const json::value& seal : seals) {
    const json::object event = Get("/v1/events/" + std::to_string(seal.at("position").as_int64()));
    EXPECT_EQ(event.at("type").as_string(), "MonthlyReportSealed");
    EXPECT_FALSE(event.at("data").as_object().contains("branch_id"));
    EXPECT_EQ(event.at("hash"), seal.at("hash"));
    SignedCheckpoint checkpoint;
    checkpoint.position = Position{static_cast<uint64_t>(seal.at("position").as_int64())};
    const std::string hash = FromHex(seal.at("hash").as_string());
    std::copy(hash.begin(), hash.end(), checkpoint.hash.begin());
    checkpoint.recorded_at_us = seal.at("recorded_at_us").as_int64();
    checkpoint.signature = FromHex(seal.at("signature").as_string());
    EXPECT_TRUE(VerifyCheckpoint(public_key, checkpoint));
    checkpoint.recorded_at_us += 1;
    EXPECT_FALSE(VerifyCheckpoint(public_key, checkpoint));
  }
  // The package reflects the log up to the seal; head office's receipt, recorded after it, is
  // on the cover.
  EXPECT_EQ(package.at("as_of").as_int64(), seals.at(0).at("position").as_int64() + 1);
  EXPECT_EQ(CoverValue(package, "总行回执 编号"), json::value("总行备案-2026-10"));
  EXPECT_EQ(CoverValue(package, "总行回执 签收方"), json::value("义工社总行"));
  const json::value receipt_position = CoverValue(package, "总行回执 日志位置");
  ASSERT_TRUE(receipt_position.is_int64());
  EXPECT_EQ(Get("/v1/events/" + std::to_string(receipt_position.as_int64())).at("type"),
            "FilingAcknowledged");

  // The same package as Excel, and from ledgerctl beside the running ledger.
  Response xlsx = api_.Call("GET", "/v1/reports/monthly/filing?month=2026-10");
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip container
  const std::string out = api_.data_dir() + "/../filing.json";
  const std::string command = std::string(LEDGERCTL_PATH) +
                              " report filing --month 2026-10 --data " + api_.data_dir() +
                              " --format json --out " + out + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(out);
  EXPECT_EQ(json::parse(std::string(std::istreambuf_iterator<char>(in), {})), json::value(package));
}

// Without a programme-wide seal, a month every branch sealed is filed with each branch's seal;
// the programme's seal, once recorded, is the one that counts; the receipt shows when recorded.
// November's goods (received, to an elder, to an activity) and grant are rows of their sheets.
TEST_F(FilingTest, EveryBranchsSealThenTheProgrammesAndTheReceipt) {
  SealNovember("b-shiyuan");
  SealNovember("b-gaoliying");
  // A branch opened after November need not seal November.
  Post("ev-b-new", "BranchOpened", R"(branch_id: "b-new", name: "新分会")",
       testing::BeijingUs(2026, 12, 1, 11));
  json::object package = Get("/v1/reports/monthly/filing?month=2026-11&format=json");
  EXPECT_TRUE(package.at("sealed").as_bool());
  ASSERT_EQ(package.at("seals").as_array().size(), 2u);
  EXPECT_EQ(package.at("seals").at(0).at("branch_id").as_string(), "b-gaoliying");
  EXPECT_EQ(package.at("as_of").as_int64(),  // 高丽营镇's, the later seal
            package.at("seals").at(0).at("position").as_int64() + 1);
  EXPECT_TRUE(CoverValue(package, "总行回执 编号").is_null());

  const json::object& goods = Sheet(package, "goods");
  EXPECT_EQ(goods.at("rows").as_array().size(), 5u);  // 2 items received, 2 + 1 handed out
  EXPECT_EQ(Total(goods, "value_fen"), 360000);
  EXPECT_EQ(SumWhere(goods, "distributed_quantity", "item", "篮球"), 12);
  EXPECT_EQ(CountWhere(goods, "recipient", "e-sun"), 2u);
  EXPECT_EQ(CountWhere(goods, "recipient", "a-chongyang"), 1u);
  const json::object& funds = Sheet(package, "funds");
  EXPECT_EQ(SumWhere(funds, "inflow_fen", "id", "g-qinglian"), 123456);
  EXPECT_EQ(package.at("report").at("grants_fen").as_int64(), 123456);
  EXPECT_EQ(package.at("report").at("in_kind_received_fen").as_int64(), 360000);

  SealNovember("");
  Post("ev-filing-2026-11", "FilingAcknowledged",
       R"(month: "2026-11", receipt_ref: "总行备案-2026-11")", testing::BeijingUs(2026, 12, 3, 9));
  package = Get("/v1/reports/monthly/filing?month=2026-11&format=json");
  ASSERT_EQ(package.at("seals").as_array().size(), 1u);
  const json::value& seal = package.at("seals").at(0);
  EXPECT_TRUE(seal.at("branch_id").is_null());
  EXPECT_EQ(package.at("as_of").as_int64(), seal.at("position").as_int64() + 1);
  EXPECT_EQ(CoverValue(package, "总行回执 编号"), json::value("总行备案-2026-11"));
  EXPECT_TRUE(CoverValue(package, "总行回执 签收方").is_null());  // not given
}

// A partner reads its own statement only (another's is "not there"); its totals reconcile with
// the partner read; CSV carries a byte order mark and Chinese headings.
TEST_F(FilingTest, PartnerStatementIsScopedAndReconciles) {
  const std::string partner_key = api_.CreateKey("partner", "partner_id", "p-avic");
  const json::object statement = Get("/v1/partners/p-avic/statement", partner_key);
  const json::object partner = Get("/v1/partners/p-avic", partner_key);
  EXPECT_TRUE(statement.at("reconciled").as_bool());
  for (const char* figure : {"donated_fen", "purchased_fen", "used_fen"}) {
    EXPECT_EQ(statement.at(figure), partner.at(figure)) << figure;
  }
  const json::object& uses = Sheet(statement, "uses");
  EXPECT_EQ(Total(uses, "amount_fen"), partner.at("used_fen").as_int64());
  EXPECT_GT(uses.at("rows").as_array().size(), 0u);
  EXPECT_EQ(Sheet(statement, "inflows").at("columns").at(1).at("heading").as_string(), "类型");
  // 中航's goods in kind: item by item (never money), and where they went.
  EXPECT_EQ(statement.at("in_kind_fen"), partner.at("in_kind_fen"));
  EXPECT_EQ(statement.at("in_kind_fen").as_int64(), 480000);
  const json::object& goods = Sheet(statement, "goods");
  EXPECT_EQ(goods.at("rows").as_array().size(), 2u);
  EXPECT_EQ(Total(goods, "value_fen"), 480000);
  EXPECT_EQ(SumWhere(goods, "in_stock", "item", "大米"), 38);
  const json::object& goods_uses = Sheet(statement, "goods_uses");
  EXPECT_EQ(goods_uses.at("rows").as_array().size(), 2u);
  EXPECT_EQ(CountWhere(goods_uses, "elder_id", "e-zhao"), 2u);
  EXPECT_EQ(CountWhere(goods_uses, "distribution_id", "gd-zhao"), 2u);
  EXPECT_EQ(CountWhere(Sheet(statement, "inflows"), "id", "d-avic-goods"), 0u);
  size_t consistent = 0;
  for (const json::value& row : Sheet(statement, "reconciliation").at("rows").as_array()) {
    EXPECT_EQ(row.at("result").as_string(), "一致") << row;
    ++consistent;
  }
  EXPECT_EQ(consistent, 5u);  // 捐赠, 购买, 资助拨款, 实物捐赠(价值), 已使用
  // The street office's grant on its statement: 资助拨款 with its programme, reconciled.
  const json::object government = Get("/v1/partners/p-gov/statement");
  EXPECT_TRUE(government.at("reconciled").as_bool());
  EXPECT_EQ(government.at("granted_fen").as_int64(), 200000);
  EXPECT_EQ(government.at("granted_fen"), Get("/v1/partners/p-gov").at("granted_fen"));
  const json::object& granted = Sheet(government, "inflows");
  ASSERT_EQ(CountWhere(granted, "id", "g-gov"), 1u);
  EXPECT_EQ(SumWhere(granted, "paid_fen", "type", "资助拨款"), 200000);
  // A grant reads as a donation with its programme.
  EXPECT_EQ(Get("/v1/donations/g-gov").at("program").as_string(), "management_fee");

  // Another partner's statement, or one that does not exist: the same 404.
  Response other = api_.Call("GET", "/v1/partners/p-gov/statement", {}, partner_key);
  Response none = api_.Call("GET", "/v1/partners/p-none/statement", {}, partner_key);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(JsonOf(other.body).at("code"), JsonOf(none.body).at("code"));
  EXPECT_EQ(api_.Call("GET", "/v1/partners/p-none/statement").status, 404);
  const std::string coordinator = api_.CreateKey("coordinator", "branch_id", "b-shiyuan");
  EXPECT_EQ(api_.Call("GET", "/v1/partners/p-avic/statement", {}, coordinator).status, 403);

  Response csv = api_.Call("GET", "/v1/partners/p-avic/statement?format=csv", {}, partner_key);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("部分,日期(北京时间),类型,编号,基金"), std::string::npos) << csv.body;
  Response xlsx = api_.Call("GET", "/v1/partners/p-avic/statement?format=xlsx", {}, partner_key);
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");

  // A period: what was received in it; one before everything lists nothing.
  const json::object empty = Get("/v1/partners/p-avic/statement?from=2020-01-01&to=2020-12-31");
  EXPECT_EQ(Sheet(empty, "inflows").at("rows").as_array().size(), 0u);
  EXPECT_FALSE(empty.at("reconciled").as_bool());
  const json::object october = Get("/v1/partners/p-avic/statement?from=2026-10-01&to=2026-10-31");
  EXPECT_EQ(october.at("donated_fen"), partner.at("donated_fen"));
  EXPECT_EQ(api_.Call("GET", "/v1/partners/p-avic/statement?from=2026-02-30").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/partners/p-avic/statement?to=0000-12-31").status, 400);
  const json::object backwards = Get("/v1/partners/p-avic/statement?from=2026-11-01&to=2026-10-01");
  EXPECT_EQ(Sheet(backwards, "inflows").at("rows").as_array().size(), 0u);
  EXPECT_EQ(api_.Call("GET", "/v1/partners/p-avic/statement?format=pdf").status, 400);
}

}  // namespace
}  // namespace ledger::api
