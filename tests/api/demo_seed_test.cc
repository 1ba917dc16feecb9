// The demo tells the seed's story at the seed's scale (shared/seed/project-brief.zh.txt), read
// back from a real `ledgerd --demo` over its REST reads — monthly reports summed, funds, partners,
// members, requests — never from the demo's own tables: 2021-08 to 2023-08, 520 visits, more than
// 600 hours, 30 activities serving 465 people, 40-odd problems solved, 990,000 元 from the
// government's purchase of service bags, 110,000 元 of subscriptions and custom orders, at least
// 20 women volunteers born 1966–1976 paired with elders over 80 who live alone, the partners'
// goods in kind and where they went, grants, every month sealed programme-wide and acknowledged.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "tests/api/api_fixture.h"
#include "tests/api/http_client.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/test_support.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;

constexpr char kAdminKey[] = "demo-seed-admin-key-5e1f0c9a7b3d2e8f4a6c1b0d9e7f3a2c";

class DemoSeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto started = std::chrono::steady_clock::now();
    ledgerd_ = std::make_unique<Ledgerd>(
        std::vector<std::string>{"--data", dir_.path() + "/data", "--listen", "127.0.0.1:0",
                                 "--demo", "--log-requests", "off"},
        std::vector<std::string>{std::string("LEDGER_ADMIN_KEY=") + kAdminKey});
    port_ = ledgerd_->Port();
    ASSERT_NE(port_, 0);
    // A figure, not a timed assertion (house rules): the demo's load time, start to serving.
    std::printf("ledgerd --demo served after %lld ms\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()));
  }
  void TearDown() override {
    if (ledgerd_) {
      EXPECT_EQ(ledgerd_->Stop(SIGTERM), 0);
    }
  }

  json::value Get(const std::string& target) {
    HttpClient client(port_);
    auto reply = client.Request("GET", target, "", kAdminKey);
    EXPECT_TRUE(reply.has_value()) << target;
    if (!reply) return json::value();
    EXPECT_EQ(reply->status, 200) << target << ": " << reply->body;
    return JsonOf(reply->body);
  }
  static int64_t Int(const json::value& v, std::string_view key) {
    return v.at(key).to_number<int64_t>();
  }

  ledger::testing::TempDir dir_;
  std::unique_ptr<Ledgerd> ledgerd_;
  uint16_t port_ = 0;
};

std::vector<std::string> SeedMonths() {
  std::vector<std::string> months;
  for (int year = 2021; year <= 2023; ++year) {
    for (int month = 1; month <= 12; ++month) {
      if ((year == 2021 && month < 8) || (year == 2023 && month > 8)) continue;
      char text[8];
      std::snprintf(text, sizeof text, "%04d-%02d", year, month);
      months.emplace_back(text);
    }
  }
  return months;
}

// The programme's monthly reports over the seed's 25 months add up to the seed's outputs, and
// every branch sealed every one of those months.
TEST_F(DemoSeedTest, MonthlyReportsAddUpToTheSeedsOutputs) {
  const std::vector<std::string> months = SeedMonths();
  ASSERT_EQ(months.size(), 25u);
  std::map<std::string, int64_t> sum;
  for (const std::string& month : months) {
    const json::value report = Get("/v1/reports/monthly?month=" + month);
    for (const char* field : {"services", "verified_minutes", "activities", "beneficiaries",
                              "requests_resolved", "sales_fen"}) {
      sum[field] += Int(report, field);
    }
    for (const char* branch : {"b-shiyuan", "b-gaoliying"}) {
      const json::value report =
          Get("/v1/reports/monthly?branch_id=" + std::string(branch) + "&month=" + month);
      EXPECT_TRUE(report.at("sealed").as_bool()) << branch << " " << month << " is not sealed";
    }
  }
  // The whole programme sealed every month before November 2026 (a seal without branch_id, so
  // the branchless funds too), and head office acknowledged each filing; November is open.
  std::vector<std::string> filed = months;
  filed.emplace_back("2026-10");
  for (const std::string& month : filed) {
    const json::value report = Get("/v1/reports/monthly?month=" + month);
    EXPECT_TRUE(report.at("sealed").as_bool()) << month;
    const json::value seal =
        Get("/v1/events/" + std::to_string(Int(report.at("seal"), "position")));
    EXPECT_EQ(seal.at("type").as_string(), "MonthlyReportSealed") << month;
    EXPECT_FALSE(seal.at("data").as_object().contains("branch_id")) << month;
    EXPECT_GT(seal.at("occurred_at").as_string(), month + "-31T23:59:59+08:00") << month;
    EXPECT_EQ(report.at("filing").at("receipt_ref").as_string(), "总行备案-" + month);
  }
  EXPECT_FALSE(Get("/v1/reports/monthly?month=2026-11").at("sealed").as_bool());
  std::printf(
      "2021-08..2023-08: %lld visits, %lld minutes (%lld h), %lld activities, %lld people "
      "served, %lld requests resolved\n",
      static_cast<long long>(sum["services"]), static_cast<long long>(sum["verified_minutes"]),
      static_cast<long long>(sum["verified_minutes"] / 60),
      static_cast<long long>(sum["activities"]), static_cast<long long>(sum["beneficiaries"]),
      static_cast<long long>(sum["requests_resolved"]));
  EXPECT_EQ(sum["services"], 520);               // 累计探访长者520人次
  EXPECT_GT(sum["verified_minutes"], 600 * 60);  // 累计参与志愿服务时长超600小时
  EXPECT_LT(sum["verified_minutes"], 700 * 60);  // "over 600", not 1,000
  EXPECT_EQ(sum["activities"], 30);              // 开展各类活动30场
  EXPECT_EQ(sum["beneficiaries"], 465);          // 直接服务465人次
  EXPECT_GE(sum["requests_resolved"], 40);       // 解决长者各项生活难题40余个
  EXPECT_LT(sum["requests_resolved"], 50);
  EXPECT_GE(sum["sales_fen"], 99'000'000 + 11'000'000);
  // Nothing happened before the programme began.
  EXPECT_EQ(Int(Get("/v1/reports/monthly?month=2021-07"), "services"), 0);
}

