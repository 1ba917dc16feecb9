// http_load: builds the ledger that `scripts/bench http` serves: two branches and `--members`
// (default 1,000,000) members, half volunteers and half elders, alternating between the
// branches, each with a name, gender, birth year and phone, so that a member read by an admin
// is a full-sized response.
//
// How it loads, and why that is honest: it opens the data directory exactly as ledgerd does
// (ApiNode: ledger, keys, signing key) and sends `POST /v1/events/batch` requests of
// `--batch_events` (1000, the API's cap) MemberRegistered events to the real request handler,
// in process, from `--clients` (2) threads. Every event goes through the JSON codec, the key
// and role checks, the domain rules in the store's writer (LedgerDecider), the hash chain and a
// synced WAL, as over HTTP; only the sockets are skipped, because they are not what this
// ledger is for and would triple the load time. It then waits until the projection has applied
// the whole log, so ledgerd starts with every member's row in the read model.
//
// Refuses to load into a directory that already holds events (the ids would collide); the
// caller (scripts/bench http) keeps the result under var/bench/http/ and reuses it.
//
// Member ids: "m-<n>" for n in [0, members); even n are volunteers, odd n elders; branch
// "b-<(n / 2) % 2>". The wrk scripts in benchmarks/wrk/ rely on this.
//
// Usage: http_load --data_dir=DIR [--members=1000000] [--batch_events=1000] [--clients=2]
// Exit status: 0 when loaded, 1 when something broke, 2 on bad flags.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/api_node.h"
#include "api/key_store.h"

namespace ledger {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMembersMax = 100'000'000;
constexpr uint64_t kBatchEventsMax = 1000;  // HandlerOptions::batch_events_max
constexpr int kClientsMax = 64;
constexpr auto kProjectionCatchUpMax = std::chrono::minutes(10);
constexpr const char* kOccurredAt = "2026-01-05T09:00:00+08:00";

struct LoadConfig {
  std::string data_dir;
  uint64_t members = 1'000'000;
  uint64_t batch_events = 1000;
  int clients = 2;
};

std::optional<LoadConfig> ParseFlags(int argc, char** argv) {
  LoadConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const size_t equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string_view::npos) return std::nullopt;
    const std::string_view name = arg.substr(2, equals - 2);
    const std::string value(arg.substr(equals + 1));
    char* end = nullptr;
    const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    const bool numeric = !value.empty() && *end == '\0';
    if (name == "data_dir") {
      config.data_dir = value;
    } else if (name == "members" && numeric && number >= 1 && number <= kMembersMax) {
      config.members = number;
    } else if (name == "batch_events" && numeric && number >= 1 && number <= kBatchEventsMax) {
      config.batch_events = number;
    } else if (name == "clients" && numeric && number >= 1 && number <= kClientsMax) {
      config.clients = static_cast<int>(number);
    } else {
      return std::nullopt;
    }
  }
  if (config.data_dir.empty()) return std::nullopt;
  return config;
}

api::Request BatchRequest(const std::string& admin_key, std::string body) {
  api::Request request;
  request.method = "POST";
  request.target = "/v1/events/batch";
  request.authorization = "Bearer " + admin_key;
  request.content_type = "application/json";
  request.body = std::move(body);
  return request;
}

// The JSON of the MemberRegistered event of member n.
void AppendMemberEvent(uint64_t n, std::string& out) {
  const bool volunteer = n % 2 == 0;
  const std::string id = "m-" + std::to_string(n);
  const uint64_t phone = 13'800'000'000ULL + n;
  out += R"({"id":"reg-)" + id + R"(","type":"MemberRegistered","occurred_at":")" + kOccurredAt +
         R"(","data":{"member_id":")" + id + R"(","kind":")" + (volunteer ? "volunteer" : "elder") +
         R"(","branch_id":"b-)" + std::to_string((n / 2) % 2) + R"(","name":"成员)" +
         std::to_string(n) + R"(","gender":"female","birth_year":)" +
         std::to_string(volunteer ? 1966 + n % 10 : 1936 + n % 10) + R"(,"phone":")" +
         std::to_string(phone) + R"(","lives_alone":)" + (volunteer ? "false" : "true") + "}}";
}

