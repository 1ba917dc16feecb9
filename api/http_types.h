// The request and response of the pure request handler: plain values, no Beast, so that the
// handler is unit-tested without sockets and only server.cc knows HTTP on the wire.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::api {

struct Request {
  std::string method;           // "GET", "POST", "DELETE", ...
  std::string target;           // path and query: "/v1/members/v-1?min_position=3"
  std::string authorization;    // the Authorization header, verbatim
  std::string content_type;     // the Content-Type header, verbatim
  std::string cookie;           // the Cookie header, verbatim
  std::string csrf_token;       // the X-CSRF-Token header, verbatim
  std::string accept_encoding;  // the Accept-Encoding header, verbatim (the console's files)
  std::string if_none_match;    // the If-None-Match header, verbatim (the console's files)
  std::string client_address;   // the peer's IP address ("" when unknown)
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // For logs and metrics: the route pattern ("/v1/members/{id}"), never the raw path, and the
  // key id of the caller ("" when unauthenticated). Neither is sent to the client.
  std::string_view route;
  std::string key_id;
};

}  // namespace ledger::api
