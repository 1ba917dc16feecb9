// Threat: keys and ledger data readable on the wire. ledgerd --tls-cert/--tls-key serves HTTPS
// and nothing else on its port: TLS 1.2 and newer only, even where the system's OpenSSL
// configuration would allow older versions; plain HTTP gets no answer; the read deadline holds
// for a client that never completes a handshake. The certificate is made at test time with the
// openssl command, and the clients are curl and openssl s_client.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/api/http_client.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/test_support.h"

namespace ledger {
namespace {
using testing::HttpClient;
using testing::Ledgerd;
using testing::TempDir;

// An OpenSSL configuration that allows TLS 1.0 and 1.1 (OpenSSL 3's defaults refuse them): given
// to ledgerd, it shows that ledgerd's own minimum refuses them; given to the client, it lets the
// client offer them.
constexpr std::string_view kPermissiveOpensslConf =
    "openssl_conf = init\n"
    "[init]\n"
    "ssl_conf = ssl\n"
    "[ssl]\n"
    "system_default = defaults\n"
    "[defaults]\n"
    "MinProtocol = TLSv1\n"
    "CipherString = DEFAULT:@SECLEVEL=0\n";

// Runs `command` through the shell; its exit status and, in `output`, what it printed.
int RunShell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::string text;
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string& dir = temp_.path();
    std::string output;
    ASSERT_EQ(RunShell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                       "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                           dir + "/key.pem -out " + dir + "/cert.pem",
                       &output),
              0)
        << output;
    std::ofstream(dir + "/openssl.cnf") << kPermissiveOpensslConf;
    ledgerd_ = std::make_unique<Ledgerd>(
        std::vector<std::string>{"--data", dir + "/data", "--listen", "127.0.0.1:0", "--tls-cert",
                                 dir + "/cert.pem", "--tls-key", dir + "/key.pem",
                                 "--read-timeout-ms", "500", "--log-requests", "off"},
        std::vector<std::string>{"OPENSSL_CONF=" + dir + "/openssl.cnf"});
    port_ = ledgerd_->Port();
    ASSERT_NE(port_, 0) << ledgerd_->RestOfOutput();
  }

  void TearDown() override {
    // A clean shutdown, TLS connections and all.
    if (ledgerd_) {
      EXPECT_EQ(ledgerd_->Stop(SIGTERM), 0);
    }
  }

  // openssl s_client limited to `version` ("-tls1_1", "-tls1_2"): its exit status (0: the
  // handshake succeeded).
  int Handshake(const std::string& version, std::string* output) {
    return RunShell("OPENSSL_CONF=" + temp_.path() + "/openssl.cnf openssl s_client -connect " +
                        "127.0.0.1:" + std::to_string(port_) + " " + version + " </dev/null",
                    output);
  }

  TempDir temp_;
  std::unique_ptr<Ledgerd> ledgerd_;
  uint16_t port_ = 0;
};

// A real TLS client gets 200 from /healthz over TLS 1.2 and over TLS 1.3.
TEST_F(TlsTest, HttpsRequestIsServed) {
  for (const char* version : {"--tlsv1.2 --tls-max 1.2", "--tlsv1.3"}) {
    std::string output;
    EXPECT_EQ(RunShell(std::string("curl -sk ") + version +
                           " -o /dev/null -w '%{http_code}' https://127.0.0.1:" +
                           std::to_string(port_) + "/healthz",
                       &output),
              0)
        << version;
    EXPECT_EQ(output, "200") << version;
  }
}

// A client that speaks only TLS 1.1 is refused, although the OpenSSL configuration ledgerd runs
// with would allow it; the same client speaking TLS 1.2 gets through.
TEST_F(TlsTest, Tls11ClientIsRefused) {
  std::string output;
  EXPECT_NE(Handshake("-tls1_1", &output), 0) << output;
  EXPECT_NE(output.find("alert protocol version"), std::string::npos) << output;
  EXPECT_EQ(Handshake("-tls1_2", &output), 0) << output;
}

// Plain HTTP to the TLS port gets no HTTP answer: the connection is closed.
TEST_F(TlsTest, PlainHttpToTlsPortGetsNoAnswer) {
  HttpClient client(port_);
  auto reply = client.Request("GET", "/healthz");
  EXPECT_FALSE(reply.has_value() && reply->status == 200);
  EXPECT_TRUE(client.WaitClosed(std::chrono::seconds(5)));
}

// A client that connects and never starts the handshake is closed at the read deadline.
TEST_F(TlsTest, SilentClientIsClosedAtTheReadDeadline) {
  HttpClient client(port_);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitClosed(std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ledger
