// Members' personal fields in the API (docs/privacy.md): the split of posted events (the vault
// seals the fields, the payload keeps their commitment) and the one gate every response that
// includes someone's personal fields goes through (PersonalFieldsFor).
//
// Internal to api/. Thread-safe as PersonalVault.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/handler_internal.h"
#include "api/vault_sealer.h"
#include "eventstore/personal_vault.h"

namespace ledger::api {

// What a response includes of a member's personal fields.
struct PersonalRead {
  // nullopt: her current fields, folded from MemberRegistered then each MemberUpdated in log
  // order; a position: the fields the event there was given (a visit's place and content).
  std::optional<Position> at;
  // With `at` nullopt: fold only records before this position (a certificate shows her name as
  // it was when issued).
  std::optional<Position> before;
  // The member made these fields public herself (her certificate's name, shown to whoever holds
  // it): no role check.
  bool published = false;
};

// Whether `call` may see the personal fields of a member of `member_branch`: admins, the
// coordinators of her branch, and the member herself.
bool MaySeePersonalOf(const Call& call, std::string_view member_branch, std::string_view member_id);

// The personal fields of member `member_id` on record, per `read`, for the server's own
// decisions (e.g. whether she has a phone): checks no right and notes no read, so never put
// them in a response — PersonalFieldsFor does that. nullopt as PersonalFieldsFor.
std::optional<boost::json::object> StoredPersonalFields(PersonalVault* vault,
                                                        std::string_view member_id,
                                                        const PersonalRead& read = {});

// THE gate of personal fields in responses: the personal fields of member `member_id` (of
// `member_branch`) that the response to `call` may include, per `read`. nullopt when the caller
// may not see them, when there are none (erased; a replica, which holds none; no vault) or when
// the vault fails (logged, never the fields). Fields it returns are noted for the access log
// (Handler::NotePersonalRead: recorded with the route once the response succeeds).
std::optional<boost::json::object> PersonalFieldsFor(Handler& h, Call& call, PersonalVault* vault,
                                                     std::string_view member_id,
                                                     std::string_view member_branch,
                                                     const PersonalRead& read = {});

}  // namespace ledger::api
