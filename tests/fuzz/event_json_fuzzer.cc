// One event's JSON body, as POST /v1/events decodes it (api/event_codec: ParseJson, DecodeEvent).
// A decoded event's payload verifies, and its data encoded back to JSON decodes to the same
// payload bytes (the idempotency check compares them).
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/event_codec.h"
#include "domain/event_payload.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = ledger::api;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  api::Checked<boost::json::value> json = api::ParseJson(body);
  if (!json.ok()) return 0;
  api::Checked<ledger::EventDraft> draft = api::DecodeEvent(*json, "");
  if (!draft.ok()) return 0;
  const ledger::events::EventData* payload = ledger::VerifyEventData(draft->payload);
  FUZZ_CHECK(payload != nullptr);
  boost::json::value again = *json;
  again.as_object()["data"] = api::EncodeEventData(*payload, true);
  api::Checked<ledger::EventDraft> redecoded =
      api::DecodeEvent(api::ParseJson(boost::json::serialize(again)).value(), "");
  FUZZ_CHECK(redecoded.ok());
  FUZZ_CHECK(redecoded->payload == draft->payload);
  return 0;
}
