// Monthly reports and seals: the figures of each branch and of the whole programme by month,
// and the seal that closes a month.
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

std::string ReportRowKey(const ReportKey& key) {
  return key.branch_id.str() + "\n" + std::to_string(key.month);
}

const Report* LedgerState::FindReport(const ReportKey& key) const {
  auto it = reports_.find(key);
  return it == reports_.end() ? nullptr : &it->second;
}

// A month is closed for a branch by the branch's seal or the programme's; a branchless thing (a
// fund of no branch) only by the programme's.
Outcome LedgerState::CheckSeal(BranchRef branch_id, int64_t occurred_at_us) const {
  const MonthKey month = MonthOfInstant(occurred_at_us);
  const Report* programme = FindReport(ReportKey{BranchId(), month});
  if (programme != nullptr && programme->seal.has_value()) return Outcome::kMonthSealed;
  if (branch_id.empty()) return Outcome::kOk;
  const Report* report = FindReport(ReportKey{BranchId(branch_id), month});
  return report != nullptr && report->seal.has_value() ? Outcome::kMonthSealed : Outcome::kOk;
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
  // One lookup: the key goes in, and only a key that was not there is journaled and tracked.
  if (!served_.insert(served)) return;
  if (tracking_) changes_.emplace_back(Table::kServed, served);
  if (journaling_) undo_.push_back([this, k = std::move(served)] { served_.erase(k); });
  ++report.elders_served;
}

Execution LedgerState::OnMonthlyReportSealed(const EventMeta& meta,
                                             const events::MonthlyReportSealed& e) {
  // Absent branch_id: the whole programme. An empty one is a mistake, not the programme.
  if (e.branch_id() != nullptr && !Present(e.branch_id())) return Fail(Outcome::kInvalidField);
  const std::optional<MonthKey> month = ParseMonth(Str(e.month()));
  if (!month) return Fail(Outcome::kInvalidField);
  if (Present(e.branch_id()) && !FindBranch(BranchRef(Str(e.branch_id())))) {
    return Fail(Outcome::kUnknownBranch);
  }
  const ReportKey key{BranchId(Str(e.branch_id())), *month};
  const Report* report = FindReport(key);
  const Report* programme = FindReport(ReportKey{BranchId(), *month});
  if ((report != nullptr && report->seal) || (programme != nullptr && programme->seal)) {
    return Fail(Outcome::kAlreadySealed);
  }
  // The month must be over in Beijing time when the seal occurs (its occurred_at: the domain has
  // no clock; the API refuses occurred_at in the future, see docs).
  if (!meta.committed && MonthOfInstant(meta.occurred_at_us) <= *month) {
    return Fail(Outcome::kMonthNotEnded);
  }
  Touch(reports_, Table::kReport, key);
  Seal seal;
  seal.position = meta.position;
  seal.hash = std::string(meta.hash);
  seal.star_counts = StarCounts(key.branch_id);
  reports_[key].seal = std::move(seal);
  return kOk;
}

}  // namespace ledger
