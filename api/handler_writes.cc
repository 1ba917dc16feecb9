// The writing endpoints: event appends (single and batch), attestations, keys; and the branch
// scope of a coordinator's writes.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/attestation_token.h"
#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/rfc3339.h"
#include "domain/event_payload.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr int64_t kAttestationLifetimeUsMax = int64_t{366} * 24 * 3600 * 1'000'000;
constexpr int kReversalDepthMax = 2;  // a reversal of a reversal is as deep as scopes go

// The entities a batch creates before they reach the projection, for scope checks.
struct BatchOverlay {
  StringMap<std::string> member_branch;
  StringMap<std::string> pairing_volunteer;
  StringMap<std::string> service_volunteer;
  StringMap<std::string> fund_branch;
  StringMap<std::string> source_fund;
  StringMap<const EventDraft*> events;
};

// Decides whether a coordinator of `branch` may record each event. Unknown references pass:
// the domain refuses them (unknown_member, ...), and nothing of another branch is touched.
class ScopeCheck {
 public:
  ScopeCheck(const std::string& branch, const LedgerState& state, const EventStore& store)
      : branch_(branch), state_(state), store_(store) {}

  std::optional<Problem> Check(const EventDraft& draft, int depth) {
    const events::EventData* data = VerifyEventData(draft.payload);
    if (data == nullptr) return std::nullopt;  // the decider refuses it as invalid_field
    std::optional<Problem> problem = CheckData(*data, depth);
    if (!problem) Remember(draft, *data);
    return problem;
  }

 private:
  std::optional<Problem> Deny(std::string why) const {
    return Forbidden("a coordinator of branch '" + branch_ + "' may not " + why);
  }
  std::optional<Problem> Require(std::string_view branch, std::string_view what) const {
    if (branch.empty() || branch == branch_) return std::nullopt;
    return Deny("write for " + std::string(what) + " of branch '" + std::string(branch) + "'");
  }

  std::string MemberBranch(std::string_view id) const {
    if (auto it = overlay_.member_branch.find(id); it != overlay_.member_branch.end()) {
      return it->second;
    }
    const Member* member = state_.FindMember(MemberRef(id));
    return member != nullptr ? member->branch_id.str() : "";
  }
  std::string FundBranch(std::string_view id) const {
    if (auto it = overlay_.fund_branch.find(id); it != overlay_.fund_branch.end())
      return it->second;
    const Fund* fund = state_.FindFund(FundRef(id));
    return fund != nullptr ? fund->branch_id.str() : "";
  }
  std::string ServiceVolunteer(std::string_view id) const {
    if (auto it = overlay_.service_volunteer.find(id); it != overlay_.service_volunteer.end()) {
      return it->second;
    }
    const Service* service = state_.FindService(ServiceRef(id));
    return service != nullptr ? service->volunteer_id.str() : "";
  }
  std::string PairingVolunteer(std::string_view id) const {
    if (auto it = overlay_.pairing_volunteer.find(id); it != overlay_.pairing_volunteer.end()) {
      return it->second;
    }
    const Pairing* pairing = state_.FindPairing(PairingRef(id));
    return pairing != nullptr ? pairing->volunteer_id.str() : "";
  }
  std::string SourceFund(std::string_view id) const {
    if (auto it = overlay_.source_fund.find(id); it != overlay_.source_fund.end())
      return it->second;
    const Source* source = state_.FindSource(SourceRef(id));
    return source != nullptr ? source->fund_id.str() : "";
  }

