// Metrics: the counters behind GET /metrics (Prometheus text format 0.0.4): requests by route,
// method and status, a request latency histogram per route, a histogram of append batch sizes;
// the head position and projection lag are read when rendering, and so is the Kafka relay's
// progress (RenderKafkaRelay) when ledgerd runs one.
//
// Every label has a bounded set of values, whatever clients send: methods outside the standard
// ones and routes not declared (DeclareRoute) are counted under "other", so no request can add a
// series (a client could otherwise grow the server's memory, and /metrics, without a key).
//
// Thread-safety: all methods are safe from any thread (one mutex; a few map updates per request).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

namespace ledger {
class Status;
struct KafkaRelayProgress;
}  // namespace ledger

namespace ledger::api {

class Metrics {
 public:
  // The label value of whatever is not in a label's bounded set.
  static constexpr std::string_view kOther = "other";
  // The route of requests answered before they could be parsed (always declared).
  static constexpr std::string_view kUnparsedRoute = "unparsed";

  Metrics();

  // Makes `route` (a route pattern: "/v1/members/{id}") a value of the route label. The handler
  // declares its route table; the set is not meant to grow with traffic.
  void DeclareRoute(std::string_view route);

  // Counts a request under `method` and `route` when they are known, else under kOther.
  void RecordRequest(std::string_view method, std::string_view route, int status,
                     int64_t latency_us);
  void RecordAppendBatch(size_t events);

  // A connection the server closed at once because a connection cap was reached.
  enum class ConnectionLimit { kConnectionsMax, kConnectionsPerClientMax };
  void RecordConnectionRefused(ConnectionLimit limit);

  // The exposition text. `head` is the next log position, `applied` the projection's.
  std::string Render(uint64_t head, uint64_t applied) const;

 private:
  static constexpr std::array<int64_t, 14> kLatencyBucketsUs = {
      250,   500,    1000,   2500,   5000,    10000,   25000,
      50000, 100000, 250000, 500000, 1000000, 2500000, 5000000};
  static constexpr std::array<int64_t, 9> kBatchBuckets = {1, 2, 5, 10, 50, 100, 500, 1000, 10000};

  template <size_t N>
  struct Histogram {
    std::array<uint64_t, N> buckets{};  // counts per bucket (not cumulative)
    uint64_t count = 0;
    int64_t sum = 0;
  };

  mutable std::mutex mutex_;
  std::set<std::string, std::less<>> routes_;  // the route label's values
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram<kLatencyBucketsUs.size()>> latency_;
  Histogram<kBatchBuckets.size()> batches_;
  uint64_t refused_connections_max_ = 0;
  uint64_t refused_connections_per_client_max_ = 0;
};

// The exposition text of the Kafka relay (ledger_kafka_relay_*): whether it runs (`health` OK),
// its confirmed position, lag in events and seconds, and its delivery counters.
std::string RenderKafkaRelay(const KafkaRelayProgress& progress, const Status& health);

}  // namespace ledger::api
