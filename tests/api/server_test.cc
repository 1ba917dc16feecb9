// The server over real sockets on 127.0.0.1: the success path through HTTP, bad input of every
// kind answered with its status and code while the log head stays where it was, read
// deadlines, keep-alive and pipelining, other clients served while one misbehaves, and a
// graceful shutdown that answers the request in progress.
#include "api/server.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <future>
#include <thread>

#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::api {
namespace {
namespace json = boost::json;
using testing::ApiFixture;
using testing::HttpClient;
using testing::HttpReply;
using testing::JsonOf;
using testing::kTestAdminKey;

constexpr auto kReadTimeout = std::chrono::milliseconds(400);

std::string Code(const HttpReply& reply) {
  json::value body = JsonOf(reply.body);
  return body.is_object() && body.as_object().contains("code")
             ? std::string(body.at("code").as_string())
             : "";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.read_timeout = kReadTimeout;
    options.io_threads = 2;
    port_ = api_.StartServer(options);
  }

  std::string Branch(std::string_view id) {
    return ApiFixture::EventJson(std::string("ev-") + std::string(id), "BranchOpened",
                                 "branch_id: \"" + std::string(id) + "\", name: \"石园街道\"",
                                 testing::BeijingUs(2026, 10, 1));
  }

  ApiFixture api_;
  uint16_t port_ = 0;
};

// Writes and reads through HTTP: 201, the replay 200, read-your-writes with min_position.
TEST_F(ServerTest, AppendAndReadYourWritesOverHttp) {
  HttpClient client(port_);
  auto created = client.Request("POST", "/v1/events", Branch("b1"), kTestAdminKey);
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->headers["content-type"], "application/json");
  const int64_t position = JsonOf(created->body).at("position").to_number<int64_t>();
  auto replay = client.Request("POST", "/v1/events", Branch("b1"), kTestAdminKey);
  EXPECT_EQ(replay->status, 200);
  EXPECT_EQ(replay->body, created->body);
  auto report = client.Request(
      "GET",
      "/v1/reports/monthly?branch_id=b1&month=2026-10&min_position=" + std::to_string(position), "",
      kTestAdminKey);
  EXPECT_EQ(report->status, 200) << report->body;
  auto unauthenticated = client.Request("GET", "/v1/funds/f", "", "");
  EXPECT_EQ(unauthenticated->status, 401);
  EXPECT_EQ(unauthenticated->headers["www-authenticate"], "Bearer");
  EXPECT_EQ(unauthenticated->headers["content-type"], "application/problem+json");
  auto batch =
      client.Request("POST", "/v1/events/batch",
                     R"({"events":[)" + Branch("b2") + "," + Branch("b3") + "]}", kTestAdminKey);
  EXPECT_EQ(batch->status, 201);
  EXPECT_EQ(api_.head().next.value, 3u);
}

struct BadRequest {
  const char* what;
  std::string bytes;  // the whole request as sent
  int status;
  const char* code;
};

// Every kind of bad input is answered with its status and code, and the log does not move.
TEST_F(ServerTest, BadInputChangesNothing) {
  ASSERT_EQ(HttpClient(port_).Request("POST", "/v1/events", Branch("b0"), kTestAdminKey)->status,
            201);
  auto post = [](std::string body, std::string content_type = "application/json") {
    return HttpClient::Format("POST", "/v1/events", body, kTestAdminKey, content_type);
  };
  const std::string valid = Branch("b1");
  std::string invalid_utf8 = valid;
  invalid_utf8.replace(invalid_utf8.find("石"), 3, "\xC3\x28\xA0");
  const std::vector<BadRequest> rows = {
      {"malformed JSON", post(R"({"id":"x",)"), 400, "invalid_json"},
      {"invalid UTF-8", post(invalid_utf8), 400, "invalid_json"},
      {"wrong type",
       post(R"({"id":7,"type":"BranchOpened","occurred_at":"2026-10-01T09:00:00Z","data":{}})"),
       400, "invalid_field"},
      {"unknown field",
       post(
           R"({"id":"x","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00Z","data":{"branch_id":"b9","name":"n","colour":"red"}})"),
       400, "invalid_field"},
      {"huge number",
       post(
           R"({"id":"x","type":"DonationReceived","occurred_at":"2026-10-01T09:00:00Z","data":{"donation_id":"d","partner_id":"p","fund_id":"f","amount_fen":18446744073709551616,"kind":"cash"}})"),
       400, "invalid_field"},
      {"unknown type",
       post(R"({"id":"x","type":"Nope","occurred_at":"2026-10-01T09:00:00Z","data":{}})"), 400,
       "unknown_type"},
      {"wrong content type", post(valid, "text/plain"), 415, "unsupported_media_type"},
      {"no content type", post(valid, ""), 415, "unsupported_media_type"},
      {"oversize body (declared)",
       "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           std::string(kTestAdminKey) +
           "\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
       413, "too_large"},
      {"oversize header",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'a') + "\r\n\r\n",
       431, "header_too_large"},
      {"garbage request line", "NOT HTTP AT ALL\r\n\r\n", 400, "invalid_request"},
      {"duplicate in batch with other content",
       HttpClient::Format(
           "POST", "/v1/events/batch",
           R"({"events":[)" + valid + "," +
               ApiFixture::EventJson("ev-b1", "BranchOpened", R"(branch_id: "b1", name: "别")", 0) +
               "]}",
           kTestAdminKey, "application/json"),
       409, "id_conflict"},
  };
  const Head before = api_.head();
  for (const BadRequest& row : rows) {
    HttpClient client(port_);
    ASSERT_TRUE(client.Send(row.bytes)) << row.what;
    auto reply = client.Read();
    ASSERT_TRUE(reply.has_value()) << row.what;
    EXPECT_EQ(reply->status, row.status) << row.what << ": " << reply->body;
    EXPECT_EQ(Code(*reply), row.code) << row.what;
    EXPECT_EQ(api_.head(), before) << row.what;
  }
}

