// LedgerState's core: the words of its tables, the streams of events, journaling and change
// tracking, dispatch of each event to its rules, and the policy. The rules themselves live by
// concern: ledger_members.cc, ledger_funds.cc, ledger_reports.cc, ledger_reversals.cc,
// ledger_requests.cc, ledger_file.cc.
#include "domain/ledger_state.h"

#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

std::string_view ChannelName(int channel) {
  static constexpr std::string_view kNames[kChannels] = {
      "donation", "charity_sale", "enterprise_purchase", "government_purchase", "grant"};
  LEDGER_ASSERT(channel >= 0 && channel < kChannels);
  return kNames[channel];
}

std::string_view CategoryName(int category) {
  static constexpr std::string_view kNames[kCategories] = {
      "disbursement", "redemption", "materials", "management", "training", "activity"};
  LEDGER_ASSERT(category >= 0 && category < kCategories);
  return kNames[category];
}

namespace {
// The stream an event names by itself: a prefix and an id ("member-", "v12"), or a name of its
// own ("policy") with no id; nothing ({"", ""}) when it depends on state or the id is absent.
// A view into the event: building the name's string is left to those who keep it.
struct StreamName {
  std::string_view prefix;
  std::string_view id;
};

StreamName NamedStream(const events::EventData& data) {
  using events::Data;
  auto prefixed = [](std::string_view prefix, const flatbuffers::String* id) {
    return Present(id) ? StreamName{prefix, Str(id)} : StreamName{};
  };
  switch (data.data_type()) {
    case Data::BranchOpened:
      return prefixed("branch-", data.data_as_BranchOpened()->branch_id());
    case Data::MemberRegistered:
      return prefixed("member-", data.data_as_MemberRegistered()->member_id());
    case Data::MemberDeactivated:
      return prefixed("member-", data.data_as_MemberDeactivated()->member_id());
    case Data::PairingFormed:
      return prefixed("pairing-", data.data_as_PairingFormed()->pairing_id());
    case Data::PairingEnded:
      return prefixed("pairing-", data.data_as_PairingEnded()->pairing_id());
    case Data::ServiceLogged:
      return prefixed("member-", data.data_as_ServiceLogged()->volunteer_id());
    case Data::TrainingCompleted:
      return prefixed("member-", data.data_as_TrainingCompleted()->member_id());
    case Data::ActivityHeld:
      return prefixed("branch-", data.data_as_ActivityHeld()->branch_id());
    case Data::CreditsTransferred:
      return prefixed("member-", data.data_as_CreditsTransferred()->from_member_id());
    case Data::PartnerRegistered:
      return prefixed("partner-", data.data_as_PartnerRegistered()->partner_id());
    case Data::FundOpened:
      return prefixed("fund-", data.data_as_FundOpened()->fund_id());
    case Data::DonationReceived:
      return prefixed("fund-", data.data_as_DonationReceived()->fund_id());
    case Data::SaleRecorded:
      return prefixed("fund-", data.data_as_SaleRecorded()->fund_id());
    case Data::DisbursementMade:
      return prefixed("fund-", data.data_as_DisbursementMade()->fund_id());
    case Data::ExpenseRecorded:
      return prefixed("fund-", data.data_as_ExpenseRecorded()->fund_id());
    case Data::RedemptionMade:
      return prefixed("member-", data.data_as_RedemptionMade()->member_id());
    case Data::PolicySet:
      return {"policy", {}};
    case Data::MonthlyReportSealed: {
      // Without a branch: the whole programme's seal, beside the policy.
      const auto* seal = data.data_as_MonthlyReportSealed();
      return seal->branch_id() == nullptr ? StreamName{"policy", {}}
                                          : prefixed("branch-", seal->branch_id());
    }
    case Data::AttestationIssued:
      return prefixed("member-", data.data_as_AttestationIssued()->member_id());
    case Data::AccountOpened:
      return prefixed("account-", data.data_as_AccountOpened()->account_id());
    case Data::AccountClosed:
      return prefixed("account-", data.data_as_AccountClosed()->account_id());
    case Data::KeyIssued:
      return prefixed("key-", data.data_as_KeyIssued()->key_id());
    case Data::KeyRevoked:
      return prefixed("key-", data.data_as_KeyRevoked()->key_id());
    case Data::ServiceRequested:
      return prefixed("request-", data.data_as_ServiceRequested()->request_id());
    case Data::RequestAssigned:
      return prefixed("request-", data.data_as_RequestAssigned()->request_id());
    case Data::RequestCancelled:
      return prefixed("request-", data.data_as_RequestCancelled()->request_id());
    case Data::CertificateIssued:
      return prefixed("member-", data.data_as_CertificateIssued()->member_id());
    case Data::AwardGranted:
      return prefixed("member-", data.data_as_AwardGranted()->member_id());
    case Data::MemberUpdated:
      return prefixed("member-", data.data_as_MemberUpdated()->member_id());
    case Data::RelationRegistered:
      return prefixed("member-", data.data_as_RelationRegistered()->member_id());
    case Data::PersonalDataErased:
      return prefixed("member-", data.data_as_PersonalDataErased()->member_id());
    case Data::GrantReceived:
      return prefixed("fund-", data.data_as_GrantReceived()->fund_id());
    case Data::FilingAcknowledged:
      return {"policy", {}};
    case Data::GoodsDistributed:
    case Data::DonorConsentRecorded:
    case Data::CertificateRevoked:
    case Data::AttestationRevoked:
    case Data::ServiceVerified:
    case Data::ServiceRejected:
    case Data::RestrictionChanged:
    case Data::EventReversed:
    case Data::NONE:
      return {};
  }
  return {};
}
}  // namespace

