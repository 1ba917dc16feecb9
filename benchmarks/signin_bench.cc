// signin_bench: 1,000 concurrent sign-ins against a served ledger, and the reads meanwhile
// (issue #12: "the server keeps answering reads meanwhile; say the p99 of a GET during the
// burst"). It opens the demo ledger in a fresh directory exactly as `ledgerd --demo` does
// (ApiNode, LoadDemoLedger: one account per role, Argon2id-hashed through the real pool), serves
// it on 127.0.0.1 with the real Server (2 I/O threads, as ledgerd), and then:
//   1. baseline: one reader alone, GET /v1/members/v-wang with the admin key every 2 ms for
//      --baseline_seconds (3): its p50 / p99 / max;
//   2. burst: --clients (200) connections each sending --sign_ins_per_client (5) POST
//      /v1/sessions for the demo volunteer with her password, all at once (1,000 sign-ins),
//      while the same reader runs: the GETs' p50 / p99 / max during the burst, and the
//      sign-ins' answers (201, or 503 at once when the hashing queue is full) and latency;
//   3. comparable time: the median of --timing_tries (15) sign-ins with a wrong password for a
//      known login against the same for unknown logins (the first unknown one apart: it is
//      what a fresh process answers first).
// Every sign-in must be answered 201 or 503 and every GET 200; anything else is a failure
// (exit 1). Figures go to stdout and, with --json_out, to a JSON object.
//
// Usage: build/release/benchmarks/signin_bench [--clients=200] [--sign_ins_per_client=5]
//          [--baseline_seconds=3] [--timing_tries=15] [--json_out=FILE]
// Run through `scripts/bench signin`.
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/api_node.h"
#include "api/demo_ledger.h"
#include "api/server.h"
#include "benchmarks/bench_support.h"

