#include "projections/certificate_figures.h"

#include <limits>
#include <set>

#include "domain/civil_time.h"
#include "domain/event_payload.h"

namespace ledger {
namespace {

constexpr uint64_t kStands = std::numeric_limits<uint64_t>::max();
constexpr size_t kStreamBatchEvents = 1000;

std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

std::string KindNames(const std::vector<events::ServiceKind>& kinds) {
  std::string out = "[";
  for (size_t i = 0; i < kinds.size(); ++i) {
    out += (i == 0 ? "" : ",") + std::string(events::EnumNameServiceKind(kinds[i]));
  }
  return out + "]";
}

}  // namespace

uint32_t ServiceHistory::VolunteerIndex(std::string_view volunteer) {
  if (auto it = volunteers_.find(volunteer); it != volunteers_.end()) return it->second;
  const auto index = static_cast<uint32_t>(services_of_.size());
  volunteers_.emplace(std::string(volunteer), index);
  services_of_.emplace_back();
  return index;
}

void ServiceHistory::Add(const StoredEvent& event, const events::EventData& data) {
  if (const auto* logged = data.data_as_ServiceLogged()) {
    const uint32_t volunteer = VolunteerIndex(View(logged->volunteer_id()));
    const std::string_view id = View(logged->service_id());
    auto it = service_index_.find(ServiceKeyView{volunteer, id});
    if (it == service_index_.end()) {
      it = service_index_
               .emplace(ServiceKey{volunteer, std::string(id)},
                        static_cast<uint32_t>(services_.size()))
               .first;
      services_.emplace_back();
      services_of_[volunteer].push_back(it->second);
    }
    // Logged again under the same id: its figures are the latest, its verifications stay.
    Service& service = services_[it->second];
    service.started_at_us = logged->started_at_us();
    service.kind = logged->kind();
    service.minutes = logged->minutes();
  } else if (const auto* verified = data.data_as_ServiceVerified()) {
    // The volunteer's stream is the event's: "member-<volunteer>".
    constexpr std::string_view kPrefix = "member-";
    const std::string_view stream = event.stream;
    if (!stream.starts_with(kPrefix)) return;
    auto volunteer = volunteers_.find(stream.substr(kPrefix.size()));
    if (volunteer == volunteers_.end()) return;
    auto it = service_index_.find(ServiceKeyView{volunteer->second, View(verified->service_id())});
    if (it == service_index_.end()) return;
    Service& service = services_[it->second];
    if (service.ever_verified) service.earlier.push_back(service.latest);
    service.ever_verified = true;
    service.latest = {event.position.value, kStands};
    verifications_.insert_or_assign(event.id, it->second);
  } else if (const auto* reversed = data.data_as_EventReversed()) {
    auto it = verifications_.find(View(reversed->reverses_id()));
    if (it == verifications_.end()) return;
    Service& service = services_[it->second];
    if (service.ever_verified && service.latest.second == kStands) {
      service.latest.second = event.position.value;
    }
  }
}

CertificateFigures ServiceHistory::FiguresAsOf(std::string_view member_id,
                                               std::string_view from_date, std::string_view to_date,
                                               Position as_of) const {
  CertificateFigures figures;
  auto member = volunteers_.find(member_id);
  if (member == volunteers_.end()) return figures;
  std::set<events::ServiceKind> kinds;
  auto covers = [&as_of](const std::pair<uint64_t, uint64_t>& range) {
    return range.first < as_of.value && range.second >= as_of.value;
  };
  for (uint32_t index : services_of_[member->second]) {
    const Service& service = services_[index];
    const std::string date = FormatDateOfInstant(service.started_at_us);
    if (date < from_date || date > to_date) continue;
    bool verified = service.ever_verified && covers(service.latest);
    for (const auto& range : service.earlier) verified = verified || covers(range);
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
