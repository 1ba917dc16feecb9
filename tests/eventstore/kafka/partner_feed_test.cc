// The partner items of the Kafka relay, without a broker: the October scenario's fund-use trail
// as each partner sees it, items that add up to the ledger's own figures over random events,
// and JSON text that stays valid whatever bytes the events carry.
#include "eventstore/kafka/partner_feed.h"

#include <gtest/gtest.h>

#include <ctime>
#include <regex>

#include "eventstore/kafka/json_text.h"
#include "tests/domain/event_generator.h"
#include "tests/eventstore/kafka/kafka_test_support.h"
#include "tests/eventstore/test_support.h"
#include "tests/projections/ledger_fixture.h"

namespace ledger {
namespace {

using testing::LedgerFixture;

// partner -> its items in position order.
std::map<std::string, std::vector<std::string>> ItemsByPartner(const EventStore& store) {
  std::map<std::string, std::vector<std::string>> by_partner;
  for (auto& [key, json] : testing::ExpectedPartnerItems(store)) {
    by_partner[key.first].push_back(json);
  }
  return by_partner;
}

int64_t Field(const std::string& json, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(json, match, std::regex("\"" + name + "\":(-?[0-9]+)"))) return 0;
  return std::stoll(match[1]);
}

std::string Kind(const std::string& json) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(json, match, std::regex("^\\{\"kind\":\"([a-z_]+)\"")));
  return match[1];
}

class PartnerFeedTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

// 中航 gave 500,000 fen for elder aid; the two aid payments used 300,000 and then 200,000 of it.
TEST_F(PartnerFeedTest, ScenarioTrailOfEachPartner) {
  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());
  auto items = ItemsByPartner(ledger.store());
  const auto position = [&](const char* id) {
    return std::to_string(ledger.store().FindId(id).value().value);
  };
  const auto at = [&](const char* id) {
    return std::to_string(ledger.store().ReadAt(ledger.store().FindId(id).value())->occurred_at_us);
  };

  ASSERT_EQ(items["p-avic"].size(), 6u);
  EXPECT_EQ(items["p-avic"][0],
            R"({"kind":"donation","partner_id":"p-avic","position":)" + position("ev-d-avic") +
                R"(,"event_id":"ev-d-avic","event_type":"DonationReceived","occurred_at_us":)" +
                at("ev-d-avic") +
                R"(,"donation_id":"d-avic","fund_id":"f-aid","amount_fen":500000,)"
                R"("donation_kind":"cash","restricted_to":"elder_aid"})");
  // An aid payment of `amount` fen of which `allocated` came from 中航's donation.
  const auto aid_payment = [&](const std::string& id, const std::string& amount,
                               const std::string& allocated) {
    const std::string event_id = "ev-" + id;
    return R"({"kind":"outflow","partner_id":"p-avic","position":)" + position(event_id.c_str()) +
           R"(,"event_id":")" + event_id +
           R"(","event_type":"DisbursementMade","occurred_at_us":)" + at(event_id.c_str()) +
           R"(,"outflow_id":")" + id +
           R"(","outflow_type":"DisbursementMade","fund_id":"f-aid","purpose":"elder_aid",)"
           R"("category":"disbursement","amount_fen":)" +
           amount + R"(,"allocated_fen":)" + allocated +
           R"(,"allocations":[{"source_id":"d-avic","amount_fen":)" + allocated + "}]}";
  };
  EXPECT_EQ(items["p-avic"][1], aid_payment("x-aid1", "300000", "300000"));
  EXPECT_EQ(items["p-avic"][2], aid_payment("x-aid2", "250000", "200000"));
  // Its gift in kind, where its goods went (to 赵德福), and the purpose it consented to.
  EXPECT_NE(items["p-avic"][3].find(R"("donation_id":"d-avic-goods","fund_id":"f-aid",)"
                                    R"("amount_fen":480000,"donation_kind":"in_kind")"),
            std::string::npos)
      << items["p-avic"][3];
  EXPECT_EQ(Kind(items["p-avic"][4]), "goods_distributed");
  EXPECT_NE(
      items["p-avic"][4].find(R"("elder_id":"e-zhao","activity_id":null,"items":)"
                              R"([{"name":"大米","quantity":2},{"name":"食用油","quantity":1}])"),
      std::string::npos)
      << items["p-avic"][4];
  EXPECT_EQ(Kind(items["p-avic"][5]), "restriction_changed");

  // The street office bought 100 bags (18,000 fen less the maker's 10% to the fund); the rest
  // of the second aid payment, the materials (later reversed) and a cash redemption drew on it.
  std::vector<std::string> kinds;
  std::vector<int64_t> amounts;
  for (const std::string& json : items["p-gov"]) {
    kinds.push_back(Kind(json));
    amounts.push_back(Kind(json) == "purchase"           ? Field(json, "to_fund_fen")
                      : Kind(json) == "outflow_reversed" ? -Field(json, "released_fen")
                      : Kind(json) == "grant"            ? Field(json, "amount_fen")
                                                         : Field(json, "allocated_fen"));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"purchase", "outflow", "outflow", "outflow",
                                             "outflow_reversed", "grant"}));
  EXPECT_EQ(amounts, (std::vector<int64_t>{162000, 50000, 20000, 4000, -20000, 200000}));
  EXPECT_NE(items["p-gov"][0].find(R"("channel":"government_purchase","proceeds_fen":180000)"),
            std::string::npos);
  EXPECT_NE(items["p-gov"][4].find(R"("reverses_event_id":"ev-x-mat","outflow_id":"x-mat")"),
            std::string::npos);

  ASSERT_EQ(items["p-wuye"].size(), 1u);  // nothing spent of it yet: the trail is FIFO
  EXPECT_EQ(Kind(items["p-wuye"][0]), "donation");
  EXPECT_EQ(items.count("p-qinglian"), 0u);  // registered, never gave
  EXPECT_EQ(items.count(""), 0u);            // the anonymous charity sale has no partner
}

