// The body of POST /v1/events/batch, {"events":[...]}, as its handler decodes it (ParseJson,
// DecodeBatch with the handler's default limit): every decoded event's payload verifies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/event_codec.h"
#include "api/handler.h"
#include "domain/event_payload.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = ledger::api;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  api::Checked<boost::json::value> json = api::ParseJson(body);
  if (!json.ok()) return 0;
  api::Checked<std::vector<ledger::EventDraft>> batch =
      api::DecodeBatch(*json, api::HandlerOptions{}.batch_events_max);
  if (!batch.ok()) return 0;
  FUZZ_CHECK(!batch->empty());
  for (const ledger::EventDraft& draft : *batch) {
    FUZZ_CHECK(ledger::VerifyEventData(draft.payload) != nullptr);
  }
  return 0;
}
