#include "eventstore/personal_vault.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "domain/assert.h"
#include "eventstore/event_store.h"
#include "eventstore/keys.h"

namespace ledger {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr std::string_view kCommitInfo = "zhaiyi personal commitment v1";

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string_view View(const PersonalKey& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// nonce ‖ AES-256-GCM(key, plain) ‖ tag, with a random nonce.
std::string SealBytes(const PersonalKey& key, std::string_view aad, std::string_view plain) {
  std::string out(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  LEDGER_ASSERT(RAND_bytes(bytes, kNonceBytes) == 1);
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  LEDGER_ASSERT(ctx != nullptr);
  int length = 0;
  LEDGER_ASSERT(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes) == 1);
  LEDGER_ASSERT(EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(aad),
                                  static_cast<int>(aad.size())) == 1);
  LEDGER_ASSERT(EVP_EncryptUpdate(ctx.get(), bytes + kNonceBytes, &length, Bytes(plain),
                                  static_cast<int>(plain.size())) == 1);
  LEDGER_ASSERT(EVP_EncryptFinal_ex(ctx.get(), bytes + kNonceBytes + length, &length) == 1);
  LEDGER_ASSERT(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                                    bytes + kNonceBytes + plain.size()) == 1);
  return out;
}

// The plain text of SealBytes' output, or nullopt when it does not open under `key` and `aad`
// (another key, another subject or position, a changed byte).
std::optional<std::string> OpenBytes(const PersonalKey& key, std::string_view aad,
                                     std::string_view sealed) {
  if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  const size_t plain_size = sealed.size() - kNonceBytes - kTagBytes;
  std::string plain(plain_size, '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  LEDGER_ASSERT(ctx != nullptr);
  int length = 0;
  std::string tag(sealed.substr(kNonceBytes + plain_size));
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), Bytes(sealed)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(aad), static_cast<int>(aad.size())) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        Bytes(sealed) + kNonceBytes, static_cast<int>(plain_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &length) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

// Writes the sealed record and the wrapped key of one event.
class SealedRecord : public SideRecord {
 public:
  SealedRecord(std::string subject, PersonalKey data_key, std::string wrapped, std::string plain)
      : subject_(std::move(subject)),
        data_key_(data_key),
        wrapped_(std::move(wrapped)),
        plain_(std::move(plain)) {}

  void Write(Position position, SideWrites& out) const override {
    const std::string key = PersonalVault::RecordKey(subject_, position);
    out.puts.emplace_back(PersonalVault::WrappedKeyKey(subject_), wrapped_);
    out.puts.emplace_back(key, SealBytes(data_key_, key, plain_));
  }

 private:
  std::string subject_;
  PersonalKey data_key_;
  std::string wrapped_;
  std::string plain_;
};

// Deletes a subject's key and records, and marks it erased.
class ErasureRecord : public SideRecord {
 public:
  explicit ErasureRecord(std::string subject) : subject_(std::move(subject)) {}

  void Write(Position position, SideWrites& out) const override {
    const std::string key = PersonalVault::WrappedKeyKey(subject_);
    out.deleted_ranges.emplace_back(key, key + '\0');  // exactly the one key
    const std::string prefix = PersonalVault::RecordPrefix(subject_);
    out.deleted_ranges.emplace_back(prefix, prefix + std::string(9, '\xff'));
    std::string value;
    AppendBigEndian64(position.value, &value);
    out.puts.emplace_back(PersonalVault::ErasedKey(subject_), value);
  }

 private:
  std::string subject_;
};

std::optional<PersonalRecord> ParseRecord(Position position, std::string_view plain) {
  const size_t newline = plain.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  return PersonalRecord{position, std::string(plain.substr(0, newline)),
                        std::string(plain.substr(newline + 1))};
}

}  // namespace

