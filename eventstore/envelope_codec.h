// Encoding of the stored envelope (eventstore/envelope.fbs) to and from StoredEvent.
#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

// The FlatBuffers bytes of `event`, replacing the contents of `out`.
void EncodeEnvelope(const StoredEvent& event, std::string* out);

// The FlatBuffers bytes of `event`, in this thread's builder: valid until the next call of either
// encoder on this thread (saves the copy where the bytes are copied on anyway).
std::string_view EncodeEnvelopeView(const StoredEvent& event);

// `bytes`, or a copy of them in a thread-local 8-byte-aligned buffer (valid until the next call
// on this thread) when they are not aligned: FlatBuffers reads scalars in place, and RocksDB
// blocks promise no alignment.
std::string_view AlignedForFlatBuffers(std::string_view bytes);

// Parses and structurally verifies envelope bytes. Returns Corruption when the bytes are not a
// well-formed envelope (hashes of the wrong length included). Does not check the hash chain.
Result<StoredEvent> DecodeEnvelope(std::string_view bytes);

// As DecodeEnvelope, into `event`, reusing the capacity of its strings (a scan decodes every
// event of a log into one). On an error `event` holds a mix of old and new fields.
Status DecodeEnvelopeInto(std::string_view bytes, StoredEvent* event);

}  // namespace ledger
