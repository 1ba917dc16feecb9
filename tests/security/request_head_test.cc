// Threats in the request head: an HTTP/1.1 request without a Host (or with two) is malformed
// (RFC 9112 §3.2) and is refused, not served; a key holding a control character is a bad key
// like any other (401), not a parse error that tells a prober something different.
#include <gtest/gtest.h>

#include <string>

#include "api/server.h"
#include "tests/api/api_fixture.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::HttpClient;
using testing::JsonOf;

class RequestHeadTest : public ::testing::Test {
 protected:
  // Sends `request` on a new connection and returns its answer's status and code.
  std::pair<int, std::string> Answer(const std::string& request) {
    HttpClient client(port_);
    EXPECT_TRUE(client.Send(request));
    auto reply = client.Read();
    if (!reply) return {0, ""};
    auto body = JsonOf(reply->body);
    const bool problem = body.is_object() && body.as_object().contains("code");
    if (reply->status == 401) {
      EXPECT_EQ(reply->headers["www-authenticate"], "Bearer");
    }
    return {reply->status, problem ? std::string(body.at("code").as_string()) : ""};
  }

  ApiFixture api_;
  uint16_t port_ = api_.StartServer();
};

// HTTP/1.1 needs exactly one Host header; HTTP/1.0 may go without.
TEST_F(RequestHeadTest, Http11RequestWithoutOneHostIsRefused) {
  EXPECT_EQ(Answer("GET /healthz HTTP/1.1\r\n\r\n"),
            std::make_pair(400, std::string("invalid_request")));
  EXPECT_EQ(Answer("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            std::make_pair(400, std::string("invalid_request")));
  EXPECT_EQ(Answer("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").first, 200);
  EXPECT_EQ(Answer("GET /healthz HTTP/1.0\r\n\r\n").first, 200);
}

// A NUL or any other control character in the Bearer key answers 401 unauthenticated, like a
// wrong key, on a route that needs one.
TEST_F(RequestHeadTest, ControlCharacterInBearerKeyIsUnauthenticated) {
  for (char control : {'\0', '\x01', '\x1f', '\x7f'}) {
    std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ";
    request += std::string(testing::kTestAdminKey.substr(0, 4)) + control +
               std::string(testing::kTestAdminKey.substr(4)) + "\r\n\r\n";
    EXPECT_EQ(Answer(request), std::make_pair(401, std::string("unauthenticated")))
        << "control character " << static_cast<int>(control);
  }
  // The same key without it is accepted; other fields with control characters stay malformed.
  EXPECT_EQ(Answer("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   std::string(testing::kTestAdminKey) + "\r\n\r\n")
                .first,
            200);
  EXPECT_EQ(
      Answer(std::string("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\0b\r\n\r\n", 55)),
      std::make_pair(400, std::string("invalid_request")));
}

}  // namespace
}  // namespace ledger::api
