// GET /openapi.json is a structurally valid OpenAPI 3 document describing every route the
// router serves, with the security each needs, every $ref resolving, and the events clients post
// as the codec decodes them.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>

#include "api/event_codec.h"
#include "api/event_spec.h"
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
}

// Every event type of the union that clients may post has its "<Type>Data" and "<Type>Event"
// schemas and is one of NewEvent's; the types only routes record (attestations, accounts, keys)
// have none of them.
TEST(OpenApiTest, DescribesEveryPostableEventTypeOfTheUnion) {
  const json::value doc = json::parse(OpenApiDocument());
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  const json::object& new_event = schemas.at("NewEvent").as_object();
  const json::array& one_of = new_event.at("oneOf").as_array();
  const json::object& mapping = new_event.at("discriminator").at("mapping").as_object();
  EXPECT_EQ(new_event.at("discriminator").at("propertyName"), "type");
  size_t postable = 0;
  std::vector<std::string> route_recorded;
  for (const events::Data type : events::EnumValuesData()) {
    if (type == events::Data::NONE) continue;
    const std::string name = events::EnumNameData(type);
    const std::string event_ref = "#/components/schemas/" + name + "Event";
    const json::value listed{{"$ref", event_ref}};
    const bool in_one_of = std::find(one_of.begin(), one_of.end(), listed) != one_of.end();
    if (!IsPostable(type)) {
      route_recorded.push_back(name);
      EXPECT_FALSE(schemas.contains(name + "Data")) << name;
      EXPECT_FALSE(schemas.contains(name + "Event")) << name;
      EXPECT_FALSE(in_one_of) << name;
      EXPECT_FALSE(mapping.contains(name)) << name;
      continue;
    }
    ++postable;
    ASSERT_TRUE(schemas.contains(name + "Data")) << name;
    ASSERT_TRUE(schemas.contains(name + "Event")) << name;
    const json::object& event = schemas.at(name + "Event").as_object();
    EXPECT_EQ(event.at("properties").at("type").at("enum"), json::array{json::value(name)});
    EXPECT_EQ(event.at("properties").at("data").at("$ref").as_string(),
              "#/components/schemas/" + name + "Data");
    EXPECT_TRUE(in_one_of) << name;
    ASSERT_TRUE(mapping.contains(name)) << name;
    EXPECT_EQ(mapping.at(name).as_string(), event_ref);
  }
  EXPECT_EQ(one_of.size(), postable);
  EXPECT_EQ(mapping.size(), postable);
  EXPECT_EQ(route_recorded, (std::vector<std::string>{"AttestationIssued", "AccountOpened",
                                                      "AccountClosed", "KeyIssued", "KeyRevoked",
                                                      "CertificateIssued", "PersonalDataErased"}));
}

// A value the property schema `schema` allows (the smallest such, for numbers and arrays).
json::value ExampleOf(const json::object& schema) {
  const json::string& type = schema.at("type").as_string();
  if (type == "boolean") return true;
  if (type == "object") {  // an item of a list of objects (goods): every property
    json::object out;
    for (const auto& property : schema.at("properties").as_object()) {
      out[property.key()] = ExampleOf(property.value().as_object());
    }
    return out;
  }
  if (type == "integer") {
    if (const json::value* minimum = schema.if_contains("minimum")) {
      return std::max<int64_t>(minimum->to_number<int64_t>(), 1);
    }
    return 1;
  }
  if (type == "array") {
    json::array items;
    const size_t count =
        schema.contains("minItems") ? schema.at("minItems").to_number<size_t>() : 1;
    for (size_t i = 0; i < count; ++i) items.push_back(ExampleOf(schema.at("items").as_object()));
    return items;
  }
  if (const json::value* names = schema.if_contains("enum")) return names->as_array().front();
  if (const json::value* format = schema.if_contains("format")) {
    if (*format == "date-time") return "2026-10-03T09:30:00+08:00";
    if (*format == "date") return "2026-10-03";
  }
  if (const json::value* pattern = schema.if_contains("pattern")) {
    if (pattern->as_string().starts_with("^[0-9]{4}-")) return "2026-10";  // a month
  }
  return "x1";  // an id and a text alike
}

Checked<EventDraft> Post(const std::string& type, json::object data) {
  return DecodeEvent(json::object{{"id", "e1"},
                                  {"type", type},
                                  {"occurred_at", "2026-10-03T09:30:00+08:00"},
                                  {"data", std::move(data)}},
                     "");
}

// A data schema says what the codec takes: an event with a value its schema allows for every
// property is decoded, and so is one with the required properties alone; leaving out any
// required one, or adding a property the schema does not name, is refused.
TEST(OpenApiTest, EventDataSchemasSayWhatTheCodecTakes) {
  const json::value doc = json::parse(OpenApiDocument());
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  for (const events::Data type : events::EnumValuesData()) {
    if (!IsPostable(type)) continue;
    const std::string name = events::EnumNameData(type);
    const json::object& data = schemas.at(name + "Data").as_object();
    const json::object& properties = data.at("properties").as_object();
    json::object every;
    for (const auto& property : properties) {
      every[property.key()] = ExampleOf(property.value().as_object());
    }
    Checked<EventDraft> full = Post(name, every);
    EXPECT_TRUE(full.ok()) << name << " " << every << ": " << full.problem().detail;
    const json::value* required = data.if_contains("required");
    json::object least;
    if (required != nullptr) {
      for (const json::value& field : required->as_array()) {
        least[field.as_string()] = every.at(field.as_string());
      }
    }
    Checked<EventDraft> minimal = Post(name, least);
    EXPECT_TRUE(minimal.ok()) << name << " " << least << ": " << minimal.problem().detail;
    for (const auto& field : least) {
      json::object without = least;
      without.erase(field.key());
      Checked<EventDraft> missing = Post(name, without);
      ASSERT_FALSE(missing.ok()) << name << " without " << field.key();
      EXPECT_EQ(missing.problem().field, "/data/" + std::string(field.key()));
    }
    every["not_a_field"] = 1;
    EXPECT_FALSE(Post(name, every).ok()) << name;
  }
}

}  // namespace
}  // namespace ledger::api
