// The figures a certificate of volunteer service states (docs/certificates.md), counted from the
// log as it stood before a position: the issuing route counts them from the volunteer's stream,
// and LedgerVerifier recounts them to check what each CertificateIssued recorded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
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

// What the log says about each service: when it was logged and verified, and when a reversal
// undid a verification. Fed events in log order. Not thread-safe.
class ServiceHistory {
 public:
  // Takes note of ServiceLogged, ServiceVerified and EventReversed; ignores other types.
  void Add(const StoredEvent& event, const events::EventData& data);

  // The figures of `member_id`'s services started on Beijing dates `from_date`..`to_date`
  // (YYYY-MM-DD, inclusive) that were verified, and not reversed, by the events before `as_of`.
  CertificateFigures FiguresAsOf(std::string_view member_id, std::string_view from_date,
                                 std::string_view to_date, Position as_of) const;

 private:
  struct Service {
    std::string date;  // the Beijing date it started
    events::ServiceKind kind = events::ServiceKind::other;
    int64_t minutes = 0;
    // [verified at, reversed at) positions; reversed at UINT64_MAX while it stands.
    std::vector<std::pair<uint64_t, uint64_t>> verified;
  };
  // Hash maps with lookups by string_view: the verifier feeds every event of a log through
  // here, and nothing needs the keys in order (FiguresAsOf sums and collects kinds in a set).
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <class Value>
  using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;
  StringMap<StringMap<Service>> by_member_;  // volunteer -> service id -> service
  // ServiceVerified event id -> (volunteer, service id), for reversals.
  StringMap<std::pair<std::string, std::string>> verifications_;
};

// FiguresAsOf over `member_id`'s stream in `store`.
Result<CertificateFigures> CountCertificateFigures(const EventStore& store,
                                                   std::string_view member_id,
                                                   std::string_view from_date,
                                                   std::string_view to_date, Position as_of);

// What differs between `recorded` and `recounted` ("verified_minutes recorded 600, the log says
// 540; ..."); empty when they agree.
std::string DescribeFigureDifferences(const CertificateFigures& recorded,
                                      const CertificateFigures& recounted);

}  // namespace ledger
