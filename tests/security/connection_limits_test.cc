// Threat: one client locks everyone out by holding every connection the server allows. Besides
// the global cap, each client address may hold at most connections_per_client_max; connections
// over it are closed at once and counted in /metrics, and other addresses are still served.
// Client addresses are told apart by binding the client socket to 127.0.0.2 (any address of
// 127.0.0.0/8 is local on Linux) or 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/server.h"
#include "tests/api/api_fixture.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::HttpClient;
using testing::kTestAdminKey;

constexpr size_t kConnectionsMax = 6;
constexpr size_t kConnectionsPerClientMax = 4;

// A TCP connection to 127.0.0.1:port from `source` (an address of 127.0.0.0/8).
class Connection {
 public:
  Connection(const char* source, uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The status of GET /healthz on this connection, or 0 when the server closed it unanswered.
  int Healthz() {
    constexpr std::string_view kRequest = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (!connected_ || ::send(fd_, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) !=
                           static_cast<ssize_t>(kRequest.size())) {
      return 0;
    }
    std::string reply;
    while (reply.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return 0;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return 0;
      reply.append(buffer, static_cast<size_t>(n));
    }
    return std::atoi(reply.c_str() + 9);
  }

 private:
  int fd_;
  bool connected_ = false;
};

// One address opens more connections than the server allows in all; it gets its own share and
// no more, and a client at another address is still served.
TEST(ConnectionLimitsTest, OneAddressCannotTakeEveryConnection) {
  ApiFixture api;
  ServerOptions options;
  options.connections_max = kConnectionsMax;
  options.connections_per_client_max = kConnectionsPerClientMax;
  const uint16_t port = api.StartServer(options);

  std::vector<std::unique_ptr<Connection>> flood;
  size_t served = 0;
  for (size_t i = 0; i < kConnectionsMax + 2; ++i) {
    flood.push_back(std::make_unique<Connection>("127.0.0.2", port));
    // Each is answered or closed before the next one connects.
    if (flood.back()->Healthz() == 200) ++served;
  }
  EXPECT_EQ(served, kConnectionsPerClientMax);

  Connection other("127.0.0.1", port);
  EXPECT_EQ(other.Healthz(), 200);

  HttpClient admin(port);
  auto metrics = admin.Request("GET", "/metrics", "", kTestAdminKey);
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("ledger_http_connections_refused_total{limit=\"connections_per_"
                               "client_max\"} " +
                               std::to_string(kConnectionsMax + 2 - kConnectionsPerClientMax)),
            std::string::npos)
      << metrics->body;
}

// A connection given back makes room for the same address again.
TEST(ConnectionLimitsTest, ClosedConnectionsFreeTheirAddressShare) {
  ApiFixture api;
  ServerOptions options;
  options.connections_per_client_max = 1;
  const uint16_t port = api.StartServer(options);
  {
    Connection first("127.0.0.2", port);
    ASSERT_EQ(first.Healthz(), 200);
    Connection second("127.0.0.2", port);
    EXPECT_EQ(second.Healthz(), 0);
  }
  // The server notices the close asynchronously: retry until it has.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    status = Connection("127.0.0.2", port).Healthz();
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace ledger::api
