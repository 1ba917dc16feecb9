// A ledger with its API for tests: an ApiNode in a fresh directory, optionally a Server on a free
// port of 127.0.0.1, the bootstrap admin key, and helpers to call endpoints and load the
// October scenario through the API itself.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_node.h"
#include "api/server.h"
#include "tests/api/http_client.h"
#include "tests/eventstore/test_support.h"

namespace ledger::testing {

inline constexpr std::string_view kTestAdminKey = "test-admin-key-5f0c9a3e71b2d846ac19e07b3d5f2c68";

class ApiFixture {
 public:
  // With `kafka_relay`, the node relays its log to Kafka (docs/kafka.md).
  explicit ApiFixture(api::HandlerOptions handler_options = {},
                      std::optional<KafkaRelayOptions> kafka_relay = std::nullopt);
  ~ApiFixture();

  api::ApiNode& node() { return *node_; }
  std::string data_dir() const { return dir_.path() + "/data"; }
  api::Handler& handler() { return node_->handler(); }
  Head head() const { return node_->ledger().store().GetHead(); }

  // Starts a server in front of the handler (once); returns its port.
  uint16_t StartServer(api::ServerOptions options = {});
  api::Server& server() { return *server_; }

  // Calls the handler directly (no sockets).
  api::Response Call(std::string_view method, std::string_view target, std::string_view body = {},
                     std::string_view key = kTestAdminKey);
  // A key of `role` bound to `scope_id` (created through POST /v1/keys).
  std::string CreateKey(std::string_view role, std::string_view scope_field = {},
                        std::string_view scope_id = {});

  // An account of `role` bound to `scope_id`, opened by the admin and activated with `password`
  // (POST /v1/accounts, /v1/accounts/activate). Returns its account id.
  std::string OpenAccount(std::string_view login, std::string_view role,
                          std::string_view scope_field, std::string_view scope_id,
                          std::string_view password);
  // A session: the zl_session cookie's value and the CSRF token.
  struct Session {
    std::string account_id;
    std::string cookie;
    std::string csrf_token;
    // Header lines for HttpClient::Request: the cookie, and the CSRF token when `csrf`.
    std::string Headers(bool csrf = true) const;
  };
  // Signs in (POST /v1/sessions); aborts when that fails.
  Session SignIn(std::string_view login, std::string_view password);
  // Calls the handler directly with a session's cookie (and CSRF token).
  api::Response CallAs(const Session& session, std::string_view method, std::string_view target,
                       std::string_view body = {}, bool csrf = true);

  // Appends OctoberScenario() (tests/domain) through POST /v1/events, each event converted to
  // the API's JSON; aborts if any is refused. Returns the position of the last event.
  uint64_t LoadScenario();
  // Registers the merchant "shop-1" (PartnerRegistered, kind merchant) through POST /v1/events,
  // for merchant keys and accounts; aborts if it is refused.
  void RegisterMerchant();

  // The API JSON of a scenario-style event: FlatBuffers-JSON `fields` of `type`.
  static std::string EventJson(std::string_view id, std::string_view type, std::string_view fields,
                               int64_t occurred_at_us);

 private:
  TempDir dir_;
  std::unique_ptr<api::ApiNode> node_;
  std::unique_ptr<api::Server> server_;
};

// The body of `response` as JSON (null when it is not JSON).
boost::json::value JsonOf(std::string_view body);

}  // namespace ledger::testing
