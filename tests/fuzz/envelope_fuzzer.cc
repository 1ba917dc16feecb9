// Envelope bytes as RocksDB and the Kafka events topic hand them over (eventstore/envelope_codec:
// DecodeEnvelope, which verifies the FlatBuffer): a decoded envelope passes the writer's pair
// check (EnvelopeMatches), encodes back to an envelope that decodes to the same event, and shows
// as the log endpoints and the export show it (api EncodeStoredEvent: payload verification,
// instants of any value).
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/event_codec.h"
#include "eventstore/envelope_check.h"
#include "eventstore/envelope_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool SameEvent(const ledger::StoredEvent& a, const ledger::StoredEvent& b) {
  return a.position == b.position && a.stream == b.stream && a.version == b.version &&
         a.id == b.id && a.type == b.type && a.occurred_at_us == b.occurred_at_us &&
         a.recorded_at_us == b.recorded_at_us && a.actor == b.actor && a.payload == b.payload &&
         a.prev_hash == b.prev_hash && a.hash == b.hash;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);  // unaligned copies too
  ledger::Result<ledger::StoredEvent> event = ledger::DecodeEnvelope(bytes);
  if (!event.ok()) return 0;
  FUZZ_CHECK(ledger::EnvelopeMatches(bytes, *event));
  std::string encoded;
  ledger::EncodeEnvelope(*event, &encoded);
  ledger::Result<ledger::StoredEvent> again = ledger::DecodeEnvelope(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SameEvent(*event, *again));
  FUZZ_CHECK(ledger::EnvelopeMatches(encoded, *event));
  (void)boost::json::serialize(ledger::api::EncodeStoredEvent(*event, true));
  return 0;
}