// A request cut short, or one that trickles in past the read deadline, changes nothing.
TEST_F(ServerTest, TruncatedAndSlowRequestsChangeNothing) {
  const Head before = api_.head();
  const std::string request =
      HttpClient::Format("POST", "/v1/events", Branch("b1"), kTestAdminKey, "application/json");
  {
    HttpClient truncated(port_);
    ASSERT_TRUE(truncated.Send(request.substr(0, request.size() - 10)));
    truncated.ShutdownWrite();
    auto reply = truncated.Read();
    if (reply) {
      EXPECT_EQ(reply->status, 400);
      EXPECT_EQ(Code(*reply), "invalid_request");
    }
    EXPECT_TRUE(truncated.WaitClosed(std::chrono::seconds(5)));
  }
  {
    HttpClient slow(port_);
    ASSERT_TRUE(slow.Send(request.substr(0, request.size() - 10)));  // and then nothing
    auto reply = slow.Read(std::chrono::seconds(5));
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 408);
    EXPECT_EQ(Code(*reply), "request_timeout");
    EXPECT_TRUE(slow.WaitClosed(std::chrono::seconds(5)));
  }
  {
    HttpClient trickle(port_);  // a byte at a time, each within the deadline, all beyond it
    const auto started = std::chrono::steady_clock::now();
    bool answered = false;
    for (char c : request) {
      if (!trickle.Send(std::string(1, c))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (std::chrono::steady_clock::now() - started > 4 * kReadTimeout) break;
    }
    auto reply = trickle.Read(std::chrono::seconds(2));
    answered = reply.has_value() && reply->status == 408;
    EXPECT_TRUE(answered || trickle.WaitClosed(std::chrono::seconds(2)));
  }
  EXPECT_EQ(api_.head(), before);
}

// Keep-alive serves many requests on one connection; pipelined requests come back in order;
// an idle connection is closed after the read deadline.
TEST_F(ServerTest, KeepAlivePipeliningAndIdleClose) {
  HttpClient client(port_);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client.Request("GET", "/healthz")->status, 200);
  const std::string pipelined =
      HttpClient::Format("POST", "/v1/events", Branch("b1"), kTestAdminKey, "application/json") +
      HttpClient::Format("GET", "/v1/reports/monthly?branch_id=b1&month=2026-10&min_position=0", "",
                         kTestAdminKey, "") +
      HttpClient::Format("GET", "/v1/nothing", "", "", "");
  ASSERT_TRUE(client.Send(pipelined));
  EXPECT_EQ(client.Read()->status, 201);
  EXPECT_EQ(client.Read()->status, 200);
  EXPECT_EQ(client.Read()->status, 404);
  EXPECT_TRUE(client.WaitClosed(10 * kReadTimeout));
}

// curl sends larger bodies after "100 Continue".
TEST_F(ServerTest, ExpectContinueIsAnswered) {
  HttpClient client(port_);
  const std::string body = Branch("b1");
  ASSERT_TRUE(client.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          std::string(kTestAdminKey) +
                          "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = client.Read(std::chrono::seconds(2));
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send(body));
  EXPECT_EQ(client.Read()->status, 201);
}

// While one client stalls mid-request and another floods garbage, others are served at once.
TEST_F(ServerTest, ServesOthersWhileOneClientMisbehaves) {
  HttpClient stalled(port_);
  ASSERT_TRUE(stalled.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 50; ++i) idle.push_back(std::make_unique<HttpClient>(port_));
  std::atomic<bool> stop{false};
  std::thread garbage([&] {
    while (!stop) {
      HttpClient bad(port_);
      bad.Send(std::string(4096, '\x01'));
      bad.WaitClosed(std::chrono::milliseconds(200));
    }
  });
  HttpClient good(port_);
  for (int i = 0; i < 30; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto reply = good.Request("POST", "/v1/events", Branch("b" + std::to_string(i)), kTestAdminKey);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 201);
    EXPECT_LT(std::chrono::steady_clock::now() - started, kReadTimeout);
  }
  stop = true;
  garbage.join();
  EXPECT_EQ(api_.head().next.value, 30u);
}

// Shutdown closes idle connections, answers the request in progress, then stops.
TEST_F(ServerTest, ShutdownAnswersTheRequestInProgress) {
  HttpClient idle(port_);
  EXPECT_EQ(idle.Request("GET", "/healthz")->status, 200);
  HttpClient waiting(port_);
  // A read of position 0 before anything is written: it waits for the projection.
  ASSERT_TRUE(waiting.Send(
      HttpClient::Format("GET", "/v1/reports/monthly?branch_id=b1&month=2026-10&min_position=0", "",
                         kTestAdminKey, "")));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto shutdown = std::async(std::launch::async, [&] { api_.server().Shutdown(); });
  EXPECT_TRUE(idle.WaitClosed(std::chrono::seconds(2)));
  EXPECT_EQ(shutdown.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  EXPECT_EQ(api_.Call("POST", "/v1/events", Branch("b1")).status, 201);
  auto reply = waiting.Read(std::chrono::seconds(5));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_EQ(shutdown.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(waiting.WaitClosed(std::chrono::seconds(2)));
}

}  // namespace
}  // namespace ledger::api
