// GET /openapi.json is a structurally valid OpenAPI 3 document describing every route the
// router serves, with the security each needs, and every $ref resolving.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <functional>

#include "api/handler.h"

namespace ledger::api {
namespace {
namespace json = boost::json;

// The value a local "#/a/b" reference points to, or null.
const json::value* Resolve(const json::value& root, std::string_view ref) {
  if (!ref.starts_with("#/")) return nullptr;
  const json::value* at = &root;
  size_t start = 2;
  while (start <= ref.size()) {
    const size_t end = std::min(ref.find('/', start), ref.size());
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(ref.substr(start, end - start));
    if (at == nullptr) return nullptr;
    start = end + 1;
  }
  return at;
}

TEST(OpenApiTest, DocumentsEveryRouteAndResolvesEveryReference) {
  const json::value doc = json::parse(OpenApiDocument());
  ASSERT_TRUE(doc.is_object());
  EXPECT_TRUE(doc.at("openapi").as_string().starts_with("3."));
  EXPECT_TRUE(doc.as_object().contains("info"));
  const json::object& paths = doc.at("paths").as_object();
  for (const RouteInfo& route : Handler::Routes()) {
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    const json::value* path = paths.if_contains(route.pattern);
    ASSERT_NE(path, nullptr) << route.pattern;
    const json::value* operation = path->as_object().if_contains(method);
    ASSERT_NE(operation, nullptr) << route.method << " " << route.pattern;
    EXPECT_FALSE(operation->at("responses").as_object().empty()) << route.pattern;
    const json::value* security = operation->as_object().if_contains("security");
    const bool public_route = security != nullptr && security->as_array().empty();
    EXPECT_EQ(public_route, !route.authenticated) << route.pattern;
    if (route.authenticated) {
      EXPECT_TRUE(operation->at("responses").as_object().contains("401")) << route.pattern;
    }
    if (route.method == "POST") {
      EXPECT_TRUE(operation->as_object().contains("requestBody")) << route.pattern;
    }
  }
  // Every documented path is served (no stale documentation).
  size_t operations = 0;
  for (const auto& path : paths) operations += path.value().as_object().size();
  EXPECT_EQ(operations, Handler::Routes().size());
  // Every $ref resolves.
  size_t references = 0;
  std::function<void(const json::value&)> visit = [&](const json::value& v) {
    if (v.is_object()) {
      for (const auto& member : v.as_object()) {
        if (member.key() == "$ref") {
          ++references;
          EXPECT_NE(Resolve(doc, member.value().as_string()), nullptr) << member.value();
        } else {
          visit(member.value());
        }
      }
    } else if (v.is_array()) {
      for (const json::value& item : v.as_array()) visit(item);
    }
  };
  visit(doc);
  EXPECT_GT(references, 50u);
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  // Every event type has a data schema: all of the schema's union but those the routes record
  // (AttestationIssued, CertificateIssued, AccountOpened, AccountClosed, KeyIssued, KeyRevoked),
  // which clients do
  // not post.
  EXPECT_EQ(schemas.at("NewEvent").at("oneOf").as_array().size(),
            static_cast<size_t>(events::Data::MAX) - 6);
}

}  // namespace
}  // namespace ledger::api
