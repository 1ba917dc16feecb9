// People: accounts and sessions (API.md, "People: accounts and sessions"; docs/accounts.md).
// Opening and closing an account are events (AccountOpened, AccountClosed) written first; the
// credentials follow in the AccountStore. Password hashing runs on the handler's password pool
// (PendingWork), never on an I/O thread. A session acts through the same role and scope checks
// as a key (Authenticate in handler.cc): nothing here decides rights a key would not have.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/rfc3339.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr long kDisplayNameCharactersMax = 100;
constexpr size_t kAccountIdBytes = 8;

Problem InvalidCredentials() {
  return MakeProblem(401, "invalid_credentials", "the login or the password is wrong");
}
Problem InvalidInvitation() {
  return MakeProblem(422, "invalid_invitation",
                     "the invitation is unknown, used or expired; ask for a new one", "/token");
}
Problem WeakPassword(PasswordCheck check, std::string_view field) {
  std::string detail;
  switch (check) {
    case PasswordCheck::kTooShort:
      detail = "a password has at least " + std::to_string(kPasswordCharactersMin) + " characters";
      break;
    case PasswordCheck::kTooLong:
      detail = "a password has at most " + std::to_string(kPasswordBytesMax) + " bytes";
      break;
    case PasswordCheck::kCommon:
    case PasswordCheck::kOk:
      detail = "this password is one of the most commonly used; choose another";
      break;
  }
  return MakeProblem(422, "weak_password", detail, "/" + std::string(field));
}
Problem NoSuchAccount(std::string_view id) { return NoSuch("account", id); }

// The string field `name` of `object`, or a 400 naming it.
Checked<std::string> StringField(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return FieldProblem("/" + std::string(name), std::string(name) + " must be a string");
  }
  return std::string(value->get_string());
}

// The body as an object with exactly `fields` (all strings).
Checked<std::vector<std::string>> StringFields(const Call& call,
                                               std::initializer_list<std::string_view> fields) {
  Checked<json::object> object = ObjectBody(call.request.body, fields);
  if (!object.ok()) return object.problem();
  std::vector<std::string> values;
  for (std::string_view field : fields) {
    Checked<std::string> value = StringField(*object, field);
    if (!value.ok()) return value.problem();
    values.push_back(std::move(*value));
  }
  return values;
}

json::object AccountJson(const AccountInfo& account) {
  json::object out{{"account_id", account.account_id},
                   {"login", account.login},
                   {"display_name", account.display_name},
                   {"role", RoleName(account.role)}};
  if (!ScopeField(account.role).empty()) out[ScopeField(account.role)] = account.scope_id;
  out["status"] = account.closed ? "closed" : account.has_password ? "active" : "invited";
  out["opened_by"] = account.opened_by;
  out["created_at"] = FormatInstant(account.created_at_us);
  return out;
}

json::object InvitationJson(const Invitation& invitation) {
  return json::object{{"token", invitation.token},
                      {"expires_at", FormatInstant(invitation.expires_at_us)}};
}

// What a session shows of itself (POST /v1/sessions, GET /v1/sessions/current).
json::object SessionJson(const AccountInfo& account, const std::string& csrf_token,
                         int64_t expires_at_us) {
  json::object out{{"account_id", account.account_id},
                   {"login", account.login},
                   {"display_name", account.display_name},
                   {"role", RoleName(account.role)}};
  if (!ScopeField(account.role).empty()) out[ScopeField(account.role)] = account.scope_id;
  out["csrf_token"] = csrf_token;
  out["expires_at"] = FormatInstant(expires_at_us);
  out["idle_timeout_minutes"] = SessionLifetimeFor(account.role).idle_us / 60'000'000;
  return out;
}

std::string SessionCookie(std::string_view value, int64_t max_age_s, bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
  if (secure) cookie += "; Secure";
  return cookie;
}

// Whether the caller may manage `account`: an admin any; a coordinator its branch's members'.
bool MayManage(const Call& call, const AccountInfo& account) {
  if (call.role() == Role::kAdmin) return true;
  return call.role() == Role::kCoordinator && account.role == Role::kMember &&
         account.branch_id == call.scope();
}

Response ReadOnlyReplica(const std::string& primary) {
  return Fail(MakeProblem(
      409, "read_only_replica",
      "this is a read replica; sign in and manage accounts on the primary, " + primary));
}

}  // namespace

