// The rules of people and their time: branches, members, pairings, services and their
// verification, training, activities, credit transfers, stars and attestations.
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

// The outcome for deciding a service that is no longer pending.
Outcome NotPending(ServiceStatus status) {
  switch (status) {
    case ServiceStatus::kVerified:
      return Outcome::kAlreadyVerified;
    case ServiceStatus::kRejected:
      return Outcome::kAlreadyRejected;
    case ServiceStatus::kReversed:
      return Outcome::kServiceReversed;
    case ServiceStatus::kPending:
      break;
  }
  return Outcome::kOk;
}

}  // namespace

void LedgerState::SetStar(Member& member) {
  member.star = policy_.StarFor(member.verified_minutes);
}

std::array<int64_t, kStarLevels + 1> LedgerState::StarCounts(BranchRef branch_id) const {
  std::array<int64_t, kStarLevels + 1> counts{};
  for (const auto& [id, member] : members_) {
    if (!IsVolunteer(member) || !member.active) continue;
    if (!branch_id.empty() && member.branch_id != branch_id) continue;
    ++counts[member.star];
  }
  return counts;
}

Execution LedgerState::OnBranchOpened(const EventMeta&, const events::BranchOpened& e) {
  if (!Present(e.branch_id()) || !Present(e.name())) return Fail(Outcome::kInvalidField);
  if (FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(branches_, Table::kBranch, BranchRef(Str(e.branch_id())));
  branches_.emplace(BranchId(Str(e.branch_id())), Branch{std::string(Str(e.name()))});
  return kOk;
}

Execution LedgerState::OnMemberRegistered(const EventMeta& meta,
                                          const events::MemberRegistered& e) {
  // The personal fields' rules (a name, a plausible birth year) are the API's, which seals them
  // apart (docs/privacy.md); the log holds only their commitment.
  if (!Present(e.member_id()) || !Present(e.branch_id()) || !InRange(e.kind()) ||
      !ValidCommitment(e.personal())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kUnknownBranch);
  if (FindMember(MemberRef(Str(e.member_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(BranchRef(Str(e.branch_id())), meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  Member member;
  member.kind = e.kind();
  member.branch_id = BranchId(Str(e.branch_id()));
  Touch(members_, Table::kMember, MemberRef(Str(e.member_id())));
  members_.emplace(MemberId(Str(e.member_id())), std::move(member));
  AddToReports(BranchRef(Str(e.branch_id())), meta.occurred_at_us,
               [](Report& r, const ReportKey&) { ++r.new_members; });
  return kOk;
}

Execution LedgerState::OnMemberDeactivated(const EventMeta& meta,
                                           const events::MemberDeactivated& e) {
  if (!Present(e.member_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (!member->active) return Fail(Outcome::kMemberInactive);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(members_, Table::kMember, MemberRef(Str(e.member_id())));
  members_.find(MemberRef(Str(e.member_id())))->second.active = false;
  return kOk;
}

Execution LedgerState::OnPairingFormed(const EventMeta& meta, const events::PairingFormed& e) {
  if (!Present(e.pairing_id()) || !Present(e.volunteer_id()) || !Present(e.elder_id())) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* volunteer = FindMember(MemberRef(Str(e.volunteer_id())));
  const Member* elder = FindMember(MemberRef(Str(e.elder_id())));
  if (volunteer == nullptr || elder == nullptr) return Fail(Outcome::kUnknownMember);
  if (FindPairing(PairingRef(Str(e.pairing_id())))) return Fail(Outcome::kAlreadyExists);
  const std::string pair = Join(Str(e.volunteer_id()), Str(e.elder_id()));
  if (active_pairs_.contains(pair)) return Fail(Outcome::kDuplicatePairing);
  if (!volunteer->active || !elder->active) return Fail(Outcome::kMemberInactive);
  if (!IsVolunteer(*volunteer)) return Fail(Outcome::kNotAVolunteer);
  if (elder->kind != events::MemberKind::elder) return Fail(Outcome::kNotAnElder);
  if (volunteer->branch_id != elder->branch_id) return Fail(Outcome::kDifferentBranch);
  if (Outcome o = CheckSeal(volunteer->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(pairings_, Table::kPairing, PairingRef(Str(e.pairing_id())));
  pairings_.emplace(PairingId(Str(e.pairing_id())),
                    Pairing{MemberId(Str(e.volunteer_id())), MemberId(Str(e.elder_id())), true});
  TouchSet(active_pairs_, std::nullopt, pair);
  active_pairs_.insert(pair);
  return kOk;
}

Execution LedgerState::OnPairingEnded(const EventMeta& meta, const events::PairingEnded& e) {
  if (!Present(e.pairing_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const Pairing* pairing = FindPairing(PairingRef(Str(e.pairing_id())));
  if (pairing == nullptr) return Fail(Outcome::kUnknownPairing);
  if (!pairing->active) return Fail(Outcome::kPairingEnded);
  const Member* volunteer = FindMember(pairing->volunteer_id);
  LEDGER_ASSERT(volunteer != nullptr);
  if (Outcome o = CheckSeal(volunteer->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const std::string pair = Join(pairing->volunteer_id.view(), pairing->elder_id.view());
  Touch(pairings_, Table::kPairing, PairingRef(Str(e.pairing_id())));
  pairings_.find(PairingRef(Str(e.pairing_id())))->second.active = false;
  TouchSet(active_pairs_, std::nullopt, pair);
  active_pairs_.erase(pair);
  return kOk;
}

Execution LedgerState::OnServiceLogged(const EventMeta& meta, const events::ServiceLogged& e) {
  if (!Present(e.service_id()) || !Present(e.volunteer_id()) || !InRange(e.kind()) ||
      !ValidCommitment(e.personal())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.minutes() < 1 || e.minutes() > kServiceMinutesMax) return Fail(Outcome::kInvalidMinutes);
  // Looked up once: the member stays where she is while the service is added (DenseMap).
  auto volunteer_it = members_.find(MemberRef(Str(e.volunteer_id())));
  if (volunteer_it == members_.end()) return Fail(Outcome::kUnknownMember);
  Member* volunteer = &volunteer_it->second;
  const Member* elder = nullptr;
  if (Outcome o = FindElderAndActivity(*this, e.elder_id(), e.activity_id(), &elder);
      o != Outcome::kOk) {
    return Fail(o);
  }
  // The place and content of a visit are the elder's (her home), else the volunteer's.
  if (e.personal() != nullptr && (elder != nullptr ? elder : volunteer)->erased_at_us) {
    return Fail(Outcome::kPersonalDataErased);
  }
  const RequestRef request_id(Str(e.request_id()));
  if (!request_id.empty() && !FindRequest(request_id)) return Fail(Outcome::kUnknownRequest);
  if (FindService(ServiceRef(Str(e.service_id())))) return Fail(Outcome::kAlreadyExists);
  if (!volunteer->active) return Fail(Outcome::kMemberInactive);
  if (!IsVolunteer(*volunteer)) return Fail(Outcome::kNotAVolunteer);
  if (elder != nullptr) {
    if (!elder->active) return Fail(Outcome::kMemberInactive);
    if (elder->kind != events::MemberKind::elder) return Fail(Outcome::kNotAnElder);
    if (elder->branch_id != volunteer->branch_id) return Fail(Outcome::kDifferentBranch);
  }
  if (!request_id.empty()) {
    const Outcome o = CheckServiceRequest(request_id, MemberRef(Str(e.volunteer_id())),
                                          MemberRef(Str(e.elder_id())));
    if (o != Outcome::kOk) return Fail(o);
  }
  if (Outcome o = CheckSeal(volunteer->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(services_, Table::kService, ServiceRef(Str(e.service_id())));
  services_.emplace(ServiceId(Str(e.service_id())),
                    Service{MemberId(Str(e.volunteer_id())), MemberId(Str(e.elder_id())),
                            e.minutes(), ServiceStatus::kPending, RequestId(request_id)});
  if (!request_id.empty()) AddServiceToRequest(request_id, ServiceRef(Str(e.service_id())));
  Touch(members_, Table::kMember, MemberRef(Str(e.volunteer_id())));
  volunteer->pending_minutes += Minutes{e.minutes()};
  return kOk;
}

Execution LedgerState::OnServiceVerified(const EventMeta& meta, const events::ServiceVerified& e) {
  if (!Present(e.service_id()) || !Present(e.confirmed_by())) return Fail(Outcome::kInvalidField);
  if (e.rating() && (*e.rating() < 1 || *e.rating() > 5)) return Fail(Outcome::kInvalidField);
  // Each entry is looked up once: the service and the member stay where they are (a DenseMap's
  // entries do not move on insert, and nothing here erases).
  const ServiceRef service_id(Str(e.service_id()));
  auto service_it = services_.find(service_id);
  if (service_it == services_.end()) return Fail(Outcome::kUnknownService);
  Service& service = service_it->second;
  if (!IsStream(meta.stream, "member-", service.volunteer_id.view())) {
    return Fail(Outcome::kWrongStream);
  }
  if (Outcome o = NotPending(service.status); o != Outcome::kOk) return Fail(o);
  if (!meta.committed) {
    if (Outcome o = CheckConfirmation(service, Str(e.confirmed_by())); o != Outcome::kOk) {
      return Fail(o);
    }
  }
  Member& member = members_.find(service.volunteer_id)->second;
  if (Outcome o = CheckSeal(member.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Minutes minutes{service.minutes};
  const MemberRef volunteer_id = service.volunteer_id;
  const MemberRef elder_id = service.elder_id;
  Touch(services_, Table::kService, service_id);
  service.status = ServiceStatus::kVerified;
  Touch(members_, Table::kMember, volunteer_id);
  member.pending_minutes -= minutes;
  member.verified_minutes += minutes;
  member.credit_minutes += minutes;
  SetStar(member);
  AddToReports(member.branch_id, meta.occurred_at_us, [&](Report& r, const ReportKey& key) {
    r.verified_minutes += minutes;
    ++r.services;
    if (!elder_id.empty()) CountElderServed(r, key, elder_id);
  });
  const RequestId resolved = ResolveRequest(service, meta.occurred_at_us);
  RecordReversible(meta, ServiceVerifiedUndo{ServiceId(service_id), minutes, resolved});
  return kOk;
}

Execution LedgerState::OnServiceRejected(const EventMeta& meta, const events::ServiceRejected& e) {
  if (!Present(e.service_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const Service* service = FindService(ServiceRef(Str(e.service_id())));
  if (service == nullptr) return Fail(Outcome::kUnknownService);
  if (!IsStream(meta.stream, "member-", service->volunteer_id.view())) {
    return Fail(Outcome::kWrongStream);
  }
  if (Outcome o = NotPending(service->status); o != Outcome::kOk) return Fail(o);
  const MemberId volunteer_id = service->volunteer_id;
  Member& member = members_.find(volunteer_id)->second;
  if (Outcome o = CheckSeal(member.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Minutes minutes{service->minutes};
  Touch(services_, Table::kService, ServiceRef(Str(e.service_id())));
  services_.find(ServiceRef(Str(e.service_id())))->second.status = ServiceStatus::kRejected;
  Touch(members_, Table::kMember, volunteer_id);
  member.pending_minutes -= minutes;
  return kOk;
}

Execution LedgerState::OnTrainingCompleted(const EventMeta& meta,
                                           const events::TrainingCompleted& e) {
  if (!Present(e.training_id()) || !Present(e.member_id()) || !Present(e.course())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.minutes() < 1 || e.minutes() > kTrainingMinutesMax) return Fail(Outcome::kInvalidMinutes);
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (IdTaken("training", Str(e.training_id()))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  TakeId("training", Str(e.training_id()));
  Touch(members_, Table::kMember, MemberRef(Str(e.member_id())));
  members_.find(MemberRef(Str(e.member_id())))->second.training_minutes += Minutes{e.minutes()};
  RecordReversible(meta, TrainingUndo{MemberId(Str(e.member_id())), Minutes{e.minutes()}});
  return kOk;
}

Execution LedgerState::OnActivityHeld(const EventMeta& meta, const events::ActivityHeld& e) {
  if (!Present(e.activity_id()) || !Present(e.branch_id()) || !Present(e.title()) ||
      !ValidDate(Str(e.date())) || e.participants() < 0 || e.beneficiaries() < 0) {
    return Fail(Outcome::kInvalidField);
  }
  if (!FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kUnknownBranch);
  // A reversed activity's id may be recorded anew: that is how an activity is corrected.
  if (const Activity* held = FindActivity(ActivityRef(Str(e.activity_id())));
      held != nullptr && !held->reversed) {
    return Fail(Outcome::kAlreadyExists);
  }
  if (Outcome o = CheckSeal(BranchRef(Str(e.branch_id())), meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(activities_, Table::kActivity, ActivityRef(Str(e.activity_id())));
  activities_.insert_or_assign(ActivityId(Str(e.activity_id())),
                               Activity{BranchId(Str(e.branch_id())), false});
  const int64_t beneficiaries = e.beneficiaries();
  AddToReports(BranchRef(Str(e.branch_id())), meta.occurred_at_us,
               [&](Report& r, const ReportKey&) {
                 ++r.activities;
                 r.beneficiaries += beneficiaries;
               });
  RecordReversible(meta, ActivityUndo{ActivityId(Str(e.activity_id())), beneficiaries});
  return kOk;
}

Execution LedgerState::OnCreditsTransferred(const EventMeta& meta,
                                            const events::CreditsTransferred& e) {
  if (!Present(e.transfer_id()) || !Present(e.from_member_id()) || !Present(e.to_member_id())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.minutes() < 1) return Fail(Outcome::kInvalidMinutes);
  const Member* from = FindMember(MemberRef(Str(e.from_member_id())));
  const Member* to = FindMember(MemberRef(Str(e.to_member_id())));
  if (from == nullptr || to == nullptr) return Fail(Outcome::kUnknownMember);
  if (IdTaken("transfer", Str(e.transfer_id()))) return Fail(Outcome::kAlreadyExists);
  if (from == to) return Fail(Outcome::kSameMember);
  // A gift goes to family (a registered relative) or to an elder of the giver's branch.
  const bool elder_of_branch =
      to->kind == events::MemberKind::elder && to->branch_id == from->branch_id;
  if (!meta.committed && !elder_of_branch && !from->IsRelative(MemberRef(Str(e.to_member_id())))) {
    return Fail(Outcome::kNotARelative);
  }
  if (!from->active || !to->active) return Fail(Outcome::kMemberInactive);
  if (Outcome o = CheckSeal(from->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  if (from->credit_minutes < Minutes{e.minutes()}) return Fail(Outcome::kInsufficientCredits);
  TakeId("transfer", Str(e.transfer_id()));
  Touch(members_, Table::kMember, MemberRef(Str(e.from_member_id())));
  Touch(members_, Table::kMember, MemberRef(Str(e.to_member_id())));
  const Minutes minutes{e.minutes()};
  // Recorded now, or recorded since gifts are tracked: the giver's own gifts go on first, and to
  // the receiver every credit given is a gift. A transfer from before moves plain credits.
  const bool gift = !meta.committed || e.gift().value_or(false);
  Member& giver = members_.find(MemberRef(Str(e.from_member_id())))->second;
  const Minutes giver_gifted = gift ? std::min(giver.gifted_minutes, minutes) : Minutes{};
  giver.credit_minutes -= minutes;
  giver.gifted_minutes -= giver_gifted;
  giver.gifted_minutes = std::min(giver.gifted_minutes, giver.credit_minutes);
  Member& receiver = members_.find(MemberRef(Str(e.to_member_id())))->second;
  receiver.credit_minutes += minutes;
  if (gift) receiver.gifted_minutes += minutes;
  RecordReversible(meta,
                   TransferUndo{MemberId(Str(e.from_member_id())), MemberId(Str(e.to_member_id())),
                                minutes, giver_gifted, gift});
  Execution done;
  done.mark_gift = gift && !meta.committed;
  return done;
}

Execution LedgerState::OnAttestationIssued(const EventMeta& meta,
                                           const events::AttestationIssued& e) {
  if (!Present(e.attestation_id()) || !Present(e.member_id()) || !Present(e.merchant_id()) ||
      e.expires_at_us() <= meta.occurred_at_us || !ValidAttestationTerms(e)) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  const Partner* merchant = FindPartner(PartnerRef(Str(e.merchant_id())));
  if (merchant == nullptr) return Fail(Outcome::kUnknownPartner);
  if (IdTaken("attestation", Str(e.attestation_id()))) return Fail(Outcome::kAlreadyExists);
  if (merchant->kind != events::PartnerKind::merchant) return Fail(Outcome::kNotAMerchant);
  if (!member->active) return Fail(Outcome::kMemberInactive);
  RecordAttestation(e);  // ledger_attestations.cc
  return kOk;
}

}  // namespace ledger
