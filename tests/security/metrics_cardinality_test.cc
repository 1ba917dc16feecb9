// Threat: anyone, without a key, grows the server's memory through /metrics by sending requests
// whose method or path is new each time, if every new label value makes a new series.
#include <gtest/gtest.h>

#include <string>

#include "api/server.h"
#include "tests/api/api_fixture.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::HttpClient;
using testing::kTestAdminKey;

constexpr int kMadeUpRequests = 10'000;

// The exposition text with every sample's value blanked: what stays the same when only counts
// and sums move, so that its size measures the series, not the traffic.
std::string WithoutValues(const std::string& text) {
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    out += line.starts_with('#') ? line : line.substr(0, line.rfind(' '));
    out += '\n';
    at = end + 1;
  }
  return out;
}

// 10,000 requests with made-up methods and paths, sent without a key, leave /metrics as large
// as before them: unknown methods and unmatched routes are counted under "other".
TEST(MetricsCardinalityTest, MadeUpMethodsAndPathsDoNotGrowMetrics) {
  ApiFixture api;
  HttpClient client(api.StartServer());
  auto made_up = [&client](int i) {
    const std::string method = "X" + std::to_string(i);
    const std::string path = i % 2 == 0 ? "/healthz" : "/no/such/route/" + std::to_string(i);
    auto reply = client.Request(method, path);
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->status == 404 || reply->status == 405) << reply->status;
  };
  // Every series the flood could touch exists once before the baseline is taken.
  made_up(0);
  made_up(1);
  ASSERT_EQ(client.Request("GET", "/metrics", "", kTestAdminKey)->status, 200);
  const std::string before = client.Request("GET", "/metrics", "", kTestAdminKey)->body;

  for (int i = 2; i < kMadeUpRequests + 2; ++i) made_up(i);

  const std::string after = client.Request("GET", "/metrics", "", kTestAdminKey)->body;
  EXPECT_EQ(WithoutValues(after).size(), WithoutValues(before).size());
  EXPECT_EQ(WithoutValues(after), WithoutValues(before));
  // Only digits of counts and sums may have grown.
  EXPECT_LT(after.size(), before.size() + 200) << after;
  EXPECT_NE(after.find("method=\"other\""), std::string::npos) << after;
}

}  // namespace
}  // namespace ledger::api