  std::optional<Problem> CheckData(const events::EventData& data, int depth) {
    using D = events::Data;
    auto member = [&](const flatbuffers::String* id) {
      return Require(MemberBranch(id->string_view()), "a member");
    };
    auto fund = [&](const flatbuffers::String* id) {
      return Require(FundBranch(id->string_view()), "a fund");
    };
    switch (data.data_type()) {
      case D::BranchOpened:
        return Deny("open branches (an admin does)");
      case D::PolicySet:
        return Deny("set the policy (an admin does)");
      case D::MemberRegistered:
        return Require(data.data_as_MemberRegistered()->branch_id()->string_view(), "a member");
      case D::MemberDeactivated:
        return member(data.data_as_MemberDeactivated()->member_id());
      case D::PairingFormed: {
        const auto* e = data.data_as_PairingFormed();
        if (auto p = member(e->volunteer_id())) return p;
        return member(e->elder_id());
      }
      case D::PairingEnded:
        return Require(MemberBranch(PairingVolunteer(
                           data.data_as_PairingEnded()->pairing_id()->string_view())),
                       "a pairing");
      case D::ServiceLogged:
        return member(data.data_as_ServiceLogged()->volunteer_id());
      case D::ServiceVerified:
        return Require(MemberBranch(ServiceVolunteer(
                           data.data_as_ServiceVerified()->service_id()->string_view())),
                       "a service");
      case D::ServiceRejected:
        return Require(MemberBranch(ServiceVolunteer(
                           data.data_as_ServiceRejected()->service_id()->string_view())),
                       "a service");
      case D::TrainingCompleted:
        return member(data.data_as_TrainingCompleted()->member_id());
      case D::RedemptionMade:
        return member(data.data_as_RedemptionMade()->member_id());
      case D::AttestationIssued:
        return member(data.data_as_AttestationIssued()->member_id());
      case D::CreditsTransferred:
        return member(data.data_as_CreditsTransferred()->from_member_id());
      case D::ActivityHeld:
        return Require(data.data_as_ActivityHeld()->branch_id()->string_view(), "an activity");
      case D::MonthlyReportSealed:
        return Require(data.data_as_MonthlyReportSealed()->branch_id()->string_view(), "a report");
      case D::PartnerRegistered:
        return std::nullopt;
      case D::FundOpened: {
        const auto* branch = data.data_as_FundOpened()->branch_id();
        return branch == nullptr ? std::nullopt : Require(branch->string_view(), "a fund");
      }
      case D::DonationReceived:
        return fund(data.data_as_DonationReceived()->fund_id());
      case D::SaleRecorded:
        return fund(data.data_as_SaleRecorded()->fund_id());
      case D::DisbursementMade:
        return fund(data.data_as_DisbursementMade()->fund_id());
      case D::ExpenseRecorded:
        return fund(data.data_as_ExpenseRecorded()->fund_id());
      case D::RestrictionChanged:
        return Require(
            FundBranch(SourceFund(data.data_as_RestrictionChanged()->donation_id()->string_view())),
            "a fund");
      case D::EventReversed:
        return CheckReversed(data.data_as_EventReversed()->reverses_id()->string_view(), depth);
      case D::NONE:
        break;
    }
    return std::nullopt;
  }

  // A reversal is in scope when the event it undoes is.
  std::optional<Problem> CheckReversed(std::string_view id, int depth) {
    if (depth >= kReversalDepthMax) return Deny("reverse a chain of reversals (an admin does)");
    if (auto it = overlay_.events.find(id); it != overlay_.events.end()) {
      const events::EventData* data = VerifyEventData(it->second->payload);
      return data == nullptr ? std::nullopt : CheckData(*data, depth + 1);
    }
    Result<Position> position = store_.FindId(id);
    if (!position.ok()) return std::nullopt;  // unknown_event, from the domain
    Result<StoredEvent> event = store_.ReadAt(*position);
    if (!event.ok()) return std::nullopt;
    const events::EventData* data = VerifyEventData(event->payload);
    return data == nullptr ? std::nullopt : CheckData(*data, depth + 1);
  }

  void Remember(const EventDraft& draft, const events::EventData& data) {
    overlay_.events.emplace(draft.id, &draft);
    if (const auto* e = data.data_as_MemberRegistered()) {
      overlay_.member_branch.emplace(e->member_id()->str(), e->branch_id()->str());
    } else if (const auto* e = data.data_as_PairingFormed()) {
      overlay_.pairing_volunteer.emplace(e->pairing_id()->str(), e->volunteer_id()->str());
    } else if (const auto* e = data.data_as_ServiceLogged()) {
      overlay_.service_volunteer.emplace(e->service_id()->str(), e->volunteer_id()->str());
    } else if (const auto* e = data.data_as_FundOpened()) {
      overlay_.fund_branch.emplace(e->fund_id()->str(),
                                   e->branch_id() != nullptr ? e->branch_id()->str() : "");
    } else if (const auto* e = data.data_as_DonationReceived()) {
      overlay_.source_fund.emplace(e->donation_id()->str(), e->fund_id()->str());
    }
  }

