#include "api/certificate.h"

#include <boost/json/array.hpp>

#include "api/data_integrity.h"
#include "api/rfc3339.h"

namespace ledger::api {
namespace json = boost::json;

std::string CertificateUrn(std::string_view certificate_id) {
  return "urn:zhaiyi:certificate:" + std::string(certificate_id);
}

std::string CertificateVerifyPath(std::string_view certificate_id) {
  return "/v1/certificates/" + std::string(certificate_id);
}

json::object UnsignedCertificate(std::string_view certificate_id, const Certificate& certificate,
                                 std::optional<std::string_view> name,
                                 std::string_view issuer_did) {
  json::array kinds;
  for (events::ServiceKind kind : certificate.kinds) {
    kinds.emplace_back(events::EnumNameServiceKind(kind));
  }
  // Issue times are whole seconds (the route records them so), in RFC 3339 Beijing time.
  const std::string issued_at = FormatInstant(certificate.issued_at_us);
  json::object out{
      {"@context", json::array{"https://www.w3.org/ns/credentials/v2"}},
      {"type", json::array{"VerifiableCredential", "VolunteerServiceCertificate"}},
      {"id", CertificateUrn(certificate_id)},
      {"name", "志愿服务记录证明"},
      {"issuer", issuer_did},
      {"validFrom", issued_at},
      {"credentialSubject", json::object{{"id", "urn:zhaiyi:member:" + certificate.member_id.str()},
                                         {"certificate_number", certificate_id},
                                         {"name", name ? json::value(*name) : json::value()},
                                         {"verified_minutes", certificate.verified_minutes},
                                         {"services", certificate.services},
                                         {"from", certificate.from_date},
                                         {"to", certificate.to_date},
                                         {"kinds", std::move(kinds)},
                                         {"organisation", kCertificateOrganisation}}}};
  if (!name) out["credentialSubject"].as_object().erase("name");
  return out;
}

json::object SignedCertificate(std::string_view certificate_id, const Certificate& certificate,
                               std::optional<std::string_view> name, const SigningKey& key) {
  const std::string did = DidKeyOf(key.public_key());
  return AddProof(UnsignedCertificate(certificate_id, certificate, name, did),
                  FormatInstant(certificate.issued_at_us), VerificationMethodOf(did),
                  [&key](std::string_view message) { return key.Sign(message); });
}

}  // namespace ledger::api