std::string StreamFor(const events::EventData& data) {
  const StreamName name = NamedStream(data);
  std::string stream(name.prefix);
  stream.append(name.id);
  return stream;
}

std::string LedgerState::StreamOf(const events::EventData& data) const {
  using events::Data;
  auto service_stream = [&](const flatbuffers::String* service_id) -> std::string {
    const Service* service = FindService(ServiceRef(Str(service_id)));
    return service == nullptr ? "" : "member-" + service->volunteer_id.str();
  };
  auto donation_stream = [&](const flatbuffers::String* donation_id) -> std::string {
    const Source* source = FindSource(SourceRef(Str(donation_id)));
    return source == nullptr ? "" : "fund-" + source->fund_id.str();
  };
  switch (data.data_type()) {
    case Data::ServiceVerified:
      return service_stream(data.data_as_ServiceVerified()->service_id());
    case Data::ServiceRejected:
      return service_stream(data.data_as_ServiceRejected()->service_id());
    case Data::RestrictionChanged:
      return donation_stream(data.data_as_RestrictionChanged()->donation_id());
    case Data::GoodsDistributed:
      return donation_stream(data.data_as_GoodsDistributed()->donation_id());
    case Data::DonorConsentRecorded:
      return donation_stream(data.data_as_DonorConsentRecorded()->donation_id());
    case Data::CertificateRevoked: {
      const Certificate* certificate =
          FindCertificate(Str(data.data_as_CertificateRevoked()->certificate_id()));
      return certificate == nullptr ? "" : "member-" + certificate->member_id.str();
    }
    case Data::AttestationRevoked: {
      const Attestation* attestation =
          FindAttestation(Str(data.data_as_AttestationRevoked()->attestation_id()));
      return attestation == nullptr ? "" : "member-" + attestation->member_id.str();
    }
    case Data::EventReversed: {
      const Reversible* target =
          FindReversible(EventRef(Str(data.data_as_EventReversed()->reverses_id())));
      return target == nullptr ? "" : std::string(target->stream.view());
    }
    default:
      return StreamFor(data);
  }
}

void LedgerState::TouchPolicy() {
  if (tracking_) changes_.emplace_back(Table::kPolicy, "");
  if (journaling_) undo_.push_back([this, old = policy_] { policy_ = old; });
}

// Like Touch(partners_, ...), but without copying the partner's list of donations, which only
// ever grows: the undo restores the figures and cuts the list back to its length.
void LedgerState::TouchPartner(PartnerRef partner_id) {
  if (tracking_) changes_.emplace_back(Table::kPartner, partner_id.str());
  if (!journaling_) return;
  auto it = partners_.find(partner_id);
  LEDGER_ASSERT(it != partners_.end());
  // By id, not by reference: the maps are flat, so an element moves when the map grows.
  undo_.push_back([this, id = it->first, donated = it->second.donated_fen,
                   purchased = it->second.purchased_fen, used = it->second.used_fen,
                   donations = it->second.donations.size(), in_kind = it->second.in_kind_fen,
                   granted = it->second.granted_fen, grants = it->second.grants.size()] {
    Partner& partner = partners_.find(id)->second;
    partner.donated_fen = donated;
    partner.purchased_fen = purchased;
    partner.used_fen = used;
    partner.donations.resize(donations);
    partner.in_kind_fen = in_kind;
    partner.granted_fen = granted;
    partner.grants.resize(grants);
  });
}

void LedgerState::TouchSet(TextSet& set, std::optional<Table> table, std::string_view key) {
  if (tracking_ && table) changes_.emplace_back(*table, std::string(key));
  if (!journaling_) return;
  if (set.contains(key)) {
    undo_.push_back([&set, k = std::string(key)] { set.insert(k); });
  } else {
    undo_.push_back([&set, k = std::string(key)] { set.erase(k); });
  }
}

