// KeyStore: the API keys and their roles (DESIGN.md, Security). A key is shown once, when it is
// created; the ledger keeps only its SHA-256 hash (keys carry 256 random bits, so no slow hash
// is needed) and compares hashes in constant time. Keys live in the "keys" read model of the
// ledger's RocksDB; revocation deletes the row and takes effect on the next request.
//
// A key reads "<key_id>.<64 hex digits>"; the key id is not secret (it is the actor recorded on
// every event and appears in logs). The bootstrap admin key (key id "admin") comes from
// LEDGER_ADMIN_KEY or <data>/admin.key and is never stored in the database.
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/status.h"
#include "eventstore/read_model_store.h"

namespace ledger::api {

enum class Role : uint8_t { kAdmin, kCoordinator, kAuditor, kPartner, kMember, kMerchant };
constexpr int kRoles = 6;

std::string_view RoleName(Role role);                     // "admin", "coordinator", ...
std::optional<Role> RoleFromName(std::string_view name);  // nullopt for an unknown name
// The field naming what a key of `role` is bound to: "branch_id" (coordinator), "partner_id",
// "member_id", "merchant_id"; "" for admin and auditor, which are bound to nothing.
std::string_view ScopeField(Role role);

// Who is calling: the key id, its role and what the role is bound to.
struct Principal {
  std::string key_id;
  Role role = Role::kAdmin;
  std::string scope_id;  // branch, partner, member or merchant id; "" for admin and auditor
};

struct KeyInfo {
  std::string key_id;
  Role role = Role::kAdmin;
  std::string scope_id;
  int64_t created_at_us = 0;
};

inline constexpr std::string_view kKeysReadModel = "keys";
inline constexpr std::string_view kBootstrapKeyId = "admin";

class KeyStore {
 public:
  // Loads the keys from `rows` (which must outlive the store). `admin_key` is the bootstrap
  // admin key; empty for none. Corruption on a malformed row; InvalidArgument when `admin_key`
  // is too weak (CheckAdminKeyStrength).
  static Result<std::unique_ptr<KeyStore>> Open(ReadModelStore& rows, const std::string& admin_key);

  // The principal whose key is `key`, or nullopt for an unknown or revoked key.
  std::optional<Principal> Authenticate(std::string_view key) const;

  // Creates a key, with `key_id` when given (NewKeyId()); returns its info and the key itself
  // (the only time it is ever shown). IoError when the row cannot be written.
  Result<std::pair<KeyInfo, std::string>> Create(Role role, std::string scope_id, int64_t now_us,
                                                 std::string key_id = {});

  // The stored key `key_id` (not the bootstrap key); nullopt when there is none.
  std::optional<KeyInfo> Find(std::string_view key_id) const;

  // Revokes `key_id`: NotFound if there is no such key, InvalidArgument for the bootstrap key.
  Status Revoke(std::string_view key_id);

  // Every stored key (not the bootstrap key), by key id.
  std::vector<KeyInfo> List() const;

 private:
  using Digest = std::array<uint8_t, 32>;
  struct Entry {
    KeyInfo info;
    Digest digest{};
  };
  explicit KeyStore(ReadModelStore& rows) : rows_(rows) {}

  ReadModelStore& rows_;
  std::optional<Digest> admin_digest_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> keys_;  // guarded by mutex_
};

// Where the bootstrap admin key came from.
struct AdminKey {
  std::string key;
  std::string path;      // the file it is in; "" when it came from the environment
  bool created = false;  // true when this call created the file
};

// The bootstrap admin key may do everything, so a guessable one is refused: it needs at least
// kAdminKeyCharsMin characters and an estimated kAdminKeyBitsMin bits of entropy, estimated as
// its length times the Shannon entropy of its characters' frequencies (so "aaaa..." counts 0
// bits and 64 random hex digits about 240). `openssl rand -hex 32` makes a good one; a
// generated admin.key ("admin." and 64 random hex digits) always passes.
constexpr size_t kAdminKeyCharsMin = 32;
constexpr double kAdminKeyBitsMin = 128;

// The estimate above, in bits.
double AdminKeyEntropyBits(std::string_view key);

// InvalidArgument naming `source` (e.g. "LEDGER_ADMIN_KEY"), the rule and what `key` scores when
// it breaks the rule; Ok otherwise.
Status CheckAdminKeyStrength(std::string_view key, std::string_view source);

// The admin key: `env_value` (LEDGER_ADMIN_KEY) when set and non-empty; else the contents of
// <data_dir>/admin.key, created on first start with a new random key and mode 0600.
// IoError when the file cannot be read or written; InvalidArgument when the key is too weak
// (CheckAdminKeyStrength).
Result<AdminKey> LoadOrCreateAdminKey(const std::string& data_dir, const char* env_value);

// A new random key id ("k-" and 16 hex digits).
std::string NewKeyId();

// `bytes` random bytes from the OS CSPRNG, as lowercase hex.
std::string RandomHex(size_t bytes);

// The SHA-256 of `bytes`, as lowercase hex: how secrets of 256 random bits are stored.
std::string Sha256Hex(std::string_view bytes);

}  // namespace ledger::api
