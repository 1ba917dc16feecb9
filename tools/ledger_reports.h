// Reports to hand to a donor or an auditor: one fund's every inflow and outflow with its
// allocations and evidence, or one partner's donations and purchases with every use of them.
// Totals are recomputed from the listed lines and checked against the projection's figures in a
// reconciliation section, so a report that does not add up says so. Headings are Chinese by
// default, the same as the partner statement's (projections/donor_statement.h); English on request.
#pragma once

#include <string>
#include <string_view>

#include "domain/ledger_state.h"
#include "domain/status.h"

namespace ledger::tools {

enum class ReportFormat { kMarkdown, kCsv };
enum class ReportLanguage { kChinese, kEnglish };

struct ReportText {
  std::string text;
  bool reconciled = false;  // every recomputed total equals the projection's
};

// NotFound when the fund or partner does not exist.
Result<ReportText> FundReport(const LedgerState& state, FundRef fund_id, ReportFormat format,
                              ReportLanguage language = ReportLanguage::kChinese);
Result<ReportText> DonorReport(const LedgerState& state, PartnerRef partner_id, ReportFormat format,
                               ReportLanguage language = ReportLanguage::kChinese);

}  // namespace ledger::tools
