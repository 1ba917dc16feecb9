// Certificates of volunteer service (志愿服务记录证明) as W3C Verifiable Credentials (Data Model
// 2.0) with an eddsa-jcs-2022 proof by the ledger's key (docs/certificates.md). The credential
// is a function of the certificate the ledger recorded and of the key: Ed25519 signatures are
// deterministic, so reading a certificate later gives the very credential issued.
// Thread-safe: no state.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/ledger_state.h"
#include "eventstore/signing_key.h"

namespace ledger::api {

// The organisation that issues certificates, as the credential names it.
inline constexpr std::string_view kCertificateOrganisation = "“宅益快”低龄助高龄志愿服务项目";

// "urn:zhaiyi:certificate:ZYK-2026-000123": the credential's id.
std::string CertificateUrn(std::string_view certificate_id);

// Where anyone checks a certificate: "/v1/certificates/ZYK-2026-000123" (relative to the
// ledger's public address).
std::string CertificateVerifyPath(std::string_view certificate_id);

// The credential without its proof, issued by `issuer_did` (whose digest the ledger records).
// `name`: the member's name when it was issued, from the personal vault; nullopt once her
// personal data is erased (the credential then has no name, and no longer matches the digest).
boost::json::object UnsignedCertificate(std::string_view certificate_id,
                                        const Certificate& certificate,
                                        std::optional<std::string_view> name,
                                        std::string_view issuer_did);

// The credential with its proof by `key`.
boost::json::object SignedCertificate(std::string_view certificate_id,
                                      const Certificate& certificate,
                                      std::optional<std::string_view> name, const SigningKey& key);

}  // namespace ledger::api
