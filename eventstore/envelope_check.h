// The write-side pair check of the envelope: before an envelope is written, its bytes are
// verified as a FlatBuffers Envelope and read back field by field against the event they were
// encoded from. Unlike DecodeEnvelope it copies nothing, so the writer can afford it per event.
#pragma once

#include <string_view>

#include "eventstore/event.h"

namespace ledger {

// True when `bytes` is a well-formed Envelope holding exactly `event` (every field, both hashes).
bool EnvelopeMatches(std::string_view bytes, const StoredEvent& event);

}  // namespace ledger
