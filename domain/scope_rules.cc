#include "domain/scope_rules.h"

#include <array>
#include <vector>

#include "domain/assert.h"

namespace ledger {
namespace {

using events::Data;

// A ScopedField reading `field` of the event type `Type`.
#define LEDGER_SCOPED_FIELD(Type, field, ref, absent_is_programme)                   \
  ScopedField {                                                                      \
#field, ScopeRef::ref,                                                           \
        [](const events::EventData&                                                  \
               data) { return data.data_as_##Type()->field(); }, absent_is_programme \
  }
#define LEDGER_SCOPED(Type, field, ref) LEDGER_SCOPED_FIELD(Type, field, ref, false)

constexpr ScopedField kMemberRegistered[] = {LEDGER_SCOPED(MemberRegistered, branch_id, kBranch)};
constexpr ScopedField kMemberDeactivated[] = {LEDGER_SCOPED(MemberDeactivated, member_id, kMember)};
constexpr ScopedField kPairingFormed[] = {LEDGER_SCOPED(PairingFormed, volunteer_id, kMember),
                                          LEDGER_SCOPED(PairingFormed, elder_id, kMember)};
constexpr ScopedField kPairingEnded[] = {LEDGER_SCOPED(PairingEnded, pairing_id, kPairing)};
constexpr ScopedField kServiceLogged[] = {LEDGER_SCOPED(ServiceLogged, volunteer_id, kMember),
                                          LEDGER_SCOPED(ServiceLogged, elder_id, kMember),
                                          LEDGER_SCOPED(ServiceLogged, activity_id, kActivity),
                                          LEDGER_SCOPED(ServiceLogged, request_id, kRequest)};
constexpr ScopedField kServiceVerified[] = {LEDGER_SCOPED(ServiceVerified, service_id, kService)};
constexpr ScopedField kServiceRejected[] = {LEDGER_SCOPED(ServiceRejected, service_id, kService)};
constexpr ScopedField kTrainingCompleted[] = {LEDGER_SCOPED(TrainingCompleted, member_id, kMember)};
constexpr ScopedField kActivityHeld[] = {LEDGER_SCOPED(ActivityHeld, branch_id, kBranch)};
constexpr ScopedField kCreditsTransferred[] = {
    LEDGER_SCOPED(CreditsTransferred, from_member_id, kMember),
    LEDGER_SCOPED(CreditsTransferred, to_member_id, kMember)};
constexpr ScopedField kFundOpened[] = {LEDGER_SCOPED_FIELD(FundOpened, branch_id, kBranch, true)};
constexpr ScopedField kDonationReceived[] = {LEDGER_SCOPED(DonationReceived, fund_id, kFund)};
constexpr ScopedField kRestrictionChanged[] = {
    LEDGER_SCOPED(RestrictionChanged, donation_id, kDonation)};
constexpr ScopedField kSaleRecorded[] = {LEDGER_SCOPED(SaleRecorded, fund_id, kFund),
                                         LEDGER_SCOPED(SaleRecorded, maker_id, kMember)};
constexpr ScopedField kDisbursementMade[] = {LEDGER_SCOPED(DisbursementMade, fund_id, kFund),
                                             LEDGER_SCOPED(DisbursementMade, elder_id, kMember)};
constexpr ScopedField kExpenseRecorded[] = {LEDGER_SCOPED(ExpenseRecorded, fund_id, kFund)};
constexpr ScopedField kRedemptionMade[] = {LEDGER_SCOPED(RedemptionMade, member_id, kMember),
                                           LEDGER_SCOPED(RedemptionMade, fund_id, kFund)};
constexpr ScopedField kEventReversed[] = {LEDGER_SCOPED(EventReversed, reverses_id, kEvent)};
// A seal without branch_id is the whole programme's: an admin's.
constexpr ScopedField kMonthlyReportSealed[] = {
    LEDGER_SCOPED_FIELD(MonthlyReportSealed, branch_id, kBranch, true)};
constexpr ScopedField kAttestationIssued[] = {LEDGER_SCOPED(AttestationIssued, member_id, kMember)};
// An attestation is revoked by its member herself, her branch's coordinators or an admin.
constexpr ScopedField kAttestationRevoked[] = {
    LEDGER_SCOPED(AttestationRevoked, attestation_id, kAttestation)};
// A certificate is issued and revoked by its member's branch (or an admin).
constexpr ScopedField kCertificateIssued[] = {LEDGER_SCOPED(CertificateIssued, member_id, kMember)};
constexpr ScopedField kCertificateRevoked[] = {
    LEDGER_SCOPED(CertificateRevoked, certificate_id, kCertificate)};
// A branch's coordinator opens and closes the accounts of its own branch's members only: an
// account without member_id (any other role) is the whole programme's, an admin's.
constexpr ScopedField kAccountOpened[] = {
    LEDGER_SCOPED_FIELD(AccountOpened, member_id, kMember, true)};
constexpr ScopedField kAccountClosed[] = {
    LEDGER_SCOPED_FIELD(AccountClosed, member_id, kMember, true)};
// Service requests: the coordinators of the elder's branch (and admins) post them.
constexpr ScopedField kServiceRequested[] = {LEDGER_SCOPED(ServiceRequested, elder_id, kMember)};
constexpr ScopedField kRequestAssigned[] = {LEDGER_SCOPED(RequestAssigned, request_id, kRequest),
                                            LEDGER_SCOPED(RequestAssigned, volunteer_id, kMember)};
constexpr ScopedField kRequestCancelled[] = {LEDGER_SCOPED(RequestCancelled, request_id, kRequest)};
// Money and filing: goods and grants belong to their fund's branch; a consent to the donation's.
constexpr ScopedField kGoodsDistributed[] = {
    LEDGER_SCOPED(GoodsDistributed, donation_id, kDonation),
    LEDGER_SCOPED(GoodsDistributed, elder_id, kMember),
    LEDGER_SCOPED(GoodsDistributed, activity_id, kActivity)};
constexpr ScopedField kGrantReceived[] = {LEDGER_SCOPED(GrantReceived, fund_id, kFund)};
constexpr ScopedField kDonorConsentRecorded[] = {
    LEDGER_SCOPED(DonorConsentRecorded, donation_id, kDonation)};
// A volunteer's file: kept by the member's branch (its coordinators) or an admin. A relation
// joins two members of the writer's branch; one across branches is an admin's.
constexpr ScopedField kAwardGranted[] = {LEDGER_SCOPED(AwardGranted, member_id, kMember)};
constexpr ScopedField kMemberUpdated[] = {LEDGER_SCOPED(MemberUpdated, member_id, kMember)};
constexpr ScopedField kRelationRegistered[] = {
    LEDGER_SCOPED(RelationRegistered, member_id, kMember),
    LEDGER_SCOPED(RelationRegistered, relative_id, kMember)};

#undef LEDGER_SCOPED
#undef LEDGER_SCOPED_FIELD

// Partners are shared by every branch: registering one, or naming one as a donor or buyer, is in
// every branch's scope.
constexpr EventScopeRule kRules[] = {
    {Data::BranchOpened, true, {}},
    {Data::MemberRegistered, false, kMemberRegistered},
    {Data::MemberDeactivated, false, kMemberDeactivated},
    {Data::PairingFormed, false, kPairingFormed},
    {Data::PairingEnded, false, kPairingEnded},
    // A volunteer records her own visit (the console on her phone); it stays pending until her
    // branch's coordinator verifies it, which a member may not do.
    {Data::ServiceLogged, false, kServiceLogged, "volunteer_id"},
    {Data::ServiceVerified, false, kServiceVerified},
    {Data::ServiceRejected, false, kServiceRejected},
    {Data::TrainingCompleted, false, kTrainingCompleted},
    {Data::ActivityHeld, false, kActivityHeld},
    {Data::CreditsTransferred, false, kCreditsTransferred},
    {Data::PartnerRegistered, false, {}},
    {Data::FundOpened, false, kFundOpened},
    {Data::DonationReceived, false, kDonationReceived},
    {Data::RestrictionChanged, false, kRestrictionChanged},
    {Data::SaleRecorded, false, kSaleRecorded},
    {Data::DisbursementMade, false, kDisbursementMade},
    {Data::ExpenseRecorded, false, kExpenseRecorded},
    {Data::RedemptionMade, false, kRedemptionMade},
    {Data::PolicySet, true, {}},
    {Data::EventReversed, false, kEventReversed},
    {Data::MonthlyReportSealed, false, kMonthlyReportSealed},
    {Data::AttestationIssued, false, kAttestationIssued},
    {Data::AccountOpened, false, kAccountOpened},
    {Data::AccountClosed, false, kAccountClosed},
    {Data::KeyIssued, true, {}},
    {Data::KeyRevoked, true, {}},
    {Data::CertificateIssued, false, kCertificateIssued},
    {Data::CertificateRevoked, false, kCertificateRevoked},
    {Data::ServiceRequested, false, kServiceRequested},
    {Data::RequestAssigned, false, kRequestAssigned},
    {Data::RequestCancelled, false, kRequestCancelled},
    {Data::GoodsDistributed, false, kGoodsDistributed},
    {Data::GrantReceived, false, kGrantReceived},
    // 《慈善法》§55: the donor consents (its own key or account), or an admin records the consent
    // citing the signed document.
    {Data::DonorConsentRecorded,
     false,
     kDonorConsentRecorded,
     {},
     "donation_id",
     "document_ref",
     [](const events::EventData& data) {
       return data.data_as_DonorConsentRecorded()->document_ref();
     }},
    {Data::FilingAcknowledged, true, {}},
    {Data::AwardGranted, false, kAwardGranted},
    {Data::MemberUpdated, false, kMemberUpdated},
    {Data::RelationRegistered, false, kRelationRegistered},
    {Data::AttestationRevoked, false, kAttestationRevoked, "attestation_id"},
    // Erasure (PIPL §47) is an admin's, through its route only.
    {Data::PersonalDataErased, true, {}},
};
static_assert(std::size(kRules) == static_cast<size_t>(Data::MAX),
              "every event type has a scope rule (ScopeRulesTest checks the order)");

// The branch `id` of kind `ref` belongs to: nullopt when the state does not know it (the domain
// rules refuse it), "" when it belongs to no branch.
struct Resolver {
  const LedgerState& state;

  std::optional<std::string_view> MemberBranch(std::string_view id) const {
    const Member* member = state.FindMember(MemberRef(id));
    if (member == nullptr) return std::nullopt;
    return member->branch_id.view();
  }
  std::optional<std::string_view> FundBranch(std::string_view id) const {
    const Fund* fund = state.FindFund(FundRef(id));
    if (fund == nullptr) return std::nullopt;
    return fund->branch_id.view();
  }

  std::optional<std::string_view> Branch(ScopeRef ref, std::string_view id) const {
    switch (ref) {
      case ScopeRef::kBranch:
        return id;
      case ScopeRef::kMember:
        return MemberBranch(id);
      case ScopeRef::kPairing: {
        const Pairing* pairing = state.FindPairing(PairingRef(id));
        if (pairing == nullptr) return std::nullopt;
        return MemberBranch(pairing->volunteer_id.view());
      }
      case ScopeRef::kService: {
        const Service* service = state.FindService(ServiceRef(id));
        if (service == nullptr) return std::nullopt;
        return MemberBranch(service->volunteer_id.view());
      }
      case ScopeRef::kActivity: {
        const Activity* activity = state.FindActivity(ActivityRef(id));
        if (activity == nullptr) return std::nullopt;
        return activity->branch_id.view();
      }
      case ScopeRef::kFund:
        return FundBranch(id);
      case ScopeRef::kDonation: {
        const Source* source = state.FindSource(SourceRef(id));
        if (source == nullptr) return std::nullopt;
        return FundBranch(source->fund_id.view());
      }
      case ScopeRef::kCertificate: {
        const Certificate* certificate = state.FindCertificate(id);
        if (certificate == nullptr) return std::nullopt;
        return MemberBranch(certificate->member_id.view());
      }
      case ScopeRef::kRequest: {
        const ServiceRequest* request = state.FindRequest(RequestRef(id));
        if (request == nullptr) return std::nullopt;
        return request->branch_id.view();
      }
      case ScopeRef::kAttestation: {
        const Attestation* attestation = state.FindAttestation(id);
        if (attestation == nullptr) return std::nullopt;
        return MemberBranch(attestation->member_id.view());
      }
      case ScopeRef::kEvent:
        break;  // several things: see ReversedRefs
    }
    LEDGER_ASSERT(false);
    return std::nullopt;
  }

  // Whether `value` (a `ref` field a member records about herself) is about `member_id`: names her
  // (kMember), or is her attestation. An attestation the state does not know passes: the domain
  // refuses it (unknown_attestation).
  bool IsAbout(ScopeRef ref, const flatbuffers::String* value, std::string_view member_id) const {
    if (value == nullptr) return false;
    if (ref == ScopeRef::kAttestation) {
      const Attestation* attestation = state.FindAttestation(value->string_view());
      return attestation == nullptr || attestation->member_id.view() == member_id;
    }
    return value->string_view() == member_id;
  }

  // Everything a reversible event touched, as (kind, id) pairs.
  std::vector<std::pair<ScopeRef, std::string_view>> ReversedRefs(const Reversible& target) const {
    using Refs = std::vector<std::pair<ScopeRef, std::string_view>>;
    auto outflow_fund = [&](OutflowRef outflow_id) -> Refs {
      const Outflow* outflow = state.FindOutflow(outflow_id);
      if (outflow == nullptr) return {};
      return {{ScopeRef::kFund, outflow->fund_id.view()}};
    };
    Refs refs = std::visit(
        Overloaded{
            [](const ServiceVerifiedUndo& u) -> Refs {
              return {{ScopeRef::kService, u.service_id.view()}};
            },
            [](const TrainingUndo& u) -> Refs {
              return {{ScopeRef::kMember, u.member_id.view()}};
            },
            [](const TransferUndo& u) -> Refs {
              return {{ScopeRef::kMember, u.from_member_id.view()},
                      {ScopeRef::kMember, u.to_member_id.view()}};
            },
            [](const DonationUndo& u) -> Refs {
              return {{ScopeRef::kDonation, u.donation_id.view()}};
            },
            [](const SaleUndo& u) -> Refs {
              return {{ScopeRef::kDonation, u.sale_id.view()},
                      {ScopeRef::kMember, u.maker_id.view()}};
            },
            [&](const DisbursementUndo& u) -> Refs { return outflow_fund(u.disbursement_id); },
            [&](const ExpenseUndo& u) -> Refs { return outflow_fund(u.expense_id); },
            [&](const RedemptionUndo& u) -> Refs {
              Refs out = u.DrewOnFund() ? outflow_fund(u.redemption_id) : Refs{};
              out.emplace_back(ScopeRef::kMember, u.member_id.view());
              return out;
            },
            [](const ActivityUndo& u) -> Refs {
              return {{ScopeRef::kActivity, u.activity_id.view()}};
            },
        },
        target.undo);
    std::erase_if(refs, [](const auto& ref) { return ref.second.empty(); });
    return refs;
  }
};

}  // namespace

std::span<const EventScopeRule> ScopeRules() { return kRules; }

const EventScopeRule& ScopeRuleFor(events::Data type) {
  const size_t index = static_cast<size_t>(type);
  LEDGER_ASSERT(index >= 1);
  LEDGER_ASSERT(index <= std::size(kRules));
  const EventScopeRule& rule = kRules[index - 1];
  LEDGER_ASSERT(rule.type == type);
  return rule;
}

// The rules of a type that only its donor or an admin records (donor_self_field).
std::optional<std::string> CheckDonorScope(const LedgerState& state, const WriteScope& scope,
                                           const EventScopeRule& rule,
                                           const events::EventData& data) {
  const std::string type(events::EnumNameData(data.data_type()));
  auto field = [&](std::string_view name) -> const flatbuffers::String* {
    for (const ScopedField& f : rule.fields) {
      if (f.name == name) return f.get(data);
    }
    return nullptr;
  };
  switch (scope.kind) {
    case WriteScope::Kind::kAll:
      if (rule.admin_cites != nullptr && rule.admin_cites(data) == nullptr) {
        return "an admin records " + type + " only citing " + std::string(rule.admin_cites_field);
      }
      return std::nullopt;
    case WriteScope::Kind::kPartner: {
      const flatbuffers::String* donation_id = field(rule.donor_self_field);
      const Source* source = donation_id == nullptr
                                 ? nullptr
                                 : state.FindSource(SourceRef(donation_id->string_view()));
      if (source == nullptr) return std::nullopt;  // the domain refuses it (unknown_donation)
      if (source->partner_id.view() != scope.id) {
        return type + "." + std::string(rule.donor_self_field) +
               " must be a donation of partner '" + scope.id + "' itself";
      }
      return std::nullopt;
    }
    case WriteScope::Kind::kBranch:
    case WriteScope::Kind::kMember:
      break;
  }
  return "only the donor or an admin may record " + type;
}

std::optional<std::string> CheckWriteScope(const LedgerState& state, const WriteScope& scope,
                                           const events::EventData& data) {
  if (data.data_type() == Data::NONE) return std::nullopt;  // the domain refuses it
  const EventScopeRule& rule = ScopeRuleFor(data.data_type());
  if (!rule.donor_self_field.empty()) return CheckDonorScope(state, scope, rule, data);
  if (scope.kind == WriteScope::Kind::kAll) return std::nullopt;
  const std::string type(events::EnumNameData(data.data_type()));
  if (rule.admin_only) return "only an admin may record " + type;
  if (scope.kind == WriteScope::Kind::kPartner) {
    return "a partner may record only its consent to a new purpose of its own donation";
  }
  const Resolver resolve{state};
  // The branch the writer's event must stay in: a coordinator's, or a member's own.
  std::string branch_id = scope.id;
  if (scope.kind == WriteScope::Kind::kMember) {
    if (rule.member_self_field.empty()) return "a member may not record " + type;
    const std::optional<std::string_view> own_branch = resolve.Branch(ScopeRef::kMember, scope.id);
    if (!own_branch) return "member '" + scope.id + "' is not in the ledger";
    branch_id = std::string(*own_branch);
  }
  auto in_scope = [&](ScopeRef ref, std::string_view id) {
    const std::optional<std::string_view> branch = resolve.Branch(ref, id);
    return !branch || *branch == branch_id;
  };
  for (const ScopedField& field : rule.fields) {
    const flatbuffers::String* value = field.get(data);
    if (scope.kind == WriteScope::Kind::kMember && field.name == rule.member_self_field &&
        !resolve.IsAbout(field.ref, value, scope.id)) {
      return type + "." + std::string(field.name) + " must be " +
             (field.ref == ScopeRef::kMember ? "the member '" + scope.id + "' itself"
                                             : "about the member '" + scope.id + "' herself");
    }
    if (value == nullptr) {
      if (field.absent_is_programme) {
        return type + " without " + std::string(field.name) + " is the whole programme's";
      }
      continue;
    }
    const std::string_view id = value->string_view();
    bool ok = true;
    if (field.ref == ScopeRef::kEvent) {
      if (const Reversible* target = state.FindReversible(EventRef(id))) {
        for (const auto& [ref, ref_id] : resolve.ReversedRefs(*target))
          ok = ok && in_scope(ref, ref_id);
      }
    } else {
      ok = in_scope(field.ref, id);
    }
    if (!ok) {
      std::string why = type + "." + std::string(field.name) + " '" + std::string(id);
      why += "' is outside branch '";
      why += branch_id;
      why += "'";
      return why;
    }
  }
  return std::nullopt;
}

}  // namespace ledger