// Partner streams never carry personal data (API.md, "Personal information"): a member with a
// distinctive name and phone who lives alone, paid aid from a donation, visited at a distinctive
// place; the partner items the relay would publish for the whole log, built as the relay builds
// them (PartnerFeed::Apply, event by event), name nobody's name, phone, place or content.
TEST_F(PartnerFeedTest, ItemsCarryNoPersonalData) {
  LedgerFixture ledger(dir_.path());
  testing::AppendOctoberScenario(ledger.store());
  const int64_t at_us = testing::BeijingUs(2026, 11, 3, 9);
  const std::pair<const char*, const char*> extra[] = {
      {"MemberRegistered",
       R"(member_id: "e-zhen", kind: elder, branch_id: "b-shiyuan", name: "甄独秀",
          gender: "女", birth_year: 1931, phone: "13987654321", lives_alone: true)"},
      {"DonationReceived",
       R"(donation_id: "d-zhen", partner_id: "p-wuye", fund_id: "f-aid", amount_fen: 900000,
          kind: cash)"},
      {"DisbursementMade",
       R"(disbursement_id: "x-zhen", fund_id: "f-aid", purpose: "elder_aid", amount_fen: 400000,
          elder_id: "e-zhen", evidence_ref: "receipt-zhen")"},
      {"ServiceLogged",
       R"(service_id: "s-zhen", volunteer_id: "v-li", elder_id: "e-zhen", kind: home_visit,
          minutes: 60, place: "东坝乡甄家胡同7号", content: "陪甄独秀去医院取药")"},
  };
  for (size_t i = 0; i < std::size(extra); ++i) {
    auto appended = ledger.store().Append({testing::Draft(
        "ev-zhen-" + std::to_string(i), extra[i].first, extra[i].second, at_us + int64_t(i))});
    ASSERT_TRUE(appended.ok()) << extra[i].first << ": " << appended.status().ToString();
  }
  PartnerFeed feed;
  std::vector<PartnerItem> items;
  Status scanned =
      ledger.store().Scan(Position{0}, ledger.store().GetHead().next, nullptr,
                          [&](const StoredEvent& event) { return feed.Apply(event, &items).ok(); });
  ASSERT_TRUE(scanned.ok()) << scanned.ToString();
  ASSERT_EQ(feed.next(), ledger.store().GetHead().next);
  // 甄独秀's personal data, as given (format 2 keeps none of it in the log the feed reads).
  const std::vector<std::string> personal = {"甄独秀", "13987654321", "东坝乡甄家胡同",
                                             "陪甄独秀去医院"};
  bool aid_item = false;
  for (const PartnerItem& item : items) {
    aid_item = aid_item || item.json.find("\"x-zhen\"") != std::string::npos;
    for (const std::string& text : personal) {
      EXPECT_EQ(item.json.find(text), std::string::npos) << text << " in " << item.json;
      EXPECT_EQ(item.partner_id.find(text), std::string::npos) << text;
    }
  }
  EXPECT_TRUE(aid_item) << "the aid paid to 甄独秀 reaches its donor's stream (by ids only)";
}

