#include "projections/certificate_figures.h"

#include <map>
#include <set>

#include "domain/civil_time.h"
#include "domain/event_payload.h"

namespace ledger {
namespace {

struct ServiceFacts {
  std::string date;  // Beijing date it started
  events::ServiceKind kind = events::ServiceKind::other;
  int64_t minutes = 0;
  bool verified = false;
};

std::string View(const flatbuffers::String* s) { return s == nullptr ? "" : s->str(); }

std::string KindNames(const std::vector<events::ServiceKind>& kinds) {
  std::string out = "[";
  for (size_t i = 0; i < kinds.size(); ++i) {
    out += (i == 0 ? "" : ",") + std::string(events::EnumNameServiceKind(kinds[i]));
  }
  return out + "]";
}

}  // namespace

Result<CertificateFigures> CountCertificateFigures(const EventStore& store,
                                                   std::string_view member_id,
                                                   std::string_view from_date,
                                                   std::string_view to_date, Position as_of) {
  const std::string stream = "member-" + std::string(member_id);
  std::map<std::string, ServiceFacts> services;      // service id -> facts
  std::map<std::string, std::string> verifications;  // ServiceVerified event id -> service id
  StreamVersion next{1};
  bool done = false;
  while (!done) {
    Result<std::vector<StoredEvent>> batch = store.ReadStream(stream, next, 1000);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (const StoredEvent& event : *batch) {
      next = StreamVersion{event.version.value + 1};
      if (event.position.value >= as_of.value) {
        done = true;
        break;
      }
      const events::EventData* data = VerifyEventData(event.payload);
      if (data == nullptr) continue;
      if (const auto* logged = data->data_as_ServiceLogged()) {
        ServiceFacts& facts = services[View(logged->service_id())];
        facts.date = FormatDateOfInstant(logged->started_at_us());
        facts.kind = logged->kind();
        facts.minutes = logged->minutes();
      } else if (const auto* verified = data->data_as_ServiceVerified()) {
        auto it = services.find(View(verified->service_id()));
        if (it == services.end()) continue;
        it->second.verified = true;
        verifications[event.id] = it->first;
      } else if (const auto* reversed = data->data_as_EventReversed()) {
        auto it = verifications.find(View(reversed->reverses_id()));
        if (it != verifications.end()) services[it->second].verified = false;
      }
    }
  }
  CertificateFigures figures;
  std::set<events::ServiceKind> kinds;
  for (const auto& [id, facts] : services) {
    if (!facts.verified || facts.date < from_date || facts.date > to_date) continue;
    figures.verified_minutes += facts.minutes;
    ++figures.services;
    kinds.insert(facts.kind);
  }
  figures.kinds.assign(kinds.begin(), kinds.end());
  return figures;
}

std::string DescribeFigureDifferences(const CertificateFigures& recorded,
                                      const CertificateFigures& recomputed) {
  std::string out;
  auto add = [&](std::string_view name, const std::string& was, const std::string& is) {
    if (was == is) return;
    out +=
        (out.empty() ? "" : "; ") + std::string(name) + " recorded " + was + ", the log says " + is;
  };
  add("verified_minutes", std::to_string(recorded.verified_minutes),
      std::to_string(recomputed.verified_minutes));
  add("services", std::to_string(recorded.services), std::to_string(recomputed.services));
  add("kinds", KindNames(recorded.kinds), KindNames(recomputed.kinds));
  return out;
}

}  // namespace ledger
