#include "api/account_store.h"

#include <openssl/crypto.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "domain/assert.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kAccountPrefix = "account/";
constexpr std::string_view kInvitationPrefix = "invitation/";
constexpr std::string_view kSessionPrefix = "session/";
constexpr size_t kSecretBytes = 32;  // 256 bits: session ids and invitation tokens
constexpr size_t kCsrfTokenBytes = 16;
constexpr size_t kLoginCharactersMax = 64;
// A session's last request is written down at most this often (a restart may so shorten its
// idle time by this much, never lengthen it past its absolute end).
constexpr int64_t kLastSeenPersistUs = int64_t{5} * 60 * 1'000'000;
// The credentials read model's rows are always valid: any checkpoint marks them so.
constexpr Position kCredentialsCheckpoint{1};
constexpr int64_t kMinuteUs = int64_t{60} * 1'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

std::string AccountRow(const AccountInfo& a, const std::string& password_hash) {
  return json::serialize(json::object{{"login", a.login},
                                      {"display_name", a.display_name},
                                      {"role", RoleName(a.role)},
                                      {"scope_id", a.scope_id},
                                      {"branch_id", a.branch_id},
                                      {"opened_by", a.opened_by},
                                      {"created_at_us", a.created_at_us},
                                      {"closed", a.closed},
                                      {"password_hash", password_hash}});
}

std::string InvitationRow(const std::string& account_id, int64_t expires_at_us) {
  return json::serialize(
      json::object{{"account_id", account_id}, {"expires_at_us", expires_at_us}});
}

std::string SessionRow(const std::string& account_id, const std::string& csrf_token,
                       int64_t created_at_us, int64_t last_seen_us, int64_t expires_at_us) {
  return json::serialize(json::object{{"account_id", account_id},
                                      {"csrf_token", csrf_token},
                                      {"created_at_us", created_at_us},
                                      {"last_seen_us", last_seen_us},
                                      {"expires_at_us", expires_at_us}});
}

std::string Key(std::string_view prefix, std::string_view id) {
  return std::string(prefix) + std::string(id);
}

}  // namespace

SessionLifetime SessionLifetimeFor(Role role) {
  switch (role) {
    case Role::kAdmin:  // every right: short, and never past a working day
      return {30 * kMinuteUs, 12 * kHourUs};
    case Role::kAuditor:
      return {2 * kHourUs, 12 * kHourUs};
    case Role::kCoordinator:  // a working day at the branch office, a week at most
      return {8 * kHourUs, 7 * kDayUs};
    case Role::kPartner:
    case Role::kMerchant:
      return {1 * kDayUs, 14 * kDayUs};
    case Role::kMember:  // a volunteer on her own phone: signs in about once a month
      return {14 * kDayUs, 30 * kDayUs};
  }
  return {30 * kMinuteUs, 12 * kHourUs};
}

std::optional<std::string> NormaliseLogin(std::string_view login) {
  while (!login.empty() && login.front() == ' ') login.remove_prefix(1);
  while (!login.empty() && login.back() == ' ') login.remove_suffix(1);
  if (login.empty() || login.size() > 4 * kLoginCharactersMax) return std::nullopt;
  size_t characters = 0;
  std::string out;
  for (const char c : login) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return std::nullopt;  // spaces and control characters
    out.push_back(byte < 0x80 ? static_cast<char>(std::tolower(byte)) : c);
    if ((byte & 0xC0) != 0x80) ++characters;  // UTF-8: a character begins at each non-continuation
  }
  if (characters > kLoginCharactersMax) return std::nullopt;
  return out;
}