Step Endpoints::PostAccount(Handler& h, Call& call) {
  Checked<json::object> object = ObjectBody(
      call.request.body,
      {"login", "display_name", "role", "branch_id", "partner_id", "member_id", "merchant_id"});
  if (!object.ok()) return Fail(object.problem());
  Checked<std::string> login_text = StringField(*object, "login");
  if (!login_text.ok()) return Fail(login_text.problem());
  std::optional<std::string> login = NormaliseLogin(*login_text);
  if (!login) {
    return Fail(FieldProblem("/login",
                             "login must be a phone number or a short name: 1 to 64 characters "
                             "without spaces"));
  }
  Checked<std::string> display_name = StringField(*object, "display_name");
  if (!display_name.ok()) return Fail(display_name.problem());
  const auto characters = std::count_if(display_name->begin(), display_name->end(),
                                        [](char c) { return (c & 0xC0) != 0x80; });
  if (characters < 1 || characters > kDisplayNameCharactersMax) {
    return Fail(FieldProblem("/display_name", "display_name must be 1 to 100 characters"));
  }
  Checked<std::pair<Role, std::string>> role_scope = RoleAndScope(*object, "account");
  if (!role_scope.ok()) return Fail(role_scope.problem());
  // Named, not a structured binding: the lambda below captures them (clang 14 cannot).
  const Role role = role_scope->first;
  const std::string scope_id = role_scope->second;
  if (call.role() == Role::kCoordinator && role != Role::kMember) {
    return Fail(Forbidden("a coordinator opens member accounts only"));
  }
  std::string member_branch;
  if (std::optional<Problem> problem = CheckScopeExists(h, role, scope_id, &member_branch)) {
    return Fail(*problem);
  }
  if (call.role() == Role::kCoordinator && member_branch != call.scope()) {
    return Fail(Forbidden("a coordinator opens accounts for its own branch's members only"));
  }
  if (Status reserved = h.accounts_.Reserve(*login); !reserved.ok()) {
    return Fail(MakeProblem(409, "login_taken", reserved.message(), "/login"));
  }
  AccountInfo account;
  account.account_id = "acct-" + RandomHex(kAccountIdBytes);
  account.login = *login;
  account.display_name = *display_name;
  account.role = role;
  account.scope_id = scope_id;
  account.branch_id = role == Role::kCoordinator ? scope_id : member_branch;
  account.opened_by = call.principal->key_id;
  account.created_at_us = h.NowUs();
  std::vector<EventDraft> drafts;
  drafts.push_back(
      RightEvent(call, "AccountOpened", account.account_id, role, scope_id, account.created_at_us));
  return PendingAppend{
      std::move(drafts),
      [&h, account = std::move(account)](const Result<std::vector<AppendResult>>& appended) {
        if (!appended.ok()) {
          h.accounts_.Release(account.login);
          return Fail(ProblemForStatus(appended.status()));
        }
        Result<Invitation> invitation = h.accounts_.CommitOpen(account, account.created_at_us);
        if (!invitation.ok()) {
          h.accounts_.Release(account.login);
          return Fail(ProblemForStatus(invitation.status()));
        }
        json::object out = AccountJson(account);
        out["status"] = "invited";
        out["invitation"] = InvitationJson(*invitation);
        return JsonResponse(201, out);
      }};
}

Step Endpoints::ListAccounts(Handler& h, Call& call) {
  std::optional<Role> role;
  if (const std::string* text = call.Query("role")) {
    role = RoleFromName(*text);
    if (!role) {
      return Fail(MakeProblem(400, "invalid_field",
                              "role must be admin, coordinator, auditor, partner, member or "
                              "merchant"));
    }
  }
  const std::string* branch = call.Query("branch_id");
  if (branch != nullptr && !IsValidId(*branch)) {
    return Fail(MakeProblem(400, "invalid_field",
                            "branch_id must be an id: 1 to 128 characters of A-Z a-z 0-9 . _ : -"));
  }
  if (call.role() == Role::kCoordinator) {
    if (branch != nullptr && *branch != call.scope()) {
      return Fail(Forbidden("a coordinator lists the accounts of its own branch only"));
    }
    branch = &call.scope();
  }
  json::object body;
  json::array& items = body["items"].emplace_array();
  for (const AccountInfo& account : h.accounts_.List()) {
    if (role && account.role != *role) continue;
    if (branch != nullptr && account.branch_id != *branch) continue;
    if (call.role() == Role::kCoordinator && !MayManage(call, account)) continue;
    items.push_back(AccountJson(account));
  }
  body["next_cursor"] = nullptr;
  return JsonResponse(200, body);
}