// Over random events (reversals, restriction changes, refusals), each partner's items add up to
// what the ledger says the partner gave and what of it was used.
TEST_F(PartnerFeedTest, ItemsAddUpToTheLedgerFigures) {
  const uint64_t seed = static_cast<uint64_t>(std::time(nullptr));
  std::printf("seed %lu\n", seed);
  LedgerFixture ledger(dir_.path());
  testing::EventGenerator generator(seed, "r-");
  for (int i = 0; i < 6000; ++i) {
    auto event = generator.Next();
    auto result = ledger.store().Append({testing::Draft(
        event.id, event.type, event.fields, testing::BeijingUs(2026, 9, 1) + i * 60'000'000LL)});
    ASSERT_TRUE(result.ok() || result.status().code() == StatusCode::kRefused ||
                result.status().code() == StatusCode::kInvalidArgument)
        << result.status().ToString();
  }
  PartnerFeed feed;
  std::map<std::string, int64_t> donated_fen;
  std::map<std::string, int64_t> in_kind_fen;  // goods: never in donated_fen
  std::map<std::string, int64_t> used_fen;
  std::map<std::string, int> kinds;
  Status status = ledger.store().Scan(
      Position{0}, ledger.store().GetHead().next, nullptr, [&](const StoredEvent& event) {
        std::vector<PartnerItem> items;
        EXPECT_TRUE(feed.Apply(event, &items).ok());
        for (const PartnerItem& item : items) {
          const std::string kind = Kind(item.json);
          ++kinds[kind];
          const bool goods = item.json.find(R"("donation_kind":"in_kind")") != std::string::npos;
          auto& given = goods ? in_kind_fen : donated_fen;
          if (kind == "donation") {
            given[item.partner_id] += Field(item.json, "amount_fen");
          } else if (kind == "donation_reversed") {
            given[item.partner_id] -= Field(item.json, "amount_fen");
          } else if (kind == "outflow") {
            used_fen[item.partner_id] += Field(item.json, "allocated_fen");
          } else if (kind == "outflow_reversed") {
            used_fen[item.partner_id] -= Field(item.json, "released_fen");
          }
        }
        return true;
      });
  ASSERT_TRUE(status.ok()) << status.ToString();
  int partners = 0;
  for (const auto& [id, partner] : feed.state().partners()) {
    EXPECT_EQ(donated_fen[id.str()], partner.donated_fen.value) << id.str();
    EXPECT_EQ(in_kind_fen[id.str()], partner.in_kind_fen.value) << id.str();
    EXPECT_EQ(used_fen[id.str()], partner.used_fen.value) << id.str();
    partners += partner.used_fen > Fen{};
  }
  EXPECT_GT(partners, 0);
  EXPECT_GT(kinds["outflow"], 100);
  EXPECT_GT(kinds["outflow_reversed"] + kinds["donation_reversed"], 0);
  for (const auto& [kind, count] : kinds) std::printf("%s: %d\n", kind.c_str(), count);
}

// Strings are escaped as JSON requires; bytes that are not UTF-8 become U+FFFD.
TEST(JsonTextTest, EscapesAndRepairsStrings) {
  std::string out;
  AppendJsonString("a\"b\\c\n\t\x01\x7f/中文", &out);
  EXPECT_EQ(out, R"("a\"b\\c\n\t\u0001\u007f/中文")");
  out.clear();
  // A lone continuation byte, a truncated 3-byte sequence, an overlong '/', a surrogate.
  AppendJsonString("x\x80y\xe4\xb8z\xc0\xafw\xed\xa0\x80", &out);
  EXPECT_EQ(out,
            "\"x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBDw"
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  JsonWriter json;
  json.BeginObject().String("k", "v").StringOrNull("n", "").BeginArray("a");
  json.BeginObject().Int("i", -5).EndObject().BeginObject().EndObject();
  json.EndArray().EndObject();
  EXPECT_EQ(json.Take(), R"({"k":"v","n":null,"a":[{"i":-5},{}]})");
}

}  // namespace
}  // namespace ledger
