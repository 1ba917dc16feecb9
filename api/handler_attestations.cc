// The attestation endpoints (API.md "Reading" and "Personal information"): a member's signed
// statement for a merchant, with consent by construction (PIPL §23), and its verification.
//
// Who may ask: the member herself (her account or key) freely; her branch's coordinator or an
// admin only for a member without a phone (she could not ask herself) and only citing her signed
// paper consent (`consent_ref`, recorded in AttestationIssued). The statement discloses what the
// request names (`disclose`) and nothing else; verification also checks the ledger's
// revocations (AttestationRevoked), so a valid signature is not enough.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/attestation_token.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/key_store.h"
#include "api/personal_fields.h"
#include "api/rfc3339.h"
#include "domain/attestation_terms.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr int64_t kAttestationLifetimeUsMax = int64_t{366} * 24 * 3600 * 1'000'000;
constexpr int64_t kMinutesPerHour = 60;
// A consent reference fits the event's text bound (4096 bytes) in any UTF-8.
constexpr size_t kConsentRefCharsMax = 1000;
static_assert(kConsentRefCharsMax * 4 <= kTextBytesMax);

// What a statement discloses when the request does not say.
constexpr events::Disclosure kDefaultDisclosures[] = {events::Disclosure::star,
                                                      events::Disclosure::verified_hours};

std::string KnownDisclosures() {
  std::string names;
  for (auto item = events::Disclosure::MIN; item <= events::Disclosure::MAX;
       item = static_cast<events::Disclosure>(static_cast<int8_t>(item) + 1)) {
    if (!names.empty()) names += ", ";
    names += events::EnumNameDisclosure(item);
  }
  return names;
}

// `disclose`: a list of known items, each once, at least one; the default when absent. Returned
// in the schema's order (the order AttestationIssued records them in).
Checked<std::vector<events::Disclosure>> ParseDisclose(const json::object& body) {
  const json::value* value = body.if_contains("disclose");
  if (value == nullptr) {
    return std::vector<events::Disclosure>(std::begin(kDefaultDisclosures),
                                           std::end(kDefaultDisclosures));
  }
  if (!value->is_array() || value->get_array().empty()) {
    return FieldProblem("/disclose", "disclose must be a non-empty list of " + KnownDisclosures());
  }
  std::vector<bool> named(static_cast<size_t>(events::Disclosure::MAX) + 1, false);
  const json::array& items = value->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = "/disclose/" + std::to_string(i);
    std::optional<events::Disclosure> item;
    for (auto n = events::Disclosure::MIN; items[i].is_string() && n <= events::Disclosure::MAX;
         n = static_cast<events::Disclosure>(static_cast<int8_t>(n) + 1)) {
      if (items[i].get_string() == events::EnumNameDisclosure(n)) item = n;
    }
    if (!item) return FieldProblem(at, "must be one of " + KnownDisclosures());
    if (named[static_cast<size_t>(*item)]) return FieldProblem(at, "is named twice");
    named[static_cast<size_t>(*item)] = true;
  }
  std::vector<events::Disclosure> out;
  for (size_t n = 0; n < named.size(); ++n) {
    if (named[n]) out.push_back(static_cast<events::Disclosure>(n));
  }
  return out;
}

// The request, checked for its shape (400s) and its expiry window (422 invalid_expiry).
struct AttestationRequest {
  std::string merchant_id;
  std::string purpose;
  std::vector<events::Disclosure> discloses;
  std::optional<std::string> consent_ref;
  int64_t expires_us = 0;
  std::string attestation_id;
};