Result<std::unique_ptr<AccountStore>> AccountStore::Open(
    ReadModelStore& rows, const std::set<std::string>& closed_in_log) {
  std::unique_ptr<AccountStore> store(new AccountStore(rows));
  Result<Position> checkpoint = rows.Checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->value == 0) return store;
  bool malformed = false;
  Status status = rows.ForEachRow([&](std::string_view key, std::string_view value) {
    boost::system::error_code error;
    json::value row = json::parse(json::string_view(value.data(), value.size()), error);
    if (error || !row.is_object()) {
      malformed = true;
      return false;
    }
    const json::object& o = row.get_object();
    try {
      if (key.starts_with(kAccountPrefix)) {
        AccountInfo a;
        a.account_id = std::string(key.substr(kAccountPrefix.size()));
        a.login = std::string(o.at("login").as_string());
        a.display_name = std::string(o.at("display_name").as_string());
        std::optional<Role> role = RoleFromName(o.at("role").as_string());
        if (!role) throw std::invalid_argument("role");
        a.role = *role;
        a.scope_id = std::string(o.at("scope_id").as_string());
        a.branch_id = std::string(o.at("branch_id").as_string());
        a.opened_by = std::string(o.at("opened_by").as_string());
        a.created_at_us = o.at("created_at_us").as_int64();
        a.closed = o.at("closed").as_bool() || closed_in_log.contains(a.account_id);
        std::string hash = std::string(o.at("password_hash").as_string());
        a.has_password = !hash.empty();
        if (!a.closed) store->open_logins_[a.login] = a.account_id;
        store->password_hashes_[a.account_id] = std::move(hash);
        store->accounts_[a.account_id] = std::move(a);
      } else if (key.starts_with(kInvitationPrefix)) {
        store->invitations_[std::string(key.substr(kInvitationPrefix.size()))] =
            Pending{std::string(o.at("account_id").as_string()), o.at("expires_at_us").as_int64()};
      } else if (key.starts_with(kSessionPrefix)) {
        Session s;
        s.account_id = std::string(o.at("account_id").as_string());
        s.csrf_token = std::string(o.at("csrf_token").as_string());
        s.created_at_us = o.at("created_at_us").as_int64();
        s.last_seen_us = o.at("last_seen_us").as_int64();
        s.expires_at_us = o.at("expires_at_us").as_int64();
        store->sessions_[std::string(key.substr(kSessionPrefix.size()))] = std::move(s);
      }
    } catch (const std::exception&) {
      malformed = true;
      return false;
    }
    return true;
  });
  if (!status.ok()) return status;
  if (malformed) return Status::Corruption("a row of the credentials read model is malformed");
  // Sessions and invitations of accounts closed meanwhile (the log said so) end now.
  std::lock_guard lock(store->mutex_);
  Writes writes;
  for (const auto& [id, account] : store->accounts_) {
    if (!account.closed) continue;
    store->EndAllLocked(id, "", writes);
    writes.push_back({Key(kAccountPrefix, id), AccountRow(account, "")});
    store->password_hashes_[id].clear();
  }
  if (!writes.empty()) {
    if (Status commit = store->CommitLocked(writes); !commit.ok()) return commit;
  }
  return store;
}

Status AccountStore::Reserve(std::string_view login) {
  std::lock_guard lock(mutex_);
  const std::string key(login);
  if (open_logins_.contains(key) || reserved_logins_.contains(key)) {
    return Status(StatusCode::kIdConflict, "the login '" + key + "' is taken", "login_taken");
  }
  reserved_logins_.insert(key);
  return Status::Ok();
}

void AccountStore::Release(std::string_view login) {
  std::lock_guard lock(mutex_);
  reserved_logins_.erase(std::string(login));
}

Status AccountStore::CommitLocked(const Writes& writes) {
  return rows_.Commit(writes, kCredentialsCheckpoint);
}

