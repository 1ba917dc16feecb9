// The writing endpoints: event appends (single and batch), keys; and the branch scope of a
// coordinator's writes. Attestations: handler_attestations.cc.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/personal_fields.h"
#include "api/rfc3339.h"
#include "domain/event_payload.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

// A JSON string as boost::json::serialize writes it: as is unless it needs an escape.
void AppendJsonString(std::string_view text, std::string* out) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  });
  if (!plain) {
    out->append(json::serialize(json::string(text)));
    return;
  }
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

// One append result, {"id", "type", "position", "stream", "version", "recorded_at", "hash"} and
// "amount_fen" when given, written straight into `out`: a batch answers a thousand of these, and
// a DOM of them cost more than the append.
void AppendResultJson(const AppendResult& result, std::string_view type,
                      std::optional<int64_t> amount_fen, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(result.id, out);
  out->append(",\"type\":");
  AppendJsonString(type, out);
  out->append(",\"position\":").append(std::to_string(result.position.value));
  out->append(",\"stream\":");
  AppendJsonString(result.stream, out);
  out->append(",\"version\":").append(std::to_string(result.version.value));
  out->append(",\"recorded_at\":");
  AppendJsonString(FormatInstant(result.recorded_at_us), out);
  out->append(",\"hash\":");
  AppendJsonString(HexOf(result.hash), out);
  if (amount_fen) out->append(",\"amount_fen\":").append(std::to_string(*amount_fen));
  out->push_back('}');
}

// A seal closes a month that has ended in Beijing time by its occurred_at (the domain's rule,
// month_not_ended); the ledger's clock keeps a client from dating a seal in the future to close
// the month under way.
// A partner records its consent to a new purpose of its own donation and nothing else: refused
// here before the append, so that it cannot even replay another's event by its id.
std::optional<Problem> PartnerWritesOnlyConsent(const Call& call,
                                                const std::vector<EventDraft>& drafts) {
  if (call.role() != Role::kPartner) return std::nullopt;
  for (const EventDraft& draft : drafts) {
    if (draft.type != "DonorConsentRecorded") {
      return Forbidden(
          "a partner may record only its consent to a new purpose of its own "
          "donation (DonorConsentRecorded), not " +
          draft.type);
    }
  }
  return std::nullopt;
}

std::optional<Problem> SealDatedAhead(const std::vector<EventDraft>& drafts, int64_t now_us) {
  for (const EventDraft& draft : drafts) {
    if (draft.type == "MonthlyReportSealed" && draft.occurred_at_us > now_us) {
      return MakeProblem(422, "month_not_ended",
                         "event '" + draft.id + "': a seal's occurred_at may not be after now (" +
                             FormatInstant(now_us) + ")");
    }
  }
  return std::nullopt;
}

}  // namespace

void Endpoints::CatchUp(Handler& h) {
  const Position head = h.node_.store().GetHead().next;
  if (!h.Applied(head)) {
    h.node_.projector().WaitForApplied(head, h.options_.projection_catch_up_max);
  }
}

WriteScope Endpoints::ScopeOf(const Call& call) {
  if (call.role() == Role::kAdmin) return WriteScope::All();
  if (call.role() == Role::kMember) return WriteScope::Member(call.scope());
  if (call.role() == Role::kPartner) return WriteScope::Partner(call.scope());
  LEDGER_ASSERT(call.role() == Role::kCoordinator);
  return WriteScope::Branch(call.scope());
}

Step Endpoints::Append(Handler& h, std::vector<EventDraft> drafts, bool batch) {
  std::vector<std::string> types;
  types.reserve(drafts.size());
  for (const EventDraft& draft : drafts) types.push_back(draft.type);
  return PendingAppend{std::move(drafts), [&h, types = std::move(types),
                                           batch](const Result<std::vector<AppendResult>>& result) {
                         if (!result.ok()) return Fail(ProblemForStatus(result.status()));
                         Response response;
                         std::string& body = response.body;
                         body.reserve(result->size() * 256 + 16);
                         if (batch) body.append("{\"results\":[");
                         bool any_new = false;
                         for (size_t i = 0; i < result->size(); ++i) {
                           const AppendResult& appended = (*result)[i];
                           any_new = any_new || !appended.duplicate;
                           std::optional<int64_t> amount_fen;
                           if (types[i] == "RedemptionMade") {
                             // The ledger computed the amount; it is in the stored payload.
                             Result<StoredEvent> stored = h.node_.store().ReadAt(appended.position);
                             const events::EventData* data =
                                 stored.ok() ? VerifyEventData(stored->payload) : nullptr;
                             if (data != nullptr && data->data_as_RedemptionMade() != nullptr) {
                               const auto amount = data->data_as_RedemptionMade()->amount_fen();
                               amount_fen = amount ? *amount : 0;
                             }
                           }
                           if (i > 0) body.push_back(',');
                           AppendResultJson(appended, types[i], amount_fen, &body);
                           if (!batch) break;  // one event
                         }
                         if (batch) body.append("]}");
                         response.status = any_new ? 201 : 200;
                         return response;
                       }};
}

