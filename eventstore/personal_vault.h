// PersonalVault: members' personal data (names, phones, a visit's place...) kept apart from the
// hash-chained log, encrypted per member, erasable (docs/privacy.md).
//
// Every subject (a member id) has its own random 32-byte data key, stored wrapped by the master
// key (AES-256-GCM). An event with personal fields carries only their commitment,
// HMAC-SHA-256(commit key, record), where commit key = HKDF-SHA-256(data key, no salt,
// info "zhaiyi personal commitment v1", 32 bytes); the record itself is sealed with the data key
// beside the event, in the same WriteBatch (EventDraft::side), so a refused event writes nothing.
// Layout of the store's `personal` column family (lp(x) = u32 big-endian length ‖ x):
//   "k" ‖ subject                     → nonce(12) ‖ AES-256-GCM(master key, data key) ‖ tag(16),
//                                        AAD = subject
//   "d" ‖ lp(subject) ‖ u64 position  → nonce(12) ‖ AES-256-GCM(data key, record) ‖ tag(16),
//                                        AAD = the key itself (binds subject and position)
//   "e" ‖ subject                     → u64 position of PersonalDataErased: erased
// A record is the event type ‖ "\n" ‖ the JCS (RFC 8785) bytes of the JSON object of exactly the
// personal fields that event was given; the commitment is over the JCS bytes alone.
//
// Opened fields stay in memory (ReadMemberRecords), as data keys do, until a change to them is
// applied (Forget) or she is erased (Purge): a member read then costs a hash lookup instead of a
// scan, an unwrap and AES-GCM.
//
// Thread-safe: a mutex guards the caches; side records are immutable.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/mutex.h"
#include "domain/position.h"
#include "domain/status.h"
#include "eventstore/event.h"

namespace ledger {

class EventStore;

constexpr size_t kPersonalKeyBytes = 32;
using PersonalKey = std::array<uint8_t, kPersonalKeyBytes>;

// One sealed record of a subject, opened: its event's position, type and JCS fields.
struct PersonalRecord {
  Position position;
  std::string type;
  std::string fields;  // JCS bytes of a JSON object
};

class PersonalVault {
 public:
  // The master key in `path`: 32 raw bytes, created (random, mode 0600) if the file does not
  // exist. IoError when it cannot be read or written, InvalidArgument when it is not 32 bytes.
  static Result<PersonalKey> LoadOrCreateMasterKey(const std::string& path);

  // A vault over `store`'s personal family; `store` must outlive it.
  PersonalVault(const EventStore& store, const PersonalKey& master_key);
  ~PersonalVault();
  PersonalVault(const PersonalVault&) = delete;
  PersonalVault& operator=(const PersonalVault&) = delete;

  // The commit key of `subject`, making a new data key for a subject that has none (kept in
  // memory until a sealed record of it is written). Refused "personal_data_erased" when the
  // subject was erased; Corruption when its wrapped key does not open under the master key.
  Result<PersonalKey> CommitKey(std::string_view subject) EXCLUDES(mutex_);

  // The side record that seals `type` + `fields` (JCS bytes) of `subject` at the event's
  // position and (re-)puts the subject's wrapped key. REQUIRES: CommitKey(subject) succeeded.
  Result<std::shared_ptr<const SideRecord>> Seal(std::string_view subject, std::string_view type,
                                                 std::string_view fields) EXCLUDES(mutex_);

  // As Seal, with a given data key (an import of `ledgerctl export --personal`): wraps it under
  // this vault's master key.
  std::shared_ptr<const SideRecord> SealWithKey(std::string_view subject,
                                                const PersonalKey& data_key, std::string_view type,
                                                std::string_view fields) const;

  // Every subject that has a data key, in key order, with its key and records (an admin's
  // backup: `ledgerctl export --personal`). Stops when `visit` returns false.
  Status ForEachSubject(
      const std::function<bool(std::string_view subject, const PersonalKey& data_key,
                               const std::vector<PersonalRecord>& records)>& visit) const;

  // The side record of PersonalDataErased for `subject`: deletes its wrapped key and every record
  // and puts the erased marker.
  static std::shared_ptr<const SideRecord> Erase(std::string_view subject);