void AccountStore::EndAllLocked(std::string_view account_id, std::string_view keep,
                                Writes& writes) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.account_id == account_id && it->first != keep) {
      writes.push_back({Key(kSessionPrefix, it->first), std::nullopt});
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = invitations_.begin(); it != invitations_.end();) {
    if (it->second.account_id == account_id) {
      writes.push_back({Key(kInvitationPrefix, it->first), std::nullopt});
      it = invitations_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<Invitation> AccountStore::CommitOpen(AccountInfo account, int64_t now_us) {
  Invitation invitation{RandomHex(kSecretBytes), now_us + kInvitationLifetimeUs};
  const std::string digest = Sha256Hex(invitation.token);
  account.closed = false;
  account.has_password = false;
  std::lock_guard lock(mutex_);
  reserved_logins_.erase(account.login);
  Status status = CommitLocked({{Key(kAccountPrefix, account.account_id), AccountRow(account, "")},
                                {Key(kInvitationPrefix, digest),
                                 InvitationRow(account.account_id, invitation.expires_at_us)}});
  if (!status.ok()) return status;
  invitations_[digest] = Pending{account.account_id, invitation.expires_at_us};
  open_logins_[account.login] = account.account_id;
  password_hashes_[account.account_id].clear();
  accounts_[account.account_id] = std::move(account);
  return invitation;
}

std::optional<AccountInfo> AccountStore::Find(std::string_view account_id) const {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(account_id));
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::vector<AccountInfo> AccountStore::List() const {
  std::lock_guard lock(mutex_);
  std::vector<AccountInfo> out;
  out.reserve(accounts_.size());
  for (const auto& [id, account] : accounts_) out.push_back(account);
  return out;
}

std::optional<std::pair<AccountInfo, std::string>> AccountStore::ForLogin(
    std::string_view login) const {
  std::lock_guard lock(mutex_);
  auto it = open_logins_.find(std::string(login));
  if (it == open_logins_.end()) return std::nullopt;
  return std::make_pair(accounts_.at(it->second), password_hashes_.at(it->second));
}

std::string AccountStore::PasswordHash(std::string_view account_id) const {
  std::lock_guard lock(mutex_);
  auto it = password_hashes_.find(std::string(account_id));
  return it == password_hashes_.end() ? std::string() : it->second;
}

Result<Invitation> AccountStore::Reinvite(std::string_view account_id, int64_t now_us) {
  Invitation invitation{RandomHex(kSecretBytes), now_us + kInvitationLifetimeUs};
  const std::string digest = Sha256Hex(invitation.token);
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(account_id));
  if (it == accounts_.end() || it->second.closed) {
    return Status::NotFound("no account '" + std::string(account_id) + "'");
  }
  AccountInfo updated = it->second;
  updated.has_password = false;
  Writes writes;
  EndAllLocked(account_id, "", writes);
  writes.push_back({Key(kAccountPrefix, updated.account_id), AccountRow(updated, "")});
  writes.push_back({Key(kInvitationPrefix, digest),
                    InvitationRow(updated.account_id, invitation.expires_at_us)});
  if (Status status = CommitLocked(writes); !status.ok()) return status;
  invitations_[digest] = Pending{updated.account_id, invitation.expires_at_us};
  password_hashes_[updated.account_id].clear();
  it->second = std::move(updated);
  return invitation;
}

std::optional<std::string> AccountStore::InvitationAccount(std::string_view token,
                                                           int64_t now_us) const {
  const std::string digest = Sha256Hex(token);
  std::lock_guard lock(mutex_);
  auto it = invitations_.find(digest);
  if (it == invitations_.end() || it->second.expires_at_us <= now_us) return std::nullopt;
  auto account = accounts_.find(it->second.account_id);
  if (account == accounts_.end() || account->second.closed) return std::nullopt;
  return it->second.account_id;
}

Result<std::string> AccountStore::Activate(std::string_view token, std::string password_hash,
                                           int64_t now_us) {
  const std::string digest = Sha256Hex(token);
  std::lock_guard lock(mutex_);
  auto it = invitations_.find(digest);
  if (it == invitations_.end() || it->second.expires_at_us <= now_us) {
    return Status::NotFound("no such invitation");
  }
  auto account = accounts_.find(it->second.account_id);
  if (account == accounts_.end() || account->second.closed) {
    return Status::NotFound("no such invitation");
  }
  AccountInfo updated = account->second;
  updated.has_password = true;
  Writes writes;
  EndAllLocked(updated.account_id, "", writes);  // the invitation itself, too
  writes.push_back({Key(kAccountPrefix, updated.account_id), AccountRow(updated, password_hash)});
  if (Status status = CommitLocked(writes); !status.ok()) return status;
  password_hashes_[updated.account_id] = std::move(password_hash);
  account->second = updated;
  return updated.account_id;
}

Status AccountStore::ChangePassword(std::string_view account_id, std::string password_hash,
                                    std::string_view keep_session_digest) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(account_id));
  if (it == accounts_.end() || it->second.closed) {
    return Status::NotFound("no account '" + std::string(account_id) + "'");
  }
  AccountInfo updated = it->second;
  updated.has_password = true;
  Writes writes;
  EndAllLocked(account_id, keep_session_digest, writes);
  writes.push_back({Key(kAccountPrefix, updated.account_id), AccountRow(updated, password_hash)});
  if (Status status = CommitLocked(writes); !status.ok()) return status;
  password_hashes_[updated.account_id] = std::move(password_hash);
  it->second = std::move(updated);
  return Status::Ok();
}

