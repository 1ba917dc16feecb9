// AccountStore: the credentials of people's accounts (API.md, "People: accounts and sessions"):
// each account's login, display name, role and scope, its Argon2id password hash, its open
// invitation and its sessions. Rows live in the "credentials" read model (RocksDB column family
// "proj.credentials"), beside the log and never in it: `ledgerctl backup` copies them (a RocksDB
// checkpoint copies every family), `ledgerctl export`, Kafka and the log never see them.
//
// Secrets are kept only as hashes: invitation tokens and session ids carry 256 random bits, so
// their SHA-256 is enough (as for keys); passwords are Argon2id strings made by the caller
// (password_hasher.h). Who may do what is the handler's business; the store only keeps the
// records consistent: one open account per login, one open invitation per account, no session
// of a closed account or of an account without a password.
//
// That an account was opened or closed is also an event in the log (AccountOpened,
// AccountClosed); the handler writes the event first and the row after, so every account has its
// event. Open() takes the accounts the log says are closed, so a crash between the two never
// leaves a closed account able to sign in.
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/key_store.h"
#include "domain/status.h"
#include "eventstore/read_model_store.h"

namespace ledger::api {

inline constexpr std::string_view kCredentialsReadModel = "credentials";
inline constexpr std::string_view kSessionCookie = "zl_session";

struct AccountInfo {
  std::string account_id;
  std::string login;         // normalised (NormaliseLogin)
  std::string display_name;  // what the console shows
  Role role = Role::kMember;
  std::string scope_id;   // branch, partner, member or merchant id; "" for admin and auditor
  std::string branch_id;  // a coordinator's branch, a member's branch; "" otherwise
  std::string opened_by;  // the actor who opened it (a key id or an account id)
  int64_t created_at_us = 0;
  bool closed = false;
  bool has_password = false;  // false until the invitation is used
};

struct Invitation {
  std::string token;  // shown once
  int64_t expires_at_us = 0;
};

// How long a session lives: `idle_us` without a request, and `absolute_us` after sign-in at most.
struct SessionLifetime {
  int64_t idle_us = 0;
  int64_t absolute_us = 0;
};
// Per role (docs/accounts.md says why).
SessionLifetime SessionLifetimeFor(Role role);

struct NewSession {
  std::string session_id;  // the cookie's value, shown once
  std::string csrf_token;
  int64_t expires_at_us = 0;  // the absolute end
};

// A live session, as a request authenticated by it sees it.
struct SessionView {
  AccountInfo account;
  std::string session_digest;  // the stored key of the session (not its id)
  std::string csrf_token;
  int64_t expires_at_us = 0;
  int64_t idle_expires_at_us = 0;
};

// The login as it is compared: ASCII letters lowercased, surrounding spaces cut. nullopt when it
// is not a login: 1 to 64 characters of UTF-8 without spaces or control characters.
std::optional<std::string> NormaliseLogin(std::string_view login);

class AccountStore {
 public:
  static constexpr int64_t kInvitationLifetimeUs = int64_t{72} * 3600 * 1'000'000;

  // Loads every row of `rows` (which must outlive the store); `closed_in_log` are accounts the
  // log says are closed (they are closed here too). Corruption on a malformed row.
  static Result<std::unique_ptr<AccountStore>> Open(ReadModelStore& rows,
                                                    const std::set<std::string>& closed_in_log);

  // Holds `login` for an account being opened: IdConflict ("login_taken") when an open
  // account has it or another opening holds it. Release it with Release or CommitOpen.
  Status Reserve(std::string_view login);
  void Release(std::string_view login);
  // Stores a new account (its AccountOpened is in the log) with a new invitation, and releases
  // its login's reservation. IoError when the rows cannot be written.
  Result<Invitation> CommitOpen(AccountInfo account, int64_t now_us);

  std::optional<AccountInfo> Find(std::string_view account_id) const;
  // Every account, by id.
  std::vector<AccountInfo> List() const;
  // The open account with `login` and its password hash ("" when it has none yet).
  std::optional<std::pair<AccountInfo, std::string>> ForLogin(std::string_view login) const;
  std::string PasswordHash(std::string_view account_id) const;

  // A fresh invitation for an open account: every older one and every session ends, and the
  // password is cleared (a reset). NotFound for no open account.
  Result<Invitation> Reinvite(std::string_view account_id, int64_t now_us);
  // The account an unused, unexpired invitation is for.
  std::optional<std::string> InvitationAccount(std::string_view token, int64_t now_us) const;
  // Uses the invitation: the account's password becomes `password_hash` and every session of
  // it ends. NotFound when the invitation is unknown, used, expired or its account closed.
  Result<std::string> Activate(std::string_view token, std::string password_hash, int64_t now_us);
  // Changes the password; every session but `keep_session_digest` ends. NotFound for no open
  // account.
  Status ChangePassword(std::string_view account_id, std::string password_hash,
                        std::string_view keep_session_digest);
  // Closes the account: it can no longer sign in, its sessions and invitation end at once.
  // NotFound for no open account.
  Status Close(std::string_view account_id);

  // A new session of an open account with a password. NotFound otherwise.
  Result<NewSession> StartSession(std::string_view account_id, int64_t now_us);
  // The live session with id `session_id` (the cookie's value), its idle time restarted; nullopt
  // for an unknown, ended or expired one (an expired one is removed).
  std::optional<SessionView> Authenticate(std::string_view session_id, int64_t now_us);
  void EndSession(std::string_view session_digest);

 private:
  struct Session {
    std::string account_id;
    std::string csrf_token;
    int64_t created_at_us = 0;
    int64_t last_seen_us = 0;
    int64_t expires_at_us = 0;
  };
  struct Pending {
    std::string account_id;
    int64_t expires_at_us = 0;
  };
  explicit AccountStore(ReadModelStore& rows) : rows_(rows) {}

  using Writes = std::vector<ReadModelStore::RowWrite>;
  // REQUIRES: mutex_ held. Appends the writes ending every session of `account_id` but `keep`,
  // and every invitation of it, to `writes`.
  void EndAllLocked(std::string_view account_id, std::string_view keep, Writes& writes);
  // REQUIRES: mutex_ held. Applies `writes` to the rows; the caller then updates the maps.
  Status CommitLocked(const Writes& writes);

  ReadModelStore& rows_;
  mutable std::mutex mutex_;
  std::map<std::string, AccountInfo> accounts_;               // by id; guarded by mutex_
  std::map<std::string, std::string> password_hashes_;        // by account id
  std::unordered_map<std::string, std::string> open_logins_;  // login -> account id
  std::set<std::string> reserved_logins_;                     // being opened
  std::unordered_map<std::string, Pending> invitations_;      // by hex SHA-256 of the token
  std::unordered_map<std::string, Session> sessions_;         // by hex SHA-256 of the id
};

}  // namespace ledger::api
