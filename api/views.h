// The JSON of the read model (domain/ledger_state.h) as the read endpoints show it. Personal
// fields of members appear only when the caller passes `personal` (the handler decides who may
// see them: admins and the member's own branch coordinators).
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <string_view>

#include "domain/ledger_state.h"

namespace ledger::api {

// `storage` holds the object's memory (default: the heap). `policy` (the one in force) gives the
// verified minutes where the member's star began and where the next one comes. `personal`: her
// family relations are shown; `sealed`: her personal fields from the vault (PersonalFieldsFor),
// nullptr for none. An erased member says so (personal_data_erased, erased_at) to every reader.
boost::json::object MemberJson(MemberRef member_id, const Member& member, const Policy& policy,
                               bool personal, const boost::json::object* sealed,
                               boost::json::storage_ptr storage = {});
// Adds the vault's fields `sealed` to `out`, a MemberJson made with sealed == nullptr, where
// MemberJson puts them (before her relations): for a read that opens the vault after it has
// left the projector's lock. `personal` as MemberJson's.
void AddSealedFields(boost::json::object& out, bool personal, const boost::json::object& sealed);
boost::json::object FundJson(FundRef fund_id, const Fund& fund);
// A fund's goods received in kind, one line per name and unit (never part of its balance).
boost::json::array GoodsJson(const Fund& fund);
boost::json::object OutflowJson(OutflowRef outflow_id, const Outflow& outflow);
boost::json::object DonationJson(SourceRef donation_id, const Source& donation);
boost::json::object PartnerJson(PartnerRef partner_id, const Partner& partner);
// A service request. The description (the elder's need in words) only with `personal`.
boost::json::object RequestJson(RequestRef request_id, const ServiceRequest& request,
                                bool personal);
// A branch's month (an empty id = all branches); `report` may be null (nothing happened that
// month). `programme` is the whole programme's report of the month (null if none): its seal seals
// every branch, and it holds head office's receipt (filing). `star_counts_now` is used while the
// month is not sealed.
boost::json::object ReportJson(BranchRef branch_id, MonthKey month, const Report* report,
                               const Report* programme,
                               const std::array<int64_t, kStarLevels + 1>& star_counts_now);

}  // namespace ledger::api
