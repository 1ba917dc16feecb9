// The lists of money: GET /v1/funds?branch_id= and GET /v1/partners?kind= (API.md, "Money and
// filing"), paged by id like every list ({"items", "next_cursor"}). Admins and auditors see every
// fund; a coordinator its branch's (a fund of no branch is the programme's, an admin's). Partners
// are shared by every branch: staff see them all, a partner only itself.
#include <algorithm>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/views.h"
#include "projections/projector.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

bool MaySeeFund(const Call& call, const Fund& fund) {
  return call.role() != Role::kCoordinator || fund.branch_id.view() == call.scope();
}

bool MaySeePartner(const Call& call, PartnerRef partner_id) {
  return call.role() != Role::kPartner || partner_id.view() == call.scope();
}

std::optional<events::PartnerKind> ParsePartnerKind(std::string_view text) {
  for (int i = 0; events::EnumNamesPartnerKind()[i] != nullptr; ++i) {
    if (text == events::EnumNamesPartnerKind()[i]) return static_cast<events::PartnerKind>(i);
  }
  return std::nullopt;
}

// The first `limit` of `matches` (id, thing) in id order, as a page.
template <typename Ref, typename Thing, typename ToJson>
json::object Page(std::vector<std::pair<Ref, const Thing*>>& matches, size_t limit,
                  const ToJson& to_json) {
  const size_t count = std::min(limit, matches.size());
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(count),
                    matches.end());
  json::object body;
  json::array& items = body["items"].emplace_array();
  for (size_t i = 0; i < count; ++i) items.push_back(to_json(matches[i].first, *matches[i].second));
  if (matches.size() > count) {
    body["next_cursor"] = matches[count - 1].first.view();
  } else {
    body["next_cursor"] = nullptr;
  }
  return body;
}

}  // namespace

Step Endpoints::ListFunds(Handler& h, Call& call) {
  Checked<const std::string*> branch_parameter = BranchParameter(call);
  if (!branch_parameter.ok()) return Fail(branch_parameter.problem());
  const std::string* branch = *branch_parameter;
  if (call.role() == Role::kCoordinator && branch != nullptr && *branch != call.scope()) {
    return Fail(Forbidden("a coordinator lists the funds of its own branch only"));
  }
  Checked<size_t> limit = ListLimit(h, call);
  if (!limit.ok()) return Fail(limit.problem());
  const std::string* cursor = call.Query("cursor");
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    std::vector<std::pair<FundRef, const Fund*>> matches;
    for (const auto& [id, fund] : state.funds()) {
      if (cursor != nullptr && id.view() <= *cursor) continue;
      if (!MaySeeFund(call, fund)) continue;
      if (branch != nullptr && fund.branch_id.view() != *branch) continue;
      matches.emplace_back(id, &fund);
    }
    return JsonResponse(200, Page(matches, *limit,
                                  [](FundRef id, const Fund& fund) { return FundJson(id, fund); }));
  });
}

Step Endpoints::ListPartners(Handler& h, Call& call) {
  std::optional<events::PartnerKind> kind;
  if (const std::string* text = call.Query("kind")) {
    kind = ParsePartnerKind(*text);
    if (!kind) {
      return Fail(ParameterProblem(
          "kind", "must be enterprise, government, community_org, individual or merchant"));
    }
  }
  Checked<size_t> limit = ListLimit(h, call);
  if (!limit.ok()) return Fail(limit.problem());
  const std::string* cursor = call.Query("cursor");
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    std::vector<std::pair<PartnerRef, const Partner*>> matches;
    for (const auto& [id, partner] : state.partners()) {
      if (cursor != nullptr && id.view() <= *cursor) continue;
      if (!MaySeePartner(call, id)) continue;
      if (kind && partner.kind != *kind) continue;
      matches.emplace_back(id, &partner);
    }
    return JsonResponse(200, Page(matches, *limit, [](PartnerRef id, const Partner& partner) {
                          return PartnerJson(id, partner);
                        }));
  });
}

}  // namespace ledger::api
