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
    api_.LoadScenario();
    // An in-kind gift of October to 高丽营镇's fund (石园街道 has sealed October), for 物资.
    Post("ev-f-gly", "FundOpened",
         R"(fund_id: "f-gly", name: "高丽营镇活动基金", branch_id: "b-gaoliying")",
         testing::BeijingUs(2026, 10, 30, 9));
    Post("ev-d-goods", "DonationReceived",
         R"(donation_id: "d-goods", partner_id: "p-qinglian", fund_id: "f-gly",
            amount_fen: 360000, kind: in_kind, description: "篮球 60 个")",
         testing::BeijingUs(2026, 10, 30, 10));
  }
  void Post(std::string_view id, std::string_view type, std::string_view fields, int64_t at_us) {
    Response response =
        api_.Call("POST", "/v1/events", ApiFixture::EventJson(id, type, fields, at_us));
    ASSERT_EQ(response.status, 201) << response.body;
  }
  void SealGaoliying() {
    Post("seal-gaoliying-2026-10", "MonthlyReportSealed",
         R"(branch_id: "b-gaoliying", month: "2026-10")", testing::BeijingUs(2026, 11, 2, 11));
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
  ApiFixture api_;
};

// A month not yet sealed by every branch is refused (head office files sealed months only),
// with a problem, and nothing is recorded.
TEST_F(FilingTest, AnUnsealedMonthIsRefused) {
  const Head before = api_.head();
  for (const char* format : {"json", "xlsx"}) {
    Response response =
        api_.Call("GET", std::string("/v1/reports/monthly/filing?month=2026-10&format=") + format);
    EXPECT_EQ(response.status, 409) << response.body;
    EXPECT_EQ(JsonOf(response.body).at("code").as_string(), "month_not_sealed");
  }
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?month=2026-13").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?month=2026-10&format=pdf").status, 400);
  EXPECT_EQ(api_.Call("GET", "/v1/reports/monthly/filing?format=json").status, 400);
  EXPECT_EQ(api_.head().next, before.next);
}

// Sealed: every sheet's rows name real events of its kind, the totals equal the monthly report,
// and each seal's hash and signature are those of the sealing event.
TEST_F(FilingTest, SealedPackageRowsAndTotalsMatchTheLog) {
  SealGaoliying();
  // A branch opened after October need not seal October.
  Post("ev-b-new", "BranchOpened", R"(branch_id: "b-new", name: "新分会")",
       testing::BeijingUs(2026, 12, 1, 9));
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
      {"activities", {"ActivityHeld"}},
      {"services", {"ServiceVerified", "EventReversed"}},
      {"redemptions", {"RedemptionMade", "EventReversed"}},
      {"funds",
       {"DonationReceived", "SaleRecorded", "DisbursementMade", "ExpenseRecorded", "RedemptionMade",
        "EventReversed"}},
      {"goods", {"DonationReceived", "EventReversed"}}};
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
  EXPECT_EQ(SumWhere(funds, "inflow_fen", "type", "义卖/购买"), report.at("sales_fen").as_int64());
  EXPECT_EQ(SumWhere(funds, "outflow_fen", "type", "资助支出"),
            report.at("disbursed_fen").as_int64());
  // The reversed materials expense: its row and its reversal cancel out.
  EXPECT_EQ(SumWhere(funds, "outflow_fen", "id", "x-mat"), 0);
  EXPECT_EQ(funds.at("totals").at("inflow_yuan").as_string(),
            FormatYuan(Total(funds, "inflow_fen")));
  const json::object& goods = Sheet(package, "goods");
  ASSERT_EQ(goods.at("rows").as_array().size(), 1u);
  EXPECT_EQ(goods.at("rows").at(0).at("donation_id").as_string(), "d-goods");
  EXPECT_EQ(Total(goods, "value_fen"), 360000);
  EXPECT_EQ(goods.at("totals").at("value_yuan").as_string(), "3,600.00");

  // Seals: one per branch, each the hash of its event, signed with the ledger's key.
  const std::string public_key = FromHex(Get("/v1/audit/head").at("public_key").as_string());
  const json::array& seals = package.at("seals").as_array();
  ASSERT_EQ(seals.size(), 2u);
  for (const json::value& seal : seals) {
    const json::object event = Get("/v1/events/" + std::to_string(seal.at("position").as_int64()));
    EXPECT_EQ(event.at("type").as_string(), "MonthlyReportSealed");
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
  // The package reflects the log up to the last seal (高丽营镇's, recorded after 石园街道's).
  EXPECT_EQ(seals.at(0).at("branch_id").as_string(), "b-gaoliying");
  EXPECT_EQ(package.at("as_of").as_int64(), seals.at(0).at("position").as_int64() + 1);

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