  // After the erasure of `subject` is durable: forgets its key and makes the deleted records
  // leave every file (EventStore::PurgePersonal).
  Status Purge(EventStore& store, std::string_view subject) EXCLUDES(mutex_);

  // Whether `subject` was erased.
  Result<bool> Erased(std::string_view subject) const;

  // The records of `subject` in position order, opened; empty when it has none or was erased.
  // Corruption when one does not open.
  Result<std::vector<PersonalRecord>> Read(std::string_view subject) const EXCLUDES(mutex_);
  // The records of `subject` that give her own fields (MemberRegistered, MemberUpdated), in
  // position order, opened: Read's, less the visits', kept in memory for the next read of hers
  // until Forget(subject) or Purge. Errors as Read.
  Result<std::shared_ptr<const std::vector<PersonalRecord>>> ReadMemberRecords(
      std::string_view subject) const EXCLUDES(mutex_);
  // Drops what ReadMemberRecords keeps of `subject`: called once an event that changes her
  // records (new fields, an erasure) is committed and before a read can see it applied
  // (LedgerNode wires it to the projector).
  void Forget(std::string_view subject) EXCLUDES(mutex_);
  // The record of `subject` at `position`; nullopt when there is none.
  Result<std::optional<PersonalRecord>> ReadAt(std::string_view subject, Position position) const
      EXCLUDES(mutex_);

  // The wrapped data key of `subject` as stored (nullopt: none): for tests and exports.
  Result<std::optional<std::string>> WrappedKey(std::string_view subject) const;
  // The data key of `subject` as stored, unwrapped; nullopt when none.
  Result<std::optional<PersonalKey>> DataKey(std::string_view subject) const;

  // HMAC-SHA-256(commit_key, fields): the commitment an event carries.
  static std::string Commitment(const PersonalKey& commit_key, std::string_view fields);
  // HKDF-SHA-256(data_key, no salt, info "zhaiyi personal commitment v1"), 32 bytes.
  static PersonalKey CommitKeyOf(const PersonalKey& data_key);

  // Keys of the personal family (see the layout above).
  static std::string WrappedKeyKey(std::string_view subject);
  static std::string RecordPrefix(std::string_view subject);
  static std::string RecordKey(std::string_view subject, Position position);
  static std::string ErasedKey(std::string_view subject);

 private:
  struct Entry {
    PersonalKey data_key{};
    std::string wrapped;                    // as stored, or as it will be
    std::optional<PersonalKey> commit_key;  // CommitKeyOf(data_key), once asked for
  };
  // The data key `wrapped` holds under the master key; Corruption when it does not open.
  Result<PersonalKey> Unwrap(std::string_view subject, std::string_view wrapped) const;
  // The subject's entry, loaded or made; Refused when erased.
  Result<Entry> EntryOf(std::string_view subject) REQUIRES(mutex_);
  // The data key a read opens `subject`'s records with: the cached one, else the stored one
  // (DataKey), then cached — unless a purge ran meanwhile (its key may be the erased one) or
  // the cache is full. nullopt when there is none. Saves a read of the wrapped key and its
  // unwrapping per member read.
  Result<std::optional<PersonalKey>> ReadKey(std::string_view subject) const EXCLUDES(mutex_);

  // Entries cached by reads stop at this many (a miss only costs a Get and an unwrap).
  static constexpr size_t kKeysCachedByReadsMax = size_t{1} << 20;
  // Members whose records ReadMemberRecords keeps, at most (a miss costs a scan of hers): the
  // members a branch's coordinators read again and again, not a copy of the whole vault, which
  // would count against the memory the state needs (a few hundred bytes each: about 20 MB).
  static constexpr size_t kMembersCachedMax = size_t{1} << 16;

  const EventStore& store_;
  PersonalKey master_key_{};
  mutable Mutex mutex_;
  mutable std::map<std::string, Entry, std::less<>> keys_ GUARDED_BY(mutex_);
  uint64_t purges_ GUARDED_BY(mutex_) = 0;  // Purge calls so far
  // ReadMemberRecords' members. A read that missed keeps what it read only if no Forget or Purge
  // ran meanwhile (forgets_ unchanged): what it read may predate the change they announced.
  mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<PersonalRecord>>>
      member_records_ GUARDED_BY(mutex_);
  uint64_t forgets_ GUARDED_BY(mutex_) = 0;
};

}  // namespace ledger