  const std::string& branch_;
  const LedgerState& state_;
  const EventStore& store_;
  BatchOverlay overlay_;
};

json::object AppendResultJson(const AppendResult& result, const std::string& type) {
  return json::object{{"id", result.id},
                      {"type", type},
                      {"position", result.position.value},
                      {"stream", result.stream},
                      {"version", result.version.value},
                      {"recorded_at", FormatInstant(result.recorded_at_us)},
                      {"hash", HexOf(result.hash)}};
}

}  // namespace

void Endpoints::CatchUp(Handler& h) {
  const Position head = h.node_.store().GetHead().next;
  if (!h.Applied(head)) {
    h.node_.projector().WaitForApplied(head, h.options_.projection_catch_up_max);
  }
}

std::optional<Problem> Endpoints::CheckCoordinatorWrites(Handler& h, const Call& call,
                                                         const std::vector<EventDraft>& drafts) {
  if (call.role() != Role::kCoordinator) return std::nullopt;
  CatchUp(h);  // best effort: unknown references still pass (ScopeCheck)
  return h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
    ScopeCheck scope(call.scope(), state, h.node_.store());
    for (const EventDraft& draft : drafts) {
      if (std::optional<Problem> problem = scope.Check(draft, 0)) return problem;
    }
    return std::nullopt;
  });
}

Step Endpoints::Append(Handler& h, std::vector<EventDraft> drafts, bool batch) {
  std::vector<std::string> types;
  for (const EventDraft& draft : drafts) types.push_back(draft.type);
  return PendingAppend{
      std::move(drafts),
      [&h, types = std::move(types), batch](const Result<std::vector<AppendResult>>& result) {
        if (!result.ok()) return Fail(ProblemForStatus(result.status()));
        json::array results;
        bool any_new = false;
        for (size_t i = 0; i < result->size(); ++i) {
          const AppendResult& appended = (*result)[i];
          any_new = any_new || !appended.duplicate;
          json::object item = AppendResultJson(appended, types[i]);
          if (types[i] == "RedemptionMade") {
            // The ledger computed the amount; it is in the stored payload.
            Result<StoredEvent> stored = h.node_.store().ReadAt(appended.position);
            const events::EventData* data =
                stored.ok() ? VerifyEventData(stored->payload) : nullptr;
            if (data != nullptr && data->data_as_RedemptionMade() != nullptr) {
              const auto amount = data->data_as_RedemptionMade()->amount_fen();
              item["amount_fen"] = amount ? *amount : 0;
            }
          }
          results.push_back(std::move(item));
        }
        const int status = any_new ? 201 : 200;
        if (batch) return JsonResponse(status, json::object{{"results", std::move(results)}});
        return JsonResponse(status, results[0]);
      }};
}

Step Endpoints::PostEvent(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  Checked<EventDraft> draft = DecodeEvent(*body, "");
  if (!draft.ok()) return Fail(draft.problem());
  draft->actor = call.principal->key_id;
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(*draft));
  if (std::optional<Problem> problem = CheckCoordinatorWrites(h, call, drafts)) {
    return Fail(*problem);
  }
  return Append(h, std::move(drafts), false);
}

Step Endpoints::PostBatch(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  Checked<std::vector<EventDraft>> batch = DecodeBatch(*body, h.options_.batch_events_max);
  if (!batch.ok()) return Fail(batch.problem());
  std::vector<EventDraft> drafts = std::move(*batch);
  for (EventDraft& draft : drafts) draft.actor = call.principal->key_id;
  if (std::optional<Problem> problem = CheckCoordinatorWrites(h, call, drafts)) {
    return Fail(*problem);
  }
  return Append(h, std::move(drafts), true);
}