Result<PersonalKey> PersonalVault::LoadOrCreateMasterKey(const std::string& path) {
  PersonalKey key{};
  int fd = open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    char extra = 0;
    const bool read_all = read(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
                          read(fd, &extra, 1) == 0;
    close(fd);
    if (!read_all) return Status::InvalidArgument(path + " is not a 32-byte personal key");
    return key;
  }
  if (errno != ENOENT) return Status::IoError("cannot read " + path);
  LEDGER_ASSERT(RAND_bytes(key.data(), static_cast<int>(key.size())) == 1);
  // O_EXCL: never overwrite a key another process just created.
  fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path);
  const bool written =
      write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return Status::IoError("cannot write " + path);
  return key;
}

PersonalVault::PersonalVault(const EventStore& store, const PersonalKey& master_key)
    : store_(store), master_key_(master_key) {
  // Buckets for every member it may keep (8 MB), so that a read never waits on a rehash of
  // hundreds of thousands of them under the mutex.
  MutexLock lock(mutex_);
  member_records_.reserve(kMembersCachedMax);
}

PersonalVault::~PersonalVault() {
  MutexLock lock(mutex_);
  for (auto& entry : keys_) entry.second.data_key.fill(0);
  master_key_.fill(0);
}

std::string PersonalVault::WrappedKeyKey(std::string_view subject) {
  return "k" + std::string(subject);
}

std::string PersonalVault::RecordPrefix(std::string_view subject) {
  std::string key = "d";
  AppendBigEndian32(static_cast<uint32_t>(subject.size()), &key);
  key.append(subject);
  return key;
}

std::string PersonalVault::RecordKey(std::string_view subject, Position position) {
  std::string key = RecordPrefix(subject);
  AppendBigEndian64(position.value, &key);
  return key;
}

std::string PersonalVault::ErasedKey(std::string_view subject) {
  return "e" + std::string(subject);
}

std::string PersonalVault::Commitment(const PersonalKey& commit_key, std::string_view fields) {
  std::string mac(32, '\0');
  unsigned int length = 0;
  LEDGER_ASSERT(HMAC(EVP_sha256(), commit_key.data(), static_cast<int>(commit_key.size()),
                     Bytes(fields), fields.size(), reinterpret_cast<unsigned char*>(mac.data()),
                     &length) != nullptr);
  LEDGER_ASSERT(length == mac.size());
  return mac;
}

PersonalKey PersonalVault::CommitKeyOf(const PersonalKey& data_key) {
  PersonalKey out{};
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), EVP_PKEY_CTX_free);
  size_t length = out.size();
  LEDGER_ASSERT(ctx != nullptr);
  LEDGER_ASSERT(EVP_PKEY_derive_init(ctx.get()) == 1);
  LEDGER_ASSERT(EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) == 1);
  LEDGER_ASSERT(EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), data_key.data(),
                                           static_cast<int>(data_key.size())) == 1);
  LEDGER_ASSERT(EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), Bytes(kCommitInfo),
                                            static_cast<int>(kCommitInfo.size())) == 1);
  LEDGER_ASSERT(EVP_PKEY_derive(ctx.get(), out.data(), &length) == 1);
  LEDGER_ASSERT(length == out.size());
  return out;
}

Result<bool> PersonalVault::Erased(std::string_view subject) const {
  Result<std::optional<std::string>> marker = store_.PersonalGet(ErasedKey(subject));
  if (!marker.ok()) return marker.status();
  return marker->has_value();
}

Result<std::optional<std::string>> PersonalVault::WrappedKey(std::string_view subject) const {
  return store_.PersonalGet(WrappedKeyKey(subject));
}

Result<PersonalKey> PersonalVault::Unwrap(std::string_view subject,
                                          std::string_view wrapped) const {
  std::optional<std::string> plain = OpenBytes(master_key_, subject, wrapped);
  if (!plain || plain->size() != kPersonalKeyBytes) {
    return Status::Corruption("the personal data key of " + std::string(subject) +
                              " does not open under this master key");
  }
  PersonalKey key{};
  std::copy(plain->begin(), plain->end(), key.begin());
  std::fill(plain->begin(), plain->end(), '\0');
  return key;
}

