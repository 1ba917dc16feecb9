// The wire shape of every event type's `data`: one row of field specs per type (Specs(), defined
// in event_codec.cc), the single source the JSON codec decodes and encodes with and the OpenAPI
// schemas of the events are generated from (event_schema.h).
//
// Internal to api/. Thread-safe: the table is built once, on first use, and never changes.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "events_generated.h"

namespace ledger::api {

enum class Kind : uint8_t {
  kId,         // string, IsValidId
  kText,       // string, 1..kTextBytesMax bytes
  kEnum,       // one of the schema enum's value names (a byte in the payload)
  kInt32,      // integer in [min, max]
  kMoney,      // integer fen in [-kFenMax, kFenMax] (int64 in the payload)
  kInstant,    // RFC 3339 string (int64 microseconds in the payload)
  kBool,       // true / false
  kDate,       // YYYY-MM-DD
  kMonth,      // YYYY-MM
  kTextList,   // array of texts
  kInt32List,  // array of int32
  kInt64,      // integer in [0, 2^53 - 1] (int64 in the payload)
  kEnumList,   // array of the schema enum's value names (bytes in the payload)
  kTableList,  // array of objects, each a table with the fields `items` (goods)
};

// The largest expected_version accepted: every JSON reader holds integers up to 2^53 - 1
// exactly, and no stream comes near it.
constexpr int64_t kStreamVersionMax = (int64_t{1} << 53) - 1;

// Field flags.
constexpr uint8_t kRequired = 1;
constexpr uint8_t kPersonal = 2;    // left out unless the reader may see personal data
constexpr uint8_t kNullable = 4;    // JSON null accepted, meaning absent
constexpr uint8_t kServerOnly = 8;  // computed by the ledger; a client may not send it
// Personal and sealed apart from the log (docs/privacy.md): checked like any field, then split
// off into the personal vault; the payload holds only the commitment (TypeSpec::personal_vt).
// Its `vt` is 0: it has no place in the table.
constexpr uint8_t kSealed = 16;
constexpr uint8_t kOptional = 0;

// What the schema says beyond the wire shape: a domain rule the domain checks (answering 422),
// which the codec leaves alone but a client should read.
struct SchemaNote {
  const char* description = nullptr;  // the field's "description"
  // Further JSON Schema keywords, as a JSON object text (e.g. R"({"minimum": 0})"); they replace
  // the generated keywords of the same name.
  const char* keywords = nullptr;
};

struct FieldSpec {
  const char* name;
  flatbuffers::voffset_t vt;
  Kind kind;
  uint8_t flags = kRequired;
  int64_t min = std::numeric_limits<int32_t>::min();
  int64_t max = std::numeric_limits<int32_t>::max();
  const char* const* enum_names = nullptr;
  SchemaNote note = {};
  const std::vector<FieldSpec>* items = nullptr;  // kTableList: the fields of each item
};

struct TypeSpec {
  events::Data type;
  std::vector<FieldSpec> fields;
  // Keywords of the whole data schema (JSON object text), e.g. an "anyOf" stating which fields a
  // domain rule requires together; nullptr for none.
  const char* schema_keywords = nullptr;
  // Types with kSealed fields: the payload's field of their commitment (`personal`), and the ids
  // of the data, in order, whose first given one is the subject the fields belong to.
  flatbuffers::voffset_t personal_vt = 0;
  std::vector<const char*> subject_fields = {};
};

// Every event type, its fields in schema order (which is also the JSON output order); row i is
// type i + 1 of the events.fbs union.
const std::vector<TypeSpec>& Specs();

// The row of `type`; nullptr for NONE (an empty union) and for a type this build does not know:
// FlatBuffers does not check a union's type byte, and envelopes come from outside (Kafka, export
// files).
const TypeSpec* SpecFor(events::Data type);

// Whether clients may post `type` to POST /v1/events: every known type but those only a route
// records from what it checked itself (attestations, accounts and keys).
bool IsPostable(events::Data type);

}  // namespace ledger::api