// Sends one batch; returns false (after printing why) unless every event was newly appended.
bool Post(api::Handler& handler, const std::string& admin_key, std::string body) {
  const api::Response response = handler.HandleRequest(BatchRequest(admin_key, std::move(body)));
  if (response.status == 201) return true;
  std::fprintf(stderr, "http_load: POST /v1/events/batch answered %d: %s\n", response.status,
               response.body.substr(0, 300).c_str());
  return false;
}

int Main(int argc, char** argv) {
  const std::optional<LoadConfig> parsed = ParseFlags(argc, argv);
  if (!parsed) {
    std::fprintf(stderr,
                 "usage: http_load --data_dir=DIR [--members=1000000] [--batch_events=1000] "
                 "[--clients=2]\n");
    return 2;
  }
  const LoadConfig& config = *parsed;
  // A key of this process only: the bootstrap admin key is never stored in the ledger.
  const std::string admin_key = api::RandomHex(32);
  api::ApiNodeOptions options;
  options.data_dir = config.data_dir;
  options.admin_key = admin_key;
  auto node = api::ApiNode::Open(std::move(options));
  if (!node.ok()) {
    std::fprintf(stderr, "http_load: open %s: %s\n", config.data_dir.c_str(),
                 node.status().ToString().c_str());
    return 1;
  }
  LedgerNode& ledger = (*node)->ledger();
  if (ledger.store().GetHead().next.value != 0) {
    std::fprintf(stderr, "http_load: %s already holds events; load into an empty directory\n",
                 config.data_dir.c_str());
    return 1;
  }
  api::Handler& handler = (*node)->handler();
  const Clock::time_point started = Clock::now();
  if (!Post(handler, admin_key,
            R"({"events":[)"
            R"({"id":"open-b-0","type":"BranchOpened","occurred_at":"2026-01-01T09:00:00+08:00",)"
            R"("data":{"branch_id":"b-0","name":"石园街道"}},)"
            R"({"id":"open-b-1","type":"BranchOpened","occurred_at":"2026-01-01T09:00:00+08:00",)"
            R"("data":{"branch_id":"b-1","name":"高丽营镇"}}]})")) {
    return 1;
  }

  // Client c sends batches c, c + clients, ...; batch b holds members [b * size, (b+1) * size).
  const uint64_t batches = (config.members + config.batch_events - 1) / config.batch_events;
  std::atomic<bool> failed{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < config.clients; ++c) {
    clients.emplace_back([&, c] {
      for (uint64_t b = c; b < batches && !failed.load(); b += config.clients) {
        const uint64_t end = std::min(config.members, (b + 1) * config.batch_events);
        std::string body = R"({"events":[)";
        for (uint64_t n = b * config.batch_events; n < end; ++n) {
          if (n != b * config.batch_events) body += ',';
          AppendMemberEvent(n, body);
        }
        body += "]}";
        if (!Post(handler, admin_key, std::move(body))) failed.store(true);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  if (failed.load()) return 1;
  const double append_seconds = std::chrono::duration<double>(Clock::now() - started).count();

  const Position head = ledger.store().GetHead().next;
  if (!ledger.projector().WaitForApplied(head, kProjectionCatchUpMax)) {
    std::fprintf(stderr, "http_load: the projection did not reach position %llu: %s\n",
                 static_cast<unsigned long long>(head.value),
                 ledger.projector().health().ToString().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "http_load: %llu events (%llu members) appended in %.1f s, projected after %.1f s "
      "(%.0f events/s)\n",
      static_cast<unsigned long long>(head.value), static_cast<unsigned long long>(config.members),
      append_seconds, seconds, static_cast<double>(head.value) / seconds);
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) { return ledger::Main(argc, argv); }
