// Signed checkpoints: the ledger's Ed25519 signature over (position, chain hash, recorded_at) of
// one event. A verified checkpoint at position p vouches for every event up to p: re-hashing the
// chain from the start must arrive at its hash. The exact signed bytes are in
// docs/event_format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/position.h"
#include "eventstore/event.h"
#include "eventstore/signing_key.h"

namespace ledger {

struct SignedCheckpoint {
  Position position;           // the last event the checkpoint covers
  Hash hash{};                 // the chain hash at `position`
  int64_t recorded_at_us = 0;  // that event's recorded_at
  std::string signature;       // 64 bytes
  bool operator==(const SignedCheckpoint&) const = default;
};

// "ZLCP1" || u64 position || 32-byte hash || i64 recorded_at_us, all big-endian.
std::string CheckpointMessage(Position position, const Hash& hash, int64_t recorded_at_us);

// A checkpoint of `event`, signed with `key`.
SignedCheckpoint SignCheckpoint(const SigningKey& key, const StoredEvent& event);

// True when the signature is `public_key`'s over the checkpoint's fields.
bool VerifyCheckpoint(std::string_view public_key, const SignedCheckpoint& checkpoint);

// Storage encoding (position is the row key, so it is not repeated): hash || recorded_at ||
// signature.
std::string EncodeCheckpointValue(const SignedCheckpoint& checkpoint);
std::optional<SignedCheckpoint> DecodeCheckpointValue(Position position, std::string_view value);

}  // namespace ledger
