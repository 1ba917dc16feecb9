// SigningKey: the ledger's Ed25519 key (OpenSSL). It signs checkpoints of the hash chain and
// attestations, so that anyone holding only the public key can verify an export, a Kafka replay
// or a member's statement. The private key lives in a PEM file readable by the owner only.
//
// Thread-safety: a SigningKey is immutable after loading; Sign is safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace ledger {

constexpr size_t kPublicKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

class SigningKey {
 public:
  // Loads the PEM private key at `path`, or creates one there (mode 0600) if the file does not
  // exist. IoError when it cannot be read or written, InvalidArgument when it is not Ed25519.
  static Result<std::shared_ptr<const SigningKey>> LoadOrCreate(const std::string& path);
  // Loads an existing key. NotFound when the file does not exist.
  static Result<std::shared_ptr<const SigningKey>> Load(const std::string& path);

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // The 64-byte Ed25519 signature of `message`.
  std::string Sign(std::string_view message) const;
  // The raw 32-byte public key.
  const std::string& public_key() const { return public_key_; }
  // The public key as a PEM "PUBLIC KEY" block (what `ledgerctl pubkey` prints).
  std::string PublicKeyPem() const;

 private:
  struct Handle;
  explicit SigningKey(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
  std::string public_key_;
};

// True when `signature` is `public_key`'s Ed25519 signature of `message`.
bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature);

// A public key from a file or string: PEM "PUBLIC KEY" or 64 hex digits. InvalidArgument
// otherwise.
Result<std::string> ParsePublicKey(std::string_view text);

}  // namespace ledger
