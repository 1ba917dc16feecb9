// GET /v1/members/{id}/access-log: who read the member's personal data (eventstore/access_log.h),
// newest first. The member herself and admins may read it; another member gets the same 404 as
// for a member that is not there.
#include <boost/json/array.hpp>
#include <charconv>

#include "api/handler_internal.h"
#include "api/rfc3339.h"
#include "eventstore/access_log.h"
#include "projections/projector.h"

namespace ledger::api {
namespace json = boost::json;

Step Endpoints::GetAccessLog(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  if (call.role() == Role::kMember && id != call.scope()) return Fail(NoSuch("member", id));
  Checked<size_t> limit = ListLimit(h, call);
  if (!limit.ok()) return Fail(limit.problem());
  // An empty cursor is the first page, as for every list.
  std::optional<uint64_t> before;
  if (const std::string* cursor = call.Query("cursor"); cursor != nullptr && !cursor->empty()) {
    uint64_t value = 0;
    const char* end = cursor->data() + cursor->size();
    const auto [stop, error] = std::from_chars(cursor->data(), end, value);
    if (error != std::errc() || stop != end) {
      return Fail(ParameterProblem("cursor", "is not a cursor this list gave"));
    }
    before = value;
  }
  const bool known = h.node_.projector().Read(
      [&](const LedgerState& state) { return state.FindMember(MemberRef(id)) != nullptr; });
  if (!known) return Fail(NoSuch("member", id));
  if (h.options_.access_log == nullptr) {
    return Fail(MakeProblem(503, "unavailable", "this node keeps no access log"));
  }
  Result<AccessPage> page = h.options_.access_log->ReadMember(id, *limit, before);
  if (!page.ok()) return Fail(ProblemForStatus(page.status()));
  json::object body;
  json::array& items = body["items"].emplace_array();
  for (const AccessEntry& entry : page->entries) {
    items.push_back(json::object{{"at", FormatInstant(entry.at_us)},
                                 {"actor", entry.actor},
                                 {"role", entry.role},
                                 {"route", entry.route},
                                 {"member_id", entry.member_id}});
  }
  if (page->next_before) {
    body["next_cursor"] = std::to_string(*page->next_before);
  } else {
    body["next_cursor"] = nullptr;
  }
  return JsonResponse(200, body);
}

}  // namespace ledger::api