Step Endpoints::PostAttestation(Handler& h, Call& call) {
  const std::string& member_id = call.params[0];
  if (call.role() == Role::kMember && member_id != call.scope()) {
    return Fail(Forbidden("a member key asks for its own attestations only"));
  }
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  Checked<const json::object*> object = AsObject(*body, "");
  if (!object.ok()) return Fail(object.problem());
  Checked<bool> known = OnlyFields(**object, "", {"merchant_id", "expires_at", "attestation_id"});
  if (!known.ok()) return Fail(known.problem());
  const json::value* merchant = (*object)->if_contains("merchant_id");
  if (merchant == nullptr || !merchant->is_string() || !IsValidId(merchant->get_string())) {
    return Fail(FieldProblem("/merchant_id", "merchant_id must be the merchant's partner id"));
  }
  const int64_t now_us = h.NowUs();
  const json::value* expires = (*object)->if_contains("expires_at");
  std::optional<int64_t> expires_us = expires != nullptr && expires->is_string()
                                          ? ParseInstant(expires->get_string())
                                          : std::nullopt;
  if (!expires_us || *expires_us <= now_us || *expires_us - now_us > kAttestationLifetimeUsMax) {
    return Fail(FieldProblem("/expires_at",
                             "expires_at must be an RFC 3339 instant within the next 366 days"));
  }
  std::string attestation_id = "att-" + RandomHex(12);
  if (const json::value* id = (*object)->if_contains("attestation_id")) {
    if (!id->is_string() || !IsValidId(id->get_string())) {
      return Fail(FieldProblem("/attestation_id", "attestation_id must be an id"));
    }
    attestation_id = std::string(id->get_string());
  }
  // The statement: what the member's record says now.
  CatchUp(h);
  json::object statement;
  std::optional<Problem> problem =
      h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
        const Member* member = state.FindMember(MemberRef(member_id));
        if (member == nullptr) return NotFound("no member '" + member_id + "'");
        if (call.role() == Role::kCoordinator && member->branch_id.view() != call.scope()) {
          return Forbidden("a coordinator asks for attestations of its own branch's members only");
        }
        statement = json::object{{"attestation_id", attestation_id},
                                 {"member_id", member_id},
                                 {"merchant_id", merchant->get_string()},
                                 {"star", member->star},
                                 {"verified_hours", member->verified_minutes.value / 60},
                                 {"verified_minutes", member->verified_minutes.value},
                                 {"issued_at", FormatInstant(now_us)},
                                 {"expires_at", FormatInstant(*expires_us)}};
        return std::nullopt;
      });
  if (problem) return Fail(*problem);

  flatbuffers::FlatBufferBuilder builder(256);
  const auto data = events::CreateAttestationIssuedDirect(
      builder, attestation_id.c_str(), member_id.c_str(),
      std::string(merchant->get_string()).c_str(), *expires_us);
  builder.Finish(events::CreateEventData(builder, events::Data::AttestationIssued, data.Union()));
  EventDraft draft;
  draft.id = attestation_id;
  draft.type = "AttestationIssued";
  draft.occurred_at_us = now_us;
  draft.actor = call.principal->key_id;
  draft.payload.assign(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                       builder.GetSize());
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(draft));
  return PendingAppend{std::move(drafts),
                       [&h, statement = std::move(statement)](
                           const Result<std::vector<AppendResult>>& result) mutable {
                         if (!result.ok()) return Fail(ProblemForStatus(result.status()));
                         statement["position"] = (*result)[0].position.value;
                         json::object body{{"token", SignAttestation(h.signer_, statement)},
                                           {"statement", statement}};
                         return JsonResponse(201, body);
                       }};
}

Step Endpoints::VerifyAttestation(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  Checked<const json::object*> object = AsObject(*body, "");
  if (!object.ok()) return Fail(object.problem());
  Checked<bool> known = OnlyFields(**object, "", {"token"});
  if (!known.ok()) return Fail(known.problem());
  const json::value* token = (*object)->if_contains("token");
  if (token == nullptr || !token->is_string()) {
    return Fail(FieldProblem("/token", "token must be the string a member was given"));
  }
  VerifiedAttestation verified =
      ledger::api::VerifyAttestation(token->get_string(), h.signer_.public_key(), h.NowUs());
  switch (verified.check) {
    case AttestationCheck::kValid:
      return JsonResponse(200, verified.statement);
    case AttestationCheck::kExpired:
      return Fail(MakeProblem(422, "expired_attestation",
                              "the statement expired at " + verified.expires_at));
    case AttestationCheck::kInvalid:
      break;
  }
  return Fail(MakeProblem(422, "invalid_attestation",
                          "the token is not a statement signed by this ledger"));
}