// 990,000 元 from 石园街道党工委's purchase of service bags and 110,000 元 of subscriptions and
// custom orders, as the funds and the buyers' partner reads show them.
TEST_F(DemoSeedTest, FundsShowTheGovernmentPurchaseAndTheSubscriptions) {
  int64_t government_fen = 0;
  int64_t subscriptions_fen = 0;
  for (const char* fund_id : {"f-launch", "f-aid", "f-goods"}) {
    const json::value fund = Get(std::string("/v1/funds/") + fund_id);
    government_fen += Int(fund.at("inflow_by_channel"), "government_purchase");
    subscriptions_fen += Int(fund.at("inflow_by_channel"), "enterprise_purchase");
    EXPECT_GE(Int(fund, "balance_fen"), 0) << fund_id;
  }
  EXPECT_EQ(government_fen, 99'000'000);     // 99万元
  EXPECT_EQ(subscriptions_fen, 11'000'000);  // 11万元
  const json::value party_committee = Get("/v1/partners/p-gov");
  EXPECT_EQ(Int(party_committee, "purchased_fen"), 99'000'000);
}

// The three partners' directed donations are goods in kind (items, never money), handed out to
// elders and activities with some of each still in stock; the CSR programme, the community fund
// and the town's management fee are grants, each with its program, and the monthly reports'
// grants and goods received add up to what the funds and partners show.
TEST_F(DemoSeedTest, PartnersGaveGoodsInKindAndTheProgrammeReceivedGrants) {
  int64_t in_kind_fen = 0;
  for (const char* partner : {"p-avic", "p-wuye", "p-qinglian"}) {
    const json::value read = Get(std::string("/v1/partners/") + partner);
    EXPECT_GT(Int(read, "in_kind_fen"), 0) << partner;
    in_kind_fen += Int(read, "in_kind_fen");
    for (const json::value& id : read.at("donations").as_array()) {
      const json::value donation = Get("/v1/donations/" + std::string(id.as_string()));
      if (donation.at("kind").as_string() != "in_kind") continue;
      int64_t value_fen = 0;
      for (const json::value& item : donation.at("items").as_array()) {
        value_fen += Int(item, "value_fen");
        EXPECT_GT(Int(item, "distributed"), 0) << id << " " << item.at("name");
        EXPECT_GT(Int(item, "in_stock"), 0) << id << " " << item.at("name");
      }
      EXPECT_EQ(value_fen, Int(donation, "amount_fen")) << id;
      for (const json::value& use : donation.at("goods_uses").as_array()) {
        EXPECT_NE(use.at("elder_id").is_null(), use.at("activity_id").is_null()) << id;
      }
      EXPECT_GT(donation.at("goods_uses").as_array().size(), 0u) << id;
    }
  }
  const json::value goods_fund = Get("/v1/funds/f-goods");
  EXPECT_EQ(Int(goods_fund, "balance_fen"), 0);  // goods are never money
  int64_t stock_value_fen = 0;
  int64_t handed_out = 0;
  for (const json::value& goods : goods_fund.at("goods").as_array()) {
    EXPECT_EQ(Int(goods, "in_stock"), Int(goods, "received") - Int(goods, "distributed"));
    EXPECT_GT(Int(goods, "distributed"), 0) << goods.at("name");
    EXPECT_GT(Int(goods, "in_stock"), 0) << goods.at("name");
    stock_value_fen += Int(goods, "value_fen");
    handed_out += Int(goods, "distributed");
  }
  EXPECT_EQ(stock_value_fen, in_kind_fen);
  std::printf("goods in kind: %lld fen declared, %lld items handed out\n",
              static_cast<long long>(in_kind_fen), static_cast<long long>(handed_out));

  // Grants: by program, on the funds' grant channel, the partners' granted_fen and the reports.
  const std::map<std::string, std::string> programs = {{"d-avic", "csr_program"},
                                                       {"d-community", "community_fund"},
                                                       {"d-gly-fee", "management_fee"}};
  int64_t granted_fen = 0;
  for (const auto& [grant_id, program] : programs) {
    const json::value grant = Get("/v1/donations/" + grant_id);
    EXPECT_EQ(grant.at("program").as_string(), program) << grant_id;
    EXPECT_FALSE(grant.as_object().contains("kind")) << grant_id;
    EXPECT_EQ(
        Int(Get("/v1/partners/" + std::string(grant.at("partner_id").as_string())), "granted_fen"),
        Int(grant, "amount_fen"))
        << grant_id;
    granted_fen += Int(grant, "amount_fen");
  }
  int64_t channel_fen = 0;
  for (const char* fund_id : {"f-launch", "f-aid", "f-goods"}) {
    channel_fen += Int(Get(std::string("/v1/funds/") + fund_id).at("inflow_by_channel"), "grant");
  }
  EXPECT_EQ(channel_fen, granted_fen);
  int64_t reported_grants_fen = 0;
  int64_t reported_in_kind_fen = 0;
  for (const std::string& month : SeedMonths()) {
    const json::value report = Get("/v1/reports/monthly?month=" + month);
    reported_grants_fen += Int(report, "grants_fen");
    reported_in_kind_fen += Int(report, "in_kind_received_fen");
  }
  EXPECT_EQ(reported_grants_fen, granted_fen);
  EXPECT_EQ(reported_in_kind_fen, in_kind_fen);
}

