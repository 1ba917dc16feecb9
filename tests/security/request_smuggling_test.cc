// Threat: request smuggling. A body framed in a way this server reads differently from a proxy
// in front of it (a Transfer-Encoding other than chunked read as an empty body, or both
// Transfer-Encoding and Content-Length) lets the body's bytes be taken as a second request,
// which then runs with whatever the first connection's peer chose. Such requests are answered
// 400 and the connection closed (RFC 9112 §6.1, §6.3), before anything in them runs.
#include <gtest/gtest.h>

#include <string>

#include "api/server.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::HttpClient;
using testing::JsonOf;
using testing::kTestAdminKey;

std::string BranchEvent(std::string_view id) {
  return ApiFixture::EventJson("ev-" + std::string(id), "BranchOpened",
                               "branch_id: \"" + std::string(id) + "\", name: \"石园街道\"",
                               testing::BeijingUs(2026, 10, 1));
}

// `body` in one chunk, then the last chunk.
std::string Chunked(std::string_view body) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  return size + std::string(body) + "\r\n0\r\n\r\n";
}

// The smuggled request: an authenticated append that must never run.
std::string Smuggled() {
  return HttpClient::Format("POST", "/v1/events", BranchEvent("smuggled"), kTestAdminKey,
                            "application/json");
}

struct Framing {
  std::string name;
  std::string headers;  // framing header lines, each ending in CRLF
  std::string body;     // what follows the head
};

void PrintTo(const Framing& framing, std::ostream* out) { *out << framing.name; }

class RequestSmugglingTest : public ::testing::TestWithParam<Framing> {
 protected:
  ApiFixture api_;
};

// The request is answered 400 problem+json, the connection closes, and neither the request nor
// the one smuggled behind it is executed: the log stays empty.
TEST_P(RequestSmugglingTest, AmbiguousFramingIsRefusedAndNothingBehindItRuns) {
  const Framing& framing = GetParam();
  HttpClient client(api_.StartServer());
  const std::string head = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                           std::string(kTestAdminKey) + "\r\nContent-Type: application/json\r\n" +
                           framing.headers + "\r\n";
  ASSERT_TRUE(client.Send(head + framing.body));
  auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 400) << reply->body;
  EXPECT_EQ(reply->headers["content-type"], "application/problem+json");
  EXPECT_EQ(JsonOf(reply->body).at("code").as_string(), "invalid_request");
  EXPECT_EQ(reply->headers["connection"], "close");
  // No second answer: the connection ends.
  EXPECT_FALSE(client.Read(std::chrono::milliseconds(300)).has_value());
  EXPECT_TRUE(client.WaitClosed(std::chrono::seconds(2)));
  EXPECT_EQ(api_.head().next.value, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Framings, RequestSmugglingTest,
    ::testing::Values(
        Framing{"gzip", "Transfer-Encoding: gzip\r\n", Smuggled()},
        Framing{"identity", "Transfer-Encoding: identity\r\n", Smuggled()},
        Framing{"chunked_then_identity", "Transfer-Encoding: chunked, identity\r\n", Smuggled()},
        Framing{"gzip_then_chunked", "Transfer-Encoding: gzip, chunked\r\n",
                Chunked(BranchEvent("gzipped")) + Smuggled()},
        Framing{"chunked_twice", "Transfer-Encoding: chunked, chunked\r\n",
                Chunked(BranchEvent("twice")) + Smuggled()},
        Framing{"two_fields", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                Chunked(BranchEvent("two")) + Smuggled()},
        Framing{"gzip_and_content_length", "Transfer-Encoding: gzip\r\nContent-Length: 0\r\n",
                Smuggled()},
        Framing{"chunked_and_content_length", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                Chunked(BranchEvent("both")) + Smuggled()},
        Framing{"content_length_and_chunked", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                Chunked(BranchEvent("both")) + Smuggled()}),
    [](const auto& info) { return info.param.name; });

// Plain chunked bodies, the one transfer coding there is, still work (the coding's name is
// case-insensitive).
TEST(RequestSmugglingChunkedTest, ChunkedBodyIsStillAccepted) {
  ApiFixture api;
  HttpClient client(api.StartServer());
  for (std::string_view coding : {"chunked", "Chunked"}) {
    const std::string id = "b-" + std::string(coding);
    const std::string request =
        "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer " +
        std::string(kTestAdminKey) +
        "\r\nContent-Type: application/json\r\nTransfer-Encoding: " + std::string(coding) +
        "\r\n\r\n" + Chunked(BranchEvent(id));
    ASSERT_TRUE(client.Send(request));
    auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 201) << reply->body;
  }
  EXPECT_EQ(api.head().next.value, 2u);
}

}  // namespace
}  // namespace ledger::api
