// Instants outside years 0001-9999 (as written, and in Beijing time) are refused on input, and
// every instant the API writes is one it reads back (api/rfc3339): no event can hold a time the
// server itself would refuse.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "api/rfc3339.h"
#include "tests/api/api_fixture.h"

namespace ledger::api {
namespace {

using testing::ApiFixture;
using testing::HttpClient;
using testing::JsonOf;
using testing::kTestAdminKey;

// The first and last instants of the range parse, and format to text that parses back.
TEST(InstantRangeTest, EdgesRoundTrip) {
  EXPECT_EQ(ParseInstant("0001-01-02T00:00:00+08:00"), kInstantMinUs);
  EXPECT_EQ(ParseInstant("9999-12-29T23:59:59.999999+08:00"), kInstantMaxUs);
  EXPECT_EQ(ParseInstant("9999-12-29T15:59:59.999999Z"), kInstantMaxUs);
  for (int64_t us :
       {kInstantMinUs, kInstantMinUs + 1, kInstantMaxUs - int64_t{8} * 3600 * 1'000'000,
        kInstantMaxUs - int64_t{8} * 3600 * 1'000'000 + 1, kInstantMaxUs - 1, kInstantMaxUs,
        int64_t{0}}) {
    const std::string text = FormatInstant(us);
    EXPECT_EQ(ParseInstant(text), us) << us << " formats as " << text;
  }
  EXPECT_EQ(FormatInstant(kInstantMinUs), "0001-01-02T00:00:00+08:00");
  EXPECT_EQ(FormatInstant(kInstantMaxUs), "9999-12-29T23:59:59.999999+08:00");
}

// Years 0000 and 10000, negative years, and local times whose UTC instant is outside the range
// are refused; so is the date 0000-01-01.
TEST(InstantRangeTest, OutsideYearsAreRefused) {
  for (const char* text :
       {"10000-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z", "-001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
        "0001-01-01T07:59:59+08:00", "9999-12-31T23:59:59-00:01", "9999-12-31T20:00:00-23:59",
        "0001-01-01T00:00:00+00:01", "0001-01-01T12:00:00Z", "9999-12-30T00:00:00+08:00",
        "0001-01-02T00:00:00+09:00", "9999-12-29T23:59:59-00:01"}) {
    EXPECT_EQ(ParseInstant(text), std::nullopt) << text;
  }
  EXPECT_FALSE(IsDate("0000-01-01"));
  EXPECT_TRUE(IsDate("0001-01-01"));
  EXPECT_TRUE(IsDate("9999-12-31"));
}

// Values outside the range (stored before the parser refused them, or from outside) format as
// the nearest bound, which parses: never text the API would refuse.
TEST(InstantRangeTest, FormatterNeverWritesWhatTheParserRefuses) {
  for (int64_t us : {std::numeric_limits<int64_t>::min(), kInstantMinUs - 1,
                     int64_t{-62'167'219'200'000'000} /* 0000-01-01T00:00:00Z */, kInstantMaxUs + 1,
                     std::numeric_limits<int64_t>::max()}) {
    const std::string text = FormatInstant(us);
    ASSERT_TRUE(ParseInstant(text).has_value()) << us << " formats as " << text;
    EXPECT_EQ(*ParseInstant(text), us < 0 ? kInstantMinUs : kInstantMaxUs) << text;
  }
}

class InstantRangeHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { port_ = api_.StartServer(); }

  // POSTs `body` to `path`; expects 400 invalid_field at `field` and an unmoved head.
  void ExpectRefused(const std::string& path, const std::string& body, const std::string& field) {
    const Head before = api_.head();
    HttpClient client(port_);
    auto reply = client.Request("POST", path, body, kTestAdminKey);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 400) << body << " -> " << reply->body;
    const boost::json::value problem = JsonOf(reply->body);
    ASSERT_TRUE(problem.is_object()) << reply->body;
    EXPECT_EQ(problem.at("code"), "invalid_field") << reply->body;
    EXPECT_EQ(problem.at("field").as_string(), field) << reply->body;
    EXPECT_EQ(api_.head(), before);
  }

  static std::string Service(const std::string& occurred_at, const std::string& started_at) {
    return R"({"id":"svc-1-log","type":"ServiceLogged","occurred_at":")" + occurred_at +
           R"(","data":{"service_id":"svc-1","volunteer_id":"v-1","kind":"home_visit",)"
           R"("started_at":")" +
           started_at + R"(","minutes":90}})";
  }

  ApiFixture api_;
  uint16_t port_ = 0;
};

// occurred_at and an instant inside data (started_at), alone and in a batch, outside the range:
// 400 invalid_field naming the field, nothing appended.
TEST_F(InstantRangeHttpTest, EventsWithInstantsOutsideTheRangeAppendNothing) {
  const std::string ok = "2026-10-03T09:30:00+08:00";
  ExpectRefused("/v1/events", Service("0000-12-31T23:00:00Z", ok), "/occurred_at");
  ExpectRefused("/v1/events", Service("0001-01-01T07:00:00+08:00", ok), "/occurred_at");
  ExpectRefused("/v1/events", Service(ok, "0000-06-01T00:00:00Z"), "/data/started_at");
  ExpectRefused("/v1/events", Service(ok, "9999-12-31T23:59:59-01:00"), "/data/started_at");
  ExpectRefused("/v1/events/batch", R"({"events":[)" + Service(ok, "0000-06-01T00:00:00Z") + "]}",
                "/events/0/data/started_at");
}

}  // namespace
}  // namespace ledger::api
