// WriteScope: who is writing, as far as the ledger's scope rules care (domain/scope_rules.h).
// Describes a request, not a fact: it is never stored, hashed or published.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace ledger {

struct WriteScope {
  enum class Kind : uint8_t {
    kAll,      // an admin: any event
    kBranch,   // a coordinator: only what belongs to branch `id`
    kMember,   // a member: only what the scope table lets a member record about itself (`id`)
    kPartner,  // a partner: only what the scope table lets a donor record (`id`: the partner)
  };
  Kind kind = Kind::kAll;
  std::string id;  // the branch, for kBranch; the member, for kMember; the partner, for kPartner

  static WriteScope All() { return {}; }
  static WriteScope Branch(std::string branch_id) { return {Kind::kBranch, std::move(branch_id)}; }
  static WriteScope Member(std::string member_id) { return {Kind::kMember, std::move(member_id)}; }
  static WriteScope Partner(std::string partner_id) {
    return {Kind::kPartner, std::move(partner_id)};
  }
  bool operator==(const WriteScope&) const = default;
};

}  // namespace ledger
