#include "eventstore/envelope_check.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "envelope_generated.h"
#include "eventstore/envelope_codec.h"

namespace ledger {
namespace {

bool SameString(const flatbuffers::String* field, std::string_view expected) {
  const std::string_view actual =
      field == nullptr ? std::string_view() : std::string_view(field->data(), field->size());
  return actual == expected;
}

bool SameBytes(const flatbuffers::Vector<uint8_t>* field, const uint8_t* expected, size_t size) {
  if (field == nullptr) return size == 0;
  return field->size() == size && (size == 0 || std::memcmp(field->data(), expected, size) == 0);
}

}  // namespace

bool EnvelopeMatches(std::string_view bytes, const StoredEvent& event) {
  bytes = AlignedForFlatBuffers(bytes);
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!verifier.VerifyBuffer<fb::Envelope>(nullptr)) return false;
  const fb::Envelope* envelope = fb::GetEnvelope(bytes.data());
  return envelope->position() == event.position.value &&
         SameString(envelope->stream(), event.stream) &&
         envelope->stream_version() == event.version.value &&
         SameString(envelope->id(), event.id) && SameString(envelope->type(), event.type) &&
         envelope->occurred_at_us() == event.occurred_at_us &&
         envelope->recorded_at_us() == event.recorded_at_us &&
         SameString(envelope->actor(), event.actor) &&
         SameBytes(envelope->payload(), reinterpret_cast<const uint8_t*>(event.payload.data()),
                   event.payload.size()) &&
         SameBytes(envelope->prev_hash(), event.prev_hash.data(), event.prev_hash.size()) &&
         SameBytes(envelope->hash(), event.hash.data(), event.hash.size());
}

}  // namespace ledger