Step Endpoints::PostKey(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  Checked<const json::object*> object = AsObject(*body, "");
  if (!object.ok()) return Fail(object.problem());
  Checked<bool> known =
      OnlyFields(**object, "", {"role", "branch_id", "partner_id", "member_id", "merchant_id"});
  if (!known.ok()) return Fail(known.problem());
  const json::value* role_value = (*object)->if_contains("role");
  std::optional<Role> role = role_value != nullptr && role_value->is_string()
                                 ? RoleFromName(role_value->get_string())
                                 : std::nullopt;
  if (!role) {
    return Fail(FieldProblem(
        "/role", "role must be admin, coordinator, auditor, partner, member or merchant"));
  }
  const std::string_view scope_field = ScopeField(*role);
  std::string scope_id;
  for (std::string_view field : {"branch_id", "partner_id", "member_id", "merchant_id"}) {
    const json::value* value = (*object)->if_contains(field);
    if (value == nullptr) continue;
    if (field != scope_field) {
      return Fail(FieldProblem(
          "/" + std::string(field),
          "a " + std::string(RoleName(*role)) + " key is not bound to a " + std::string(field)));
    }
    if (!value->is_string() || !IsValidId(value->get_string())) {
      return Fail(FieldProblem("/" + std::string(field), std::string(field) + " must be an id"));
    }
    scope_id = std::string(value->get_string());
  }
  if (!scope_field.empty() && scope_id.empty()) {
    return Fail(FieldProblem(
        "/" + std::string(scope_field),
        "a " + std::string(RoleName(*role)) + " key needs " + std::string(scope_field)));
  }
  CatchUp(h);
  std::optional<Problem> problem =
      h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
        switch (*role) {
          case Role::kCoordinator:
            if (state.FindBranch(BranchRef(scope_id)) == nullptr) {
              return MakeProblem(422, "unknown_branch", "no branch '" + scope_id + "'");
            }
            break;
          case Role::kPartner:
          case Role::kMerchant: {
            const Partner* partner = state.FindPartner(PartnerRef(scope_id));
            if (partner == nullptr) {
              return MakeProblem(422, "unknown_partner", "no partner '" + scope_id + "'");
            }
            if (*role == Role::kMerchant && partner->kind != events::PartnerKind::merchant) {
              return MakeProblem(422, "not_a_merchant",
                                 "partner '" + scope_id + "' is not a merchant");
            }
            break;
          }
          case Role::kMember:
            if (state.FindMember(MemberRef(scope_id)) == nullptr) {
              return MakeProblem(422, "unknown_member", "no member '" + scope_id + "'");
            }
            break;
          case Role::kAdmin:
          case Role::kAuditor:
            break;
        }
        return std::nullopt;
      });
  if (problem) return Fail(*problem);
  auto created = h.keys_.Create(*role, scope_id, h.NowUs());
  if (!created.ok()) return Fail(ProblemForStatus(created.status()));
  const auto& [info, key] = *created;
  json::object out{{"key_id", info.key_id},
                   {"key", key},
                   {"role", RoleName(info.role)},
                   {"created_at", FormatInstant(info.created_at_us)}};
  if (!scope_field.empty()) out[scope_field] = info.scope_id;
  return JsonResponse(201, out);
}

Step Endpoints::DeleteKey(Handler& h, Call& call) {
  Status status = h.keys_.Revoke(call.params[0]);
  if (status.code() == StatusCode::kInvalidArgument) {
    return Fail(MakeProblem(409, status.reason(), status.message()));
  }
  if (!status.ok()) return Fail(ProblemForStatus(status));
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

Step Endpoints::ListKeys(Handler& h, Call&) {
  json::object body;
  json::array& items = body["items"].emplace_array();
  for (const KeyInfo& info : h.keys_.List()) {
    json::object item{{"key_id", info.key_id},
                      {"role", RoleName(info.role)},
                      {"created_at", FormatInstant(info.created_at_us)}};
    if (!ScopeField(info.role).empty()) item[ScopeField(info.role)] = info.scope_id;
    items.push_back(std::move(item));
  }
  body["next_cursor"] = nullptr;
  return JsonResponse(200, body);
}

}  // namespace ledger::api