// At least 20 women volunteers born 1966–1976, each paired with an elder over 80 who lives alone
// (the pairing read from her stream), and the policy in force rewards every one with a star.
TEST_F(DemoSeedTest, VolunteersAreWomenBorn1966To1976PairedWithEldersOver80WhoLiveAlone) {
  const json::array volunteers =
      Get("/v1/members?kind=volunteer&limit=1000").at("items").as_array();
  EXPECT_GE(volunteers.size(), 20u);
  std::map<std::string, int> branches;
  for (const json::value& v : volunteers) {
    const std::string id(v.at("member_id").as_string());
    EXPECT_EQ(v.at("gender").as_string(), "女") << id;
    EXPECT_GE(Int(v, "birth_year"), 1966) << id;
    EXPECT_LE(Int(v, "birth_year"), 1976) << id;
    EXPECT_GE(v.at("name").as_string().size(), 6u) << id;  // two or more Chinese characters
    EXPECT_GE(Int(v, "star"), 1) << id << " earns no star under the demo's policy";
    // The read places her on the scale in force: where her star began, where the next comes.
    EXPECT_LE(Int(v, "star_from_minutes"), Int(v, "verified_minutes")) << id;
    EXPECT_GT(Int(v, "star_from_minutes"), 0) << id;
    if (Int(v, "star") < 5) {
      EXPECT_GT(Int(v, "next_star_minutes"), Int(v, "verified_minutes")) << id;
      EXPECT_LT(Int(v, "next_star_minutes"), 100 * 60) << id << ": not the default scale";
    } else {
      EXPECT_TRUE(v.at("next_star_minutes").is_null()) << id;
    }
    ++branches[std::string(v.at("branch_id").as_string())];
  }
  EXPECT_EQ(branches.size(), 2u);
  const json::array elders = Get("/v1/members?kind=elder&limit=1000").at("items").as_array();
  EXPECT_GE(elders.size(), volunteers.size());
  for (const json::value& e : elders) {
    const std::string id(e.at("member_id").as_string());
    EXPECT_LE(Int(e, "birth_year"), 2021 - 80) << id << " was not over 80 in 2021";
    EXPECT_TRUE(e.at("lives_alone").as_bool()) << id;
  }
  // Each volunteer's first visit names her elder.
  int paired = 0;
  for (const json::value& v : volunteers) {
    const std::string id(v.at("member_id").as_string());
    const json::value stream = Get("/v1/streams/member-" + id);
    for (const json::value& event : stream.at("events").as_array()) {
      if (event.at("type").as_string() != "ServiceLogged") continue;
      EXPECT_TRUE(event.at("data").as_object().contains("elder_id")) << id;
      ++paired;
      break;
    }
  }
  EXPECT_EQ(paired, static_cast<int>(volunteers.size()));
}

// The request board is not empty: open, assigned and resolved requests.
TEST_F(DemoSeedTest, RequestBoardHasOpenAssignedAndResolvedRequests) {
  std::map<std::string, int> by_status;
  // Held in a variable: a range-for over Get(...).at(...) would walk a destroyed temporary.
  const json::value requests = Get("/v1/requests?limit=1000");
  for (const json::value& r : requests.at("items").as_array()) {
    ++by_status[std::string(r.at("status").as_string())];
  }
  EXPECT_GE(by_status["open"], 1);
  EXPECT_GE(by_status["assigned"], 1);
  EXPECT_GE(by_status["resolved"], 40);
}

}  // namespace
}  // namespace ledger::api
