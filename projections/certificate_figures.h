// The figures a certificate of volunteer service states (docs/certificates.md), counted from the
// log as it stood before a position: the issuing route counts them from the volunteer's stream,
// and LedgerVerifier recounts them to check what each CertificateIssued recorded.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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
    int64_t started_at_us = 0;  // its Beijing date is worked out only when a certificate asks
    events::ServiceKind kind = events::ServiceKind::other;
    int64_t minutes = 0;
    // [verified at, reversed at) positions; reversed at UINT64_MAX while it stands. The latest
    // verification inline (most services have one), any before it in `earlier`.
    bool ever_verified = false;
    std::pair<uint64_t, uint64_t> latest{0, 0};
    std::vector<std::pair<uint64_t, uint64_t>> earlier;
  };
  // A service is known by its volunteer and its id: (volunteer's index, service id).
  struct ServiceKey {
    uint32_t volunteer;
    std::string id;
  };
  struct ServiceKeyView {
    uint32_t volunteer;
    std::string_view id;
  };
  struct ServiceKeyHash {
    using is_transparent = void;
    size_t operator()(const ServiceKeyView& key) const {
      return std::hash<std::string_view>()(key.id) * 31 + key.volunteer;
    }
    size_t operator()(const ServiceKey& key) const {
      return (*this)(ServiceKeyView{key.volunteer, key.id});
    }
  };
  struct ServiceKeyEq {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return a.volunteer == b.volunteer && std::string_view(a.id) == std::string_view(b.id);
    }
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Flat hash maps to dense indexes: the verifier feeds every event of a log through here, and
  // nothing needs the keys in order (FiguresAsOf sums and collects kinds in a set).
  template <class Value>
  using StringMap = boost::unordered_flat_map<std::string, Value, StringHash, std::equal_to<>>;
  uint32_t VolunteerIndex(std::string_view volunteer);

  StringMap<uint32_t> volunteers_;                  // volunteer -> index
  std::vector<std::vector<uint32_t>> services_of_;  // volunteer index -> service indexes
  boost::unordered_flat_map<ServiceKey, uint32_t, ServiceKeyHash, ServiceKeyEq> service_index_;
  std::vector<Service> services_;
  StringMap<uint32_t> verifications_;  // ServiceVerified event id -> service index, for reversals
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