namespace ledger {
namespace {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using bench::Flag;

constexpr const char* kBinary = "signin_bench";
constexpr const char* kAdminKey = "signin-bench-admin-key-4d7a0c2e9b61f358a2c4e6f8b0d1c3e5";
constexpr const char* kVolunteer = "13800000001";  // kDemoAccounts' volunteer
constexpr const char* kVolunteerPassword = "zhaiyi-demo-volunteer";
constexpr std::chrono::milliseconds kReadInterval{2};

// One keep-alive connection to 127.0.0.1:port.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  // The status of one request, or 0 when the connection broke.
  int Request(http::verb method, const std::string& target, const std::string& body,
              const std::string& key) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!key.empty()) request.set(http::field::authorization, "Bearer " + key);
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    beast::error_code error;
    http::write(stream_, request, error);
    if (error) return 0;
    http::response<http::string_body> response;
    http::read(stream_, buffer_, response, error);
    return error ? 0 : static_cast<int>(response.result_int());
  }

 private:
  boost::asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Percentiles {
  size_t count = 0;
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles Of(std::vector<double> ms) {
  Percentiles p;
  p.count = ms.size();
  if (ms.empty()) return p;
  std::sort(ms.begin(), ms.end());
  p.p50 = ms[ms.size() / 2];
  p.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  p.max = ms.back();
  return p;
}

// GETs every kReadInterval until `stop`; their latencies. Counts non-200 answers in `bad`.
std::vector<double> ReadUntil(uint16_t port, const std::atomic<bool>& stop, std::atomic<int>& bad) {
  Client client(port);
  std::vector<double> ms;
  while (!stop.load()) {
    const auto start = std::chrono::steady_clock::now();
    if (client.Request(http::verb::get, "/v1/members/v-wang", "", kAdminKey) != 200) ++bad;
    ms.push_back(Ms(std::chrono::steady_clock::now() - start));
    std::this_thread::sleep_for(kReadInterval);
  }
  return ms;
}

std::string SignInBody(const std::string& login, const std::string& password) {
  return R"({"login":")" + login + R"(","password":")" + password + R"("})";
}

void Print(const char* what, const Percentiles& p) {
  std::printf("%-44s %6zu   p50 %8.2f ms   p99 %8.2f ms   max %8.2f ms\n", what, p.count, p.p50,
              p.p99, p.max);
}

std::string Json(const Percentiles& p) {
  char text[160];
  std::snprintf(text, sizeof text, R"({"count":%zu,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f})",
                p.count, p.p50, p.p99, p.max);
  return text;
}

int Run(int argc, char** argv) {
  const int clients = std::atoi(Flag(argc, argv, "clients", "200").c_str());
  const int per_client = std::atoi(Flag(argc, argv, "sign_ins_per_client", "5").c_str());
  const double baseline_seconds = std::atof(Flag(argc, argv, "baseline_seconds", "3").c_str());
  const int timing_tries = std::atoi(Flag(argc, argv, "timing_tries", "15").c_str());
  const std::string json_out = Flag(argc, argv, "json_out", "");
  if (clients < 1 || per_client < 1 || baseline_seconds <= 0 || timing_tries < 3) {
    std::fprintf(stderr,
                 "usage: %s [--clients=200] [--sign_ins_per_client=5] [--baseline_seconds=3] "
                 "[--timing_tries=15] [--json_out=FILE]\n",
                 kBinary);
    return 2;
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("signin-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  int failures = 0;
  {
    api::ApiNodeOptions options;
    options.data_dir = (dir / "data").string();
    options.admin_key = kAdminKey;
    // Failed sign-ins of part 3 must reach the hasher, not the throttle (tested elsewhere).
    options.handler.sign_in_throttle.login_failures_max = 1'000'000;
    options.handler.sign_in_throttle.address_failures_max = 1'000'000;
    auto node = api::ApiNode::Open(std::move(options));
    if (!node.ok()) bench::Die(kBinary, node.status(), "open the ledger");
    auto demo = api::LoadDemoLedger((*node)->handler(), kAdminKey);
    if (!demo.ok()) bench::Die(kBinary, demo.status(), "load the demo ledger");
    api::ServerOptions server_options;
    server_options.port = 0;
    server_options.log_requests = false;
    auto server = api::Server::Start((*node)->handler(), server_options);
    if (!server.ok()) bench::Die(kBinary, server.status(), "serve");
    const uint16_t port = (*server)->port();

    // 1. Reads alone.
    std::atomic<bool> stop{false};
    std::atomic<int> bad_reads{0};
    std::vector<double> baseline_ms;
    {
      std::thread reader([&] { baseline_ms = ReadUntil(port, stop, bad_reads); });
      std::this_thread::sleep_for(std::chrono::duration<double>(baseline_seconds));
      stop = true;
      reader.join();
    }

    // 2. The burst, with the reader.
    stop = false;
    std::vector<double> burst_read_ms;
    std::mutex sign_in_mutex;
    std::vector<double> created_ms, busy_ms;
    std::atomic<int> other{0};
    std::atomic<int> connected{0};
    std::atomic<bool> go{false};
    std::thread reader([&] { burst_read_ms = ReadUntil(port, stop, bad_reads); });
    std::vector<std::thread> threads;
    const auto burst_start = std::chrono::steady_clock::now();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        Client client(port);
        ++connected;
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < per_client; ++i) {
          const auto start = std::chrono::steady_clock::now();
          const int status = client.Request(http::verb::post, "/v1/sessions",
                                            SignInBody(kVolunteer, kVolunteerPassword), "");
          const double ms = Ms(std::chrono::steady_clock::now() - start);
          std::lock_guard lock(sign_in_mutex);
          if (status == 201) {
            created_ms.push_back(ms);
          } else if (status == 503) {
            busy_ms.push_back(ms);
          } else {
            ++other;
          }
        }
      });
    }
    while (connected.load() < clients) std::this_thread::yield();
    go = true;
    for (std::thread& thread : threads) thread.join();
    const double burst_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - burst_start).count();
    stop = true;
    reader.join();

    // 3. Wrong password for a known login against unknown logins.
    std::vector<double> wrong_ms, unknown_ms;
    double first_unknown_ms = 0;
    {
      Client client(port);
      for (int i = 0; i <= timing_tries; ++i) {
        auto start = std::chrono::steady_clock::now();
        if (client.Request(http::verb::post, "/v1/sessions",
                           SignInBody("no-such-login-" + std::to_string(i), "wrong-password-9"),
                           "") != 401) {
          ++other;
        }
        const double ms = Ms(std::chrono::steady_clock::now() - start);
        if (i == 0) {
          first_unknown_ms = ms;
        } else {
          unknown_ms.push_back(ms);
        }
        start = std::chrono::steady_clock::now();
        if (client.Request(http::verb::post, "/v1/sessions",
                           SignInBody(kVolunteer, "wrong-password-9"), "") != 401) {
          ++other;
        }
        if (i > 0) wrong_ms.push_back(Ms(std::chrono::steady_clock::now() - start));
      }
    }

    const Percentiles baseline = Of(baseline_ms), burst = Of(burst_read_ms);
    const Percentiles created = Of(created_ms), busy = Of(busy_ms);
    const Percentiles wrong = Of(wrong_ms), unknown = Of(unknown_ms);
    std::printf(
        "%d sign-ins from %d connections in %.2f s: %zu answered 201, %zu answered 503 "
        "(hashing queue full), %d otherwise\n",
        clients * per_client, clients, burst_seconds, created.count, busy.count, other.load());
    Print("GET /v1/members/v-wang alone", baseline);
    Print("GET /v1/members/v-wang during the burst", burst);
    Print("POST /v1/sessions answered 201", created);
    Print("POST /v1/sessions answered 503", busy);
    Print("POST /v1/sessions, wrong password", wrong);
    Print("POST /v1/sessions, unknown login", unknown);
    std::printf("first unknown login of the process: %.2f ms\n", first_unknown_ms);
    if (bad_reads.load() != 0 || other.load() != 0 || created.count == 0) {
      std::fprintf(stderr, "%s: %d GETs not answered 200, %d sign-ins answered otherwise\n",
                   kBinary, bad_reads.load(), other.load());
      failures = 1;
    }
    if (!json_out.empty()) {
      std::ofstream json(json_out);
      double load[3] = {0, 0, 0};
      if (::getloadavg(load, 3) < 0) load[0] = -1;
      json << R"({"benchmark":"signin","clients":)" << clients << R"(,"sign_ins":)"
           << clients * per_client << R"(,"burst_seconds":)" << burst_seconds << R"(,"get_alone":)"
           << Json(baseline) << R"(,"get_during_burst":)" << Json(burst) << R"(,"sign_in_201":)"
           << Json(created) << R"(,"sign_in_503":)" << Json(busy) << R"(,"wrong_password":)"
           << Json(wrong) << R"(,"unknown_login":)" << Json(unknown)
           << R"(,"first_unknown_login_ms":)" << first_unknown_ms << R"(,"loadavg_1m":)" << load[0]
           << "}\n";
    }
  }
  std::filesystem::remove_all(dir);
  return failures;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Run(argc, argv); }
