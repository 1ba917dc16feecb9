// Issue 16's search for personal data, end to end: members, a visit and a donation posted to a real
// ledgerd relaying to the real broker; then every file of the data directory (before and after a
// flush and compaction), a default export, a backup (without the key) and every message (key,
// value, headers) of every topic the ledger wrote to, read through a consumer, hold none of their
// distinctive strings; only the personal export does. After an erasure her strings are nowhere,
// the personal export included, while verify passes and her figures stay, on a replica too.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/kafka/kafka_relay.h"
#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/kafka/kafka_test_support.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::HttpClient;
using testing::JsonOf;
using testing::Ledgerd;

constexpr std::string_view kKey = "leak-test-admin-key-0123456789abcdef";
constexpr std::chrono::seconds kTimeout{60};

// Distinctive strings: hers (the elder erased; the visit's place and content are hers, her home)
// and his (the volunteer, kept). The phones are ASCII, the rest UTF-8.
const std::vector<std::string> kHers = {"甄独秀", "13987654321", "槐树斜街九号院西厢",
                                        "陪同复诊并代取降压药"};
const std::vector<std::string> kHis = {"贾雨亭", "13812340765"};
// Her figures, the same before and after the erasure, on the primary and on a replica.
constexpr const char* kFigures[] = {"verified_minutes", "credit_minutes", "star",
                                    "pending_minutes"};

size_t Count(const std::string& bytes, const std::string& needle) {
  size_t hits = 0;
  for (size_t at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
    ++hits;
  }
  return hits;
}

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files under `dir` (recursively) holding `needle`, one "path (hits)" per line; "" if none.
std::string FilesHolding(const std::string& dir, const std::string& needle) {
  std::string found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const size_t hits = Count(FileBytes(entry.path()), needle);
    if (hits > 0) found += entry.path().string() + " (" + std::to_string(hits) + ")\n";
  }
  return found;
}