Checked<AttestationRequest> ParseRequest(std::string_view body_text, int64_t now_us) {
  Checked<json::object> body = ObjectBody(body_text, {"merchant_id", "expires_at", "attestation_id",
                                                      "purpose", "disclose", "consent_ref"});
  if (!body.ok()) return body.problem();
  AttestationRequest request;
  const json::value* merchant = body->if_contains("merchant_id");
  if (merchant == nullptr || !merchant->is_string() || !IsValidId(merchant->get_string())) {
    return FieldProblem("/merchant_id", "merchant_id must be the merchant's partner id");
  }
  request.merchant_id = std::string(merchant->get_string());
  const json::value* purpose = body->if_contains("purpose");
  if (purpose == nullptr || !purpose->is_string() ||
      !ValidAttestationPurpose(purpose->get_string())) {
    return FieldProblem("/purpose", "purpose must say in 1 to " +
                                        std::to_string(kAttestationPurposeCharsMax) +
                                        " characters what the merchant needs the statement for");
  }
  request.purpose = std::string(purpose->get_string());
  Checked<std::vector<events::Disclosure>> discloses = ParseDisclose(*body);
  if (!discloses.ok()) return discloses.problem();
  request.discloses = std::move(*discloses);
  if (const json::value* consent = body->if_contains("consent_ref")) {
    if (!consent->is_string() || consent->get_string().empty() ||
        Utf8Chars(consent->get_string()) > kConsentRefCharsMax) {
      return FieldProblem("/consent_ref",
                          "consent_ref must name the member's signed paper consent (1 to 1000 "
                          "characters)");
    }
    request.consent_ref = std::string(consent->get_string());
  }
  const json::value* expires = body->if_contains("expires_at");
  std::optional<int64_t> expires_us = expires != nullptr && expires->is_string()
                                          ? ParseInstant(expires->get_string())
                                          : std::nullopt;
  if (!expires_us) return FieldProblem("/expires_at", "expires_at must be an RFC 3339 instant");
  request.attestation_id = "att-" + RandomHex(12);
  if (const json::value* id = body->if_contains("attestation_id")) {
    if (!id->is_string() || !IsValidId(id->get_string())) {
      return FieldProblem("/attestation_id", "attestation_id must be an id");
    }
    request.attestation_id = std::string(id->get_string());
  }
  // A well-formed instant outside the window is refused by a rule, not by the request's shape:
  // no schema can say "in the next 366 days", so it is a 422, like the domain's refusals.
  if (*expires_us <= now_us || *expires_us - now_us > kAttestationLifetimeUsMax) {
    return MakeProblem(422, "invalid_expiry",
                       "expires_at must be an instant within the next 366 days", "/expires_at");
  }
  request.expires_us = *expires_us;
  return request;
}

std::string EventBytes(const AttestationRequest& request, const std::string& member_id) {
  flatbuffers::FlatBufferBuilder builder(256);
  const auto data = events::CreateAttestationIssuedDirect(
      builder, request.attestation_id.c_str(), member_id.c_str(), request.merchant_id.c_str(),
      request.expires_us, request.purpose.c_str(), &request.discloses,
      request.consent_ref ? request.consent_ref->c_str() : nullptr);
  builder.Finish(events::CreateEventData(builder, events::Data::AttestationIssued, data.Union()));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

}  // namespace

// The seam to the member's personal data: the only places the attestation route reads them.
// Today they are fields of the member's record; they may come from elsewhere (a vault) without
// the route changing.
bool Endpoints::MemberHasPhone(Handler& h, const std::string& member_id) {
  const std::optional<json::object> fields = StoredPersonalFields(h.node_.vault(), member_id);
  const json::value* phone = fields ? fields->if_contains("phone") : nullptr;
  return phone != nullptr && phone->is_string() && !phone->get_string().empty();
}

std::optional<std::string> Endpoints::MemberName(Handler& h, Call& call,
                                                 const std::string& member_id) {
  const std::string branch = h.node_.projector().Read([&](const LedgerState& state) {
    const Member* member = state.FindMember(MemberRef(member_id));
    return member != nullptr ? member->branch_id.str() : std::string();
  });
  // Published: she (or her consent on paper) asks for the name to be shown to the merchant.
  const std::optional<json::object> fields =
      PersonalFieldsFor(h, call, h.node_.vault(), member_id, branch,
                        PersonalRead{std::nullopt, std::nullopt, /*published=*/true});
  const json::value* name = fields ? fields->if_contains("name") : nullptr;
  if (name == nullptr || !name->is_string() || name->get_string().empty()) return std::nullopt;
  return std::string(name->get_string());
}

