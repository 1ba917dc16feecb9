#include "domain/ledger_state.h"

#include <algorithm>
#include <limits>

#include "domain/assert.h"
#include "domain/money.h"

namespace ledger {
namespace {

constexpr int64_t kFenMax = Fen::kMax;
constexpr int32_t kServiceMinutesMax = 720;
constexpr int32_t kTrainingMinutesMax = 31 * 24 * 60;
constexpr int32_t kSaleQuantityMax = 10'000'000;
constexpr int32_t kBasisPointsMax = 10000;
constexpr int32_t kStarBonusBpMax = 100000;
constexpr int64_t kCreditValueFenPerHourMax = 100'000'000;
constexpr int32_t kStarThresholdHoursMax = 1'000'000;

std::string_view Str(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

bool Present(const flatbuffers::String* s) { return s != nullptr && s->size() > 0; }

template <typename E>
bool InRange(E value) {
  using U = std::underlying_type_t<E>;
  return static_cast<U>(value) >= static_cast<U>(E::MIN) &&
         static_cast<U>(value) <= static_cast<U>(E::MAX);
}

bool AddFits(Fen a, Fen b) { return Fen::CheckedAdd(a, b).has_value(); }

// The monthly report figure a reversible fact added its money to, and how much; {nullptr, 0}
// for facts whose money no report counts.
std::pair<Fen Report::*, Fen> ReportedMoney(const Reversible& fact) {
  switch (fact.type) {
    case events::Data::DonationReceived:
      return {&Report::donations_fen, Fen{fact.amount_fen}};
    case events::Data::SaleRecorded:
      return {&Report::sales_fen, Fen{fact.proceeds_fen}};
    case events::Data::DisbursementMade:
      return {&Report::disbursed_fen, Fen{fact.amount_fen}};
    case events::Data::RedemptionMade:
      if (fact.buyer == "cash") return {&Report::redeemed_cash_fen, Fen{fact.amount_fen}};
      return {nullptr, Fen{}};
    default:
      return {nullptr, Fen{}};
  }
}

std::string Join(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + 1 + b.size());
  key.append(a);
  key.push_back('\n');
  key.append(b);
  return key;
}

bool IsVolunteer(const Member& m) {
  return m.kind == events::MemberKind::volunteer || m.kind == events::MemberKind::youth_volunteer;
}

// YYYY-MM-DD with a real month and day.
bool ValidDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  const int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Execution Fail(Outcome outcome) { return Execution{outcome, std::nullopt}; }
constexpr Execution kOk{};

int CategoryOf(events::ExpenseCategory category) {
  switch (category) {
    case events::ExpenseCategory::materials:
      return static_cast<int>(Category::kMaterials);
    case events::ExpenseCategory::management:
      return static_cast<int>(Category::kManagement);
    case events::ExpenseCategory::training:
      return static_cast<int>(Category::kTraining);
    case events::ExpenseCategory::activity:
      return static_cast<int>(Category::kActivity);
  }
  return static_cast<int>(Category::kMaterials);
}

int ChannelOf(events::SaleChannel channel) {
  switch (channel) {
    case events::SaleChannel::charity_sale:
      return static_cast<int>(Channel::kCharitySale);
    case events::SaleChannel::enterprise_purchase:
      return static_cast<int>(Channel::kEnterprisePurchase);
    case events::SaleChannel::government_purchase:
      return static_cast<int>(Channel::kGovernmentPurchase);
  }
  return static_cast<int>(Channel::kCharitySale);
}

constexpr std::string_view kRedemptionPurpose = "redemption";

}  // namespace

std::string_view ChannelName(int channel) {
  static constexpr std::string_view kNames[kChannels] = {
      "donation", "charity_sale", "enterprise_purchase", "government_purchase"};
  LEDGER_ASSERT(channel >= 0 && channel < kChannels);
  return kNames[channel];
}

std::string_view CategoryName(int category) {
  static constexpr std::string_view kNames[kCategories] = {
      "disbursement", "redemption", "materials", "management", "training", "activity"};
  LEDGER_ASSERT(category >= 0 && category < kCategories);
  return kNames[category];
}

std::string StreamFor(const events::EventData& data) {
  using events::Data;
  auto prefixed = [](std::string_view prefix, const flatbuffers::String* id) {
    return Present(id) ? std::string(prefix) + std::string(Str(id)) : std::string();
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
      return "policy";
    case Data::MonthlyReportSealed:
      return prefixed("branch-", data.data_as_MonthlyReportSealed()->branch_id());
    case Data::AttestationIssued:
      return prefixed("member-", data.data_as_AttestationIssued()->member_id());
    case Data::ServiceVerified:
    case Data::ServiceRejected:
    case Data::RestrictionChanged:
    case Data::EventReversed:
    case Data::NONE:
      return "";
  }
  return "";
}

std::string LedgerState::StreamOf(const events::EventData& data) const {
  using events::Data;
  auto service_stream = [&](const flatbuffers::String* service_id) -> std::string {
    const Service* service = FindService(ServiceRef(Str(service_id)));
    return service == nullptr ? "" : "member-" + service->volunteer_id.str();
  };
  switch (data.data_type()) {
    case Data::ServiceVerified:
      return service_stream(data.data_as_ServiceVerified()->service_id());
    case Data::ServiceRejected:
      return service_stream(data.data_as_ServiceRejected()->service_id());
    case Data::RestrictionChanged: {
      const Source* source =
          FindSource(SourceRef(Str(data.data_as_RestrictionChanged()->donation_id())));
      return source == nullptr ? "" : "fund-" + source->fund_id.str();
    }
    case Data::EventReversed: {
      const Reversible* target =
          FindReversible(EventRef(Str(data.data_as_EventReversed()->reverses_id())));
      return target == nullptr ? "" : target->stream;
    }
    default:
      return StreamFor(data);
  }
}

// ---- journaling and change tracking ----

namespace {
std::string RowKey(const std::string& key) { return key; }  // composite keys (cash used)
template <class Tag>
std::string RowKey(IdRef<Tag> key) {
  return key.str();
}
template <class Tag>
std::string RowKey(const Id<Tag>& key) {
  return key.str();
}
std::string RowKey(const ReportKey& key) { return ReportRowKey(key); }
}  // namespace

template <typename Map, typename Key>
void LedgerState::Touch(Map& map, Table table, const Key& key) {
  if (tracking_) changes_.emplace_back(table, RowKey(key));
  if (!journaling_) return;
  auto it = map.find(key);
  if (it == map.end()) {
    undo_.push_back([&map, k = typename Map::key_type(key)] { map.erase(k); });
  } else {
    undo_.push_back([&map, k = it->first, v = it->second] { map.insert_or_assign(k, v); });
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
                   donations = it->second.donations.size()] {
    Partner& partner = partners_.find(id)->second;
    partner.donated_fen = donated;
    partner.purchased_fen = purchased;
    partner.used_fen = used;
    partner.donations.resize(donations);
  });
}

