// EventHasher: the chain hash and content digest of hash_chain.h, with one reused SHA-256
// context.
//
// OpenSSL 3's one-shot SHA256() looks the algorithm up in its provider store and allocates a
// context on every call, which costs about as much as hashing a 450-byte event. The writer hashes
// every event it appends and every appender digests each event it submits, so each keeps one of
// these. The bytes hashed are exactly those of ChainHash and ContentDigest (docs/event_format.md);
// tests check that both agree.
//
// Thread-compatible: one per thread.
#pragma once

#include <string>

#include "eventstore/event.h"

struct evp_md_st;
struct evp_md_ctx_st;

namespace ledger {

class EventHasher {
 public:
  EventHasher();
  ~EventHasher();
  EventHasher(const EventHasher&) = delete;
  EventHasher& operator=(const EventHasher&) = delete;

  // SHA-256(prev_hash || canonical bytes of event): equal to ChainHash(prev_hash, event).
  Hash ChainHash(const Hash& prev_hash, const StoredEvent& event);

  // What a client asserted about `draft`: equal to ContentDigest(draft).
  Hash ContentDigest(const EventDraft& draft);

  // SHA-256(prefix || bytes).
  Hash Sha256(std::string_view prefix, std::string_view bytes);

 private:
  evp_md_st* sha256_;
  evp_md_ctx_st* context_;
  std::string bytes_;  // reused between calls
};

}  // namespace ledger