Step Endpoints::ActivateAccount(Handler& h, Call& call) {
  if (!h.options_.replica_of.empty()) return ReadOnlyReplica(h.options_.replica_of);
  Checked<std::vector<std::string>> fields = StringFields(call, {"token", "password"});
  if (!fields.ok()) return Fail(fields.problem());
  std::string token = (*fields)[0];
  std::string password = (*fields)[1];
  if (!h.accounts_.InvitationAccount(token, h.NowUs())) return Fail(InvalidInvitation());
  if (const PasswordCheck check = CheckPassword(password); check != PasswordCheck::kOk) {
    return Fail(WeakPassword(check, "password"));
  }
  return PendingWork{[&h, token = std::move(token), password = std::move(password)] {
    std::optional<std::string> hash = HashPassword(password);
    if (!hash) return Fail(MakeProblem(503, "unavailable", "no memory to hash the password"));
    // The invitation is used here, atomically: of two activations at once one wins.
    Result<std::string> account_id = h.accounts_.Activate(token, std::move(*hash), h.NowUs());
    if (!account_id.ok()) {
      if (account_id.status().code() == StatusCode::kNotFound) return Fail(InvalidInvitation());
      return Fail(ProblemForStatus(account_id.status()));
    }
    return JsonResponse(200, json::object{{"account_id", *account_id}});
  }};
}

Step Endpoints::PostSession(Handler& h, Call& call) {
  if (!h.options_.replica_of.empty()) return ReadOnlyReplica(h.options_.replica_of);
  Checked<std::vector<std::string>> fields = StringFields(call, {"login", "password"});
  if (!fields.ok()) return Fail(fields.problem());
  // Not a login at all is answered like an unknown one, after the same work.
  const std::string login = NormaliseLogin((*fields)[0]).value_or("");
  std::string password = (*fields)[1].substr(0, kPasswordBytesMax);
  const std::string address = call.request.client_address;
  if (std::optional<int64_t> retry =
          h.sign_in_throttle_.RetryAfterSeconds(login, address, h.NowUs())) {
    Response response = Fail(
        MakeProblem(429, "rate_limited",
                    "too many failed sign-ins; try again in " + std::to_string(*retry) + " s"));
    response.headers.emplace_back("Retry-After", std::to_string(*retry));
    return response;
  }
  return PendingWork{[&h, login, password = std::move(password), address] {
    std::optional<std::pair<AccountInfo, std::string>> found =
        login.empty() ? std::nullopt : h.accounts_.ForLogin(login);
    // An unknown login, or one without a password yet, is checked against a dummy hash of the
    // same cost: the same answer in about the same time as a wrong password.
    const bool match = VerifyPassword(found ? found->second : std::string(), password);
    if (!found || !match) {
      h.sign_in_throttle_.RecordFailure(login, address, h.NowUs());
      return Fail(InvalidCredentials());
    }
    h.sign_in_throttle_.RecordSuccess(login);
    const int64_t now_us = h.NowUs();
    Result<NewSession> session = h.accounts_.StartSession(found->first.account_id, now_us);
    if (!session.ok()) {
      if (session.status().code() == StatusCode::kNotFound) return Fail(InvalidCredentials());
      return Fail(ProblemForStatus(session.status()));
    }
    Response response =
        JsonResponse(201, SessionJson(found->first, session->csrf_token, session->expires_at_us));
    response.headers.emplace_back(
        "Set-Cookie",
        SessionCookie(session->session_id, (session->expires_at_us - now_us) / 1'000'000,
                      h.options_.secure_cookies));
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }};
}