Step Endpoints::PostAttestation(Handler& h, Call& call) {
  const std::string& member_id = call.params[0];
  // Another member is answered as if it did not exist (no probing of ids).
  const bool herself = call.role() == Role::kMember;
  if (herself && member_id != call.scope()) return Fail(NoSuch("member", member_id));
  const int64_t now_us = h.NowUs();
  Checked<AttestationRequest> request = ParseRequest(call.request.body, now_us);
  if (!request.ok()) return Fail(request.problem());
  if (herself && request->consent_ref) {
    return Fail(FieldProblem("/consent_ref",
                             "a member asking for her own statement gives no consent_ref: it "
                             "is for a coordinator or an admin asking on her behalf"));
  }

  // The statement: what the member's record says now.
  CatchUp(h);
  json::object statement{{"attestation_id", request->attestation_id},
                         {"member_id", member_id},
                         {"purpose", request->purpose}};
  json::array discloses;
  for (events::Disclosure item : request->discloses) {
    discloses.emplace_back(events::EnumNameDisclosure(item));
  }
  statement["discloses"] = std::move(discloses);
  std::optional<Problem> problem =
      h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
        const Member* member = MemberInScope(call, state, member_id);
        if (member == nullptr) return NoSuch("member", member_id);
        for (events::Disclosure item : request->discloses) {
          switch (item) {
            case events::Disclosure::star:
              statement["star"] = member->star;
              break;
            case events::Disclosure::verified_hours:
              statement["verified_hours"] = member->verified_minutes.value / kMinutesPerHour;
              break;
            case events::Disclosure::branch_id:
              statement["branch_id"] = member->branch_id.view();
              break;
            case events::Disclosure::name:
              break;  // below, through MemberName
          }
        }
        return std::nullopt;
      });
  if (problem) return Fail(*problem);
  // Consent by construction: someone else asks only for a member who cannot ask herself (no
  // phone), and only citing her signed consent.
  if (!herself) {
    if (!request->consent_ref) {
      return Fail(MakeProblem(403, "consent_required",
                              "a coordinator or an admin asks for a member's statement only "
                              "citing her signed consent (consent_ref)",
                              "/consent_ref"));
    }
    if (MemberHasPhone(h, member_id)) {
      return Fail(MakeProblem(
          403, "member_must_ask",
          "member '" + member_id + "' has a phone: she asks for her statement herself"));
    }
  }
  if (std::find(request->discloses.begin(), request->discloses.end(), events::Disclosure::name) !=
      request->discloses.end()) {
    std::optional<std::string> name = MemberName(h, call, member_id);
    if (!name) {
      return Fail(MakeProblem(422, "name_unavailable",
                              "member '" + member_id + "' has no name on record to disclose",
                              "/disclose"));
    }
    statement["name"] = *name;
  }
  statement["issued_at"] = FormatInstant(now_us);
  statement["expires_at"] = FormatInstant(request->expires_us);

  EventDraft draft;
  draft.id = request->attestation_id;
  draft.type = "AttestationIssued";
  draft.occurred_at_us = now_us;
  draft.actor = call.principal->key_id;
  // A member asks for its own statement (checked above); a coordinator within its branch.
  if (call.role() == Role::kCoordinator) draft.scope = WriteScope::Branch(call.scope());
  draft.payload = EventBytes(*request, member_id);
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(draft));
  return PendingAppend{std::move(drafts), [&h, statement = std::move(statement)](
                                              const Result<std::vector<AppendResult>>& result) {
                         if (!result.ok()) return Fail(ProblemForStatus(result.status()));
                         json::object body{{"token", SignAttestation(h.signer_, statement)},
                                           {"statement", statement},
                                           {"position", (*result)[0].position.value}};
                         return JsonResponse(201, body);
                       }};
}

Step Endpoints::VerifyAttestation(Handler& h, Call& call) {
  Checked<json::object> object = ObjectBody(call.request.body, {"token"});
  if (!object.ok()) return Fail(object.problem());
  const json::value* token = object->if_contains("token");
  if (token == nullptr || !token->is_string()) {
    return Fail(FieldProblem("/token", "token must be the string a member was given"));
  }
  VerifiedAttestation verified =
      ledger::api::VerifyAttestation(token->get_string(), h.signer_.public_key(), h.NowUs());
  if (verified.check == AttestationCheck::kInvalid) {
    return Fail(MakeProblem(422, "invalid_attestation",
                            "the token is not a statement signed by this ledger"));
  }
  // Signed by this ledger: withdrawn since? (A revocation just recorded is seen.)
  const json::value* id = verified.statement.if_contains("attestation_id");
  const std::string attestation_id =
      id != nullptr && id->is_string() ? std::string(id->get_string()) : "";
  CatchUp(h);
  const bool revoked = h.node_.projector().Read([&](const LedgerState& state) {
    const Attestation* attestation = state.FindAttestation(attestation_id);
    return attestation != nullptr && attestation->revoked;
  });
  if (revoked) {
    return Fail(MakeProblem(422, "revoked_attestation",
                            "attestation '" + attestation_id + "' was revoked"));
  }
  if (verified.check == AttestationCheck::kExpired) {
    return Fail(
        MakeProblem(422, "expired_attestation", "the statement expired at " + verified.expires_at));
  }
  return JsonResponse(200, verified.statement);
}

}  // namespace ledger::api
