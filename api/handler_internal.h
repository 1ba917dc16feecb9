// Shared by handler.cc (routing, authentication, reads) and the handler_*.cc files (appends,
// keys, attestations, ...). Not part of the module's interface.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/handler.h"
#include "api/problem.h"

namespace ledger::api {

struct Handler::Call {
  const Request& request;
  std::optional<Principal> principal;
  std::optional<SessionView> session;  // when the session cookie authenticated the request
  std::vector<std::string> params;     // path parameters, decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, each name once
  // The members whose personal fields the response shows (Handler::NotePersonalRead).
  std::vector<std::string> personal_reads;

  const std::string* Query(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return &value;
    }
    return nullptr;
  }
  Role role() const { return principal->role; }
  const std::string& scope() const { return principal->scope_id; }
};

using Call = Handler::Call;

// The media type of an xlsx workbook, which POST /v1/imports/sheet takes beside text/csv.
inline constexpr std::string_view kXlsxMediaType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// A JSON response with `status`.
Response JsonResponse(int status, const boost::json::value& body);
inline Response Fail(const Problem& problem) { return ProblemResponse(problem); }
inline Problem Forbidden(std::string detail) {
  return MakeProblem(403, "forbidden", std::move(detail));
}
inline Problem NotFound(std::string detail) {
  return MakeProblem(404, "not_found", std::move(detail));
}
// 400 for a query parameter `name` that is not what it `detail`s ("must be ...").
inline Problem ParameterProblem(std::string_view name, const std::string& detail) {
  return MakeProblem(400, "invalid_field", std::string(name) + " " + detail);
}
// 404 for a `kind` with `id`: the one answer for "not there" and, to a scoped role, "not yours",
// so that nobody can probe which ids exist outside their scope.
inline Problem NoSuch(std::string_view kind, std::string_view id) {
  return NotFound("no " + std::string(kind) + " '" + std::string(id) + "'");
}

// The endpoints, one static function per route (friends of Handler).
struct Endpoints {
  // handler.cc
  static Step Healthz(Handler& h, Call& call);
  static Step Readyz(Handler& h, Call& call);
  static Step OpenApi(Handler& h, Call& call);
  static Step MetricsText(Handler& h, Call& call);
  static Step ListEvents(Handler& h, Call& call);
  static Step GetEvent(Handler& h, Call& call);
  static Step GetStream(Handler& h, Call& call);
  static Step GetMember(Handler& h, Call& call);
  static Step ListMembers(Handler& h, Call& call);
  static Step GetFund(Handler& h, Call& call);
  static Step GetFundTrail(Handler& h, Call& call);
  static Step GetDonation(Handler& h, Call& call);
  static Step GetPartner(Handler& h, Call& call);
  static Step GetMonthlyReport(Handler& h, Call& call);
  // handler_access_log.cc
  static Step GetAccessLog(Handler& h, Call& call);
  // handler_requests.cc
  static Step ListRequests(Handler& h, Call& call);
  // handler_money.cc
  static Step ListFunds(Handler& h, Call& call);
  static Step ListPartners(Handler& h, Call& call);
  static Step GetRequest(Handler& h, Call& call);
  static Step GetAuditHead(Handler& h, Call& call);
  // handler_writes.cc
  static Step PostEvent(Handler& h, Call& call);
  static Step PostBatch(Handler& h, Call& call);
  static Step PostKey(Handler& h, Call& call);
  static Step DeleteKey(Handler& h, Call& call);
  static Step ListKeys(Handler& h, Call& call);
  // handler_attestations.cc
  static Step PostAttestation(Handler& h, Call& call);
  static Step VerifyAttestation(Handler& h, Call& call);
  // The member's personal data the route reads from the vault: whether she has a phone (the
  // server's own decision, shown to nobody), and her name for the statement she discloses it in
  // (through PersonalFieldsFor, so the access log has it; nullopt: none on record, or erased).
  static bool MemberHasPhone(Handler& h, const std::string& member_id);
  static std::optional<std::string> MemberName(Handler& h, Call& call,
                                               const std::string& member_id);
  // handler_imports.cc
  static Step PostSheetImport(Handler& h, Call& call);
  // handler_certificates.cc
  static Step PostCertificate(Handler& h, Call& call);
  static Step GetCertificate(Handler& h, Call& call);
  static Step VerifyCertificate(Handler& h, Call& call);
  // handler_erasure.cc
  static Step PostErasure(Handler& h, Call& call);
  // handler_filing.cc
  static Step GetFilingPackage(Handler& h, Call& call);
  static Step GetPartnerStatement(Handler& h, Call& call);
  // handler_accounts.cc
  static Step PostAccount(Handler& h, Call& call);
  static Step ListAccounts(Handler& h, Call& call);
  static Step ActivateAccount(Handler& h, Call& call);
  static Step PostPassword(Handler& h, Call& call);
  static Step PostInvitation(Handler& h, Call& call);
  static Step DeleteAccount(Handler& h, Call& call);
  static Step PostSession(Handler& h, Call& call);
  static Step GetSession(Handler& h, Call& call);
  static Step DeleteSession(Handler& h, Call& call);

  // Shared helpers.
  // Waits (at most projection_catch_up_max) until the projection has applied every event
  // committed so far, so a write right after another sees what it refers to.
  static void CatchUp(Handler& h);
  static bool MaySeePersonal(const Call& call, std::string_view member_branch);
  // Member `id` as `call` may address her: nullptr when there is none or, for a coordinator,
  // when she is of another branch (the same 404 for "not yours" as for "not there").
  static const Member* MemberInScope(const Call& call, const LedgerState& state,
                                     std::string_view id);
  // The scope the store's writer checks a caller's events against (domain/scope_rules.h).
  // REQUIRES: a role that may post events (admin, coordinator, or member).
  static WriteScope ScopeOf(const Call& call);
  static Step Append(Handler& h, std::vector<EventDraft> drafts, bool batch);
  // The role and the one scope field a key's or an account's request names
  // ({"role", "branch_id"|"partner_id"|"member_id"|"merchant_id"}), as (role, scope id).
  static Checked<std::pair<Role, std::string>> RoleAndScope(const boost::json::object& body,
                                                            std::string_view what);
  // 422 when the scope names nothing the ledger knows (unknown_branch, unknown_partner,
  // not_a_merchant, unknown_member). Sets `member_branch` to a member's branch.
  static std::optional<Problem> CheckScopeExists(Handler& h, Role role, const std::string& scope_id,
                                                 std::string* member_branch = nullptr);
  // The payload of a right's event (AccountOpened, ..., KeyRevoked) of `type`.
  static std::string RightPayload(std::string_view type, std::string_view id, Role role,
                                  const std::string& scope_id);
  // The draft of that event, recorded by `call`'s caller within its write scope.
  static EventDraft RightEvent(const Call& call, std::string_view type, const std::string& id,
                               Role role, const std::string& scope_id, int64_t now_us);
  static Response Empty();  // 204 No Content
  // The branch_id query parameter: absent (nullptr), or an id; "" and other non-ids are refused.
  static Checked<const std::string*> BranchParameter(const Call& call);
  // `limit` of a list: its default when absent; 1..list_items_max.
  static Checked<size_t> ListLimit(const Handler& h, const Call& call);
};

}  // namespace ledger::api
