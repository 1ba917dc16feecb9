// The rules of a volunteer's file (《志愿服务条例》§19, API.md "Records a volunteer's file
// needs"): awards, corrections of personal data, family relations, and who may vouch for a
// service.
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

bool Member::IsRelative(MemberRef other) const {
  for (const Relation& relation : relations) {
    if (relation.relative_id == other) return true;
  }
  return false;
}

Outcome LedgerState::CheckConfirmation(const Service& service,
                                       std::string_view confirmed_by) const {
  if (confirmed_by == service.volunteer_id.view()) return Outcome::kInvalidConfirmation;
  // Not a member: the organiser, a coordinator or an activity lead, by name or reference.
  if (FindMember(MemberRef(confirmed_by)) == nullptr) return Outcome::kOk;
  if (service.elder_id.empty()) return Outcome::kInvalidConfirmation;
  if (confirmed_by == service.elder_id.view()) return Outcome::kOk;
  const Member& elder = members_.find(service.elder_id)->second;
  return elder.IsRelative(MemberRef(confirmed_by)) ? Outcome::kOk : Outcome::kInvalidConfirmation;
}

Execution LedgerState::OnAwardGranted(const EventMeta& meta, const events::AwardGranted& e) {
  if (!Present(e.award_id()) || !Present(e.member_id()) || !Present(e.title())) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (IdTaken("award", Str(e.award_id()))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  TakeId("award", Str(e.award_id()));
  Touch(members_, Table::kMember, MemberRef(Str(e.member_id())));
  members_.find(MemberRef(Str(e.member_id())))
      ->second.awards.push_back(Award{std::string(Str(e.award_id())), std::string(Str(e.title())),
                                      std::string(Str(e.grantor())), std::string(Str(e.level())),
                                      meta.occurred_at_us});
  return kOk;
}

Execution LedgerState::OnMemberUpdated(const EventMeta& meta, const events::MemberUpdated& e) {
  // The fields themselves are sealed apart (docs/privacy.md): a correction is its commitment,
  // and the API checked at least one field was given, in the shape MemberRegistered's has.
  if (!Present(e.member_id()) || e.personal() == nullptr || !ValidCommitment(e.personal())) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (member->erased_at_us) return Fail(Outcome::kPersonalDataErased);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  return kOk;
}

Execution LedgerState::OnPersonalDataErased(const EventMeta& meta,
                                            const events::PersonalDataErased& e) {
  if (!Present(e.member_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (member->erased_at_us) return Fail(Outcome::kAlreadyErased);
  // No seal check: erasure is a person's right (PIPL §47) whatever month it is, and it changes
  // no figure of any month.
  Touch(members_, Table::kMember, MemberRef(Str(e.member_id())));
  members_.find(MemberRef(Str(e.member_id())))->second.erased_at_us = meta.occurred_at_us;
  return kOk;
}

Execution LedgerState::OnRelationRegistered(const EventMeta& meta,
                                            const events::RelationRegistered& e) {
  if (!Present(e.relation_id()) || !Present(e.member_id()) || !Present(e.relative_id()) ||
      !InRange(e.relation())) {
    return Fail(Outcome::kInvalidField);
  }
  const MemberRef member_id(Str(e.member_id()));
  const MemberRef relative_id(Str(e.relative_id()));
  const Member* member = FindMember(member_id);
  const Member* relative = FindMember(relative_id);
  if (member == nullptr || relative == nullptr) return Fail(Outcome::kUnknownMember);
  if (IdTaken("relation", Str(e.relation_id()))) return Fail(Outcome::kAlreadyExists);
  if (member_id == relative_id) return Fail(Outcome::kSameMember);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const std::string relation_id(Str(e.relation_id()));
  TakeId("relation", relation_id);
  Touch(members_, Table::kMember, member_id);
  Touch(members_, Table::kMember, relative_id);
  members_.find(member_id)->second.relations.push_back(
      Relation{relation_id, MemberId(relative_id), e.relation(), false});
  members_.find(relative_id)
      ->second.relations.push_back(Relation{relation_id, MemberId(member_id), e.relation(), true});
  return kOk;
}

}  // namespace ledger
