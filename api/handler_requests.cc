// The reads of service requests (订单式): GET /v1/requests and GET /v1/requests/{id}. Admins and
// auditors see every request; a coordinator its branch's; a member (a volunteer) only those
// assigned to her. Scoped roles get the same 404 for "not yours" as for "not there". The
// elder's need in words (description) is shown to admins, the branch's coordinators and the
// assigned volunteer, who needs it to go; auditors see ids and figures.
#include <algorithm>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/views.h"
#include "projections/projector.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

// Whether `call`'s caller may see `request` at all.
bool MaySee(const Call& call, const ServiceRequest& request) {
  switch (call.role()) {
    case Role::kAdmin:
    case Role::kAuditor:
      return true;
    case Role::kCoordinator:
      return request.branch_id.view() == call.scope();
    case Role::kMember:
      return request.volunteer_id.view() == call.scope();
    case Role::kPartner:
    case Role::kMerchant:
      break;
  }
  return false;
}

bool MaySeeDescription(const Call& call, const ServiceRequest& request) {
  return Endpoints::MaySeePersonal(call, request.branch_id.view()) ||
         (call.role() == Role::kMember && request.volunteer_id.view() == call.scope());
}

std::optional<RequestStatus> ParseStatus(std::string_view text) {
  for (RequestStatus status : {RequestStatus::kOpen, RequestStatus::kAssigned,
                               RequestStatus::kResolved, RequestStatus::kCancelled}) {
    if (text == RequestStatusName(status)) return status;
  }
  return std::nullopt;
}

}  // namespace

Step Endpoints::GetRequest(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    const ServiceRequest* request = state.FindRequest(RequestRef(id));
    if (request == nullptr || !MaySee(call, *request)) return Fail(NoSuch("request", id));
    const bool personal = MaySeeDescription(call, *request);
    if (personal) h.NotePersonalRead(call, request->elder_id.view());
    return JsonResponse(200, RequestJson(RequestRef(id), *request, personal));
  });
}

Step Endpoints::ListRequests(Handler& h, Call& call) {
  Checked<const std::string*> branch_parameter = BranchParameter(call);
  if (!branch_parameter.ok()) return Fail(branch_parameter.problem());
  const std::string* branch = *branch_parameter;
  if (call.role() == Role::kCoordinator && branch != nullptr && *branch != call.scope()) {
    return Fail(Forbidden("a coordinator lists the requests of its own branch only"));
  }
  std::optional<RequestStatus> status;
  if (const std::string* text = call.Query("status")) {
    status = ParseStatus(*text);
    if (!status) {
      return Fail(ParameterProblem("status", "must be open, assigned, resolved or cancelled"));
    }
  }
  const std::string* volunteer = call.Query("volunteer_id");
  if (volunteer != nullptr && !IsValidId(*volunteer)) {
    return Fail(ParameterProblem("volunteer_id",
                                 "must be an id: 1 to 128 characters of A-Z a-z 0-9 . _ : -"));
  }
  Checked<size_t> limit = ListLimit(h, call);
  if (!limit.ok()) return Fail(limit.problem());
  const std::string* cursor = call.Query("cursor");
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    // Requests in id order after the cursor: collect the matches, keep the first `limit`.
    std::vector<std::pair<RequestRef, const ServiceRequest*>> matches;
    for (const auto& [id, request] : state.requests()) {
      if (cursor != nullptr && id.view() <= *cursor) continue;
      if (!MaySee(call, request)) continue;
      if (branch != nullptr && request.branch_id.view() != *branch) continue;
      if (status && request.status != *status) continue;
      if (volunteer != nullptr && request.volunteer_id.view() != *volunteer) continue;
      matches.emplace_back(id, &request);
    }
    const size_t count = std::min(*limit, matches.size());
    std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(count),
                      matches.end());
    json::object body;
    json::array& items = body["items"].emplace_array();
    for (size_t i = 0; i < count; ++i) {
      const ServiceRequest& request = *matches[i].second;
      const bool personal = MaySeeDescription(call, request);
      if (personal) h.NotePersonalRead(call, request.elder_id.view());
      items.push_back(RequestJson(matches[i].first, request, personal));
    }
    if (matches.size() > count) {
      body["next_cursor"] = matches[count - 1].first.view();
    } else {
      body["next_cursor"] = nullptr;
    }
    return JsonResponse(200, body);
  });
}

}  // namespace ledger::api
