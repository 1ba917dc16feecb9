#include "eventstore/signed_checkpoint.h"

#include <algorithm>

#include "eventstore/keys.h"

namespace ledger {

std::string CheckpointMessage(Position position, const Hash& hash, int64_t recorded_at_us) {
  std::string message = "ZLCP1";
  AppendBigEndian64(position.value, &message);
  message.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  AppendBigEndian64(static_cast<uint64_t>(recorded_at_us), &message);
  return message;
}

SignedCheckpoint SignCheckpoint(const SigningKey& key, const StoredEvent& event) {
  SignedCheckpoint checkpoint{event.position, event.hash, event.recorded_at_us, {}};
  checkpoint.signature =
      key.Sign(CheckpointMessage(checkpoint.position, checkpoint.hash, checkpoint.recorded_at_us));
  return checkpoint;
}

bool VerifyCheckpoint(std::string_view public_key, const SignedCheckpoint& checkpoint) {
  return VerifySignature(
      public_key,
      CheckpointMessage(checkpoint.position, checkpoint.hash, checkpoint.recorded_at_us),
      checkpoint.signature);
}

std::string EncodeCheckpointValue(const SignedCheckpoint& checkpoint) {
  std::string value(reinterpret_cast<const char*>(checkpoint.hash.data()), checkpoint.hash.size());
  AppendBigEndian64(static_cast<uint64_t>(checkpoint.recorded_at_us), &value);
  value.append(checkpoint.signature);
  return value;
}

std::optional<SignedCheckpoint> DecodeCheckpointValue(Position position, std::string_view value) {
  SignedCheckpoint checkpoint;
  if (value.size() != checkpoint.hash.size() + 8 + kSignatureBytes) return std::nullopt;
  checkpoint.position = position;
  std::copy(value.begin(), value.begin() + 32, checkpoint.hash.begin());
  checkpoint.recorded_at_us = static_cast<int64_t>(DecodeBigEndian64(value.substr(32)));
  checkpoint.signature = std::string(value.substr(40));
  return checkpoint;
}

}  // namespace ledger
