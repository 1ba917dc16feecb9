// The hash chain: canonical bytes of an event and the chained SHA-256 over them. The exact bytes
// are documented in docs/event_format.md so that an auditor can recompute them with any tool.
#pragma once

#include <optional>
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

// Follows a chain event by event: positions gapless from where it starts, each prev_hash the
// hash of the event before, each hash that of the event's bytes. What an auditor's verify, a
// replica and anyone reading a log from elsewhere check before trusting an event.
class ChainCheck {
 public:
  // From the start of a log (position 0, the zero hash), or after the event at `next` - 1
  // whose hash is `previous`.
  ChainCheck() = default;
  ChainCheck(Position next, const Hash& previous) : next_(next.value), previous_(previous) {}

  // Nothing when `event` continues the chain (and the check moves past it); else what is wrong
  // with it, at next().
  std::optional<std::string> Check(const StoredEvent& event);
  // The position the next event must have.
  uint64_t next() const { return next_; }

 private:
  uint64_t next_ = 0;
  Hash previous_{};
  std::string scratch_;
};

// SHA-256 of what a client asserted about an event: its stream, type, occurred_at and payload as
// submitted (before any decider rewrote it). Two appends with the same id are the same fact
// exactly when their content digests are equal.
Hash ContentDigest(const EventDraft& draft, std::string* scratch);

}  // namespace ledger