Result<std::optional<PersonalKey>> PersonalVault::DataKey(std::string_view subject) const {
  Result<std::optional<std::string>> wrapped = WrappedKey(subject);
  if (!wrapped.ok()) return wrapped.status();
  if (!wrapped->has_value()) return std::optional<PersonalKey>();
  Result<PersonalKey> key = Unwrap(subject, **wrapped);
  if (!key.ok()) return key.status();
  return std::optional<PersonalKey>(*key);
}

Result<std::optional<PersonalKey>> PersonalVault::ReadKey(std::string_view subject) const {
  uint64_t purges = 0;
  {
    MutexLock lock(mutex_);
    if (auto it = keys_.find(subject); it != keys_.end()) {
      return std::optional<PersonalKey>(it->second.data_key);
    }
    purges = purges_;
  }
  Result<std::optional<std::string>> wrapped = WrappedKey(subject);
  if (!wrapped.ok()) return wrapped.status();
  if (!wrapped->has_value()) return std::optional<PersonalKey>();
  Result<PersonalKey> key = Unwrap(subject, **wrapped);
  if (!key.ok()) return key.status();
  MutexLock lock(mutex_);
  if (purges == purges_ && keys_.size() < kKeysCachedByReadsMax) {
    keys_.emplace(std::string(subject), Entry{*key, std::move(**wrapped), std::nullopt});
  }
  return std::optional<PersonalKey>(*key);
}

Result<PersonalVault::Entry> PersonalVault::EntryOf(std::string_view subject) {
  if (auto it = keys_.find(subject); it != keys_.end()) return it->second;
  Result<bool> erased = Erased(subject);
  if (!erased.ok()) return erased.status();
  if (*erased) {
    return Status::Refused("personal_data_erased",
                           "the personal data of " + std::string(subject) + " was erased");
  }
  Result<std::optional<std::string>> wrapped = WrappedKey(subject);
  if (!wrapped.ok()) return wrapped.status();
  Entry entry;
  if (wrapped->has_value()) {
    Result<PersonalKey> key = Unwrap(subject, **wrapped);
    if (!key.ok()) return key.status();
    entry.data_key = *key;
    entry.wrapped = std::move(**wrapped);
  } else {
    LEDGER_ASSERT(RAND_bytes(entry.data_key.data(), static_cast<int>(entry.data_key.size())) == 1);
    entry.wrapped = SealBytes(master_key_, subject, View(entry.data_key));
  }
  keys_.emplace(std::string(subject), entry);
  return entry;
}

Result<PersonalKey> PersonalVault::CommitKey(std::string_view subject) {
  MutexLock lock(mutex_);
  Result<Entry> entry = EntryOf(subject);
  if (!entry.ok()) return entry.status();
  auto it = keys_.find(subject);  // EntryOf keeps the entry it returns
  LEDGER_ASSERT(it != keys_.end());
  if (!it->second.commit_key) it->second.commit_key = CommitKeyOf(it->second.data_key);
  return *it->second.commit_key;
}

Result<std::shared_ptr<const SideRecord>> PersonalVault::Seal(std::string_view subject,
                                                              std::string_view type,
                                                              std::string_view fields) {
  MutexLock lock(mutex_);
  Result<Entry> entry = EntryOf(subject);
  if (!entry.ok()) return entry.status();
  std::string plain(type);
  plain.push_back('\n');
  plain.append(fields);
  return std::shared_ptr<const SideRecord>(std::make_shared<SealedRecord>(
      std::string(subject), entry->data_key, std::move(entry->wrapped), std::move(plain)));
}

std::shared_ptr<const SideRecord> PersonalVault::SealWithKey(std::string_view subject,
                                                             const PersonalKey& data_key,
                                                             std::string_view type,
                                                             std::string_view fields) const {
  std::string plain(type);
  plain.push_back('\n');
  plain.append(fields);
  return std::make_shared<SealedRecord>(std::string(subject), data_key,
                                        SealBytes(master_key_, subject, View(data_key)),
                                        std::move(plain));
}

