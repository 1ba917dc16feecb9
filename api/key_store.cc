#include "api/key_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "api/encoding.h"
#include "domain/assert.h"

namespace ledger::api {
namespace {

constexpr std::string_view kKeyRowPrefix = "key/";
constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr size_t kKeyIdBytes = 8;
// The keys read model's rows are always valid: any checkpoint marks them so (ReadModelStore).
constexpr Position kKeysCheckpoint{1};

constexpr std::string_view kRoleNames[kRoles] = {"admin",   "coordinator", "auditor",
                                                 "partner", "member",      "merchant"};
constexpr std::string_view kScopeFields[kRoles] = {"",           "branch_id", "",
                                                   "partner_id", "member_id", "merchant_id"};

// SHA-256 with the algorithm fetched once: the one-shot SHA256() looks it up in OpenSSL's
// provider tables, under a lock, on every call, and every authenticated request hashes its key
// (the lookup was a sixtieth of a GET).
std::array<uint8_t, 32> Sha256(std::string_view bytes) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  LEDGER_ASSERT(sha256 != nullptr);
  std::array<uint8_t, 32> digest;
  unsigned int digest_bytes = 0;
  const int hashed =
      EVP_Digest(bytes.data(), bytes.size(), digest.data(), &digest_bytes, sha256, nullptr);
  LEDGER_ASSERT(hashed == 1);
  LEDGER_ASSERT(digest_bytes == digest.size());
  return digest;
}

// Row value: role name '\n' scope id '\n' created_at_us '\n' hex digest.
std::string EncodeRow(const KeyInfo& info, const std::array<uint8_t, 32>& digest) {
  return std::string(RoleName(info.role)) + "\n" + info.scope_id + "\n" +
         std::to_string(info.created_at_us) + "\n" +
         Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool DecodeRow(std::string_view value, KeyInfo& info, std::array<uint8_t, 32>& digest) {
  std::istringstream in{std::string(value)};
  std::string role, created, hex;
  if (!std::getline(in, role) || !std::getline(in, info.scope_id) || !std::getline(in, created) ||
      !std::getline(in, hex) || hex.size() != 64) {
    return false;
  }
  std::optional<Role> parsed = RoleFromName(role);
  if (!parsed) return false;
  info.role = *parsed;
  info.created_at_us = std::strtoll(created.c_str(), nullptr, 10);
  for (size_t i = 0; i < 32; ++i) {
    digest[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return true;
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> RoleFromName(std::string_view name) {
  for (int i = 0; i < kRoles; ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string_view ScopeField(Role role) { return kScopeFields[static_cast<int>(role)]; }

std::string RandomHex(size_t bytes) {
  std::string random(bytes, '\0');
  LEDGER_ASSERT(
      RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes)) == 1);
  return Hex(random);
}

std::string Sha256Hex(std::string_view bytes) {
  const std::array<uint8_t, 32> digest = Sha256(bytes);
  return Hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(ReadModelStore& rows,
                                                 const std::string& admin_key) {
  std::unique_ptr<KeyStore> store(new KeyStore(rows));
  if (!admin_key.empty()) {
    if (Status strong = CheckAdminKeyStrength(admin_key, "the admin key"); !strong.ok()) {
      return strong;
    }
    store->admin_digest_ = Sha256(admin_key);
  }
  Result<Position> checkpoint = rows.Checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->value == 0) return store;  // nothing committed yet
  bool malformed = false;
  Status status = rows.ForEachRow([&](std::string_view key, std::string_view value) {
    if (!key.starts_with(kKeyRowPrefix)) return true;  // the signer's row
    Entry entry;
    entry.info.key_id = std::string(key.substr(kKeyRowPrefix.size()));
    if (!DecodeRow(value, entry.info, entry.digest)) {
      malformed = true;
      return false;
    }
    store->keys_.emplace(entry.info.key_id, std::move(entry));
    return true;
  });
  if (!status.ok()) return status;
  if (malformed) return Status::Corruption("a row of the keys read model is malformed");
  return store;
}

std::optional<Principal> KeyStore::Authenticate(std::string_view key) const {
  const Digest digest = Sha256(key);
  if (admin_digest_ && CRYPTO_memcmp(digest.data(), admin_digest_->data(), digest.size()) == 0) {
    return Principal{std::string(kBootstrapKeyId), Role::kAdmin, ""};
  }
  const size_t dot = key.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::shared_lock lock(mutex_);
  auto it = keys_.find(std::string(key.substr(0, dot)));
  if (it == keys_.end()) return std::nullopt;
  if (CRYPTO_memcmp(digest.data(), it->second.digest.data(), digest.size()) != 0) {
    return std::nullopt;
  }
  const KeyInfo& info = it->second.info;
  return Principal{info.key_id, info.role, info.scope_id};
}

std::string NewKeyId() { return "k-" + RandomHex(kKeyIdBytes); }

std::optional<KeyInfo> KeyStore::Find(std::string_view key_id) const {
  std::shared_lock lock(mutex_);
  auto it = keys_.find(std::string(key_id));
  if (it == keys_.end()) return std::nullopt;
  return it->second.info;
}

Result<std::pair<KeyInfo, std::string>> KeyStore::Create(Role role, std::string scope_id,
                                                         int64_t now_us, std::string key_id) {
  Entry entry;
  if (key_id.empty()) key_id = NewKeyId();
  entry.info = KeyInfo{std::move(key_id), role, std::move(scope_id), now_us};
  std::string key = entry.info.key_id + "." + RandomHex(kSecretBytes);
  entry.digest = Sha256(key);
  std::unique_lock lock(mutex_);
  Status status = rows_.Commit(
      {{std::string(kKeyRowPrefix) + entry.info.key_id, EncodeRow(entry.info, entry.digest)}},
      kKeysCheckpoint);
  if (!status.ok()) return status;
  KeyInfo info = entry.info;
  keys_.emplace(info.key_id, std::move(entry));
  return std::make_pair(std::move(info), std::move(key));
}

Status KeyStore::Revoke(std::string_view key_id) {
  if (key_id == kBootstrapKeyId) {
    return Status(StatusCode::kInvalidArgument,
                  "the bootstrap admin key is revoked by changing LEDGER_ADMIN_KEY or admin.key",
                  "bootstrap_key");
  }
  std::unique_lock lock(mutex_);
  auto it = keys_.find(std::string(key_id));
  if (it == keys_.end()) return Status::NotFound("no key '" + std::string(key_id) + "'");
  Status status =
      rows_.Commit({{std::string(kKeyRowPrefix) + it->first, std::nullopt}}, kKeysCheckpoint);
  if (!status.ok()) return status;
  keys_.erase(it);
  return Status::Ok();
}

std::vector<KeyInfo> KeyStore::List() const {
  std::vector<KeyInfo> keys;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [id, entry] : keys_) keys.push_back(entry.info);
  }
  std::sort(keys.begin(), keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.key_id < b.key_id; });
  return keys;
}

double AdminKeyEntropyBits(std::string_view key) {
  std::array<size_t, 256> counts{};
  for (unsigned char c : key) ++counts[c];
  double bits_per_char = 0;
  for (size_t count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / static_cast<double>(key.size());
    bits_per_char -= p * std::log2(p);
  }
  return bits_per_char * static_cast<double>(key.size());
}

Status CheckAdminKeyStrength(std::string_view key, std::string_view source) {
  const double bits = AdminKeyEntropyBits(key);
  if (key.size() >= kAdminKeyCharsMin && bits >= kAdminKeyBitsMin) return Status::Ok();
  return Status(StatusCode::kInvalidArgument,
                std::string(source) + " is too weak: an admin key needs at least " +
                    std::to_string(kAdminKeyCharsMin) + " characters and at least " +
                    std::to_string(static_cast<int>(kAdminKeyBitsMin)) +
                    " bits of estimated entropy (its length times the Shannon entropy of its "
                    "characters' frequencies); this one has " +
                    std::to_string(key.size()) + " characters and about " +
                    std::to_string(static_cast<int>(bits)) +
                    " bits. Make one with: openssl rand -hex 32",
                "weak_admin_key");
}

Result<AdminKey> LoadOrCreateAdminKey(const std::string& data_dir, const char* env_value) {
  if (env_value != nullptr && env_value[0] != '\0') {
    if (Status strong = CheckAdminKeyStrength(env_value, "LEDGER_ADMIN_KEY"); !strong.ok()) {
      return strong;
    }
    return AdminKey{env_value, "", false};
  }
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) return Status::IoError("create " + data_dir + ": " + error.message());
  AdminKey admin;
  admin.path = (std::filesystem::path(data_dir) / "admin.key").string();
  std::ifstream in(admin.path);
  if (in) {
    std::getline(in, admin.key);
    if (admin.key.empty()) return Status::IoError(admin.path + " is empty");
    if (Status strong = CheckAdminKeyStrength(admin.key, admin.path); !strong.ok()) return strong;
    return admin;
  }
  admin.key = std::string(kBootstrapKeyId) + "." + RandomHex(kSecretBytes);
  admin.created = true;
  const int fd = ::open(admin.path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("create " + admin.path + ": " + std::strerror(errno));
  const std::string line = admin.key + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Status::IoError("write " + admin.path);
  return admin;
}

}  // namespace ledger::api
