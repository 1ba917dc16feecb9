#include "api/attestation_token.h"

#include <boost/json.hpp>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/rfc3339.h"

namespace ledger::api {
namespace {
constexpr std::string_view kAttestationDomain = "zhaiyi-attestation-v1.";
}  // namespace

std::string SignAttestation(const SigningKey& key, const boost::json::object& statement) {
  const std::string payload = Base64Url(boost::json::serialize(statement));
  return payload + "." + Base64Url(key.Sign(std::string(kAttestationDomain) + payload));
}

VerifiedAttestation VerifyAttestation(std::string_view token, std::string_view public_key,
                                      int64_t now_us) {
  VerifiedAttestation result;
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos) return result;
  const std::string_view payload = token.substr(0, dot);
  std::optional<std::string> signature = FromBase64Url(token.substr(dot + 1));
  if (!signature ||
      !VerifySignature(public_key, std::string(kAttestationDomain) + std::string(payload),
                       *signature)) {
    return result;
  }
  std::optional<std::string> statement_json = FromBase64Url(payload);
  if (!statement_json) return result;
  Checked<boost::json::value> statement = ParseJson(*statement_json);
  if (!statement.ok() || !statement->is_object()) return result;
  const boost::json::value* expires = statement->get_object().if_contains("expires_at");
  std::optional<int64_t> expires_us = expires != nullptr && expires->is_string()
                                          ? ParseInstant(expires->get_string())
                                          : std::nullopt;
  if (!expires_us) return result;
  result.statement = statement->get_object();
  if (*expires_us <= now_us) {
    result.check = AttestationCheck::kExpired;
    result.expires_at = std::string(expires->get_string());
    return result;
  }
  result.check = AttestationCheck::kValid;
  return result;
}

}  // namespace ledger::api
