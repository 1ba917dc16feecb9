// A JSON object with the same key twice is refused, at any depth, in every body the API parses
// (400 invalid_json, nothing appended) and in export lines: parsers disagree on which value
// wins, so the ledger must not pick one silently (api/encoding: ParseStrictJson).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <string>

#include "api/encoding.h"
#include "tests/api/api_fixture.h"
#include "tools/ledger_export.h"

namespace ledger::api {
namespace {

using testing::ApiFixture;
using testing::HttpClient;
using testing::JsonOf;
using testing::kTestAdminKey;

// Duplicates are found at every level, also when escapes spell the same key; the same key in
// different objects is fine.
TEST(DuplicateJsonKeysTest, StrictParserRefusesAKeyTwiceInOneObject) {
  std::string error;
  for (const char* text : {R"({"a":1,"a":1})", R"({"a":1,"b":2,"a":3})", R"({"x":{"a":1,"a":2}})",
                           R"([{"a":1},{"b":{"c":[{"d":1,"d":1}]}}])", R"({"a":1,"\u0061":2})",
                           R"({"events":[],"events":[{}]})"}) {
    error.clear();
    EXPECT_FALSE(ParseStrictJson(text, 32, &error).has_value()) << text;
    EXPECT_NE(error.find("twice"), std::string::npos) << text << ": " << error;
  }
  for (const char* text : {R"({"a":{"a":{"a":1}}})", R"([{"a":1},{"a":2}])", R"({"a":1,"A":2})",
                           R"({"a":{"b":1},"b":{"a":1}})"}) {
    EXPECT_TRUE(ParseStrictJson(text, 32, &error).has_value()) << text << ": " << error;
  }
  // Still an ordinary parser otherwise: depth, syntax, trailing bytes.
  EXPECT_FALSE(ParseStrictJson("[[[[1]]]]", 3, &error).has_value());
  EXPECT_FALSE(ParseStrictJson(R"({"a":1} x)", 32, &error).has_value());
  EXPECT_FALSE(ParseStrictJson(R"({"a":1,})", 32, &error).has_value());
  EXPECT_EQ(ParseStrictJson(R"( {"a":[1,"2",null,true,1.5]} )", 32, &error),
            boost::json::parse(R"({"a":[1,"2",null,true,1.5]})"));
}

// Objects of every size around the parser's switch from comparing keys one by one to a hash set
// (api/encoding.cc, kLinearKeysMax): distinct keys pass, and a key repeated anywhere, before or
// after the switch, is refused by name; an inner object's keys never clash with its outer
// object's, whether either has switched, and an outer key after a closed inner object is still
// checked against the outer keys before it.
TEST(DuplicateJsonKeysTest, EveryObjectSizeAroundTheSetSwitch) {
  auto object = [](int keys, int repeat_at, const std::string& inner = "") {
    std::string text = "{";
    for (int k = 0; k < keys; ++k) {
      if (k > 0) text += ",";
      text += "\"k" + std::to_string(k) + "\":" + (k == keys / 2 && !inner.empty() ? inner : "1");
    }
    if (repeat_at >= 0) text += ",\"k" + std::to_string(repeat_at) + "\":2";
    return text + "}";
  };
  std::string error;
  for (int keys : {1, 2, 14, 15, 16, 17, 40}) {
    EXPECT_TRUE(ParseStrictJson(object(keys, -1), 32, &error).has_value()) << keys << error;
    for (int repeat_at : {0, keys / 2, keys - 1}) {
      error.clear();
      EXPECT_FALSE(ParseStrictJson(object(keys, repeat_at), 32, &error).has_value())
          << keys << " " << repeat_at;
      EXPECT_NE(error.find("the key 'k" + std::to_string(repeat_at) + "' twice"), std::string::npos)
          << keys << " " << repeat_at << ": " << error;
    }
    for (int inner_keys : {3, 15, 16, 30}) {
      // The inner object repeats the outer keys (allowed), the outer then repeats one of its own.
      const std::string inner = object(inner_keys, -1);
      EXPECT_TRUE(ParseStrictJson(object(keys, -1, inner), 32, &error).has_value())
          << keys << " " << inner_keys << ": " << error;
      EXPECT_TRUE(
          ParseStrictJson("[" + object(keys, -1, inner) + "," + object(keys, -1, inner) + "]", 32,
                          &error)
              .has_value())
          << keys << " " << inner_keys << ": " << error;
      error.clear();
      EXPECT_FALSE(ParseStrictJson(object(keys, 0, inner), 32, &error).has_value())
          << keys << " " << inner_keys;
      EXPECT_NE(error.find("the key 'k0' twice"), std::string::npos) << error;
      error.clear();
      EXPECT_FALSE(ParseStrictJson(object(keys, -1, object(inner_keys, inner_keys - 1)), 32, &error)
                       .has_value())
          << keys << " " << inner_keys;
      EXPECT_NE(error.find("the key 'k" + std::to_string(inner_keys - 1) + "' twice"),
                std::string::npos)
          << error;
    }
  }
  // The value is the one an ordinary parse gives.
  EXPECT_EQ(ParseStrictJson(object(40, -1, object(20, -1)), 32, &error),
            boost::json::parse(object(40, -1, object(20, -1))));
}

class DuplicateJsonKeysHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { port_ = api_.StartServer(); }

