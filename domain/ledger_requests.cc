// The rules of service requests (订单式, API.md "Service requests"): an elder's need becomes a
// request, a coordinator assigns it to an active volunteer of the elder's branch, the volunteer
// logs a visit naming it, and the visit's verification resolves it. A reversal of that
// verification re-opens it (back to assigned). A cancelled or resolved request takes no more
// assignments and no more services.
#include <algorithm>

#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

constexpr int64_t kMicrosecondsPerMinute = 60'000'000;

// The outcome for changing a request that is closed (cancelled or resolved).
Outcome Closed(RequestStatus status) {
  switch (status) {
    case RequestStatus::kCancelled:
      return Outcome::kRequestCancelled;
    case RequestStatus::kResolved:
      return Outcome::kRequestResolved;
    case RequestStatus::kOpen:
    case RequestStatus::kAssigned:
      break;
  }
  return Outcome::kOk;
}

// Whole minutes (rounded down) from a request to its resolution; 0 when the resolution is dated
// before the request (occurred_at is the client's).
int64_t ResolutionMinutes(const ServiceRequest& request) {
  return std::max<int64_t>(
      0, (request.resolved_at_us - request.requested_at_us) / kMicrosecondsPerMinute);
}

}  // namespace

std::string_view RequestStatusName(RequestStatus status) {
  switch (status) {
    case RequestStatus::kOpen:
      return "open";
    case RequestStatus::kAssigned:
      return "assigned";
    case RequestStatus::kResolved:
      return "resolved";
    case RequestStatus::kCancelled:
      return "cancelled";
  }
  return "open";
}

std::optional<int64_t> MedianMinutes(const std::vector<int64_t>& ascending) {
  if (ascending.empty()) return std::nullopt;
  const size_t middle = ascending.size() / 2;
  if (ascending.size() % 2 == 1) return ascending[middle];
  // Both are non-negative, so the integer division rounds the mean down.
  return (ascending[middle - 1] + ascending[middle]) / 2;
}

