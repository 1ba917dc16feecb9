// Handler: the REST API of ../shared/API.md as a pure function of a request, without sockets
// (STYLE.md, "api/ follows the Beast shape"). Routing, authentication (Bearer keys), roles,
// JSON decoding and encoding, and every endpoint live here; server.cc only moves bytes.
//
// Most requests complete at once. Two kinds need to wait, and Start() hands them back to the
// caller instead of blocking an I/O thread: appends (PendingAppend: the drafts to append and
// how to turn the store's answer into the response) and reads with `min_position` ahead of the
// projection (PendingWait). HandleRequest() does the waiting itself, for tests and tools.
//
// Thread-safety: all methods are safe from any number of threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "api/account_store.h"
#include "api/http_types.h"
#include "api/key_store.h"
#include "api/metrics.h"
#include "api/password_hasher.h"
#include "api/sign_in_throttle.h"
#include "api/web_root.h"
#include "eventstore/signing_key.h"
#include "projections/ledger_node.h"

namespace ledger {
class AccessLog;
class KafkaRelay;
class KafkaReplicator;
}  // namespace ledger

namespace ledger::api {

struct HandlerOptions {
  size_t request_body_bytes_max = 1 << 20;  // larger bodies: 413 too_large
  size_t batch_events_max = 1000;           // events in one POST /v1/events/batch
  size_t list_items_max = 1000;             // `limit` of any list
  size_t list_items_default = 100;
  std::chrono::milliseconds min_position_wait_max{5000};  // then 503 unavailable
  // Lets a read made for a write (an attestation's statement, a key's scope) see entities
  // created just before (the projection lags the log by a few milliseconds at most). Write scope
  // itself is decided by the store's writer, not here (domain/scope_rules.h).
  std::chrono::milliseconds projection_catch_up_max{1000};
  std::function<int64_t()> clock_us;  // microseconds since the epoch; nullptr: system clock
  // The relay publishing this ledger to Kafka, if any (not owned): its lag and health in
  // /metrics and /readyz.
  const KafkaRelay* kafka_relay = nullptr;
  // Non-empty on a read replica: where writes go. Every write route then answers 409
  // read_only_replica naming it.
  std::string replica_of;
  // On a read replica, what feeds it from Kafka (not owned): its health in /readyz.
  const KafkaReplicator* kafka_replicator = nullptr;
  // Session cookies get the Secure attribute (the server speaks HTTPS).
  bool secure_cookies = false;
  // Password hashing (Argon2id, 64 MiB each) runs on this many threads, with at most
  // password_queue_jobs_max waiting; more sign-ins at once answer 503 unavailable.
  int password_threads = 2;
  size_t password_queue_jobs_max = 64;
  SignInThrottleOptions sign_in_throttle;
  // The web console's built files (web/dist), served to GET and HEAD outside the API
  // (web_root.h). "": no console; its pages then say how to build it.
  std::string web_root;
  // Where responses that show personal fields are recorded (not owned; eventstore/access_log.h).
  // nullptr: nothing is recorded and GET /v1/members/{id}/access-log answers 503.
  AccessLog* access_log = nullptr;
};

// An append the caller performs: `finish` turns the store's answer into the response.
struct PendingAppend {
  std::vector<EventDraft> drafts;
  std::function<Response(const Result<std::vector<AppendResult>>&)> finish;
};

// A read to run once the projection has applied every event before `next`.
struct PendingWait {
  Position next;
  std::function<Response()> resume;     // once applied
  std::function<Response()> timed_out;  // when the wait ran out (503 unavailable)
};

// Work too slow for an I/O thread (a password hash): the caller hands it to RunAsync.
struct PendingWork {
  std::function<Response()> work;
};

using Step = std::variant<Response, PendingAppend, PendingWait, PendingWork>;

// A route of the API, for documentation checks: "GET", "/v1/members/{id}".
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
  bool authenticated;
};

class Handler {
 public:
  // All referenced objects must outlive the handler.
  Handler(LedgerNode& node, KeyStore& keys, AccountStore& accounts, const SigningKey& signer,
          Metrics& metrics, HandlerOptions options = {});

  // The response to `request`, waiting for appends and min_position as needed.
  Response HandleRequest(const Request& request);

  // The first step of answering `request`: a response, or an append or wait to do first.
  Step Start(const Request& request);

  // Appends a PendingAppend's drafts without blocking; `done` runs on the store's writer thread
  // and must not block (hand the result to another thread and call `finish` there).
  void AppendAsync(std::vector<EventDraft> drafts, EventStore::AppendCallback done);

  // Runs a PendingWork on the password pool; `done` gets its response there (it must not
  // block), or at once a 503 when the pool's queue is full.
  void RunAsync(PendingWork work, std::function<void(Response)> done);

  // True once the projection has applied every event before `next`.
  bool Applied(Position next) const;
  // What min_position waits may take at most.
  std::chrono::milliseconds wait_max() const { return options_.min_position_wait_max; }

  // From now on /readyz answers 503: the server is shutting down.
  void SetDraining() { draining_ = true; }

  Metrics& metrics() { return metrics_; }

  // Every route, in the order they are matched.
  static std::vector<RouteInfo> Routes();

  struct Call;  // one request being answered (handler_internal.h)

  // The one hook for "who read what": every endpoint that puts personal fields of `member_id`
  // (name, phone, gender, birth year, lives alone, skills, relations, a visit's place and
  // content, a request's description, a certificate's name) into its response calls this. The
  // read is recorded in the access log once the response is known to succeed (2xx): a refused
  // or failed request records nothing. Ids only; a member named twice in one response once.
  void NotePersonalRead(Call& call, std::string_view member_id);

 private:
  friend struct Endpoints;
  int64_t NowUs() const;
  // The wait a read's `min_position` asks for, when the projection is not there yet.
  std::optional<PendingWait> WaitForMinPosition(const Request& request, const Call& call);
  // Records the personal reads `call` noted once `step`'s response succeeds (NotePersonalRead).
  void RecordPersonalReads(Step& step, std::string_view method, std::string_view pattern,
                           Call& call);

  LedgerNode& node_;
  KeyStore& keys_;
  AccountStore& accounts_;
  const SigningKey& signer_;  // the ledger key: checkpoints and attestations
  Metrics& metrics_;
  const HandlerOptions options_;
  std::atomic<bool> draining_{false};
  SignInThrottle sign_in_throttle_;
  const WebRoot web_root_;
  // Last: its threads are joined first, while everything their jobs use is still there.
  WorkPool password_pool_;
};

// The OpenAPI 3 document: api/openapi.json, embedded at build time, with the event schemas
// generated from the codec (WithEventSchemas). Built on the first call, then cached.
std::string_view OpenApiDocument();

}  // namespace ledger::api
