// The JSON form of events (../shared/API.md, "Event types and their data") and its FlatBuffers
// payload (domain/events.fbs), in both directions, from one table of field specs per event type.
//
// Decoding is strict, because a typo must not silently drop data: unknown fields, wrong JSON
// types, missing required fields, numbers that are not integers or out of range (money beyond
// ±(2^53 - 1) fen), invalid RFC 3339 instants and ids outside 1-128 characters of
// [A-Za-z0-9._:-] are problems naming the field by JSON pointer. Ranges the domain owns
// (service minutes, amounts > 0) are left to the domain rules, which answer 422.
//
// The payload is built in schema order whatever the JSON order, so a client's retry of the same
// event gives the same bytes (the store's idempotency compares them).
//
// Thread-safe: no state.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/problem.h"
#include "events_generated.h"
#include "eventstore/event.h"

namespace ledger::api {

constexpr size_t kIdBytesMax = 128;
constexpr size_t kTextBytesMax = 4096;  // names, reasons, descriptions
constexpr size_t kListItemsMax = 64;    // skills, policy lists

// 1-128 characters of [A-Za-z0-9._:-].
bool IsValidId(std::string_view id);

// `body` as JSON; 400 invalid_json on a syntax error, invalid UTF-8, nesting deeper than 32 or
// an object with the same key twice (at any depth; see ParseStrictJson).
Checked<boost::json::value> ParseJson(std::string_view body);

// `json` as an object, or 400 invalid_field at `pointer` ("" is the whole body).
Checked<const boost::json::object*> AsObject(const boost::json::value& json,
                                             const std::string& pointer);

// Checks that `object` has no member outside `allowed`: 400 invalid_field naming the first.
Checked<bool> OnlyFields(const boost::json::object& object, const std::string& pointer,
                         std::initializer_list<std::string_view> allowed);

// A request body that must be one JSON object with no member outside `allowed`: ParseJson, then
// AsObject and OnlyFields at the root.
Checked<boost::json::object> ObjectBody(std::string_view body,
                                        std::initializer_list<std::string_view> allowed);

// The bytes of a commitment to an event's personal fields (HMAC-SHA-256).
constexpr size_t kCommitmentBytes = 32;

// An event's personal fields, sealed: the commitment its payload carries, and the side record
// the store writes beside it (eventstore/personal_vault.h).
struct SealedFields {
  std::string commitment;  // kCommitmentBytes
  std::shared_ptr<const SideRecord> side;
};

// Seals the personal fields of an event apart from the log (the server's: api/personal_fields.h).
class PersonalSealer {
 public:
  virtual ~PersonalSealer() = default;
  // `fields` (the JCS bytes of the JSON object of exactly the personal fields given) of event
  // type `type`, about member `subject`. Problems: 422 personal_data_erased, 500 when the vault
  // fails.
  virtual Checked<SealedFields> Seal(std::string_view subject, std::string_view type,
                                     const std::string& fields) = 0;
};

// One event {"id","type","occurred_at",["expected_version"],"data"} as a draft: stream empty
// (the decider resolves it), actor empty (the caller sets the key id). `pointer` locates the
// event in the body ("" alone, "/events/2" in a batch) and prefixes every problem's field.
// Personal fields (kSealed: names, phones, a visit's place...) are checked like the others, then
// split off: `sealer` seals them and the payload holds their commitment (docs/privacy.md). With
// no sealer (shape checks: fuzzers, schema tests) the commitment is 32 zero bytes and nothing is
// kept. Problems: 400 invalid_field, 400 unknown_type, and the sealer's.
Checked<EventDraft> DecodeEvent(const boost::json::value& json, const std::string& pointer,
                                PersonalSealer* sealer = nullptr);

// A batch body {"events":[event, ...]} of 1 to `events_max` events, each decoded by DecodeEvent
// at "/events/<i>", as POST /v1/events/batch takes it. Problems: 400 invalid_field (the first
// event at fault), 400 unknown_type, and the sealer's.
Checked<std::vector<EventDraft>> DecodeBatch(const boost::json::value& json, size_t events_max,
                                             PersonalSealer* sealer = nullptr);

// The JSON `data` of a verified payload. Without `personal`, fields marked personal (names,
// phones, birth years, living alone, the place and content of a visit) are left out. An enum
// value without a name (FlatBuffers' verifier does not check them) is shown as its number.
boost::json::object EncodeEventData(const events::EventData& data, bool personal);

// A stored event as the log endpoints show it: as written plus position, stream, version,
// recorded_at, actor, prev_hash and hash (hex).
boost::json::object EncodeStoredEvent(const StoredEvent& event, bool personal);

// Appends to `out` exactly the text boost::json::serialize gives for EncodeStoredEvent(event,
// personal), without building the DOM (an export writes and re-reads millions of these).
void AppendStoredEventJson(const StoredEvent& event, bool personal, std::string* out);

// JSON pointer escaping of one reference token (RFC 6901: "~" → "~0", "/" → "~1").
std::string PointerToken(std::string_view name);

}  // namespace ledger::api
