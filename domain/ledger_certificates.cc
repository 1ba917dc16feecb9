// LedgerState's rules for certificates of volunteer service (docs/certificates.md): the number
// each gets (per Beijing year, so that a replay gives every certificate the same number), what
// an issue and a revocation must satisfy, and the record the reads and the verify route use.
#include <cstdio>

#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

constexpr int64_t kCertificateSequenceMax = 999'999;
constexpr size_t kDigestHexChars = 64;

int64_t BeijingYear(int64_t unix_us) { return MonthOfInstant(unix_us) / 100; }

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The year of "ZYK-YYYY-NNNNNN" and its sequence; nullopt for another form.
std::optional<std::pair<int64_t, int64_t>> ParseCertificateNumber(std::string_view id) {
  if (id.size() != 15 || id.substr(0, 4) != "ZYK-" || id[8] != '-') return std::nullopt;
  int64_t year = 0;
  int64_t sequence = 0;
  for (size_t i = 4; i < 15; ++i) {
    if (i == 8) continue;
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    int64_t& target = i < 8 ? year : sequence;
    target = target * 10 + (id[i] - '0');
  }
  return std::pair(year, sequence);
}

}  // namespace

std::string CertificateNumber(int64_t year, int64_t sequence) {
  char text[32];
  std::snprintf(text, sizeof text, "ZYK-%04lld-%06lld", static_cast<long long>(year),
                static_cast<long long>(sequence));
  return text;
}

std::string LedgerState::NextCertificateId(int64_t occurred_at_us) const {
  const int64_t year = BeijingYear(occurred_at_us);
  auto it = certificates_per_year_.find(year);
  return CertificateNumber(year, (it == certificates_per_year_.end() ? 0 : it->second) + 1);
}

Execution LedgerState::OnCertificateIssued(const EventMeta& meta,
                                           const events::CertificateIssued& e) {
  const std::string_view id = Str(e.certificate_id());
  const std::optional<std::pair<int64_t, int64_t>> number = ParseCertificateNumber(id);
  if (!number || !Present(e.member_id()) || !ValidDate(Str(e.from_date())) ||
      !ValidDate(Str(e.to_date())) || Str(e.to_date()) < Str(e.from_date()) ||
      e.verified_minutes() < 0 || e.services() < 0 || e.as_of() < 0 ||
      Str(e.digest()).size() != kDigestHexChars || !IsLowerHex(Str(e.digest())) ||
      number->second > kCertificateSequenceMax) {
    return Fail(Outcome::kInvalidField);
  }
  std::vector<events::ServiceKind> kinds;
  if (e.kinds() != nullptr) {
    for (size_t i = 0; i < e.kinds()->size(); ++i) {
      const auto kind = static_cast<events::ServiceKind>(e.kinds()->Get(i));
      if (!InRange(kind) || (!kinds.empty() && kind <= kinds.back())) {
        return Fail(Outcome::kInvalidField);
      }
      kinds.push_back(kind);
    }
  }
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (certificates_.contains(id)) return Fail(Outcome::kAlreadyExists);
  // The number is the next of the year of issue: no gaps, no numbers chosen by a client.
  if (id != NextCertificateId(meta.occurred_at_us)) return Fail(Outcome::kInvalidField);
  if (!IsVolunteer(*member)) return Fail(Outcome::kNotAVolunteer);

  Certificate certificate;
  certificate.member_id = MemberId(Str(e.member_id()));
  certificate.from_date = std::string(Str(e.from_date()));
  certificate.to_date = std::string(Str(e.to_date()));
  certificate.verified_minutes = e.verified_minutes();
  certificate.services = e.services();
  certificate.kinds = std::move(kinds);
  certificate.as_of = static_cast<uint64_t>(e.as_of());
  certificate.digest = std::string(Str(e.digest()));
  certificate.issued_at_us = meta.occurred_at_us;
  Touch(certificates_, Table::kCertificate, std::string(id));
  certificates_.emplace(std::string(id), std::move(certificate));
  if (journaling_) {
    undo_.push_back([this, year = number->first] {
      if (--certificates_per_year_[year] == 0) certificates_per_year_.erase(year);
    });
  }
  ++certificates_per_year_[number->first];
  return kOk;
}

Execution LedgerState::OnCertificateRevoked(const EventMeta&, const events::CertificateRevoked& e) {
  if (!Present(e.certificate_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const std::string id(Str(e.certificate_id()));
  const Certificate* certificate = FindCertificate(id);
  if (certificate == nullptr) return Fail(Outcome::kUnknownCertificate);
  if (certificate->revoked) return Fail(Outcome::kAlreadyRevoked);
  Touch(certificates_, Table::kCertificate, id);
  Certificate& revoked = certificates_.find(id)->second;
  revoked.revoked = true;
  revoked.revocation_reason = std::string(Str(e.reason()));
  return kOk;
}

void LedgerState::CountCertificates() {
  certificates_per_year_.clear();
  for (const auto& [id, certificate] : certificates_) {
    if (std::optional<std::pair<int64_t, int64_t>> number = ParseCertificateNumber(id)) {
      ++certificates_per_year_[number->first];
    }
  }
}

}  // namespace ledger