Execution LedgerState::OnServiceRequested(const EventMeta& meta,
                                          const events::ServiceRequested& e) {
  if (!Present(e.request_id()) || !Present(e.elder_id()) || !Present(e.description()) ||
      !InRange(e.need()) || (e.requested_by() && !InRange(*e.requested_by()))) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* elder = FindMember(MemberRef(Str(e.elder_id())));
  if (elder == nullptr) return Fail(Outcome::kUnknownMember);
  if (FindRequest(RequestRef(Str(e.request_id())))) return Fail(Outcome::kAlreadyExists);
  if (!elder->active) return Fail(Outcome::kMemberInactive);
  if (elder->kind != events::MemberKind::elder) return Fail(Outcome::kNotAnElder);
  if (Outcome o = CheckSeal(elder->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  ServiceRequest request;
  request.elder_id = MemberId(Str(e.elder_id()));
  request.branch_id = elder->branch_id;
  request.need = e.need();
  request.description = std::string(Str(e.description()));
  if (e.wanted_by_us()) request.wanted_by_us = *e.wanted_by_us();
  if (e.requested_by()) request.requested_by = *e.requested_by();
  request.urgent = e.urgent().value_or(false);
  request.requested_at_us = meta.occurred_at_us;
  const BranchId branch = request.branch_id;
  Touch(requests_, Table::kRequest, RequestRef(Str(e.request_id())));
  requests_.emplace(RequestId(Str(e.request_id())), std::move(request));
  AddToReports(branch, meta.occurred_at_us,
               [](Report& r, const ReportKey&) { ++r.requests_opened; });
  return kOk;
}

// Assigning an assigned request again to another volunteer is allowed: a coordinator whose
// volunteer cannot go sends another. A pending visit of the earlier volunteer still counts if it
// is verified (the elder was served).
Execution LedgerState::OnRequestAssigned(const EventMeta& meta, const events::RequestAssigned& e) {
  if (!Present(e.request_id()) || !Present(e.volunteer_id())) return Fail(Outcome::kInvalidField);
  const RequestRef request_id(Str(e.request_id()));
  const ServiceRequest* request = FindRequest(request_id);
  if (request == nullptr) return Fail(Outcome::kUnknownRequest);
  const Member* volunteer = FindMember(MemberRef(Str(e.volunteer_id())));
  if (volunteer == nullptr) return Fail(Outcome::kUnknownMember);
  if (Outcome o = Closed(request->status); o != Outcome::kOk) return Fail(o);
  if (request->volunteer_id == MemberRef(Str(e.volunteer_id()))) {
    return Fail(Outcome::kAlreadyAssigned);
  }
  if (!volunteer->active) return Fail(Outcome::kMemberInactive);
  if (!IsVolunteer(*volunteer)) return Fail(Outcome::kNotAVolunteer);
  if (volunteer->branch_id != request->branch_id) return Fail(Outcome::kDifferentBranch);
  if (Outcome o = CheckSeal(request->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(requests_, Table::kRequest, request_id);
  ServiceRequest& changed = requests_.find(request_id)->second;
  changed.volunteer_id = MemberId(Str(e.volunteer_id()));
  changed.status = RequestStatus::kAssigned;
  return kOk;
}

Execution LedgerState::OnRequestCancelled(const EventMeta& meta,
                                          const events::RequestCancelled& e) {
  if (!Present(e.request_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const RequestRef request_id(Str(e.request_id()));
  const ServiceRequest* request = FindRequest(request_id);
  if (request == nullptr) return Fail(Outcome::kUnknownRequest);
  if (Outcome o = Closed(request->status); o != Outcome::kOk) return Fail(o);
  if (Outcome o = CheckSeal(request->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(requests_, Table::kRequest, request_id);
  requests_.find(request_id)->second.status = RequestStatus::kCancelled;
  return kOk;
}

Outcome LedgerState::CheckServiceRequest(RequestRef request_id, MemberRef volunteer_id,
                                         MemberRef elder_id) const {
  const ServiceRequest* request = FindRequest(request_id);
  LEDGER_ASSERT(request != nullptr);
  if (Outcome o = Closed(request->status); o != Outcome::kOk) return o;
  if (request->status != RequestStatus::kAssigned || request->volunteer_id != volunteer_id) {
    return Outcome::kNotAssigned;
  }
  if (request->elder_id != elder_id) return Outcome::kWrongElder;
  return Outcome::kOk;
}

void LedgerState::AddServiceToRequest(RequestRef request_id, ServiceRef service_id) {
  Touch(requests_, Table::kRequest, request_id);
  requests_.find(request_id)->second.service_ids.emplace_back(service_id);
}

RequestId LedgerState::ResolveRequest(const Service& service, int64_t at_us) {
  if (service.request_id.empty()) return RequestId();
  const ServiceRequest* request = FindRequest(service.request_id);
  // A request cancelled or resolved while the visit waited stays as it is.
  if (request == nullptr || request->status != RequestStatus::kAssigned) return RequestId();
  RequestId request_id = service.request_id;
  Touch(requests_, Table::kRequest, request_id);
  ServiceRequest& resolved = requests_.find(request_id)->second;
  resolved.status = RequestStatus::kResolved;
  resolved.resolved_at_us = at_us;
  const int64_t minutes = ResolutionMinutes(resolved);
  AddToReports(resolved.branch_id, at_us, [&](Report& r, const ReportKey&) {
    ++r.requests_resolved;
    r.resolution_minutes.insert(
        std::upper_bound(r.resolution_minutes.begin(), r.resolution_minutes.end(), minutes),
        minutes);
  });
  return request_id;
}

// A re-opening counts in the month it is recorded, as every correction does: that month's
// requests_resolved goes down by one, and its resolution times lose this request's if they hold
// it (a resolution and its reversal in the same month cancel out; an earlier month keeps the
// figures it reported).
void LedgerState::ReopenRequest(RequestRef request_id, int64_t at_us) {
  Touch(requests_, Table::kRequest, request_id);
  ServiceRequest& request = requests_.find(request_id)->second;
  LEDGER_ASSERT(request.status == RequestStatus::kResolved);
  const int64_t minutes = ResolutionMinutes(request);
  request.status = RequestStatus::kAssigned;
  request.resolved_at_us = 0;
  AddToReports(request.branch_id, at_us, [&](Report& r, const ReportKey&) {
    --r.requests_resolved;
    auto it = std::lower_bound(r.resolution_minutes.begin(), r.resolution_minutes.end(), minutes);
    if (it != r.resolution_minutes.end() && *it == minutes) r.resolution_minutes.erase(it);
  });
}

}  // namespace ledger