Status PersonalVault::ForEachSubject(
    const std::function<bool(std::string_view subject, const PersonalKey& data_key,
                             const std::vector<PersonalRecord>& records)>& visit) const {
  std::vector<std::string> subjects;
  Status scan = store_.PersonalScan("k", [&](std::string_view key, std::string_view) {
    subjects.emplace_back(key.substr(1));
    return true;
  });
  if (!scan.ok()) return scan;
  for (const std::string& subject : subjects) {
    Result<std::optional<PersonalKey>> key = DataKey(subject);
    if (!key.ok()) return key.status();
    if (!key->has_value()) continue;  // erased meanwhile
    Result<std::vector<PersonalRecord>> records = Read(subject);
    if (!records.ok()) return records.status();
    if (!visit(subject, **key, *records)) break;
  }
  return Status::Ok();
}

std::shared_ptr<const SideRecord> PersonalVault::Erase(std::string_view subject) {
  return std::make_shared<ErasureRecord>(std::string(subject));
}

Status PersonalVault::Purge(EventStore& store, std::string_view subject) {
  {
    MutexLock lock(mutex_);
    member_records_.erase(std::string(subject));
    ++forgets_;
    if (auto it = keys_.find(subject); it != keys_.end()) {
      it->second.data_key.fill(0);
      if (it->second.commit_key) it->second.commit_key->fill(0);
      keys_.erase(it);
    }
    ++purges_;
  }
  return store.PurgePersonal();
}

Result<std::vector<PersonalRecord>> PersonalVault::Read(std::string_view subject) const {
  std::vector<PersonalRecord> records;
  Result<std::optional<PersonalKey>> key = ReadKey(subject);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return records;
  const std::string prefix = RecordPrefix(subject);
  Status failure;
  Status scan = store_.PersonalScan(prefix, [&](std::string_view k, std::string_view value) {
    if (k.size() != prefix.size() + 8) return true;
    const Position position{DecodeBigEndian64(k.substr(prefix.size()))};
    std::optional<std::string> plain = OpenBytes(**key, k, value);
    std::optional<PersonalRecord> record = plain ? ParseRecord(position, *plain) : std::nullopt;
    if (!record) {
      failure = Status::Corruption("the personal record of " + std::string(subject) + " at " +
                                   std::to_string(position.value) + " does not open");
      return false;
    }
    records.push_back(std::move(*record));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!failure.ok()) return failure;
  return records;
}

Result<std::shared_ptr<const std::vector<PersonalRecord>>> PersonalVault::ReadMemberRecords(
    std::string_view subject) const {
  uint64_t forgets = 0;
  const std::string key(subject);
  {
    MutexLock lock(mutex_);
    if (auto it = member_records_.find(key); it != member_records_.end()) return it->second;
    forgets = forgets_;
  }
  Result<std::vector<PersonalRecord>> records = Read(subject);
  if (!records.ok()) return records.status();
  std::erase_if(*records, [](const PersonalRecord& record) {
    return record.type != "MemberRegistered" && record.type != "MemberUpdated";
  });
  auto kept = std::make_shared<const std::vector<PersonalRecord>>(std::move(*records));
  MutexLock lock(mutex_);
  if (forgets == forgets_ && member_records_.size() < kMembersCachedMax) {
    member_records_.emplace(key, kept);
  }
  return kept;
}

void PersonalVault::Forget(std::string_view subject) {
  MutexLock lock(mutex_);
  member_records_.erase(std::string(subject));
  ++forgets_;
}

Result<std::optional<PersonalRecord>> PersonalVault::ReadAt(std::string_view subject,
                                                            Position position) const {
  const std::string k = RecordKey(subject, position);
  Result<std::optional<std::string>> sealed = store_.PersonalGet(k);
  if (!sealed.ok()) return sealed.status();
  if (!sealed->has_value()) return std::optional<PersonalRecord>();
  Result<std::optional<PersonalKey>> key = ReadKey(subject);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return std::optional<PersonalRecord>();
  std::optional<std::string> plain = OpenBytes(**key, k, **sealed);
  std::optional<PersonalRecord> record = plain ? ParseRecord(position, *plain) : std::nullopt;
  if (!record) {
    return Status::Corruption("the personal record of " + std::string(subject) + " at " +
                              std::to_string(position.value) + " does not open");
  }
  return record;
}

}  // namespace ledger