bool LedgerState::IdTaken(std::string_view kind, std::string_view id) const {
  std::string key(kind);
  key.push_back(':');
  key.append(id);
  return taken_ids_.contains(key);
}

void LedgerState::TakeId(std::string_view kind, std::string_view id) {
  std::string key(kind);
  key.push_back(':');
  key.append(id);
  TouchSet(taken_ids_, Table::kTakenId, key);
  taken_ids_.insert(std::move(key));
}

void LedgerState::Begin() {
  LEDGER_ASSERT(!journaling_);
  journaling_ = true;
  undo_.clear();
}

void LedgerState::Rollback() {
  LEDGER_ASSERT(journaling_);
  const DenseMapExclusive exclusive;  // the undo steps may keep references, as Execute's do
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
  undo_.clear();
  journaling_ = false;
}

void LedgerState::Commit() {
  LEDGER_ASSERT(journaling_);
  undo_.clear();
  journaling_ = false;
}

std::vector<std::pair<Table, std::string>> LedgerState::TakeChanges() {
  std::vector<std::pair<Table, std::string>> out;
  out.swap(changes_);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Execution LedgerState::Execute(const EventMeta& meta, const events::EventData& data) {
  using events::Data;
  // The rules keep references from lookups across changes: the tables' chunks they read must be
  // this state's own, not ones shared with a copy (DenseMap's "Sharing").
  const DenseMapExclusive exclusive;
  // The stream the event names by itself, compared without building its name (one string less
  // per event on every replay).
  const StreamName expected = NamedStream(data);
  if (!expected.prefix.empty() && !IsStream(meta.stream, expected.prefix, expected.id)) {
    return Fail(Outcome::kWrongStream);
  }
  switch (data.data_type()) {
    case Data::BranchOpened:
      return OnBranchOpened(meta, *data.data_as_BranchOpened());
    case Data::MemberRegistered:
      return OnMemberRegistered(meta, *data.data_as_MemberRegistered());
    case Data::MemberDeactivated:
      return OnMemberDeactivated(meta, *data.data_as_MemberDeactivated());
    case Data::PairingFormed:
      return OnPairingFormed(meta, *data.data_as_PairingFormed());
    case Data::PairingEnded:
      return OnPairingEnded(meta, *data.data_as_PairingEnded());
    case Data::ServiceLogged:
      return OnServiceLogged(meta, *data.data_as_ServiceLogged());
    case Data::ServiceVerified:
      return OnServiceVerified(meta, *data.data_as_ServiceVerified());
    case Data::ServiceRejected:
      return OnServiceRejected(meta, *data.data_as_ServiceRejected());
    case Data::TrainingCompleted:
      return OnTrainingCompleted(meta, *data.data_as_TrainingCompleted());
    case Data::ActivityHeld:
      return OnActivityHeld(meta, *data.data_as_ActivityHeld());
    case Data::CreditsTransferred:
      return OnCreditsTransferred(meta, *data.data_as_CreditsTransferred());
    case Data::PartnerRegistered:
      return OnPartnerRegistered(meta, *data.data_as_PartnerRegistered());
    case Data::FundOpened:
      return OnFundOpened(meta, *data.data_as_FundOpened());
    case Data::DonationReceived:
      return OnDonationReceived(meta, *data.data_as_DonationReceived());
    case Data::RestrictionChanged:
      return OnRestrictionChanged(meta, *data.data_as_RestrictionChanged());
    case Data::SaleRecorded:
      return OnSaleRecorded(meta, *data.data_as_SaleRecorded());
    case Data::DisbursementMade:
      return OnDisbursementMade(meta, *data.data_as_DisbursementMade());
    case Data::ExpenseRecorded:
      return OnExpenseRecorded(meta, *data.data_as_ExpenseRecorded());
    case Data::RedemptionMade:
      return OnRedemptionMade(meta, *data.data_as_RedemptionMade());
    case Data::PolicySet:
      return OnPolicySet(meta, *data.data_as_PolicySet());
    case Data::EventReversed:
      return OnEventReversed(meta, *data.data_as_EventReversed());
    case Data::MonthlyReportSealed:
      return OnMonthlyReportSealed(meta, *data.data_as_MonthlyReportSealed());
    case Data::AttestationIssued:
      return OnAttestationIssued(meta, *data.data_as_AttestationIssued());
    case Data::AccountOpened:
      return OnAccountOpened(meta, *data.data_as_AccountOpened());
    case Data::AccountClosed:
      return OnAccountClosed(meta, *data.data_as_AccountClosed());
    case Data::KeyIssued:
      return OnKeyIssued(meta, *data.data_as_KeyIssued());
    case Data::KeyRevoked:
      return OnKeyRevoked(meta, *data.data_as_KeyRevoked());
    case Data::CertificateIssued:
      return OnCertificateIssued(meta, *data.data_as_CertificateIssued());
    case Data::CertificateRevoked:
      return OnCertificateRevoked(meta, *data.data_as_CertificateRevoked());
    case Data::ServiceRequested:
      return OnServiceRequested(meta, *data.data_as_ServiceRequested());
    case Data::RequestAssigned:
      return OnRequestAssigned(meta, *data.data_as_RequestAssigned());
    case Data::RequestCancelled:
      return OnRequestCancelled(meta, *data.data_as_RequestCancelled());
    case Data::GoodsDistributed:
      return OnGoodsDistributed(meta, *data.data_as_GoodsDistributed());
    case Data::GrantReceived:
      return OnGrantReceived(meta, *data.data_as_GrantReceived());
    case Data::DonorConsentRecorded:
      return OnDonorConsentRecorded(meta, *data.data_as_DonorConsentRecorded());
    case Data::FilingAcknowledged:
      return OnFilingAcknowledged(meta, *data.data_as_FilingAcknowledged());
    case Data::AwardGranted:
      return OnAwardGranted(meta, *data.data_as_AwardGranted());
    case Data::MemberUpdated:
      return OnMemberUpdated(meta, *data.data_as_MemberUpdated());
    case Data::RelationRegistered:
      return OnRelationRegistered(meta, *data.data_as_RelationRegistered());
    case Data::AttestationRevoked:
      return OnAttestationRevoked(meta, *data.data_as_AttestationRevoked());
    case Data::PersonalDataErased:
      return OnPersonalDataErased(meta, *data.data_as_PersonalDataErased());
    case Data::NONE:
      break;
  }
  return Fail(Outcome::kInvalidField);
}

Execution LedgerState::OnPolicySet(const EventMeta&, const events::PolicySet& e) {
  Policy next = policy_;
  bool any = false;
  if (const auto* thresholds = e.star_thresholds_hours()) {
    if (thresholds->size() != kStarLevels) return Fail(Outcome::kInvalidPolicy);
    for (size_t i = 0; i < thresholds->size(); ++i) {
      const int32_t hours = thresholds->Get(i);
      if (hours < 1 || hours > kStarThresholdHoursMax) return Fail(Outcome::kInvalidPolicy);
      if (i > 0 && hours <= thresholds->Get(i - 1)) return Fail(Outcome::kInvalidPolicy);
      next.star_thresholds_hours[i] = hours;
    }
    any = true;
  }
  if (e.credit_value_fen_per_hour()) {
    const int64_t value = *e.credit_value_fen_per_hour();
    if (value < 1 || value > kCreditValueFenPerHourMax) return Fail(Outcome::kInvalidPolicy);
    next.credit_value_fen_per_hour = value;
    any = true;
  }
  if (const auto* bonus = e.star_bonus_bp()) {
    if (bonus->size() != kStarLevels + 1) return Fail(Outcome::kInvalidPolicy);
    for (size_t i = 0; i < bonus->size(); ++i) {
      if (bonus->Get(i) < 0 || bonus->Get(i) > kStarBonusBpMax) {
        return Fail(Outcome::kInvalidPolicy);
      }
      next.star_bonus_bp[i] = bonus->Get(i);
    }
    any = true;
  }
  if (e.cash_redemption_monthly_cap_fen()) {
    const int64_t cap = *e.cash_redemption_monthly_cap_fen();
    if (cap < 0 || cap > kFenMax) return Fail(Outcome::kInvalidPolicy);
    next.cash_redemption_monthly_cap_fen = cap;
    any = true;
  }
  if (!any) return Fail(Outcome::kInvalidPolicy);
  TouchPolicy();
  policy_ = next;
  // New thresholds apply from this event on: re-rate every member now.
  for (auto& [id, member] : members_) {
    const int star = policy_.StarFor(member.verified_minutes);
    if (star != member.star) {
      Touch(members_, Table::kMember, id);
      member.star = star;
    }
  }
  return kOk;
}

bool LedgerState::operator==(const LedgerState& o) const {
  return branches_ == o.branches_ && members_ == o.members_ && pairings_ == o.pairings_ &&
         active_pairs_ == o.active_pairs_ && services_ == o.services_ &&
         activities_ == o.activities_ && requests_ == o.requests_ && partners_ == o.partners_ &&
         funds_ == o.funds_ && sources_ == o.sources_ && outflows_ == o.outflows_ &&
         fund_outflows_ == o.fund_outflows_ && open_sources_ == o.open_sources_ &&
         reversibles_ == o.reversibles_ && cash_used_ == o.cash_used_ &&
         taken_ids_ == o.taken_ids_ && served_ == o.served_ && reports_ == o.reports_ &&
         policy_ == o.policy_ && certificates_ == o.certificates_ &&
         certificates_per_year_ == o.certificates_per_year_ && attestations_ == o.attestations_;
}

}  // namespace ledger
