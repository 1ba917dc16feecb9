#include "api/metrics.h"

#include <spdlog/fmt/fmt.h>

#include <cstdio>
#include <iterator>

#include "eventstore/kafka/kafka_relay.h"

namespace ledger::api {
namespace {

// The method label's values besides "other": the methods of RFC 9110 and PATCH.
constexpr std::array<std::string_view, 9> kMethods = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : kMethods) {
    if (method == known) return known;
  }
  return Metrics::kOther;
}

template <typename Histogram, typename Buckets>
void Observe(Histogram& histogram, const Buckets& bounds, int64_t value) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum += value;
}

// Appends the _bucket/_sum/_count lines of one histogram; `scale` divides bounds and sum (µs→s).
// Lines are formatted straight into `out`, of whatever length the labels make them.
template <typename Histogram, typename Buckets>
void RenderHistogram(std::string& out, std::string_view name, std::string_view labels,
                     const Histogram& histogram, const Buckets& bounds, double scale) {
  const std::string_view sep = labels.empty() ? "" : ",";
  auto to = std::back_inserter(out);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += histogram.buckets[i];
    fmt::format_to(to, "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                   static_cast<double>(bounds[i]) / scale, cumulative);
  }
  fmt::format_to(to, "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, histogram.count);
  const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
  fmt::format_to(to, "{}_sum{} {}\n", name, braces, static_cast<double>(histogram.sum) / scale);
  fmt::format_to(to, "{}_count{} {}\n", name, braces, histogram.count);
}

}  // namespace

Metrics::Metrics() {
  routes_.emplace(kOther);
  routes_.emplace(kUnparsedRoute);
}

void Metrics::DeclareRoute(std::string_view route) {
  std::lock_guard lock(mutex_);
  routes_.emplace(route);
}

void Metrics::RecordRequest(std::string_view method, std::string_view route, int status,
                            int64_t latency_us) {
  std::lock_guard lock(mutex_);
  auto known = routes_.find(route);
  const std::string& route_label = known != routes_.end() ? *known : *routes_.find(kOther);
  ++requests_[{route_label, std::string(MethodLabel(method)), status}];
  Observe(latency_[route_label], kLatencyBucketsUs, latency_us);
}

void Metrics::RecordAppendBatch(size_t events) {
  std::lock_guard lock(mutex_);
  Observe(batches_, kBatchBuckets, static_cast<int64_t>(events));
}

void Metrics::RecordConnectionRefused(ConnectionLimit limit) {
  std::lock_guard lock(mutex_);
  ++(limit == ConnectionLimit::kConnectionsMax ? refused_connections_max_
                                               : refused_connections_per_client_max_);
}

std::string Metrics::Render(uint64_t head, uint64_t applied) const {
  std::string out;
  std::lock_guard lock(mutex_);
  out +=
      "# HELP ledger_http_requests_total HTTP requests by route, method and status.\n"
      "# TYPE ledger_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out.append("ledger_http_requests_total{route=\"")
        .append(route)
        .append("\",method=\"")
        .append(method)
        .append("\",status=\"")
        .append(std::to_string(status))
        .append("\"} ")
        .append(std::to_string(count))
        .append("\n");
  }
  out +=
      "# HELP ledger_http_request_duration_seconds Time from a complete request to its response.\n"
      "# TYPE ledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    RenderHistogram(out, "ledger_http_request_duration_seconds", "route=\"" + route + "\"",
                    histogram, kLatencyBucketsUs, 1e6);
  }
  out +=
      "# HELP ledger_http_connections_refused_total Connections closed at once, by the cap they "
      "were over.\n"
      "# TYPE ledger_http_connections_refused_total counter\n"
      "ledger_http_connections_refused_total{limit=\"connections_max\"} " +
      std::to_string(refused_connections_max_) +
      "\n"
      "ledger_http_connections_refused_total{limit=\"connections_per_client_max\"} " +
      std::to_string(refused_connections_per_client_max_) + "\n";
  out +=
      "# HELP ledger_append_batch_events Events per append request.\n"
      "# TYPE ledger_append_batch_events histogram\n";
  RenderHistogram(out, "ledger_append_batch_events", "", batches_, kBatchBuckets, 1.0);
  out +=
      "# HELP ledger_head_position The next log position (events in the log).\n"
      "# TYPE ledger_head_position gauge\n"
      "ledger_head_position " +
      std::to_string(head) +
      "\n"
      "# HELP ledger_projection_applied_position The next position the projection will apply.\n"
      "# TYPE ledger_projection_applied_position gauge\n"
      "ledger_projection_applied_position " +
      std::to_string(applied) +
      "\n"
      "# HELP ledger_projection_lag_events Events in the log not yet applied by the projection.\n"
      "# TYPE ledger_projection_lag_events gauge\n"
      "ledger_projection_lag_events " +
      std::to_string(head > applied ? head - applied : 0) + "\n";
  return out;
}

std::string RenderKafkaRelay(const KafkaRelayProgress& progress, const Status& health) {
  std::string out;
  char value[64];
  auto metric = [&out](const char* name, const char* type, const char* help,
                       const std::string& text) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + text + "\n";
  };
  metric("ledger_kafka_relay_up", "gauge",
         "1 while the Kafka relay runs; 0 once it stopped for good (see /readyz).",
         health.ok() ? "1" : "0");
  metric("ledger_kafka_relay_topics_ready", "gauge",
         "1 once the relay's topics exist on the broker.", progress.topics_ready ? "1" : "0");
  metric("ledger_kafka_relay_confirmed_position", "gauge",
         "The relay's checkpoint: every event before it is acknowledged by the broker.",
         std::to_string(progress.confirmed.value));
  metric("ledger_kafka_relay_lag_events", "gauge",
         "Events in the log whose delivery to Kafka is not confirmed yet.",
         std::to_string(progress.lag_events));
  std::snprintf(value, sizeof value, "%.3f", progress.lag_seconds);
  metric("ledger_kafka_relay_lag_seconds", "gauge",
         "Age of the oldest event not yet confirmed by Kafka (0 when caught up).", value);
  metric("ledger_kafka_relay_delivered_messages_total", "counter",
         "Messages acknowledged by the broker (both topics).",
         std::to_string(progress.delivered_messages_total));
  metric("ledger_kafka_relay_failed_deliveries_total", "counter",
         "Deliveries reported failed (each makes the relay re-publish the unconfirmed tail).",
         std::to_string(progress.failed_deliveries_total));
  metric("ledger_kafka_relay_rewinds_total", "counter",
         "Times the relay produced its unconfirmed tail again.",
         std::to_string(progress.rewinds_total));
  return out;
}

}  // namespace ledger::api
