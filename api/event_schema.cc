#include "api/event_schema.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/event_codec.h"
#include "api/event_spec.h"
#include "api/rfc3339.h"
#include "domain/assert.h"
#include "domain/event_payload.h"

namespace ledger::api {
namespace {

namespace json = boost::json;

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

std::string SchemaRef(std::string_view name) { return "#/components/schemas/" + std::string(name); }

// `keywords` (a JSON object text, or nullptr) laid over `schema`.
void AddKeywords(json::object& schema, const char* keywords) {
  if (keywords == nullptr) return;
  const json::value extra = json::parse(keywords);
  for (const auto& member : extra.as_object()) schema[member.key()] = member.value();
}

json::object IdSchema() {
  return {{"type", "string"},
          {"pattern", "^[A-Za-z0-9._:-]{1," + std::to_string(kIdBytesMax) + "}$"}};
}

json::object TextSchema() {
  return {{"type", "string"}, {"minLength", 1}, {"maxLength", kTextBytesMax}};
}

json::object InstantSchema() {
  return {{"type", "string"},
          {"format", "date-time"},
          {"description", kInstantSchemaDescription},
          {"pattern", kInstantSchemaPattern}};
}

json::object Int32Schema() { return {{"type", "integer"}, {"format", "int32"}}; }

// The schema of one field, as DecodeEvent checks it.
json::object ObjectSchema(const std::vector<FieldSpec>& fields);

json::object FieldSchema(const FieldSpec& f) {
  json::object schema;
  switch (f.kind) {
    case Kind::kId:
      schema = IdSchema();
      break;
    case Kind::kText:
      schema = TextSchema();
      break;
    case Kind::kEnum: {
      json::array names;
      for (int i = 0; f.enum_names[i] != nullptr; ++i) names.emplace_back(f.enum_names[i]);
      schema = {{"type", "string"}, {"enum", std::move(names)}};
      break;
    }
    case Kind::kInt32:
      if (f.min == kInt32Min && f.max == kInt32Max) {
        schema = Int32Schema();
      } else {
        schema = {{"type", "integer"}, {"minimum", f.min}, {"maximum", f.max}};
      }
      break;
    case Kind::kMoney:
      schema = {{"type", "integer"},
                {"format", "int64"},
                {"minimum", f.min},
                {"maximum", f.max},
                {"description", "money in fen (integer)"}};
      break;
    case Kind::kInstant:
      schema = InstantSchema();
      break;
    case Kind::kBool:
      schema = {{"type", "boolean"}};
      break;
    case Kind::kDate:
      schema = {{"type", "string"}, {"format", "date"}};
      break;
    case Kind::kMonth:
      schema = {{"type", "string"}, {"pattern", "^[0-9]{4}-(0[1-9]|1[0-2])$"}};
      break;
    case Kind::kTextList:
      schema = {{"type", "array"}, {"maxItems", kListItemsMax}, {"items", TextSchema()}};
      break;
    case Kind::kInt32List:
      schema = {{"type", "array"}, {"maxItems", kListItemsMax}, {"items", Int32Schema()}};
      break;
    case Kind::kInt64:
      schema = {{"type", "integer"}, {"format", "int64"}, {"minimum", f.min}, {"maximum", f.max}};
      break;
    case Kind::kEnumList: {
      json::array names;
      for (int i = 0; f.enum_names[i] != nullptr; ++i) names.emplace_back(f.enum_names[i]);
      schema = {{"type", "array"},
                {"maxItems", kListItemsMax},
                {"items", {{"type", "string"}, {"enum", std::move(names)}}}};
      break;
    }
    case Kind::kTableList:
      schema = {{"type", "array"}, {"maxItems", kListItemsMax}, {"items", ObjectSchema(*f.items)}};
      break;
  }
  if (f.flags & kNullable) schema["nullable"] = true;
  if (f.note.description != nullptr) schema["description"] = f.note.description;
  AddKeywords(schema, f.note.keywords);
  return schema;
}

// An object of `fields` (what a client may send: no server-only field).
json::object ObjectSchema(const std::vector<FieldSpec>& fields) {
  json::object properties;
  json::array required;
  for (const FieldSpec& f : fields) {
    if (f.flags & kServerOnly) continue;
    properties[f.name] = FieldSchema(f);
    if (f.flags & kRequired) required.emplace_back(f.name);
  }
  json::object schema{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

const TypeSpec& PostableSpec(events::Data type) {
  const TypeSpec* spec = SpecFor(type);
  LEDGER_ASSERT(spec != nullptr);
  LEDGER_ASSERT(IsPostable(type));
  return *spec;
}

}  // namespace

json::object EventDataSchema(events::Data type) {
  const TypeSpec& spec = PostableSpec(type);
  json::object schema = ObjectSchema(spec.fields);
  AddKeywords(schema, spec.schema_keywords);
  return schema;
}

json::object EventSchema(events::Data type) {
  const std::string name(EventTypeName(PostableSpec(type).type));
  json::object id = IdSchema();
  id["description"] = "idempotency key";
  return {{"type", "object"},
          {"properties",
           {{"id", std::move(id)},
            {"type", {{"type", "string"}, {"enum", {name}}}},
            {"occurred_at", InstantSchema()},
            {"expected_version",
             {{"type", "integer"},
              {"minimum", 0},
              {"description",
               "the version the caller expects the event's stream to be at; omit it for no check "
               "(null is refused)"},
              {"format", "int64"},
              {"maximum", kStreamVersionMax}}},
            {"data", {{"$ref", SchemaRef(name + "Data")}}}}},
          {"additionalProperties", false},
          {"required", {"id", "type", "occurred_at", "data"}}};
}

json::object EventSchemas() {
  json::object schemas;
  json::array one_of;
  json::object mapping;
  for (const TypeSpec& spec : Specs()) {
    if (!IsPostable(spec.type)) continue;
    const std::string name(EventTypeName(spec.type));
    schemas[name + "Data"] = EventDataSchema(spec.type);
    schemas[name + "Event"] = EventSchema(spec.type);
    one_of.push_back(json::object{{"$ref", SchemaRef(name + "Event")}});
    mapping[name] = SchemaRef(name + "Event");
  }
  schemas["NewEvent"] = {{"oneOf", std::move(one_of)},
                         {"discriminator", {{"propertyName", "type"}, {"mapping", mapping}}}};
  return schemas;
}

std::string WithEventSchemas(std::string_view written) {
  json::value document = json::parse(written);
  json::object& schemas = document.at("components").at("schemas").as_object();
  for (auto& member : EventSchemas()) {
    LEDGER_ASSERT(!schemas.contains(member.key()));  // written by hand as well
    schemas[member.key()] = std::move(member.value());
  }
  return json::serialize(document);
}

}  // namespace ledger::api
