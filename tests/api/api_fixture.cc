#include "tests/api/api_fixture.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <cstdlib>

#include "api/event_codec.h"
#include "api/rfc3339.h"
#include "domain/event_payload.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/ledger_scenario.h"

namespace ledger::testing {
namespace json = boost::json;

namespace {
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "api fixture: %s\n", what.c_str());
  std::abort();
}
}  // namespace

json::value JsonOf(std::string_view body) {
  boost::system::error_code error;
  json::value value = json::parse(json::string_view(body.data(), body.size()), error);
  return error ? json::value() : value;
}

ApiFixture::ApiFixture(api::HandlerOptions handler_options,
                       std::optional<KafkaRelayOptions> kafka_relay) {
  api::ApiNodeOptions options;
  options.data_dir = dir_.path() + "/data";
  options.admin_key = std::string(kTestAdminKey);
  options.handler = std::move(handler_options);
  options.kafka_relay = std::move(kafka_relay);
  auto node = api::ApiNode::Open(std::move(options));
  if (!node.ok()) Die(node.status().ToString());
  node_ = std::move(node).value();
}

ApiFixture::~ApiFixture() {
  server_.reset();
  node_.reset();
}

uint16_t ApiFixture::StartServer(api::ServerOptions options) {
  if (!server_) {
    options.port = 0;
    options.log_requests = false;
    auto server = api::Server::Start(node_->handler(), std::move(options));
    if (!server.ok()) Die(server.status().ToString());
    server_ = std::move(server).value();
  }
  return server_->port();
}

api::Response ApiFixture::Call(std::string_view method, std::string_view target,
                               std::string_view body, std::string_view key) {
  api::Request request;
  request.method = std::string(method);
  request.target = std::string(target);
  if (!key.empty()) request.authorization = "Bearer " + std::string(key);
  request.content_type = "application/json";
  request.body = std::string(body);
  return node_->handler().HandleRequest(request);
}

std::string ApiFixture::CreateKey(std::string_view role, std::string_view scope_field,
                                  std::string_view scope_id) {
  json::object body{{"role", role}};
  if (!scope_field.empty()) body[scope_field] = scope_id;
  api::Response response = Call("POST", "/v1/keys", json::serialize(body));
  if (response.status != 201) Die("create key: " + response.body);
  return std::string(JsonOf(response.body).at("key").as_string());
}

std::string ApiFixture::OpenAccount(std::string_view login, std::string_view role,
                                    std::string_view scope_field, std::string_view scope_id,
                                    std::string_view password) {
  json::object body{{"login", login}, {"display_name", login}, {"role", role}};
  if (!scope_field.empty()) body[scope_field] = scope_id;
  api::Response opened = Call("POST", "/v1/accounts", json::serialize(body));
  if (opened.status != 201) Die("open account: " + opened.body);
  const json::value account = JsonOf(opened.body);
  api::Response activated =
      Call("POST", "/v1/accounts/activate",
           json::serialize(json::object{{"token", account.at("invitation").at("token")},
                                        {"password", password}}),
           "");
  if (activated.status != 200) Die("activate account: " + activated.body);
  return std::string(account.at("account_id").as_string());
}

std::string ApiFixture::Session::Headers(bool csrf) const {
  std::string lines = "Cookie: zl_session=" + cookie + "\r\n";
  if (csrf) lines += "X-CSRF-Token: " + csrf_token + "\r\n";
  return lines;
}

ApiFixture::Session ApiFixture::SignIn(std::string_view login, std::string_view password) {
  api::Response response =
      Call("POST", "/v1/sessions",
           json::serialize(json::object{{"login", login}, {"password", password}}), "");
  if (response.status != 201) Die("sign in: " + response.body);
  Session session;
  for (const auto& [name, value] : response.headers) {
    if (name != "Set-Cookie") continue;
    const size_t start = value.find('=') + 1;
    session.cookie = value.substr(start, value.find(';') - start);
  }
  const json::value body = JsonOf(response.body);
  session.account_id = std::string(body.at("account_id").as_string());
  session.csrf_token = std::string(body.at("csrf_token").as_string());
  return session;
}

api::Response ApiFixture::CallAs(const Session& session, std::string_view method,
                                 std::string_view target, std::string_view body, bool csrf) {
  api::Request request;
  request.method = std::string(method);
  request.target = std::string(target);
  request.cookie = "zl_session=" + session.cookie;
  if (csrf) request.csrf_token = session.csrf_token;
  request.content_type = "application/json";
  request.client_address = "127.0.0.1";
  request.body = std::string(body);
  return node_->handler().HandleRequest(request);
}

std::string ApiFixture::EventJson(std::string_view id, std::string_view type,
                                  std::string_view fields, int64_t occurred_at_us) {
  const std::string payload = Payload(type, fields);
  const events::EventData* data = VerifyEventData(payload);
  if (data == nullptr) Die("bad scenario payload");
  json::object data_json = api::EncodeEventData(*data, true);
  if (type == "RedemptionMade") data_json.erase("amount_fen");
  // Personal fields are no payload's (docs/privacy.md): the client posts them, from the text.
  const json::value all = JsonOf(PersonalFieldsJson(type, fields));
  if (const json::object* given = all.is_object() ? all.as_object().if_contains("data") != nullptr
                                                        ? &all.at("data").as_object()
                                                        : nullptr
                                                  : nullptr) {
    for (const char* name :
         {"name", "gender", "birth_year", "phone", "lives_alone", "skills", "place", "content"}) {
      if (const json::value* v = given->if_contains(name)) data_json[name] = *v;
    }
  }
  json::object event{{"id", id},
                     {"type", type},
                     {"occurred_at", api::FormatInstant(occurred_at_us)},
                     {"data", std::move(data_json)}};
  return json::serialize(event);
}

uint64_t ApiFixture::LoadScenario() {
  uint64_t last = 0;
  for (const ScenarioEvent& event : OctoberScenarioForClients()) {
    api::Response response = Call(
        "POST", "/v1/events", EventJson(event.id, event.type, event.fields, event.occurred_at_us));
    if (response.status != 201) Die("scenario event " + event.id + ": " + response.body);
    last = JsonOf(response.body).at("position").to_number<uint64_t>();
  }
  return last;
}

void ApiFixture::RegisterMerchant() {
  api::Response response = Call(
      "POST", "/v1/events",
      EventJson("ev-shop", "PartnerRegistered",
                R"(partner_id: "shop-1", name: "超市", kind: merchant)", BeijingUs(2026, 11, 5)));
  if (response.status != 201) Die("register shop-1: " + response.body);
}

}  // namespace ledger::testing