Status AccountStore::Close(std::string_view account_id) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(account_id));
  if (it == accounts_.end() || it->second.closed) {
    return Status::NotFound("no account '" + std::string(account_id) + "'");
  }
  AccountInfo updated = it->second;
  updated.closed = true;
  updated.has_password = false;
  Writes writes;
  EndAllLocked(account_id, "", writes);
  writes.push_back({Key(kAccountPrefix, updated.account_id), AccountRow(updated, "")});
  if (Status status = CommitLocked(writes); !status.ok()) return status;
  password_hashes_[updated.account_id].clear();
  open_logins_.erase(updated.login);
  it->second = std::move(updated);
  return Status::Ok();
}

Result<NewSession> AccountStore::StartSession(std::string_view account_id, int64_t now_us) {
  NewSession session{RandomHex(kSecretBytes), RandomHex(kCsrfTokenBytes), 0};
  const std::string digest = Sha256Hex(session.session_id);
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(std::string(account_id));
  if (it == accounts_.end() || it->second.closed || !it->second.has_password) {
    return Status::NotFound("no account '" + std::string(account_id) + "'");
  }
  session.expires_at_us = now_us + SessionLifetimeFor(it->second.role).absolute_us;
  Session stored{std::string(account_id), session.csrf_token, now_us, now_us,
                 session.expires_at_us};
  Status status = CommitLocked(
      {{Key(kSessionPrefix, digest),
        SessionRow(stored.account_id, stored.csrf_token, now_us, now_us, stored.expires_at_us)}});
  if (!status.ok()) return status;
  sessions_[digest] = std::move(stored);
  return session;
}

std::optional<SessionView> AccountStore::Authenticate(std::string_view session_id, int64_t now_us) {
  if (session_id.size() != 2 * kSecretBytes) return std::nullopt;
  const std::string digest = Sha256Hex(session_id);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  Session& session = it->second;
  auto account = accounts_.find(session.account_id);
  const bool live =
      account != accounts_.end() && !account->second.closed && account->second.has_password &&
      now_us < session.expires_at_us &&
      now_us < session.last_seen_us + SessionLifetimeFor(account->second.role).idle_us;
  if (!live) {
    // Ended for good: the row goes (a failed write leaves it to the next try; it stays dead).
    static_cast<void>(CommitLocked({{Key(kSessionPrefix, digest), std::nullopt}}));
    sessions_.erase(it);
    return std::nullopt;
  }
  if (now_us - session.last_seen_us >= kLastSeenPersistUs) {
    // Ignored on failure: at worst the session ends a little earlier after a restart.
    static_cast<void>(
        CommitLocked({{Key(kSessionPrefix, digest),
                       SessionRow(session.account_id, session.csrf_token, session.created_at_us,
                                  now_us, session.expires_at_us)}}));
  }
  session.last_seen_us = now_us;
  const SessionLifetime lifetime = SessionLifetimeFor(account->second.role);
  return SessionView{account->second, digest, session.csrf_token, session.expires_at_us,
                     std::min(session.expires_at_us, now_us + lifetime.idle_us)};
}

void AccountStore::EndSession(std::string_view session_digest) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(session_digest));
  if (it == sessions_.end()) return;
  // Ignored on failure: the session ends in memory now; only if the disk failed would its row
  // come back after a restart (until it expires).
  static_cast<void>(CommitLocked({{Key(kSessionPrefix, it->first), std::nullopt}}));
  sessions_.erase(it);
}

}  // namespace ledger::api