Step Endpoints::GetSession(Handler&, Call& call) {
  if (!call.session) return Fail(Forbidden("a key is not a session; sign in with an account"));
  const SessionView& session = *call.session;
  Response response =
      JsonResponse(200, SessionJson(session.account, session.csrf_token, session.expires_at_us));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Step Endpoints::DeleteSession(Handler& h, Call& call) {
  if (!call.session) return Fail(Forbidden("a key is not a session; revoke a key instead"));
  h.accounts_.EndSession(call.session->session_digest);
  Response response = Empty();
  response.headers.emplace_back("Set-Cookie", SessionCookie("", 0, h.options_.secure_cookies));
  return response;
}

Step Endpoints::PostPassword(Handler& h, Call& call) {
  const std::string& account_id = call.params[0];
  if (!call.session || call.session->account.account_id != account_id) {
    return Fail(Forbidden("only the account itself, signed in, changes its password"));
  }
  Checked<std::vector<std::string>> fields = StringFields(call, {"old_password", "new_password"});
  if (!fields.ok()) return Fail(fields.problem());
  std::string old_password = (*fields)[0].substr(0, kPasswordBytesMax);
  std::string new_password = (*fields)[1];
  if (const PasswordCheck check = CheckPassword(new_password); check != PasswordCheck::kOk) {
    return Fail(WeakPassword(check, "new_password"));
  }
  const std::string login = call.session->account.login;
  const std::string address = call.request.client_address;
  if (std::optional<int64_t> retry =
          h.sign_in_throttle_.RetryAfterSeconds(login, address, h.NowUs())) {
    Response response = Fail(MakeProblem(429, "rate_limited", "too many wrong passwords"));
    response.headers.emplace_back("Retry-After", std::to_string(*retry));
    return response;
  }
  return PendingWork{[&h, account_id, login, address, old_password = std::move(old_password),
                      new_password = std::move(new_password), keep = call.session->session_digest] {
    if (!VerifyPassword(h.accounts_.PasswordHash(account_id), old_password)) {
      h.sign_in_throttle_.RecordFailure(login, address, h.NowUs());
      return Fail(
          MakeProblem(401, "invalid_credentials", "the old password is wrong", "/old_password"));
    }
    std::optional<std::string> hash = HashPassword(new_password);
    if (!hash) return Fail(MakeProblem(503, "unavailable", "no memory to hash the password"));
    Status status = h.accounts_.ChangePassword(account_id, std::move(*hash), keep);
    if (!status.ok()) return Fail(ProblemForStatus(status));
    return Empty();
  }};
}

Step Endpoints::PostInvitation(Handler& h, Call& call) {
  const std::string& account_id = call.params[0];
  Checked<json::object> object = ObjectBody(call.request.body, {});
  if (!object.ok()) return Fail(object.problem());
  std::optional<AccountInfo> account = h.accounts_.Find(account_id);
  // "Not yours" is answered as "not there": no probing of account ids.
  if (!account || account->closed || !MayManage(call, *account)) {
    return Fail(NoSuchAccount(account_id));
  }
  Result<Invitation> invitation = h.accounts_.Reinvite(account_id, h.NowUs());
  if (!invitation.ok()) {
    if (invitation.status().code() == StatusCode::kNotFound) {
      return Fail(NoSuchAccount(account_id));
    }
    return Fail(ProblemForStatus(invitation.status()));
  }
  return JsonResponse(201, json::object{{"account_id", account_id},
                                        {"login", account->login},
                                        {"invitation", InvitationJson(*invitation)}});
}

Step Endpoints::DeleteAccount(Handler& h, Call& call) {
  const std::string& account_id = call.params[0];
  std::optional<AccountInfo> account = h.accounts_.Find(account_id);
  if (!account || account->closed || !MayManage(call, *account)) {
    return Fail(NoSuchAccount(account_id));
  }
  std::vector<EventDraft> drafts;
  drafts.push_back(
      RightEvent(call, "AccountClosed", account_id, account->role, account->scope_id, h.NowUs()));
  return PendingAppend{std::move(drafts),
                       [&h, account_id](const Result<std::vector<AppendResult>>& appended) {
                         if (!appended.ok()) return Fail(ProblemForStatus(appended.status()));
                         Status status = h.accounts_.Close(account_id);
                         if (!status.ok() && status.code() != StatusCode::kNotFound) {
                           return Fail(ProblemForStatus(status));
                         }
                         return Empty();
                       }};
}

}  // namespace ledger::api
