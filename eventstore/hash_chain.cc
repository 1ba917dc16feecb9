#include "eventstore/hash_chain.h"

#include "domain/assert.h"
#include "eventstore/event_hasher.h"
#include "eventstore/keys.h"

namespace ledger {
namespace {

constexpr std::string_view kCanonicalMagic = "ZLEV2";  // format and version of the bytes below

void AppendLengthPrefixed(std::string_view bytes, std::string* out) {
  LEDGER_ASSERT(bytes.size() <= UINT32_MAX);
  AppendBigEndian32(static_cast<uint32_t>(bytes.size()), out);
  out->append(bytes);
}

// SHA-256 through a context kept per thread: OpenSSL 3's one-shot SHA256() fetches the algorithm
// and allocates a context on every call, which costs about as much as hashing an event
// (eventstore/event_hasher.h). Every reader re-hashes every event, so this is on their hot path.
Hash Sha256(std::string_view bytes) {
  thread_local EventHasher hasher;
  return hasher.Sha256({}, bytes);
}

}  // namespace

std::string HexOf(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t byte : hash) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xF]);
  }
  return out;
}

void AppendCanonicalBytes(const StoredEvent& event, std::string* out) {
  out->append(kCanonicalMagic);
  AppendBigEndian64(event.position.value, out);
  AppendLengthPrefixed(event.stream, out);
  AppendBigEndian64(event.version.value, out);
  AppendLengthPrefixed(event.id, out);
  AppendLengthPrefixed(event.type, out);
  AppendBigEndian64(static_cast<uint64_t>(event.occurred_at_us), out);
  AppendBigEndian64(static_cast<uint64_t>(event.recorded_at_us), out);
  AppendLengthPrefixed(event.actor, out);
  AppendLengthPrefixed(event.payload, out);
}

Hash ChainHash(const Hash& prev_hash, const StoredEvent& event, std::string* scratch) {
  scratch->clear();
  scratch->append(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  AppendCanonicalBytes(event, scratch);
  return Sha256(*scratch);
}

Hash ContentDigest(const EventDraft& draft, std::string* scratch) {
  scratch->clear();
  AppendLengthPrefixed(draft.stream, scratch);
  AppendLengthPrefixed(draft.type, scratch);
  AppendBigEndian64(static_cast<uint64_t>(draft.occurred_at_us), scratch);
  AppendLengthPrefixed(draft.payload, scratch);
  return Sha256(*scratch);
}

bool HashMatches(const StoredEvent& event, std::string* scratch) {
  return ChainHash(event.prev_hash, event, scratch) == event.hash;
}

std::optional<std::string> ChainCheck::Check(const StoredEvent& event) {
  if (event.position.value != next_) {
    return "expected the event at position " + std::to_string(next_) + ", found position " +
           std::to_string(event.position.value) + " (an event was dropped, added or reordered)";
  }
  if (event.prev_hash != previous_) {
    return "prev_hash does not match the hash of the event before it";
  }
  if (!HashMatches(event, &scratch_)) {
    return "hash does not match the event's bytes (the event was altered)";
  }
  ++next_;
  previous_ = event.hash;
  return std::nullopt;
}

}  // namespace ledger