int Ledgerctl(const std::string& arguments) {
  const std::string command = std::string(LEDGERCTL_PATH) + " " + arguments + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class LedgerdLeakTest : public testing::KafkaBrokerTest {
 protected:
  LedgerdLeakTest() : KafkaBrokerTest("leak", kTimeout) {}

  void SetUp() override {
    KafkaBrokerTest::SetUp();
    data_ = dir_.path() + "/data";
  }

  // ledgerd over `data`, relaying to (or, with --replica, following) this test's topics.
  std::unique_ptr<Ledgerd> Start(const std::string& data, std::vector<std::string> extra = {}) {
    return testing::StartWithKafka(data, brokers_, prefix_, kKey, std::move(extra));
  }

  static void Post(uint16_t port, const std::string& id, const std::string& type,
                   const std::string& fields, int day) {
    HttpClient client(port);
    auto reply = client.Request(
        "POST", "/v1/events",
        testing::ApiFixture::EventJson(id, type, fields, testing::BeijingUs(2026, 10, day)), kKey);
    ASSERT_TRUE(reply && reply->status == 201) << id << ": " << (reply ? reply->body : "no reply");
  }

  static json::object Read(uint16_t port, const std::string& target) {
    HttpClient client(port);
    auto reply = client.Request("GET", target, {}, kKey);
    EXPECT_TRUE(reply && reply->status == 200) << target << ": " << (reply ? reply->body : "");
    return reply ? JsonOf(reply->body).as_object() : json::object{};
  }

  // Waits until the relay has confirmed every event of the log; returns the head.
  static uint64_t WaitForRelay(uint16_t port) {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (true) {
      const json::object ready = Read(port, "/readyz");
      const uint64_t head = ready.at("head").to_number<uint64_t>();
      if (ready.at("kafka_relay").at("confirmed").to_number<uint64_t>() >= head) return head;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "relay not caught up: " << json::serialize(ready);
        return head;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // The topics of this test's prefix that the broker has (the ledger's: no one else uses it).
  std::vector<std::string> Topics() const {
    std::array<char, 512> error{};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers_.c_str(), error.data(), error.size());
    rd_kafka_t* client = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size());
    std::vector<std::string> topics;
    const rd_kafka_metadata_t* metadata = nullptr;
    if (client != nullptr &&
        rd_kafka_metadata(client, 1, nullptr, &metadata, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < metadata->topic_cnt; ++i) {
        const std::string name = metadata->topics[i].topic;
        if (name.rfind(prefix_ + ".", 0) == 0) topics.push_back(name);
      }
      rd_kafka_metadata_destroy(metadata);
    }
    if (client != nullptr) rd_kafka_destroy(client);
    return topics;
  }

  // Every message of every topic of the prefix, keys, values and headers concatenated: the
  // events topic once it has every position, the donations topic every partner item, any other
  // topic for a few seconds.
  std::string KafkaBytes(const EventStore& store) const {
    const std::vector<std::string> topics = Topics();
    EXPECT_NE(std::find(topics.begin(), topics.end(), KafkaRelay::EventsTopic(prefix_)),
              topics.end());
    const uint64_t head = store.GetHead().next.value;
    const size_t items = testing::ExpectedPartnerItems(store).size();
    EXPECT_GT(items, 0u);  // the donation reached the partner topic
    std::string bytes;
    for (const std::string& topic : topics) {
      std::function<bool(const std::vector<KafkaRecord>&)> enough = [](const auto&) {
        return false;
      };
      std::chrono::milliseconds timeout = std::chrono::seconds(5);
      if (topic == KafkaRelay::EventsTopic(prefix_)) {
        enough = [&](const auto& records) { return testing::DistinctPositions(records) >= head; };
        timeout = kTimeout;
      } else if (topic == KafkaRelay::DonationsTopic(prefix_)) {
        enough = [&](const auto& records) { return records.size() >= items; };
        timeout = kTimeout;
      }
      const std::vector<KafkaRecord> records = testing::ReadTopic(brokers_, topic, enough, timeout);
      EXPECT_FALSE(records.empty()) << topic;
      for (const KafkaRecord& record : records) {
        bytes += record.key + "\n" + record.value + "\n";
        for (const auto& header : record.headers) bytes += header.first + header.second + "\n";
      }
    }
    return bytes;
  }

  // With ledgerd stopped: a flush and compaction of the data directory, a default export, a
  // personal export, a backup without the key and both verifies, then the search. `hers_kept`:
  // whether her strings belong in the personal export.
  void SearchEverywhere(const std::string& label, bool hers_kept) {
    SCOPED_TRACE(label);
    std::string kafka;
    {
      EventStoreOptions options;
      options.path = data_;
      options.create_if_missing = false;
      auto store = EventStore::Open(options);
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      ASSERT_TRUE((*store)->PurgePersonal().ok());  // flushes every family, compacts `personal`
      kafka = KafkaBytes(**store);
    }
    const std::string out = dir_.path() + "/" + label;
    std::filesystem::create_directories(out);
    ASSERT_EQ(Ledgerctl("export --data " + data_ + " --out " + out + "/default.jsonl"), 0);
    ASSERT_EQ(Ledgerctl("export --data " + data_ + " --out " + out + "/log.jsonl --personal " +
                        out + "/personal.jsonl"),
              0);
    ASSERT_EQ(Ledgerctl("backup --data " + data_ + " --out " + out + "/backup"), 0);
    EXPECT_FALSE(std::filesystem::exists(out + "/backup/personal.key"));
    EXPECT_EQ(Ledgerctl("verify --data " + data_ + " --report " + out + "/verify-data.json"), 0);
    EXPECT_EQ(Ledgerctl("verify --export " + out + "/default.jsonl --report " + out +
                        "/verify-export.json"),
              0);

    const std::string personal = FileBytes(out + "/personal.jsonl");
    for (const std::vector<std::string>* strings : {&kHers, &kHis}) {
      for (const std::string& needle : *strings) {
        EXPECT_EQ(FilesHolding(data_, needle), "") << needle << " in the data directory";
        EXPECT_EQ(FilesHolding(out + "/backup", needle), "") << needle << " in the backup";
        EXPECT_EQ(Count(FileBytes(out + "/default.jsonl"), needle), 0u) << needle;
        EXPECT_EQ(Count(FileBytes(out + "/log.jsonl"), needle), 0u) << needle;
        EXPECT_EQ(Count(kafka, needle), 0u) << needle << " in a Kafka message";
        const bool kept = strings == &kHis || hers_kept;
        EXPECT_EQ(Count(personal, needle) > 0, kept) << needle << " in the personal export";
      }
    }
  }

  testing::TempDir dir_;
  std::string data_;
};

TEST_F(LedgerdLeakTest, PersonalDataOnlyInThePersonalExportAndNowhereAfterAnErasure) {
  json::object before;
  {
    auto ledgerd = Start(data_);
    const uint16_t port = ledgerd->Port();
    ASSERT_NE(port, 0) << ledgerd->RestOfOutput();
    Post(port, "ev-branch", "BranchOpened", R"(branch_id: "b-1", name: "石园")", 1);
    Post(port, "ev-elder", "MemberRegistered",
         R"(member_id: "e-zhen", kind: elder, branch_id: "b-1", name: ")" + kHers[0] +
             R"(", phone: ")" + kHers[1] + R"(", birth_year: 1938, lives_alone: true)",
         1);
    Post(port, "ev-volunteer", "MemberRegistered",
         R"(member_id: "v-jia", kind: volunteer, branch_id: "b-1", name: ")" + kHis[0] +
             R"(", phone: ")" + kHis[1] + R"(", skills: ["理发"])",
         1);
    Post(port, "ev-visit", "ServiceLogged",
         R"(service_id: "s-1", volunteer_id: "v-jia", elder_id: "e-zhen", kind: home_visit,
            minutes: 90, place: ")" +
             kHers[2] + R"(", content: ")" + kHers[3] + R"(")",
         2);
    Post(port, "ev-verified", "ServiceVerified", R"(service_id: "s-1", confirmed_by: "e-zhen")", 2);
    Post(port, "ev-partner", "PartnerRegistered",
         R"(partner_id: "p-1", name: "石园便民超市", kind: merchant)", 3);
    Post(port, "ev-fund", "FundOpened", R"(fund_id: "f-1", name: "帮扶基金", branch_id: "b-1")", 3);
    Post(port, "ev-donation", "DonationReceived",
         R"(donation_id: "d-1", partner_id: "p-1", fund_id: "f-1", amount_fen: 50000, kind: cash)",
         3);
    WaitForRelay(port);
    before = Read(port, "/v1/members/e-zhen");
    EXPECT_EQ(before.at("name").as_string(), kHers[0]);
    EXPECT_EQ(Read(port, "/v1/members/v-jia").at("verified_minutes").as_int64(), 90);
    // While it runs, before any flush: the WAL files hold the events as written.
    for (const std::string& needle : kHers) EXPECT_EQ(FilesHolding(data_, needle), "") << needle;
    ASSERT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  SearchEverywhere("before", /*hers_kept=*/true);

  {
    auto ledgerd = Start(data_);
    const uint16_t port = ledgerd->Port();
    ASSERT_NE(port, 0) << ledgerd->RestOfOutput();
    HttpClient client(port);
    auto erased =
        client.Request("POST", "/v1/members/e-zhen/erasure", R"({"reason":"本人申请"})", kKey);
    ASSERT_TRUE(erased && erased->status == 200) << (erased ? erased->body : "no reply");
    const uint64_t head = WaitForRelay(port);
    const json::object after = Read(port, "/v1/members/e-zhen");
    EXPECT_EQ(after.at("personal_data_erased").as_bool(), true);
    EXPECT_FALSE(after.contains("name"));
    EXPECT_FALSE(after.contains("phone"));
    for (const char* figure : kFigures) EXPECT_EQ(after.at(figure), before.at(figure)) << figure;

    // A replica following the topic: her read without personal fields, the same figures.
    auto replica = Start(dir_.path() + "/replica",
                         {"--replica", "--primary", "http://127.0.0.1:" + std::to_string(port)});
    const uint16_t replica_port = replica->Port();
    ASSERT_NE(replica_port, 0) << replica->RestOfOutput();
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (Read(replica_port, "/v1/audit/head").at("next").to_number<uint64_t>() < head &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string target = "/v1/members/e-zhen?min_position=" + std::to_string(head - 1);
    const json::object replicated = Read(replica_port, target);
    for (const char* field : {"name", "phone", "birth_year", "lives_alone", "gender", "skills"}) {
      EXPECT_FALSE(replicated.contains(field)) << field;
    }
    for (const char* figure : kFigures) {
      EXPECT_EQ(replicated.at(figure), before.at(figure)) << figure;
    }
    ASSERT_EQ(replica->Stop(SIGTERM), 0);
    ASSERT_EQ(ledgerd->Stop(SIGTERM), 0);
  }
  SearchEverywhere("after", /*hers_kept=*/false);
}

}  // namespace
}  // namespace ledger::api
