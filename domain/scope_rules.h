// Scope rules: which events a writer limited to one branch, or to one member, (WriteScope) may
// record. The rule is one
// table, ScopeRules(), with a row per event type naming every field that refers to something of a
// branch (a member, a fund, a service, a donation, the event a reversal undoes...). The store's
// single writer checks each event against it with CheckWriteScope, against the write-side
// LedgerState and in the same step as the domain rules, so that nothing created meanwhile can
// slip past it: there is no gap between the check and the write.
//
// A reference the state does not know passes here; the domain rules then refuse it (unknown_*),
// and nothing of another branch is touched. A branchless thing (a fund of no branch, a seal of
// the whole programme) is outside every branch: an admin's.
//
// Pure, like the rest of domain/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/ledger_state.h"
#include "domain/write_scope.h"

namespace ledger {

// What a field refers to. Each kind resolves to the branch it belongs to.
enum class ScopeRef : uint8_t {
  kBranch,       // a branch id itself
  kMember,       // a member's branch
  kPairing,      // its volunteer's branch
  kService,      // its volunteer's branch
  kActivity,     // its branch
  kFund,         // its branch ("" for a fund of no branch)
  kDonation,     // its fund's branch (a donation or a sale: any source of a fund)
  kRequest,      // its elder's branch
  kEvent,        // the branch of everything the reversed event touched
  kCertificate,  // its member's branch
  kAttestation,  // its member's branch; as a member_self_field, its member must be the writer
};

// One scoped field of an event type: its JSON name, what it refers to, and how to read it.
struct ScopedField {
  std::string_view name;
  ScopeRef ref;
  const flatbuffers::String* (*get)(const events::EventData& data);  // nullptr when absent
  // When absent, the event is about the whole programme (a fund of no branch): an admin's.
  bool absent_is_programme = false;
};

// The scope rule of one event type.
struct EventScopeRule {
  events::Data type = events::Data::NONE;
  bool admin_only = false;  // no branch-bound writer may record it at all
  std::span<const ScopedField> fields;
  // The field (one of `fields`, a kMember reference, or a kAttestation one: then its member) that
  // must name the writer itself when a member records this type; "" when members may not record it
  // at all. A member's event must also keep every other field within the member's own branch, as a
  // coordinator's would.
  std::string_view member_self_field = {};
  // Money and filing: the field (a kDonation reference) whose donor alone, besides an admin, may
  // record this type (a donor's consent): "" for the others, which no partner may record. A
  // coordinator may not record such a type at all.
  std::string_view donor_self_field = {};
  // The field an admin must give to record this type (the signed document an admin cites for a
  // donor), and how to read it; "" and nullptr for none.
  std::string_view admin_cites_field = {};
  const flatbuffers::String* (*admin_cites)(const events::EventData& data) = nullptr;
};

// One row per event type, in the order of the schema's union (index = type - 1).
std::span<const EventScopeRule> ScopeRules();

// The row of `type`. REQUIRES: type != NONE.
const EventScopeRule& ScopeRuleFor(events::Data type);

// nullopt when a writer with `scope` may record `data` now; otherwise why not, in a sentence.
// A member may record only the types whose row has a member_self_field, naming itself there; a
// partner only the types whose row has a donor_self_field, about its own donation.
// `state` is the write-side state before `data`.
std::optional<std::string> CheckWriteScope(const LedgerState& state, const WriteScope& scope,
                                           const events::EventData& data);

}  // namespace ledger