Step Endpoints::PostEvent(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  VaultSealer sealer(h.node_.vault());
  Checked<EventDraft> draft = DecodeEvent(*body, "", &sealer);
  if (!draft.ok()) return Fail(draft.problem());
  draft->actor = call.principal->key_id;
  draft->scope = ScopeOf(call);
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(*draft));
  if (std::optional<Problem> denied = PartnerWritesOnlyConsent(call, drafts)) return Fail(*denied);
  if (std::optional<Problem> ahead = SealDatedAhead(drafts, h.NowUs())) return Fail(*ahead);
  return Append(h, std::move(drafts), false);
}

Step Endpoints::PostBatch(Handler& h, Call& call) {
  Checked<json::value> body = ParseJson(call.request.body);
  if (!body.ok()) return Fail(body.problem());
  VaultSealer sealer(h.node_.vault());
  Checked<std::vector<EventDraft>> batch = DecodeBatch(*body, h.options_.batch_events_max, &sealer);
  if (!batch.ok()) return Fail(batch.problem());
  std::vector<EventDraft> drafts = std::move(*batch);
  for (EventDraft& draft : drafts) {
    draft.actor = call.principal->key_id;
    draft.scope = ScopeOf(call);
  }
  if (std::optional<Problem> denied = PartnerWritesOnlyConsent(call, drafts)) return Fail(*denied);
  if (std::optional<Problem> ahead = SealDatedAhead(drafts, h.NowUs())) return Fail(*ahead);
  return Append(h, std::move(drafts), true);
}

Checked<std::pair<Role, std::string>> Endpoints::RoleAndScope(const json::object& body,
                                                              std::string_view what) {
  const json::value* role_value = body.if_contains("role");
  std::optional<Role> role = role_value != nullptr && role_value->is_string()
                                 ? RoleFromName(role_value->get_string())
                                 : std::nullopt;
  if (!role) {
    return FieldProblem("/role",
                        "role must be admin, coordinator, auditor, partner, member or merchant");
  }
  const std::string_view scope_field = ScopeField(*role);
  const std::string role_what = "a " + std::string(RoleName(*role)) + " " + std::string(what);
  std::string scope_id;
  for (std::string_view field : {"branch_id", "partner_id", "member_id", "merchant_id"}) {
    const json::value* value = body.if_contains(field);
    if (value == nullptr) continue;
    if (field != scope_field) {
      return FieldProblem("/" + std::string(field),
                          role_what + " is not bound to a " + std::string(field));
    }
    if (!value->is_string() || !IsValidId(value->get_string())) {
      return FieldProblem("/" + std::string(field), std::string(field) + " must be an id");
    }
    scope_id = std::string(value->get_string());
  }
  if (!scope_field.empty() && scope_id.empty()) {
    return FieldProblem("/" + std::string(scope_field),
                        role_what + " needs " + std::string(scope_field));
  }
  return std::make_pair(*role, std::move(scope_id));
}

std::optional<Problem> Endpoints::CheckScopeExists(Handler& h, Role role,
                                                   const std::string& scope_id,
                                                   std::string* member_branch) {
  CatchUp(h);
  return h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
    switch (role) {
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
        if (role == Role::kMerchant && partner->kind != events::PartnerKind::merchant) {
          return MakeProblem(422, "not_a_merchant", "partner '" + scope_id + "' is not a merchant");
        }
        break;
      }
      case Role::kMember: {
        const Member* member = state.FindMember(MemberRef(scope_id));
        if (member == nullptr) {
          return MakeProblem(422, "unknown_member", "no member '" + scope_id + "'");
        }
        if (member_branch != nullptr) *member_branch = member->branch_id.str();
        break;
      }
      case Role::kAdmin:
      case Role::kAuditor:
        break;
    }
    return std::nullopt;
  });
}