  // POSTs `body` to `path` (with `key`); expects 400 invalid_json and an unmoved head.
  void ExpectInvalidJson(const std::string& path, const std::string& body,
                         std::string_view key = kTestAdminKey) {
    const Head before = api_.head();
    HttpClient client(port_);
    auto reply = client.Request("POST", path, body, key);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 400) << body << " -> " << reply->body;
    const boost::json::value problem = JsonOf(reply->body);
    ASSERT_TRUE(problem.is_object()) << reply->body;
    EXPECT_EQ(problem.at("code"), "invalid_json") << body << " -> " << reply->body;
    EXPECT_EQ(api_.head(), before);
  }

  ApiFixture api_;
  uint16_t port_ = 0;
};

// A key twice at the top, in data, in a batch's event and in the batch object itself, and in the
// bodies of the attestation endpoints and of POST /v1/keys: 400 invalid_json, nothing appended.
TEST_F(DuplicateJsonKeysHttpTest, BodiesWithAKeyTwiceChangeNothing) {
  const std::string branch = R"({"id":"b-1","type":"BranchOpened",)"
                             R"("occurred_at":"2026-10-01T09:00:00+08:00",)"
                             R"("data":{"branch_id":"b-1","name":"石园街道"}})";
  ExpectInvalidJson("/v1/events", R"({"id":"b-1","id":"b-2","type":"BranchOpened",)"
                                  R"("occurred_at":"2026-10-01T09:00:00+08:00",)"
                                  R"("data":{"branch_id":"b-1","name":"石园街道"}})");
  ExpectInvalidJson("/v1/events", R"({"id":"b-1","type":"BranchOpened",)"
                                  R"("occurred_at":"2026-10-01T09:00:00+08:00",)"
                                  R"("data":{"branch_id":"b-1","name":"甲","name":"乙"}})");
  ExpectInvalidJson("/v1/events/batch",
                    R"({"events":[)" + branch +
                        R"(,{"id":"b-2","type":"BranchOpened",)"
                        R"("occurred_at":"2026-10-01T09:00:00+08:00",)"
                        R"("data":{"branch_id":"b-2","branch_id":"b-3","name":"乙"}}]})");
  ExpectInvalidJson("/v1/events/batch",
                    R"({"events":[)" + branch + R"(],"events":[)" + branch + "]}");
  ExpectInvalidJson("/v1/attestations/verify", R"({"token":"a.b","token":"c.d"})", "");
  ExpectInvalidJson("/v1/members/v-1/attestations", R"({"merchant_id":"m-1","merchant_id":"m-2",)"
                                                    R"("expires_at":"2026-12-01T00:00:00+08:00"})");
  ExpectInvalidJson("/v1/keys", R"({"role":"auditor","role":"admin"})");
  // The same event without the duplicate is taken: the refusals above were about the key.
  HttpClient client(port_);
  EXPECT_EQ(client.Request("POST", "/v1/events", branch, kTestAdminKey)->status, 201);
}

// An export line with a key twice is not read as either value (tools/ledger_export).
TEST(DuplicateJsonKeysTest, ExportLineWithAKeyTwiceIsCorrupt) {
  const std::string checkpoint = R"({"position":0,"hash":")" + std::string(64, '0') +
                                 R"(","recorded_at_us":1,"signature":")" + std::string(128, '0') +
                                 R"("})";
  std::istringstream single(R"({"checkpoint":)" + checkpoint + "}\n");
  EXPECT_TRUE(tools::ReadExport(single, [](const tools::ExportLine&) { return true; }).ok());
  std::istringstream twice(R"({"checkpoint":)" + checkpoint + R"(,"checkpoint":)" + checkpoint +
                           "}\n");
  Status status = tools::ReadExport(twice, [](const tools::ExportLine&) { return true; });
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("twice"), std::string::npos) << status.ToString();
}

// The export reader's fast path skips the hashes' hex digits before it looks for the next key: a
// line that ends (or is cut) inside them is refused as corrupt, never read past its end (the
// export_line fuzzer found `{"position":0,"prev_hash":"0000{…` throwing out_of_range).
TEST(DuplicateJsonKeysTest, ExportLineCutInsideItsHashesIsRefused) {
  const std::string line = R"({"position":0,"prev_hash":")" + std::string(64, '0') +
                           R"(","hash":")" + std::string(64, '0') + R"(","envelope":"AAAA"})";
  for (size_t length = 1; length < line.size(); ++length) {
    std::istringstream cut(line.substr(0, length) + "\n");
    Status status = tools::ReadExport(cut, [](const tools::ExportLine&) { return true; });
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << length << ": " << status.ToString();
  }
}

}  // namespace
}  // namespace ledger::api
