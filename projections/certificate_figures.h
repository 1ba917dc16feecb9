// The figures a certificate of volunteer service states (docs/certificates.md), counted from
// the volunteer's stream as the log stood before a position: the verification route computes
// them when it issues a certificate, and `ledgerctl verify` recomputes them to check what each
// CertificateIssued recorded. Thread-safe: no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"
#include "events_generated.h"
#include "eventstore/event_store.h"

namespace ledger {

struct CertificateFigures {
  int64_t verified_minutes = 0;
  int32_t services = 0;                    // verified services
  std::vector<events::ServiceKind> kinds;  // of those services, ascending, each once
  bool operator==(const CertificateFigures&) const = default;
};

// The figures of `member_id`'s services started on Beijing dates `from_date`..`to_date`
// (YYYY-MM-DD, inclusive) that are verified, and not reversed, by the events before `as_of`.
Result<CertificateFigures> CountCertificateFigures(const EventStore& store,
                                                   std::string_view member_id,
                                                   std::string_view from_date,
                                                   std::string_view to_date, Position as_of);

// A list of what differs between `recorded` and `recomputed` ("verified_minutes recorded 600,
// the log says 540; ..."); empty when they agree.
std::string DescribeFigureDifferences(const CertificateFigures& recorded,
                                      const CertificateFigures& recomputed);

}  // namespace ledger
