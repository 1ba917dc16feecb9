#include "projections/certificate_figures.h"

#include <limits>
#include <set>

#include "domain/civil_time.h"
#include "domain/event_payload.h"

namespace ledger {
namespace {

constexpr uint64_t kStands = std::numeric_limits<uint64_t>::max();
constexpr size_t kStreamBatchEvents = 1000;

std::string View(const flatbuffers::String* s) { return s == nullptr ? "" : s->str(); }

std::string KindNames(const std::vector<events::ServiceKind>& kinds) {
  std::string out = "[";
  for (size_t i = 0; i < kinds.size(); ++i) {
    out += (i == 0 ? "" : ",") + std::string(events::EnumNameServiceKind(kinds[i]));
  }
  return out + "]";
}

}  // namespace

void ServiceHistory::Add(const StoredEvent& event, const events::EventData& data) {
  if (const auto* logged = data.data_as_ServiceLogged()) {
    Service& service = by_member_[View(logged->volunteer_id())][View(logged->service_id())];
    service.date = FormatDateOfInstant(logged->started_at_us());
    service.kind = logged->kind();
    service.minutes = logged->minutes();
  } else if (const auto* verified = data.data_as_ServiceVerified()) {
    // The volunteer's stream is the event's: "member-<volunteer>".
    constexpr std::string_view kPrefix = "member-";
    if (event.stream.compare(0, kPrefix.size(), kPrefix) != 0) return;
    const std::string volunteer = event.stream.substr(kPrefix.size());
    auto member = by_member_.find(volunteer);
    if (member == by_member_.end()) return;
    auto service = member->second.find(View(verified->service_id()));
    if (service == member->second.end()) return;
    service->second.verified.emplace_back(event.position.value, kStands);
    verifications_[event.id] = {volunteer, service->first};
  } else if (const auto* reversed = data.data_as_EventReversed()) {
    auto it = verifications_.find(View(reversed->reverses_id()));
    if (it == verifications_.end()) return;
    Service& service = by_member_[it->second.first][it->second.second];
    if (!service.verified.empty() && service.verified.back().second == kStands) {
      service.verified.back().second = event.position.value;
    }
  }
}

CertificateFigures ServiceHistory::FiguresAsOf(std::string_view member_id,
                                               std::string_view from_date, std::string_view to_date,
                                               Position as_of) const {
  CertificateFigures figures;
  auto member = by_member_.find(member_id);
  if (member == by_member_.end()) return figures;
  std::set<events::ServiceKind> kinds;
  for (const auto& [id, service] : member->second) {
    if (service.date < from_date || service.date > to_date) continue;
    bool verified = false;
    for (const auto& [from, to] : service.verified) {
      verified = verified || (from < as_of.value && to >= as_of.value);
    }
    if (!verified) continue;
    figures.verified_minutes += service.minutes;
    ++figures.services;
    kinds.insert(service.kind);
  }
  figures.kinds.assign(kinds.begin(), kinds.end());
  return figures;
}

Result<CertificateFigures> CountCertificateFigures(const EventStore& store,
                                                   std::string_view member_id,
                                                   std::string_view from_date,
                                                   std::string_view to_date, Position as_of) {
  const std::string stream = "member-" + std::string(member_id);
  ServiceHistory history;
  StreamVersion next{1};
  for (bool done = false; !done;) {
    Result<std::vector<StoredEvent>> batch = store.ReadStream(stream, next, kStreamBatchEvents);
    if (!batch.ok()) return batch.status();
    done = batch->empty();
    for (const StoredEvent& event : *batch) {
      next = StreamVersion{event.version.value + 1};
      if (event.position.value >= as_of.value) {
        done = true;
        break;
      }
      if (const events::EventData* data = VerifyEventData(event.payload)) history.Add(event, *data);
    }
  }
  return history.FiguresAsOf(member_id, from_date, to_date, as_of);
}

std::string DescribeFigureDifferences(const CertificateFigures& recorded,
                                      const CertificateFigures& recounted) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& was, const std::string& is) {
    if (was == is) return;
    out +=
        (out.empty() ? "" : "; ") + std::string(name) + " recorded " + was + ", the log says " + is;
  };
  add("verified_minutes", std::to_string(recorded.verified_minutes),
      std::to_string(recounted.verified_minutes));
  add("services", std::to_string(recorded.services), std::to_string(recounted.services));
  add("kinds", KindNames(recorded.kinds), KindNames(recounted.kinds));
  return out;
}

}  // namespace ledger
