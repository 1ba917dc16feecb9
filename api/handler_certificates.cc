// The certificate endpoints (API.md, "Certificates of volunteer service"): issuing one as a
// signed W3C Verifiable Credential, reading it, and verifying a credential someone presents.
// docs/certificates.md describes the credential.
#include <boost/json/object.hpp>

#include "api/certificate.h"
#include "api/data_integrity.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/key_store.h"
#include "api/personal_fields.h"
#include "api/rfc3339.h"
#include "projections/certificate_figures.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// The certificate number a credential states (its subject's certificate_number).
std::string_view NumberOf(const json::object& credential) {
  const json::value* subject = credential.if_contains("credentialSubject");
  if (subject == nullptr || !subject->is_object()) return {};
  const json::value* number = subject->get_object().if_contains("certificate_number");
  return number != nullptr && number->is_string() ? std::string_view(number->get_string())
                                                  : std::string_view();
}

json::object Verdict(bool valid, std::string_view status, std::string_view reason) {
  json::object out{{"valid", valid}};
  if (!status.empty()) out["status"] = status;
  out["reason"] = reason;
  return out;
}

}  // namespace

namespace {

// The member's name as it stood before `as_of`, as her certificate shows it to whoever holds it
// (she asked for it); nullopt when her personal data was erased or the vault has none.
std::optional<std::string> CertificateName(Handler& h, Call& call, PersonalVault* vault,
                                           std::string_view member_id,
                                           std::string_view member_branch, Position as_of) {
  std::optional<json::object> fields =
      PersonalFieldsFor(h, call, vault, member_id, member_branch,
                        PersonalRead{std::nullopt, as_of, /*published=*/true});
  const json::value* name = fields ? fields->if_contains("name") : nullptr;
  if (name == nullptr || !name->is_string()) return std::nullopt;
  return std::string(name->get_string());
}

}  // namespace

Step Endpoints::PostCertificate(Handler& h, Call& call) {
  const std::string& member_id = call.params[0];
  Checked<json::object> object = ObjectBody(call.request.body, {"from", "to"});
  if (!object.ok()) return Fail(object.problem());
  std::string dates[2];
  const char* const names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    const json::value* value = object->if_contains(names[i]);
    if (value == nullptr || !value->is_string() || !IsDate(value->get_string())) {
      return Fail(FieldProblem(std::string("/") + names[i],
                               std::string(names[i]) + " must be a date YYYY-MM-DD"));
    }
    dates[i] = std::string(value->get_string());
  }
  // No schema can say "to is not before from": a rule refuses it (422), as for an attestation's
  // expiry, not the request's shape.
  if (dates[1] < dates[0]) {
    return Fail(MakeProblem(422, "invalid_period", "to must not be before from", "/to"));
  }

  // Whole seconds: the credential shows its issue time without fractions.
  const int64_t now_us = h.NowUs() / kMicrosPerSecond * kMicrosPerSecond;
  CatchUp(h);
  const Position as_of = h.node_.store().GetHead().next;
  std::string certificate_id;
  Certificate certificate;
  std::string branch_id;
  std::optional<Problem> problem =
      h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
        const Member* member = MemberInScope(call, state, member_id);
        if (member == nullptr) return NoSuch("member", member_id);
        certificate_id = state.NextCertificateId(now_us);
        certificate.member_id = MemberId(member_id);
        branch_id = member->branch_id.str();
        return std::nullopt;
      });
  if (problem) return Fail(*problem);
  Result<CertificateFigures> figures =
      CountCertificateFigures(h.node_.store(), member_id, dates[0], dates[1], as_of);
  if (!figures.ok()) return Fail(ProblemForStatus(figures.status()));
  certificate.from_date = dates[0];
  certificate.to_date = dates[1];
  certificate.verified_minutes = figures->verified_minutes;
  certificate.services = figures->services;
  certificate.kinds = figures->kinds;
  certificate.as_of = as_of.value;
  certificate.issued_at_us = now_us;
  // Her name as the log stands now: the credential shows it to whoever she hands it to.
  const std::optional<std::string> name =
      CertificateName(h, call, h.node_.vault(), member_id, branch_id, as_of);
  if (!name) {
    return Fail(MakeProblem(422, "personal_data_erased",
                            "member '" + member_id + "' has no name on record (erased)"));
  }
  certificate.digest = DocumentDigestHex(
      UnsignedCertificate(certificate_id, certificate, *name, DidKeyOf(h.signer_.public_key())));

  flatbuffers::FlatBufferBuilder builder(512);
  const auto data = events::CreateCertificateIssuedDirect(
      builder, certificate_id.c_str(), member_id.c_str(), certificate.from_date.c_str(),
      certificate.to_date.c_str(), certificate.verified_minutes, certificate.services,
      &certificate.kinds, static_cast<int64_t>(certificate.as_of), certificate.digest.c_str());
  builder.Finish(events::CreateEventData(builder, events::Data::CertificateIssued, data.Union()));
  EventDraft draft;
  draft.id = "cert-" + RandomHex(12);  // not the number: two issues racing for it must not merge
  draft.type = "CertificateIssued";
  draft.occurred_at_us = now_us;
  draft.actor = call.principal->key_id;
  draft.scope = ScopeOf(call);
  draft.payload.assign(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                       builder.GetSize());
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(draft));
  return PendingAppend{
      std::move(drafts), [&h, certificate_id, certificate = std::move(certificate),
                          name](const Result<std::vector<AppendResult>>& result) {
        if (!result.ok()) return Fail(ProblemForStatus(result.status()));
        json::object out{
            {"certificate_id", certificate_id},
            {"credential", SignedCertificate(certificate_id, certificate, *name, h.signer_)},
            {"verify_url", CertificateVerifyPath(certificate_id)}};
        return JsonResponse(201, out);
      }};
}