std::string Endpoints::RightPayload(std::string_view type, std::string_view id, Role role,
                                    const std::string& scope_id) {
  flatbuffers::FlatBufferBuilder builder(256);
  const auto id_offset = builder.CreateString(id);
  const auto scope = scope_id.empty() ? 0 : builder.CreateString(scope_id).o;
  const auto access_role = static_cast<events::AccessRole>(role);
  // The table's fields, whichever right it is: the schema gives all four the same layout.
  auto field = [&](Role bound) {
    return role == bound ? flatbuffers::Offset<flatbuffers::String>(scope)
                         : flatbuffers::Offset<flatbuffers::String>();
  };
  flatbuffers::Offset<void> data;
  events::Data data_type = events::Data::NONE;
  if (type == "AccountOpened") {
    data = events::CreateAccountOpened(builder, id_offset, access_role, field(Role::kCoordinator),
                                       field(Role::kPartner), field(Role::kMember),
                                       field(Role::kMerchant))
               .Union();
    data_type = events::Data::AccountOpened;
  } else if (type == "AccountClosed") {
    data = events::CreateAccountClosed(builder, id_offset, access_role, field(Role::kCoordinator),
                                       field(Role::kPartner), field(Role::kMember),
                                       field(Role::kMerchant))
               .Union();
    data_type = events::Data::AccountClosed;
  } else if (type == "KeyIssued") {
    data =
        events::CreateKeyIssued(builder, id_offset, access_role, field(Role::kCoordinator),
                                field(Role::kPartner), field(Role::kMember), field(Role::kMerchant))
            .Union();
    data_type = events::Data::KeyIssued;
  } else {
    LEDGER_ASSERT(type == "KeyRevoked");
    data = events::CreateKeyRevoked(builder, id_offset, access_role, field(Role::kCoordinator),
                                    field(Role::kPartner), field(Role::kMember),
                                    field(Role::kMerchant))
               .Union();
    data_type = events::Data::KeyRevoked;
  }
  builder.Finish(events::CreateEventData(builder, data_type, data));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

namespace {
// The draft of a right's event, recorded by `call`'s caller.
EventDraft RightDraft(const Call& call, std::string type, std::string id, std::string payload,
                      int64_t now_us) {
  EventDraft draft;
  // The event's id is the right's id and what happened to it: "k-….issued", "acct-….closed".
  const std::string_view what = type == "AccountOpened"   ? ".opened"
                                : type == "AccountClosed" ? ".closed"
                                : type == "KeyIssued"     ? ".issued"
                                                          : ".revoked";
  draft.id = std::move(id) + std::string(what);
  draft.type = std::move(type);
  draft.occurred_at_us = now_us;
  draft.actor = call.principal->key_id;
  draft.scope = Endpoints::ScopeOf(call);
  draft.payload = std::move(payload);
  return draft;
}

Response NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}
}  // namespace

EventDraft Endpoints::RightEvent(const Call& call, std::string_view type, const std::string& id,
                                 Role role, const std::string& scope_id, int64_t now_us) {
  return RightDraft(call, std::string(type), id, RightPayload(type, id, role, scope_id), now_us);
}

Response Endpoints::Empty() { return NoContent(); }

Step Endpoints::PostKey(Handler& h, Call& call) {
  Checked<json::object> object = ObjectBody(
      call.request.body, {"role", "branch_id", "partner_id", "member_id", "merchant_id"});
  if (!object.ok()) return Fail(object.problem());
  Checked<std::pair<Role, std::string>> role_scope = RoleAndScope(*object, "key");
  if (!role_scope.ok()) return Fail(role_scope.problem());
  // Plain variables, not a structured binding: the append's callback captures them (clang 14,
  // which scripts/lint runs, cannot capture bindings).
  const Role role = role_scope->first;
  const std::string scope_id = role_scope->second;
  if (std::optional<Problem> problem = CheckScopeExists(h, role, scope_id)) return Fail(*problem);
  // The right is history first (KeyIssued), then the key: a key never works without its event.
  const std::string key_id = NewKeyId();
  const int64_t now_us = h.NowUs();
  std::vector<EventDraft> drafts;
  drafts.push_back(RightEvent(call, "KeyIssued", key_id, role, scope_id, now_us));
  return PendingAppend{std::move(drafts), [&h, key_id, role, scope_id, now_us](
                                              const Result<std::vector<AppendResult>>& appended) {
                         if (!appended.ok()) return Fail(ProblemForStatus(appended.status()));
                         auto created = h.keys_.Create(role, scope_id, now_us, key_id);
                         if (!created.ok()) return Fail(ProblemForStatus(created.status()));
                         const auto& [info, key] = *created;
                         json::object out{{"key_id", info.key_id},
                                          {"key", key},
                                          {"role", RoleName(info.role)},
                                          {"created_at", FormatInstant(info.created_at_us)}};
                         if (!ScopeField(role).empty()) out[ScopeField(role)] = info.scope_id;
                         return JsonResponse(201, out);
                       }};
}

Step Endpoints::DeleteKey(Handler& h, Call& call) {
  const std::string& key_id = call.params[0];
  if (key_id == kBootstrapKeyId) {
    Status status = h.keys_.Revoke(key_id);  // refused: says how the bootstrap key is changed
    return Fail(MakeProblem(409, status.reason(), status.message()));
  }
  std::optional<KeyInfo> info = h.keys_.Find(key_id);
  if (!info) return Fail(NotFound("no key '" + key_id + "'"));
  std::vector<EventDraft> drafts;
  drafts.push_back(RightEvent(call, "KeyRevoked", key_id, info->role, info->scope_id, h.NowUs()));
  return PendingAppend{std::move(drafts),
                       [&h, key_id](const Result<std::vector<AppendResult>>& appended) {
                         if (!appended.ok()) return Fail(ProblemForStatus(appended.status()));
                         Status status = h.keys_.Revoke(key_id);
                         if (!status.ok()) return Fail(ProblemForStatus(status));
                         return NoContent();
                       }};
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
