// The hash chain: canonical bytes of an event and the chained SHA-256 over them. The exact bytes
// are documented in docs/event_format.md so that an auditor can recompute them with any tool.
#pragma once

#include <string>
#include <string_view>

#include "eventstore/event.h"

namespace ledger {

// The canonical bytes of `event` (every field but prev_hash and hash), appended to `out`.
void AppendCanonicalBytes(const StoredEvent& event, std::string* out);

// SHA-256(prev_hash || canonical bytes of event). `scratch` is reused between calls to avoid
// allocating on the hot path.
Hash ChainHash(const Hash& prev_hash, const StoredEvent& event, std::string* scratch);

// True when event.hash is the chain hash of event.prev_hash and its fields.
bool HashMatches(const StoredEvent& event, std::string* scratch);

// SHA-256 of what a client asserted about an event: its stream, type, occurred_at and payload as
// submitted (before any decider rewrote it). Two appends with the same id are the same fact
// exactly when their content digests are equal.
Hash ContentDigest(const EventDraft& draft, std::string* scratch);

}  // namespace ledger
