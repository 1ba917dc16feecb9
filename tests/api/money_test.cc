// Money and filing through the API (API.md, "Money and filing"), over the October scenario: the
// fund and partner lists in each reader's scope and their pages; the month's report with grants,
// goods received in kind, the programme's seal and head office's receipt; a seal dated ahead of
// the ledger's clock refused with nothing written.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::JsonOf;

class MoneyTest : public ::testing::Test {
 protected:
  void SetUp() override { api_.LoadScenario(); }

  // GET `target` as `key`, at least at the head: the answer's status and body.
  std::pair<int, json::value> Get(const std::string& target,
                                  std::string_view key = testing::kTestAdminKey) {
    const std::string at = std::string(target.find('?') == std::string::npos ? "?" : "&") +
                           "min_position=" + std::to_string(api_.head().next.value - 1);
    Response response = api_.Call("GET", target + at, "", key);
    return {response.status, JsonOf(response.body)};
  }
  static std::set<std::string> Ids(const json::value& page, const char* field) {
    std::set<std::string> ids;
    for (const json::value& item : page.at("items").as_array()) {
      ids.insert(std::string(item.at(field).as_string()));
    }
    return ids;
  }
  ApiFixture api_;
};

TEST_F(MoneyTest, FundsAreListedInTheReadersScope) {
  auto [status, all] = Get("/v1/funds");
  ASSERT_EQ(status, 200) << all;
  EXPECT_EQ(Ids(all, "fund_id"), (std::set<std::string>{"f-aid", "f-hq"}));
  EXPECT_TRUE(all.at("next_cursor").is_null());
  // A coordinator sees its branch's funds only, and may not ask for another branch's.
  const std::string shiyuan = api_.CreateKey("coordinator", "branch_id", "b-shiyuan");
  auto [own_status, own] = Get("/v1/funds", shiyuan);
  ASSERT_EQ(own_status, 200) << own;
  EXPECT_EQ(Ids(own, "fund_id"), (std::set<std::string>{"f-aid"}));
  EXPECT_EQ(Get("/v1/funds?branch_id=b-gaoliying", shiyuan).first, 403);
  // Pages of one, in id order, follow the cursor.
  auto [first_status, first] = Get("/v1/funds?limit=1");
  ASSERT_EQ(first_status, 200) << first;
  EXPECT_EQ(Ids(first, "fund_id"), (std::set<std::string>{"f-aid"}));
  const std::string cursor(first.at("next_cursor").as_string());
  auto [second_status, second] = Get("/v1/funds?limit=1&cursor=" + cursor);
  ASSERT_EQ(second_status, 200) << second;
  EXPECT_EQ(Ids(second, "fund_id"), (std::set<std::string>{"f-hq"}));
  EXPECT_TRUE(second.at("next_cursor").is_null());
  // The grant is an inflow of channel grant; the goods are stock, not balance.
  const json::value& hq = second.at("items").at(0);
  EXPECT_EQ(hq.at("inflow_by_channel").at("grant").to_number<int64_t>(), 200000) << hq;
  EXPECT_EQ(hq.at("balance_fen").to_number<int64_t>(), 200000) << hq;
  auto [aid_status, aid] = Get("/v1/funds/f-aid");
  ASSERT_EQ(aid_status, 200);
  ASSERT_EQ(aid.at("goods").as_array().size(), 2u) << aid;
  const json::value& rice = aid.at("goods").at(0);  // 大米 sorts before 食用油
  EXPECT_EQ(rice.at("name").as_string(), "大米");
  EXPECT_EQ(rice.at("received").to_number<int64_t>(), 40);
  EXPECT_EQ(rice.at("distributed").to_number<int64_t>(), 2);
  EXPECT_EQ(rice.at("in_stock").to_number<int64_t>(), 38);
  EXPECT_EQ(rice.at("value_fen").to_number<int64_t>(), 320000);
}

TEST_F(MoneyTest, PartnersAreListedByKindAndAPartnerSeesItselfOnly) {
  auto [status, enterprises] = Get("/v1/partners?kind=enterprise");
  ASSERT_EQ(status, 200) << enterprises;
  EXPECT_EQ(Ids(enterprises, "partner_id"), (std::set<std::string>{"p-avic", "p-wuye"}));
  EXPECT_EQ(Get("/v1/partners?kind=robot").first, 400);
  const std::string avic = api_.CreateKey("partner", "partner_id", "p-avic");
  auto [own_status, own] = Get("/v1/partners", avic);
  ASSERT_EQ(own_status, 200) << own;
  EXPECT_EQ(Ids(own, "partner_id"), (std::set<std::string>{"p-avic"}));
  const json::value& partner = own.at("items").at(0);
  EXPECT_EQ(partner.at("in_kind_fen").to_number<int64_t>(), 480000) << partner;
  EXPECT_EQ(partner.at("donated_fen").to_number<int64_t>(), 500000) << partner;
  auto [gov_status, gov] = Get("/v1/partners/p-gov");
  ASSERT_EQ(gov_status, 200);
  EXPECT_EQ(gov.at("granted_fen").to_number<int64_t>(), 200000) << gov;
  // The donor's trail: where its goods went.
  auto [goods_status, goods] = Get("/v1/donations/d-avic-goods", avic);
  ASSERT_EQ(goods_status, 200) << goods;
  EXPECT_EQ(goods.at("kind").as_string(), "in_kind");
  EXPECT_EQ(goods.at("goods_uses").as_array().size(), 2u) << goods;
  EXPECT_EQ(goods.at("goods_uses").at(0).at("elder_id").as_string(), "e-zhao");
}

TEST_F(MoneyTest, TheMonthsReportShowsGrantsGoodsTheProgrammeSealAndTheFiling) {
  auto [status, all] = Get("/v1/reports/monthly?month=2026-10");
  ASSERT_EQ(status, 200) << all;
  EXPECT_EQ(all.at("grants_fen").to_number<int64_t>(), 200000);
  EXPECT_EQ(all.at("in_kind_received_fen").to_number<int64_t>(), 480000);
  EXPECT_EQ(all.at("donations_fen").to_number<int64_t>(), 600000) << "goods are not donations_fen";
  EXPECT_TRUE(all.at("sealed").as_bool());
  EXPECT_EQ(all.at("filing").at("receipt_ref").as_string(), "总行备案-2026-10");
  // 高丽营镇 never sealed October itself: the programme's seal closed it.
  auto [branch_status, gaoliying] = Get("/v1/reports/monthly?branch_id=b-gaoliying&month=2026-10");
  ASSERT_EQ(branch_status, 200);
  EXPECT_TRUE(gaoliying.at("sealed").as_bool()) << gaoliying;
}

TEST_F(MoneyTest, ASealDatedAheadOfTheLedgersClockIsRefused) {
  const Head before = api_.head();
  const int64_t next_year_us = testing::BeijingUs(2100, 2, 1);
  Response refused = api_.Call(
      "POST", "/v1/events",
      ApiFixture::EventJson("ev-seal-ahead", "MonthlyReportSealed",
                            R"(branch_id: "b-gaoliying", month: "2100-01")", next_year_us));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(JsonOf(refused.body).at("code").as_string(), "month_not_ended");
  EXPECT_EQ(api_.head(), before);
}

}  // namespace
}  // namespace ledger::api