Step Endpoints::GetCertificate(Handler& h, Call& call) {
  const std::string& certificate_id = call.params[0];
  std::optional<json::object> out;
  h.node_.projector().Read([&](const LedgerState& state) {
    const Certificate* certificate = state.FindCertificate(certificate_id);
    if (certificate == nullptr) return;
    const Member* member = state.FindMember(certificate->member_id);
    const std::optional<std::string> name = CertificateName(
        h, call, h.node_.vault(), certificate->member_id.view(),
        member != nullptr ? member->branch_id.view() : "", Position{certificate->as_of});
    out = json::object{
        {"certificate_id", certificate_id},
        {"status", certificate->revoked ? "revoked" : "valid"},
        {"credential",
         SignedCertificate(certificate_id, *certificate,
                           name ? std::optional<std::string_view>(*name) : std::nullopt,
                           h.signer_)}};
  });
  if (!out) return Fail(NoSuch("certificate", certificate_id));
  return JsonResponse(200, *out);
}

Step Endpoints::VerifyCertificate(Handler& h, Call& call) {
  Checked<json::object> object = ObjectBody(call.request.body, {"credential"});
  if (!object.ok()) return Fail(object.problem());
  const json::value* credential = object->if_contains("credential");
  if (credential == nullptr || !credential->is_object()) {
    return Fail(FieldProblem("/credential", "credential must be the certificate's JSON object"));
  }
  const json::object& secured = credential->get_object();
  const ProofVerification proof = VerifyProof(secured, h.signer_.public_key());
  if (!proof.valid) return JsonResponse(200, Verdict(false, "", proof.reason));
  json::object unsecured = secured;
  unsecured.erase("proof");
  const std::string digest = DocumentDigestHex(unsecured);
  const std::string number(NumberOf(secured));
  json::object verdict;
  h.node_.projector().Read([&](const LedgerState& state) {
    const Certificate* certificate = state.FindCertificate(number);
    if (certificate == nullptr) {
      verdict = Verdict(false, "", "this ledger issued no certificate '" + number + "'");
    } else if (certificate->digest != digest) {
      verdict = Verdict(
          false, "",
          "the credential differs from certificate " + number + " as the ledger recorded it");
    } else if (certificate->revoked) {
      verdict =
          Verdict(false, "revoked",
                  "certificate " + number + " was revoked: " + certificate->revocation_reason);
    } else {
      verdict = Verdict(true, "valid", "certificate " + number + " was issued by this ledger");
    }
  });
  return JsonResponse(200, verdict);
}

}  // namespace ledger::api