void LedgerState::TouchSet(StringSet& set, std::optional<Table> table, std::string_view key) {
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

// ---- shared pieces ----

std::string ReportRowKey(const ReportKey& key) {
  return key.branch_id.str() + "\n" + std::to_string(key.month);
}

const Report* LedgerState::FindReport(const ReportKey& key) const {
  auto it = reports_.find(key);
  return it == reports_.end() ? nullptr : &it->second;
}

Fen LedgerState::CashUsed(MemberRef member_id, MonthKey month) const {
  auto it = cash_used_.find(Join(member_id.view(), std::to_string(month)));
  return it == cash_used_.end() ? Fen{} : it->second;
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

Outcome LedgerState::CheckSeal(BranchRef branch_id, int64_t occurred_at_us) const {
  if (branch_id.empty()) return Outcome::kOk;
  const Report* report = FindReport(ReportKey{BranchId(branch_id), MonthOfInstant(occurred_at_us)});
  return report != nullptr && report->seal.has_value() ? Outcome::kMonthSealed : Outcome::kOk;
}

template <typename Change>
void LedgerState::AddToReports(BranchRef branch_id, int64_t occurred_at_us, const Change& change) {
  const MonthKey month = MonthOfInstant(occurred_at_us);
  ReportKey all{BranchId(), month};
  Touch(reports_, Table::kReport, all);
  change(reports_[all], all);
  if (!branch_id.empty()) {
    ReportKey branch{BranchId(branch_id), month};
    Touch(reports_, Table::kReport, branch);
    change(reports_[branch], branch);
  }
}

bool LedgerState::ReportsFit(BranchRef branch_id, int64_t occurred_at_us, Fen Report::*field,
                             Fen delta) const {
  const MonthKey month = MonthOfInstant(occurred_at_us);
  for (const ReportKey& key :
       {ReportKey{BranchId(), month}, ReportKey{BranchId(branch_id), month}}) {
    const Report* report = FindReport(key);
    if (report != nullptr && !AddFits(report->*field, delta)) return false;
  }
  return true;
}

void LedgerState::CountElderServed(Report& report, const ReportKey& key, MemberRef elder_id) {
  std::string served = key.branch_id.str();
  served.push_back('\n');
  served.append(std::to_string(key.month));
  served.push_back('\n');
  served.append(elder_id.view());
  if (served_.contains(served)) return;
  TouchSet(served_, Table::kServed, served);
  served_.insert(std::move(served));
  ++report.elders_served;
}

void LedgerState::SetStar(Member& member) {
  member.star = policy_.StarFor(member.verified_minutes);
}

// The FIFO pools are journaled entry by entry: a pool can hold every unspent inflow of a fund,
// and copying it whole for each undo made every append cost time in proportion to it.
void LedgerState::CloseSource(const std::string& pool, uint32_t order) {
  auto it = open_sources_.find(pool);
  if (it == open_sources_.end()) return;
  auto entry = it->second.find(order);
  if (entry == it->second.end()) return;
  if (journaling_) {
    undo_.push_back(
        [this, pool, order, id = entry->second] { open_sources_[pool].emplace(order, id); });
  }
  it->second.erase(entry);
  if (it->second.empty()) open_sources_.erase(it);
}

void LedgerState::OpenSource(const std::string& pool, uint32_t order, SourceRef id) {
  open_sources_[pool].emplace(order, SourceId(id));
  if (journaling_) {
    undo_.push_back([this, pool, order] {
      auto it = open_sources_.find(pool);
      if (it == open_sources_.end()) return;
      it->second.erase(order);
      if (it->second.empty()) open_sources_.erase(it);
    });
  }
}

void LedgerState::AddSource(SourceRef source_id, Source source) {
  Fund& fund = funds_.find(source.fund_id)->second;
  source.order = fund.source_count++;
  source.remaining_fen = source.amount_fen;
  if (source.purpose.empty()) {
    fund.unrestricted_fen += source.amount_fen;
  } else {
    fund.earmarks_fen[source.purpose] += source.amount_fen;
  }
  if (source.amount_fen > Fen{}) {
    OpenSource(Join(source.fund_id.view(), source.purpose), source.order, source_id);
  }
  Touch(sources_, Table::kSource, source_id);
  sources_.insert_or_assign(SourceId(source_id), std::move(source));
}

Outcome LedgerState::CheckOutflow(FundRef fund_id, std::string_view purpose, Fen amount_fen,
                                  int64_t occurred_at_us) const {
  const Fund* fund = FindFund(fund_id);
  LEDGER_ASSERT(fund != nullptr);
  if (Outcome o = CheckSeal(fund->branch_id, occurred_at_us); o != Outcome::kOk) return o;
  Fen available = fund->unrestricted_fen;
  if (!purpose.empty()) {
    auto it = fund->earmarks_fen.find(std::string(purpose));
    if (it != fund->earmarks_fen.end()) available += it->second;
  }
  return amount_fen > available ? Outcome::kInsufficientFunds : Outcome::kOk;
}

void LedgerState::Allocate(FundRef fund_id, OutflowRef outflow_id, std::string_view purpose,
                           Fen amount_fen, int64_t at_us, std::vector<Allocation>* allocations) {
  Fund& fund = funds_.find(fund_id)->second;
  Fen left = amount_fen;
  // Same-purpose restricted money first, then unrestricted; FIFO within each.
  std::vector<std::string> pools;
  if (!purpose.empty()) pools.push_back(std::string(purpose));
  pools.push_back("");
  for (const std::string& pool_purpose : pools) {
    if (left == Fen{}) break;
    const std::string pool_key = Join(fund_id.view(), pool_purpose);
    while (left > Fen{}) {
      auto pool_it = open_sources_.find(pool_key);
      if (pool_it == open_sources_.end()) break;  // empty pools are dropped
      const auto first = pool_it->second.begin();
      const uint32_t order = first->first;
      const SourceId source_id = first->second;
      Touch(sources_, Table::kSource, source_id);
      Source& source = sources_.find(source_id)->second;
      const Fen take = std::min(left, source.remaining_fen);
      source.remaining_fen -= take;
      left -= take;
      source.uses.push_back(Use{OutflowId(outflow_id), std::string(purpose), take, at_us});
      if (pool_purpose.empty()) {
        fund.unrestricted_fen -= take;
      } else {
        fund.earmarks_fen[pool_purpose] -= take;
      }
      if (!source.partner_id.empty()) {
        TouchPartner(source.partner_id);
        partners_.find(source.partner_id)->second.used_fen += take;
      }
      allocations->push_back(Allocation{source_id, source.partner_id, take});
      if (source.remaining_fen == Fen{}) CloseSource(pool_key, order);
    }
  }
  LEDGER_ASSERT(left == Fen{});  // CheckOutflow guaranteed the money
}

namespace {
// The restriction an outflow may draw on besides unrestricted money (API.md, "Money and
// filing"): its purpose, except that a management or materials expense draws only on money
// restricted to its category, whatever its free-text purpose says — overhead can never be paid
// from money given for something else by naming that something as its purpose.
std::string_view EarmarkFor(const Outflow& outflow) {
  const bool overhead = outflow.category == static_cast<int>(Category::kManagement) ||
                        outflow.category == static_cast<int>(Category::kMaterials);
  return overhead ? CategoryName(outflow.category) : std::string_view(outflow.purpose);
}
}  // namespace

void LedgerState::RecordOutflow(OutflowRef outflow_id, FundRef fund_id, Outflow outflow) {
  Touch(funds_, Table::kFund, fund_id);
  outflow.fund_id = FundId(fund_id);
  outflow.order = funds_.find(fund_id)->second.outflow_count++;
  const Fen amount_fen = outflow.amount_fen;
  const int category = outflow.category;
  Allocate(fund_id, outflow_id, EarmarkFor(outflow), amount_fen, outflow.at_us, &outflow.sources);
  Fund& fund = funds_.find(fund_id)->second;
  fund.balance_fen -= amount_fen;
  fund.outflow_fen += amount_fen;
  fund.outflow_by_category_fen[category] += amount_fen;
  Touch(outflows_, Table::kOutflow, outflow_id);
  outflows_.insert_or_assign(OutflowId(outflow_id), std::move(outflow));
  std::vector<OutflowId>& fund_outflows = fund_outflows_[FundId(fund_id)];
  fund_outflows.push_back(OutflowId(outflow_id));
  if (journaling_) {  // one entry, not a copy of the fund's every outflow
    undo_.push_back([this, fund = FundId(fund_id)] {
      auto it = fund_outflows_.find(fund);
      it->second.pop_back();
      if (it->second.empty()) fund_outflows_.erase(it);
    });
  }
}

// Gives every allocation of an outflow back to its source, exactly.
void LedgerState::UnwindOutflow(OutflowRef outflow_id) {
  Touch(outflows_, Table::kOutflow, outflow_id);
  Outflow& outflow = outflows_.find(outflow_id)->second;
  Touch(funds_, Table::kFund, outflow.fund_id);
  Fund& fund = funds_.find(outflow.fund_id)->second;
  for (const Allocation& allocation : outflow.sources) {
    Touch(sources_, Table::kSource, allocation.source_id);
    Source& source = sources_.find(allocation.source_id)->second;
    if (source.remaining_fen == Fen{}) {
      OpenSource(Join(source.fund_id.view(), source.purpose), source.order, allocation.source_id);
    }
    source.remaining_fen += allocation.amount_fen;
    // The source's purpose now (a restriction may have changed since) decides its pool.
    if (source.purpose.empty()) {
      fund.unrestricted_fen += allocation.amount_fen;
    } else {
      fund.earmarks_fen[source.purpose] += allocation.amount_fen;
    }
    std::erase_if(source.uses, [&](const Use& use) { return use.outflow_id == outflow_id; });
    if (!source.partner_id.empty()) {
      TouchPartner(source.partner_id);
      partners_.find(source.partner_id)->second.used_fen -= allocation.amount_fen;
    }
  }
  fund.balance_fen += outflow.amount_fen;
  fund.outflow_fen -= outflow.amount_fen;
  fund.outflow_by_category_fen[outflow.category] -= outflow.amount_fen;
  outflow.reversed = true;
}

// ---- dispatch ----

Execution LedgerState::Execute(const EventMeta& meta, const events::EventData& data) {
  using events::Data;
  const std::string expected_stream = StreamFor(data);
  if (!expected_stream.empty() && expected_stream != meta.stream)
    return Fail(Outcome::kWrongStream);
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
    case Data::NONE:
      break;
  }
  return Fail(Outcome::kInvalidField);
}

// ---- handlers: each checks every rule in Outcome order, then applies ----

Execution LedgerState::OnBranchOpened(const EventMeta&, const events::BranchOpened& e) {
  if (!Present(e.branch_id()) || !Present(e.name())) return Fail(Outcome::kInvalidField);
  if (FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(branches_, Table::kBranch, BranchRef(Str(e.branch_id())));
  branches_.emplace(BranchId(Str(e.branch_id())), Branch{std::string(Str(e.name()))});
  return kOk;
}

Execution LedgerState::OnMemberRegistered(const EventMeta& meta,
                                          const events::MemberRegistered& e) {
  if (!Present(e.member_id()) || !Present(e.branch_id()) || !Present(e.name()) ||
      !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.birth_year() && (*e.birth_year() < 1900 || *e.birth_year() > 2100)) {
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
  member.name = std::string(Str(e.name()));
  member.gender = std::string(Str(e.gender()));
  if (e.birth_year()) member.birth_year = *e.birth_year();
  member.phone = std::string(Str(e.phone()));
  if (e.lives_alone()) member.lives_alone = *e.lives_alone();
  if (e.skills()) {
    for (const auto* skill : *e.skills()) member.skills.emplace_back(Str(skill));
  }
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
  if (!Present(e.service_id()) || !Present(e.volunteer_id()) || !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.minutes() < 1 || e.minutes() > kServiceMinutesMax) return Fail(Outcome::kInvalidMinutes);
  const Member* volunteer = FindMember(MemberRef(Str(e.volunteer_id())));
  if (volunteer == nullptr) return Fail(Outcome::kUnknownMember);
  const Member* elder = nullptr;
  if (Present(e.elder_id())) {
    elder = FindMember(MemberRef(Str(e.elder_id())));
    if (elder == nullptr) return Fail(Outcome::kUnknownMember);
  }
  if (Present(e.activity_id()) && !FindActivity(ActivityRef(Str(e.activity_id())))) {
    return Fail(Outcome::kUnknownActivity);
  }
  if (FindService(ServiceRef(Str(e.service_id())))) return Fail(Outcome::kAlreadyExists);
  if (!volunteer->active) return Fail(Outcome::kMemberInactive);
  if (!IsVolunteer(*volunteer)) return Fail(Outcome::kNotAVolunteer);
  if (elder != nullptr) {
    if (!elder->active) return Fail(Outcome::kMemberInactive);
    if (elder->kind != events::MemberKind::elder) return Fail(Outcome::kNotAnElder);
    if (elder->branch_id != volunteer->branch_id) return Fail(Outcome::kDifferentBranch);
  }
  if (Outcome o = CheckSeal(volunteer->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(services_, Table::kService, ServiceRef(Str(e.service_id())));
  services_.emplace(ServiceId(Str(e.service_id())),
                    Service{MemberId(Str(e.volunteer_id())), MemberId(Str(e.elder_id())),
                            e.minutes(), ServiceStatus::kPending});
  Touch(members_, Table::kMember, MemberRef(Str(e.volunteer_id())));
  members_.find(MemberRef(Str(e.volunteer_id())))->second.pending_minutes += Minutes{e.minutes()};
  return kOk;
}

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

Execution LedgerState::OnServiceVerified(const EventMeta& meta, const events::ServiceVerified& e) {
  if (!Present(e.service_id()) || !Present(e.confirmed_by())) return Fail(Outcome::kInvalidField);
  if (e.rating() && (*e.rating() < 1 || *e.rating() > 5)) return Fail(Outcome::kInvalidField);
  const Service* service = FindService(ServiceRef(Str(e.service_id())));
  if (service == nullptr) return Fail(Outcome::kUnknownService);
  if (meta.stream != "member-" + service->volunteer_id.str()) return Fail(Outcome::kWrongStream);
  if (Outcome o = NotPending(service->status); o != Outcome::kOk) return Fail(o);
  const Member& volunteer = members_.find(service->volunteer_id)->second;
  if (Outcome o = CheckSeal(volunteer.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Minutes minutes{service->minutes};
  const MemberId volunteer_id = service->volunteer_id;
  const MemberId elder_id = service->elder_id;
  Touch(services_, Table::kService, ServiceRef(Str(e.service_id())));
  services_.find(ServiceRef(Str(e.service_id())))->second.status = ServiceStatus::kVerified;
  Touch(members_, Table::kMember, volunteer_id);
  Member& member = members_.find(volunteer_id)->second;
  member.pending_minutes -= minutes;
  member.verified_minutes += minutes;
  member.credit_minutes += minutes;
  SetStar(member);
  AddToReports(member.branch_id, meta.occurred_at_us, [&](Report& r, const ReportKey& key) {
    r.verified_minutes += minutes;
    ++r.services;
    if (!elder_id.empty()) CountElderServed(r, key, elder_id);
  });
  Reversible reversible;
  reversible.type = events::Data::ServiceVerified;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.service_id()));
  reversible.minutes = minutes.value;
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnServiceRejected(const EventMeta& meta, const events::ServiceRejected& e) {
  if (!Present(e.service_id()) || !Present(e.reason())) return Fail(Outcome::kInvalidField);
  const Service* service = FindService(ServiceRef(Str(e.service_id())));
  if (service == nullptr) return Fail(Outcome::kUnknownService);
  if (meta.stream != "member-" + service->volunteer_id.str()) return Fail(Outcome::kWrongStream);
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
  Reversible reversible;
  reversible.type = events::Data::TrainingCompleted;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.member_id()));
  reversible.minutes = e.minutes();
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnActivityHeld(const EventMeta& meta, const events::ActivityHeld& e) {
  if (!Present(e.activity_id()) || !Present(e.branch_id()) || !Present(e.title()) ||
      !ValidDate(Str(e.date())) || e.participants() < 0 || e.beneficiaries() < 0) {
    return Fail(Outcome::kInvalidField);
  }
  if (!FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kUnknownBranch);
  if (FindActivity(ActivityRef(Str(e.activity_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(BranchRef(Str(e.branch_id())), meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  Touch(activities_, Table::kActivity, ActivityRef(Str(e.activity_id())));
  activities_.emplace(ActivityId(Str(e.activity_id())), Activity{BranchId(Str(e.branch_id()))});
  const int64_t beneficiaries = e.beneficiaries();
  AddToReports(BranchRef(Str(e.branch_id())), meta.occurred_at_us,
               [&](Report& r, const ReportKey&) {
                 ++r.activities;
                 r.beneficiaries += beneficiaries;
               });
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
  if (!from->active || !to->active) return Fail(Outcome::kMemberInactive);
  if (Outcome o = CheckSeal(from->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  if (from->credit_minutes < Minutes{e.minutes()}) return Fail(Outcome::kInsufficientCredits);
  TakeId("transfer", Str(e.transfer_id()));
  Touch(members_, Table::kMember, MemberRef(Str(e.from_member_id())));
  Touch(members_, Table::kMember, MemberRef(Str(e.to_member_id())));
  members_.find(MemberRef(Str(e.from_member_id())))->second.credit_minutes -= Minutes{e.minutes()};
  members_.find(MemberRef(Str(e.to_member_id())))->second.credit_minutes += Minutes{e.minutes()};
  Reversible reversible;
  reversible.type = events::Data::CreditsTransferred;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.from_member_id()));
  reversible.other = std::string(Str(e.to_member_id()));
  reversible.minutes = e.minutes();
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnPartnerRegistered(const EventMeta&, const events::PartnerRegistered& e) {
  if (!Present(e.partner_id()) || !Present(e.name()) || !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  if (FindPartner(PartnerRef(Str(e.partner_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(partners_, Table::kPartner, PartnerRef(Str(e.partner_id())));
  Partner partner;
  partner.name = std::string(Str(e.name()));
  partner.kind = e.kind();
  partners_.emplace(PartnerId(Str(e.partner_id())), std::move(partner));
  return kOk;
}

Execution LedgerState::OnFundOpened(const EventMeta&, const events::FundOpened& e) {
  if (!Present(e.fund_id()) || !Present(e.name())) return Fail(Outcome::kInvalidField);
  if (Present(e.branch_id()) && !FindBranch(BranchRef(Str(e.branch_id())))) {
    return Fail(Outcome::kUnknownBranch);
  }
  if (FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kAlreadyExists);
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund fund;
  fund.name = std::string(Str(e.name()));
  fund.branch_id = BranchId(Str(e.branch_id()));
  funds_.emplace(FundId(Str(e.fund_id())), std::move(fund));
  return kOk;
}

Execution LedgerState::OnDonationReceived(const EventMeta& meta,
                                          const events::DonationReceived& e) {
  if (!Present(e.donation_id()) || !Present(e.partner_id()) || !Present(e.fund_id()) ||
      !InRange(e.kind())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (!FindPartner(PartnerRef(Str(e.partner_id())))) return Fail(Outcome::kUnknownPartner);
  const Fund* fund = FindFund(FundRef(Str(e.fund_id())));
  if (fund == nullptr) return Fail(Outcome::kUnknownFund);
  if (FindSource(SourceRef(Str(e.donation_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(fund->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Fen amount{e.amount_fen()};
  if (!AddFits(fund->inflow_fen, amount) ||
      !AddFits(partners_.find(PartnerRef(Str(e.partner_id())))->second.donated_fen, amount) ||
      !ReportsFit(fund->branch_id, meta.occurred_at_us, &Report::donations_fen, amount)) {
    return Fail(Outcome::kAmountOverflow);
  }
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund& mutable_fund = funds_.find(FundRef(Str(e.fund_id())))->second;
  mutable_fund.balance_fen += amount;
  mutable_fund.inflow_fen += amount;
  mutable_fund.inflow_by_channel_fen[static_cast<int>(Channel::kDonation)] += amount;
  Source source;
  source.fund_id = FundId(Str(e.fund_id()));
  source.partner_id = PartnerId(Str(e.partner_id()));
  source.purpose = std::string(Str(e.restricted_to()));
  source.is_donation = true;
  source.amount_fen = amount;
  source.at_us = meta.occurred_at_us;
  source.gross_fen = amount;
  source.reference = std::string(Str(e.agreement_ref()));
  source.description = std::string(Str(e.description()));
  AddSource(SourceRef(Str(e.donation_id())), std::move(source));
  TouchPartner(PartnerRef(Str(e.partner_id())));
  Partner& partner = partners_.find(PartnerRef(Str(e.partner_id())))->second;
  partner.donated_fen += amount;
  partner.donations.emplace_back(Str(e.donation_id()));
  AddToReports(mutable_fund.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.donations_fen += amount; });
  Reversible reversible;
  reversible.type = events::Data::DonationReceived;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.donation_id()));
  reversible.amount_fen = amount.value;
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnRestrictionChanged(const EventMeta& meta,
                                            const events::RestrictionChanged& e) {
  if (!Present(e.donation_id()) || !Present(e.consent_ref())) return Fail(Outcome::kInvalidField);
  const Source* source = FindSource(SourceRef(Str(e.donation_id())));
  if (source == nullptr || !source->is_donation) return Fail(Outcome::kUnknownDonation);
  if (meta.stream != "fund-" + source->fund_id.str()) return Fail(Outcome::kWrongStream);
  if (source->reversed) return Fail(Outcome::kAlreadyReversed);
  const std::string new_purpose(Str(e.restricted_to()));
  if (source->purpose == new_purpose) return Fail(Outcome::kRestrictionUnchanged);
  const Fund& fund = funds_.find(source->fund_id)->second;
  if (Outcome o = CheckSeal(fund.branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const SourceId donation_id(Str(e.donation_id()));
  Touch(sources_, Table::kSource, donation_id);
  Source& s = sources_.find(donation_id)->second;
  Touch(funds_, Table::kFund, s.fund_id);
  Fund& f = funds_.find(s.fund_id)->second;
  if (s.remaining_fen > Fen{}) {
    const std::string old_pool = Join(s.fund_id.view(), s.purpose);
    const std::string new_pool = Join(s.fund_id.view(), new_purpose);
    CloseSource(old_pool, s.order);
    OpenSource(new_pool, s.order, donation_id);
    if (s.purpose.empty()) {
      f.unrestricted_fen -= s.remaining_fen;
    } else {
      f.earmarks_fen[s.purpose] -= s.remaining_fen;
    }
    if (new_purpose.empty()) {
      f.unrestricted_fen += s.remaining_fen;
    } else {
      f.earmarks_fen[new_purpose] += s.remaining_fen;
    }
  }
  s.purpose = new_purpose;
  return kOk;
}

Execution LedgerState::OnSaleRecorded(const EventMeta& meta, const events::SaleRecorded& e) {
  if (!Present(e.sale_id()) || !Present(e.fund_id()) || !Present(e.product()) ||
      !InRange(e.category()) || !InRange(e.channel())) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.maker_share_bp() && (*e.maker_share_bp() < 0 || *e.maker_share_bp() > kBasisPointsMax ||
                             !Present(e.maker_id()))) {
    return Fail(Outcome::kInvalidField);
  }
  if (e.quantity() < 1 || e.quantity() > kSaleQuantityMax ||
      !Fen{e.unit_price_fen()}.IsValidAmount()) {
    return Fail(Outcome::kInvalidAmount);
  }
  const std::optional<Fen> gross = Fen::CheckedMultiply(Fen{e.unit_price_fen()}, e.quantity());
  if (!gross) return Fail(Outcome::kAmountOverflow);
  const Fen proceeds = *gross;
  const Fund* fund = FindFund(FundRef(Str(e.fund_id())));
  if (fund == nullptr) return Fail(Outcome::kUnknownFund);
  const Partner* buyer =
      Present(e.buyer_partner_id()) ? FindPartner(PartnerRef(Str(e.buyer_partner_id()))) : nullptr;
  if (Present(e.buyer_partner_id()) && buyer == nullptr) return Fail(Outcome::kUnknownPartner);
  const Member* maker = Present(e.maker_id()) ? FindMember(MemberRef(Str(e.maker_id()))) : nullptr;
  if (Present(e.maker_id()) && maker == nullptr) return Fail(Outcome::kUnknownMember);
  if (FindSource(SourceRef(Str(e.sale_id())))) return Fail(Outcome::kAlreadyExists);
  if (Outcome o = CheckSeal(fund->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  const Fen maker_share = Fen::ShareOf(proceeds, e.maker_share_bp().value_or(0));
  const Fen to_fund = proceeds - maker_share;
  if (!AddFits(fund->inflow_fen, to_fund) ||
      (buyer != nullptr && !AddFits(buyer->purchased_fen, proceeds)) ||
      (maker != nullptr && !AddFits(maker->income_fen, maker_share)) ||
      !ReportsFit(fund->branch_id, meta.occurred_at_us, &Report::sales_fen, proceeds)) {
    return Fail(Outcome::kAmountOverflow);
  }
  const int channel = ChannelOf(e.channel());
  Touch(funds_, Table::kFund, FundRef(Str(e.fund_id())));
  Fund& f = funds_.find(FundRef(Str(e.fund_id())))->second;
  f.balance_fen += to_fund;
  f.inflow_fen += to_fund;
  f.inflow_by_channel_fen[channel] += to_fund;
  Source source;
  source.fund_id = FundId(Str(e.fund_id()));
  source.partner_id = PartnerId(Str(e.buyer_partner_id()));
  source.is_donation = false;
  source.amount_fen = to_fund;
  source.at_us = meta.occurred_at_us;
  source.gross_fen = proceeds;
  source.description = std::string(Str(e.product()));
  AddSource(SourceRef(Str(e.sale_id())), std::move(source));
  if (Present(e.buyer_partner_id())) {
    TouchPartner(PartnerRef(Str(e.buyer_partner_id())));
    partners_.find(PartnerRef(Str(e.buyer_partner_id())))->second.purchased_fen += proceeds;
  }
  if (Present(e.maker_id())) {
    Touch(members_, Table::kMember, MemberRef(Str(e.maker_id())));
    members_.find(MemberRef(Str(e.maker_id())))->second.income_fen += maker_share;
  }
  AddToReports(f.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.sales_fen += proceeds; });
  Reversible reversible;
  reversible.type = events::Data::SaleRecorded;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.sale_id()));
  reversible.other = std::string(Str(e.maker_id()));
  reversible.buyer = std::string(Str(e.buyer_partner_id()));
  reversible.amount_fen = maker_share.value;
  reversible.proceeds_fen = proceeds.value;
  reversible.minutes = channel;  // the inflow channel, to undo the right figure
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnDisbursementMade(const EventMeta& meta,
                                          const events::DisbursementMade& e) {
  if (!Present(e.disbursement_id()) || !Present(e.fund_id()) || !Present(e.purpose())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (!FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  const Member* elder = nullptr;
  if (Present(e.elder_id())) {
    elder = FindMember(MemberRef(Str(e.elder_id())));
    if (elder == nullptr) return Fail(Outcome::kUnknownMember);
  }
  if (FindOutflow(OutflowRef(Str(e.disbursement_id())))) return Fail(Outcome::kAlreadyExists);
  if (elder != nullptr && elder->kind != events::MemberKind::elder) {
    return Fail(Outcome::kNotAnElder);
  }
  if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), Str(e.purpose()), Fen{e.amount_fen()},
                               meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  if (!ReportsFit(funds_.find(FundRef(Str(e.fund_id())))->second.branch_id, meta.occurred_at_us,
                  &Report::disbursed_fen, Fen{e.amount_fen()})) {
    return Fail(Outcome::kAmountOverflow);
  }
  Outflow outflow;
  outflow.type = "DisbursementMade";
  outflow.category = static_cast<int>(Category::kDisbursement);
  outflow.purpose = std::string(Str(e.purpose()));
  outflow.amount_fen = Fen{e.amount_fen()};
  outflow.at_us = meta.occurred_at_us;
  outflow.recipient = MemberId(Str(e.elder_id()));
  outflow.evidence_ref = std::string(Str(e.evidence_ref()));
  outflow.description = std::string(Str(e.description()));
  RecordOutflow(OutflowRef(Str(e.disbursement_id())), FundRef(Str(e.fund_id())),
                std::move(outflow));
  const Fen amount{e.amount_fen()};
  AddToReports(funds_.find(FundRef(Str(e.fund_id())))->second.branch_id, meta.occurred_at_us,
               [&](Report& r, const ReportKey&) { r.disbursed_fen += amount; });
  Reversible reversible;
  reversible.type = events::Data::DisbursementMade;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.disbursement_id()));
  reversible.amount_fen = amount.value;
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnExpenseRecorded(const EventMeta& meta, const events::ExpenseRecorded& e) {
  if (!Present(e.expense_id()) || !Present(e.fund_id()) || !InRange(e.category())) {
    return Fail(Outcome::kInvalidField);
  }
  if (!Fen{e.amount_fen()}.IsValidAmount()) return Fail(Outcome::kInvalidAmount);
  if (!FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  if (FindOutflow(OutflowRef(Str(e.expense_id())))) return Fail(Outcome::kAlreadyExists);
  Outflow outflow;
  outflow.type = "ExpenseRecorded";
  outflow.category = CategoryOf(e.category());
  outflow.purpose = std::string(Str(e.purpose()));
  if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), EarmarkFor(outflow), Fen{e.amount_fen()},
                               meta.occurred_at_us);
      o != Outcome::kOk) {
    return Fail(o);
  }
  outflow.amount_fen = Fen{e.amount_fen()};
  outflow.at_us = meta.occurred_at_us;
  outflow.evidence_ref = std::string(Str(e.evidence_ref()));
  outflow.description = std::string(Str(e.description()));
  RecordOutflow(OutflowRef(Str(e.expense_id())), FundRef(Str(e.fund_id())), std::move(outflow));
  Reversible reversible;
  reversible.type = events::Data::ExpenseRecorded;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.expense_id()));
  reversible.amount_fen = e.amount_fen();
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return kOk;
}

Execution LedgerState::OnRedemptionMade(const EventMeta& meta, const events::RedemptionMade& e) {
  if (!Present(e.redemption_id()) || !Present(e.member_id()) || !InRange(e.reward())) {
    return Fail(Outcome::kInvalidField);
  }
  const bool cash = e.reward() == events::RewardKind::cash;
  if (cash ? !Present(e.fund_id()) : !Present(e.course())) return Fail(Outcome::kInvalidField);
  if (e.minutes() < 1) return Fail(Outcome::kInvalidMinutes);
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  if (cash && !FindFund(FundRef(Str(e.fund_id())))) return Fail(Outcome::kUnknownFund);
  if (IdTaken("redemption", Str(e.redemption_id())) ||
      FindOutflow(OutflowRef(Str(e.redemption_id())))) {
    return Fail(Outcome::kAlreadyExists);
  }
  if (!member->active) return Fail(Outcome::kMemberInactive);
  if (Outcome o = CheckSeal(member->branch_id, meta.occurred_at_us); o != Outcome::kOk) {
    return Fail(o);
  }
  if (member->credit_minutes < Minutes{e.minutes()}) return Fail(Outcome::kInsufficientCredits);
  const Minutes minutes{e.minutes()};
  Fen amount;
  const MonthKey month = MonthOfInstant(meta.occurred_at_us);
  if (cash) {
    std::optional<Fen> value = policy_.CashValue(minutes, member->star);
    if (!value) return Fail(Outcome::kAmountOverflow);
    amount = *value;
    if (e.amount_fen() && Fen{*e.amount_fen()} != amount) {
      return Fail(Outcome::kAmountNotClientSettable);
    }
    // Both are at most Fen::kMax, so their sum fits in int64_t.
    const Fen used = CashUsed(MemberRef(Str(e.member_id())), month);
    if (policy_.cash_redemption_monthly_cap_fen > 0 &&
        used + amount > Fen{policy_.cash_redemption_monthly_cap_fen}) {
      return Fail(Outcome::kMonthlyCapExceeded);
    }
    if (Outcome o = CheckOutflow(FundRef(Str(e.fund_id())), kRedemptionPurpose, amount,
                                 meta.occurred_at_us);
        o != Outcome::kOk) {
      return Fail(o);
    }
    if (!AddFits(used, amount) ||
        !ReportsFit(member->branch_id, meta.occurred_at_us, &Report::redeemed_cash_fen, amount)) {
      return Fail(Outcome::kAmountOverflow);
    }
  } else if (e.amount_fen()) {
    return Fail(Outcome::kAmountNotClientSettable);
  }

  const MemberId member_id(Str(e.member_id()));
  TakeId("redemption", Str(e.redemption_id()));
  Touch(members_, Table::kMember, member_id);
  Member& m = members_.find(member_id)->second;
  m.credit_minutes -= minutes;
  m.redeemed_minutes += minutes;
  if (cash && amount > Fen{}) {
    Outflow outflow;
    outflow.type = "RedemptionMade";
    outflow.category = static_cast<int>(Category::kRedemption);
    outflow.purpose = std::string(kRedemptionPurpose);
    outflow.amount_fen = amount;
    outflow.at_us = meta.occurred_at_us;
    outflow.recipient = member_id;
    RecordOutflow(OutflowRef(Str(e.redemption_id())), FundRef(Str(e.fund_id())),
                  std::move(outflow));
    const std::string used_key = Join(member_id.view(), std::to_string(month));
    Touch(cash_used_, Table::kCashUsed, used_key);
    cash_used_[used_key] += amount;
  }
  AddToReports(m.branch_id, meta.occurred_at_us, [&](Report& r, const ReportKey&) {
    if (cash) {
      r.redeemed_cash_fen += amount;
    } else {
      r.redeemed_training_minutes += minutes;
    }
  });
  Reversible reversible;
  reversible.type = events::Data::RedemptionMade;
  reversible.stream = std::string(meta.stream);
  reversible.subject = std::string(Str(e.redemption_id()));
  reversible.other = member_id.str();
  reversible.buyer = cash ? "cash" : "training";
  reversible.minutes = minutes.value;
  reversible.amount_fen = amount.value;
  Touch(reversibles_, Table::kReversible, meta.id);
  reversibles_.insert_or_assign(EventId(meta.id), std::move(reversible));
  return Execution{Outcome::kOk, cash ? std::optional<Fen>(amount) : std::nullopt};
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

Execution LedgerState::OnEventReversed(const EventMeta& meta, const events::EventReversed& e) {
  using events::Data;
  if (!Present(e.reversal_id()) || !Present(e.reverses_id()) || !Present(e.reason())) {
    return Fail(Outcome::kInvalidField);
  }
  const EventRef target_id(Str(e.reverses_id()));
  const Reversible* target = FindReversible(target_id);
  if (target == nullptr) return Fail(Outcome::kUnknownEvent);
  if (IdTaken("reversal", Str(e.reversal_id()))) return Fail(Outcome::kAlreadyExists);
  if (meta.stream != target->stream) return Fail(Outcome::kWrongStream);
  if (target->reversed) return Fail(Outcome::kAlreadyReversed);

  // The branch whose seal applies, and the balance each undo needs.
  BranchId branch;
  Outcome balance = Outcome::kOk;
  switch (target->type) {
    case Data::ServiceVerified: {
      const Service& service = services_.find(ServiceRef(target->subject))->second;
      const Member& volunteer = members_.find(service.volunteer_id)->second;
      branch = volunteer.branch_id;
      if (volunteer.credit_minutes < Minutes{target->minutes})
        balance = Outcome::kInsufficientCredits;
      break;
    }
    case Data::TrainingCompleted:
      branch = members_.find(MemberRef(target->subject))->second.branch_id;
      break;
    case Data::CreditsTransferred: {
      branch = members_.find(MemberRef(target->subject))->second.branch_id;
      if (members_.find(MemberRef(target->other))->second.credit_minutes <
          Minutes{target->minutes}) {
        balance = Outcome::kInsufficientCredits;
      }
      break;
    }
    case Data::DonationReceived:
    case Data::SaleRecorded: {
      const Source& source = sources_.find(SourceRef(target->subject))->second;
      branch = funds_.find(source.fund_id)->second.branch_id;
      // Money already spent cannot be taken back: the whole inflow must be unallocated.
      if (source.remaining_fen != source.amount_fen) balance = Outcome::kInsufficientFunds;
      break;
    }
    case Data::DisbursementMade:
    case Data::ExpenseRecorded:
      branch = funds_.find(outflows_.find(OutflowRef(target->subject))->second.fund_id)
                   ->second.branch_id;
      break;
    case Data::RedemptionMade:
      branch = members_.find(MemberRef(target->other))->second.branch_id;
      break;
    default:
      LEDGER_ASSERT(false);  // only reversible events are recorded as reversible
  }
  if (Outcome o = CheckSeal(branch, meta.occurred_at_us); o != Outcome::kOk) return Fail(o);
  if (balance != Outcome::kOk) return Fail(balance);
  // A reversal takes the fact's money out of the reports of the reversal's own month.
  if (const auto [field, undone] = ReportedMoney(*target);
      field != nullptr && !ReportsFit(branch, meta.occurred_at_us, field, Fen{} - undone)) {
    return Fail(Outcome::kAmountOverflow);
  }

  TakeId("reversal", Str(e.reversal_id()));
  const Reversible t = *target;
  // The undo record keeps bare integers (its `minutes` holds a sale's channel): typed here.
  const Minutes minutes{t.minutes};
  const Fen amount{t.amount_fen};
  const Fen proceeds{t.proceeds_fen};
  Touch(reversibles_, Table::kReversible, target_id);
  reversibles_.find(target_id)->second.reversed = true;
  const int64_t at = meta.occurred_at_us;
  switch (t.type) {
    case Data::ServiceVerified: {
      Touch(services_, Table::kService, ServiceRef(t.subject));
      Service& service = services_.find(ServiceRef(t.subject))->second;
      service.status = ServiceStatus::kReversed;
      Touch(members_, Table::kMember, service.volunteer_id);
      Member& volunteer = members_.find(service.volunteer_id)->second;
      volunteer.verified_minutes -= minutes;
      volunteer.credit_minutes -= minutes;
      SetStar(volunteer);
      AddToReports(volunteer.branch_id, at, [&](Report& r, const ReportKey&) {
        r.verified_minutes -= minutes;
        --r.services;
      });
      break;
    }
    case Data::TrainingCompleted:
      Touch(members_, Table::kMember, MemberRef(t.subject));
      members_.find(MemberRef(t.subject))->second.training_minutes -= minutes;
      break;
    case Data::CreditsTransferred:
      Touch(members_, Table::kMember, MemberRef(t.subject));
      Touch(members_, Table::kMember, MemberRef(t.other));
      members_.find(MemberRef(t.subject))->second.credit_minutes += minutes;
      members_.find(MemberRef(t.other))->second.credit_minutes -= minutes;
      break;
    case Data::DonationReceived:
    case Data::SaleRecorded: {
      Touch(sources_, Table::kSource, SourceRef(t.subject));
      Source& source = sources_.find(SourceRef(t.subject))->second;
      Touch(funds_, Table::kFund, source.fund_id);
      Fund& fund = funds_.find(source.fund_id)->second;
      if (source.amount_fen > Fen{}) {
        CloseSource(Join(source.fund_id.view(), source.purpose), source.order);
      }
      if (source.purpose.empty()) {
        fund.unrestricted_fen -= source.amount_fen;
      } else {
        fund.earmarks_fen[source.purpose] -= source.amount_fen;
      }
      fund.balance_fen -= source.amount_fen;
      fund.inflow_fen -= source.amount_fen;
      const int channel = t.type == Data::DonationReceived ? static_cast<int>(Channel::kDonation)
                                                           : static_cast<int>(t.minutes);
      fund.inflow_by_channel_fen[channel] -= source.amount_fen;
      source.remaining_fen = Fen{};
      source.reversed = true;
      if (t.type == Data::DonationReceived) {
        TouchPartner(source.partner_id);
        partners_.find(source.partner_id)->second.donated_fen -= source.amount_fen;
        const Fen donated = source.amount_fen;
        AddToReports(fund.branch_id, at,
                     [&](Report& r, const ReportKey&) { r.donations_fen -= donated; });
      } else {
        if (!t.buyer.empty()) {
          TouchPartner(PartnerRef(t.buyer));
          partners_.find(PartnerRef(t.buyer))->second.purchased_fen -= proceeds;
        }
        if (!t.other.empty()) {
          Touch(members_, Table::kMember, MemberRef(t.other));
          members_.find(MemberRef(t.other))->second.income_fen -= amount;
        }
        AddToReports(fund.branch_id, at,
                     [&](Report& r, const ReportKey&) { r.sales_fen -= proceeds; });
      }
      break;
    }
    case Data::DisbursementMade: {
      const BranchId fund_branch =
          funds_.find(outflows_.find(OutflowRef(t.subject))->second.fund_id)->second.branch_id;
      UnwindOutflow(OutflowRef(t.subject));
      AddToReports(fund_branch, at,
                   [&](Report& r, const ReportKey&) { r.disbursed_fen -= amount; });
      break;
    }
    case Data::ExpenseRecorded:
      UnwindOutflow(OutflowRef(t.subject));
      break;
    case Data::RedemptionMade: {
      Touch(members_, Table::kMember, MemberRef(t.other));
      Member& member = members_.find(MemberRef(t.other))->second;
      member.credit_minutes += minutes;
      member.redeemed_minutes -= minutes;
      const bool cash = t.buyer == "cash";
      if (cash && amount > Fen{}) UnwindOutflow(OutflowRef(t.subject));
      AddToReports(member.branch_id, at, [&](Report& r, const ReportKey&) {
        if (cash) {
          r.redeemed_cash_fen -= amount;
        } else {
          r.redeemed_training_minutes -= minutes;
        }
      });
      break;
    }
    default:
      LEDGER_ASSERT(false);
  }
  return kOk;
}

Execution LedgerState::OnMonthlyReportSealed(const EventMeta& meta,
                                             const events::MonthlyReportSealed& e) {
  if (!Present(e.branch_id())) return Fail(Outcome::kInvalidField);
  const std::optional<MonthKey> month = ParseMonth(Str(e.month()));
  if (!month) return Fail(Outcome::kInvalidField);
  if (!FindBranch(BranchRef(Str(e.branch_id())))) return Fail(Outcome::kUnknownBranch);
  const ReportKey key{BranchId(Str(e.branch_id())), *month};
  const Report* report = FindReport(key);
  if (report != nullptr && report->seal) return Fail(Outcome::kAlreadySealed);
  Touch(reports_, Table::kReport, key);
  Seal seal;
  seal.position = meta.position;
  seal.hash = std::string(meta.hash);
  seal.star_counts = StarCounts(key.branch_id);
  reports_[key].seal = std::move(seal);
  return kOk;
}

Execution LedgerState::OnAttestationIssued(const EventMeta& meta,
                                           const events::AttestationIssued& e) {
  if (!Present(e.attestation_id()) || !Present(e.member_id()) || !Present(e.merchant_id()) ||
      e.expires_at_us() <= meta.occurred_at_us) {
    return Fail(Outcome::kInvalidField);
  }
  const Member* member = FindMember(MemberRef(Str(e.member_id())));
  if (member == nullptr) return Fail(Outcome::kUnknownMember);
  const Partner* merchant = FindPartner(PartnerRef(Str(e.merchant_id())));
  if (merchant == nullptr) return Fail(Outcome::kUnknownPartner);
  if (IdTaken("attestation", Str(e.attestation_id()))) return Fail(Outcome::kAlreadyExists);
  if (merchant->kind != events::PartnerKind::merchant) return Fail(Outcome::kNotAMerchant);
  if (!member->active) return Fail(Outcome::kMemberInactive);
  TakeId("attestation", Str(e.attestation_id()));
  return kOk;
}

bool LedgerState::operator==(const LedgerState& o) const {
  return branches_ == o.branches_ && members_ == o.members_ && pairings_ == o.pairings_ &&
         active_pairs_ == o.active_pairs_ && services_ == o.services_ &&
         activities_ == o.activities_ && partners_ == o.partners_ && funds_ == o.funds_ &&
         sources_ == o.sources_ && outflows_ == o.outflows_ && fund_outflows_ == o.fund_outflows_ &&
         open_sources_ == o.open_sources_ && reversibles_ == o.reversibles_ &&
         cash_used_ == o.cash_used_ && taken_ids_ == o.taken_ids_ && served_ == o.served_ &&
         reports_ == o.reports_ && policy_ == o.policy_;
}

}  // namespace ledger
