#include "tools/ledger_reports.h"

#include <algorithm>
#include <vector>

#include "domain/civil_time.h"

namespace ledger::tools {
namespace {

// One table, written as Markdown or CSV.
class Table {
 public:
  Table(ReportFormat format, std::vector<std::string> header)
      : format_(format), header_(std::move(header)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string Render(std::string_view section) const {
    std::string out;
    if (format_ == ReportFormat::kCsv) {
      out += "section";
      for (const std::string& h : header_) out += "," + Csv(h);
      out += "\n";
      for (const auto& row : rows_) {
        out += Csv(section);
        for (const std::string& cell : row) out += "," + Csv(cell);
        out += "\n";
      }
      return out;
    }
    out += "|";
    for (const std::string& h : header_) out += " " + h + " |";
    out += "\n|";
    for (size_t i = 0; i < header_.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& row : rows_) {
      out += "|";
      for (const std::string& cell : row) out += " " + Markdown(cell) + " |";
      out += "\n";
    }
    return out;
  }

 private:
  static std::string Csv(std::string_view cell) {
    if (cell.find_first_of(",\"\n") == std::string_view::npos) return std::string(cell);
    std::string out = "\"";
    for (char c : cell) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    return out + "\"";
  }
  static std::string Markdown(std::string_view cell) {
    std::string out;
    for (char c : cell) {
      if (c == '|') out.push_back('\\');
      out.push_back(c == '\n' ? ' ' : c);
    }
    return out;
  }
  ReportFormat format_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Money cells: yuan for people (Markdown), fen for machines (CSV).
std::string Money(ReportFormat format, Fen fen) {
  return format == ReportFormat::kCsv ? std::to_string(fen.value) : FormatYuan(fen.value);
}

std::string Check(bool ok) { return ok ? "ok" : "MISMATCH"; }

std::string Heading(ReportFormat format, std::string_view title) {
  return format == ReportFormat::kCsv ? "" : "\n## " + std::string(title) + "\n\n";
}

std::vector<std::pair<std::string, const Source*>> FundSources(const LedgerState& state,
                                                               FundRef fund_id) {
  std::vector<std::pair<std::string, const Source*>> sources;
  for (const auto& [id, source] : state.sources()) {
    if (source.fund_id == fund_id) sources.emplace_back(id.str(), &source);
  }
  std::sort(sources.begin(), sources.end(),
            [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
  return sources;
}

std::string DrawnFrom(ReportFormat format, const Outflow& outflow) {
  std::string out;
  for (const Allocation& a : outflow.sources) {
    if (!out.empty()) out += "; ";
    out += a.source_id.view();
    if (!a.partner_id.empty()) out += " (" + a.partner_id.str() + ")";
    out += " " + Money(format, a.amount_fen);
  }
  return out;
}

// What a source is, in the reports' words. `sale` names a sale's source in a fund's report,
// `purchase` in its buyer's.
std::string KindOf(const Source& source, const char* sale) {
  if (source.in_kind) return "in-kind donation";
  if (source.is_grant) return "grant";
  return source.is_donation ? "donation" : sale;
}

}  // namespace

std::string FormatYuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string whole = std::to_string(magnitude / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(i, ",");
  const uint64_t cents = magnitude % 100;
  return (negative ? "-" : "") + whole + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
}

Result<ReportText> FundReport(const LedgerState& state, FundRef fund_id, ReportFormat format) {
  const Fund* fund = state.FindFund(fund_id);
  if (fund == nullptr) return Status::NotFound("no fund '" + fund_id.str() + "'");
  std::string out;
  if (format == ReportFormat::kMarkdown) {
    out += "# Fund report: " + fund->name + " (" + fund_id.str() + ")\n\n";
    out += "Branch: " + (fund->branch_id.empty() ? std::string("none") : fund->branch_id.str()) +
           ". Amounts in yuan; dates in Beijing time. Outflows draw on money restricted to their "
           "own purpose first, then on unrestricted money, first in first out.\n";
  }

  Table totals(format, {"figure", "amount"});
  totals.Row({"inflow", Money(format, fund->inflow_fen)});
  for (int c = 0; c < kChannels; ++c) {
    totals.Row(
        {"inflow: " + std::string(ChannelName(c)), Money(format, fund->inflow_by_channel_fen[c])});
  }
  totals.Row({"outflow", Money(format, fund->outflow_fen)});
  for (int c = 0; c < kCategories; ++c) {
    totals.Row({"outflow: " + std::string(CategoryName(c)),
                Money(format, fund->outflow_by_category_fen[c])});
  }
  totals.Row({"balance", Money(format, fund->balance_fen)});
  for (const auto& [purpose, fen] : fund->earmarks_fen) {
    totals.Row({"earmarked for " + purpose, Money(format, fen)});
  }
  totals.Row({"unrestricted", Money(format, fund->unrestricted_fen)});
  out += Heading(format, "Totals") + totals.Render("total");

  Table inflows(format, {"date", "inflow", "kind", "partner", "restricted to", "amount", "used",
                         "remaining", "reference", "status"});
  Fen listed_inflow, listed_remaining;
  for (const auto& [id, source] : FundSources(state, fund_id)) {
    Fen used;
    for (const Use& use : source->uses) used += use.amount_fen;
    // Goods in kind are listed with their declared value but are no money of the fund.
    if (!source->reversed && !source->in_kind) {
      listed_inflow += source->amount_fen;
      listed_remaining += source->remaining_fen;
    }
    inflows.Row({FormatDateOfInstant(source->at_us), id, KindOf(*source, "sale"),
                 source->partner_id.str(), source->purpose, Money(format, source->amount_fen),
                 Money(format, used), Money(format, source->remaining_fen),
                 source->reference.empty() ? source->description : source->reference,
                 source->reversed ? "reversed" : ""});
  }
  out += Heading(format, "Inflows (first in, first out)") + inflows.Render("inflow");

  Table outflows(format, {"date", "outflow", "type", "category", "purpose", "amount", "recipient",
                          "evidence", "drawn from", "status"});
  Fen listed_outflow;
  if (const std::vector<OutflowId>* ids = state.FundOutflows(fund_id)) {
    for (const OutflowId& id : *ids) {
      const Outflow& outflow = *state.FindOutflow(id);
      if (!outflow.reversed) listed_outflow += outflow.amount_fen;
      outflows.Row({FormatDateOfInstant(outflow.at_us), id.str(), outflow.type,
                    std::string(CategoryName(outflow.category)), outflow.purpose,
                    Money(format, outflow.amount_fen), outflow.recipient.str(),
                    outflow.evidence_ref.empty() ? outflow.description : outflow.evidence_ref,
                    DrawnFrom(format, outflow), outflow.reversed ? "reversed" : ""});
    }
  }
  out += Heading(format, "Outflows") + outflows.Render("outflow");

  const bool inflow_ok = listed_inflow == fund->inflow_fen;
  const bool outflow_ok = listed_outflow == fund->outflow_fen;
  const bool balance_ok = fund->inflow_fen - fund->outflow_fen == fund->balance_fen;
  const bool remaining_ok = listed_remaining == fund->balance_fen;
  Table reconciliation(format, {"check", "listed", "projection", "result"});
  reconciliation.Row({"inflows listed = inflow", Money(format, listed_inflow),
                      Money(format, fund->inflow_fen), Check(inflow_ok)});
  reconciliation.Row({"outflows listed = outflow", Money(format, listed_outflow),
                      Money(format, fund->outflow_fen), Check(outflow_ok)});
  reconciliation.Row({"inflow - outflow = balance",
                      Money(format, fund->inflow_fen - fund->outflow_fen),
                      Money(format, fund->balance_fen), Check(balance_ok)});
  reconciliation.Row({"money remaining in inflows = balance", Money(format, listed_remaining),
                      Money(format, fund->balance_fen), Check(remaining_ok)});
  out += Heading(format, "Reconciliation") + reconciliation.Render("reconciliation");
  return ReportText{std::move(out), inflow_ok && outflow_ok && balance_ok && remaining_ok};
}

Result<ReportText> DonorReport(const LedgerState& state, PartnerRef partner_id,
                               ReportFormat format) {
  const Partner* partner = state.FindPartner(partner_id);
  if (partner == nullptr) return Status::NotFound("no partner '" + partner_id.str() + "'");
  std::string out;
  if (format == ReportFormat::kMarkdown) {
    out += "# Donor report: " + partner->name + " (" + partner_id.str() + ")\n\n";
    out +=
        "Every donation and purchase of this partner and every use made of it. Amounts in "
        "yuan; dates in Beijing time.\n";
  }
  std::vector<std::pair<std::string, const Source*>> given;
  for (const auto& [id, source] : state.sources()) {
    if (source.partner_id == partner_id) given.emplace_back(id.str(), &source);
  }
  std::sort(given.begin(), given.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->at_us, a.first) < std::tie(b.second->at_us, b.first);
  });

  Table inflows(format, {"date", "inflow", "kind", "fund", "restricted to", "paid", "into fund",
                         "used", "remaining", "reference", "status"});
  Table uses(format,
             {"inflow", "date", "outflow", "type", "purpose", "amount", "recipient", "evidence"});
  Fen listed_donated, listed_purchased, listed_used, listed_in_kind, listed_granted;
  for (const auto& [id, source] : given) {
    Fen used;
    for (const Use& use : source->uses) {
      used += use.amount_fen;
      const Outflow* outflow = state.FindOutflow(use.outflow_id);
      uses.Row({id, FormatDateOfInstant(use.at_us), use.outflow_id.str(),
                outflow != nullptr ? outflow->type : "", use.purpose, Money(format, use.amount_fen),
                outflow != nullptr ? outflow->recipient.str() : "",
                outflow != nullptr ? outflow->evidence_ref : ""});
    }
    listed_used += used;
    if (!source->reversed) {
      Fen& listed = source->in_kind       ? listed_in_kind
                    : source->is_grant    ? listed_granted
                    : source->is_donation ? listed_donated
                                          : listed_purchased;
      listed += source->gross_fen;
    }
    inflows.Row({FormatDateOfInstant(source->at_us), id, KindOf(*source, "purchase"),
                 source->fund_id.str(), source->purpose, Money(format, source->gross_fen),
                 Money(format, source->amount_fen), Money(format, used),
                 Money(format, source->remaining_fen),
                 source->reference.empty() ? source->description : source->reference,
                 source->reversed ? "reversed" : ""});
  }
  out += Heading(format, "Donations and purchases") + inflows.Render("inflow");
  out += Heading(format, "Uses") + uses.Render("use");

  const bool donated_ok = listed_donated == partner->donated_fen;
  const bool purchased_ok = listed_purchased == partner->purchased_fen;
  const bool used_ok = listed_used == partner->used_fen;
  const bool in_kind_ok = listed_in_kind == partner->in_kind_fen;
  const bool granted_ok = listed_granted == partner->granted_fen;
  Table reconciliation(format, {"check", "listed", "projection", "result"});
  reconciliation.Row({"donated", Money(format, listed_donated), Money(format, partner->donated_fen),
                      Check(donated_ok)});
  reconciliation.Row({"purchased", Money(format, listed_purchased),
                      Money(format, partner->purchased_fen), Check(purchased_ok)});
  reconciliation.Row(
      {"used", Money(format, listed_used), Money(format, partner->used_fen), Check(used_ok)});
  reconciliation.Row({"in kind", Money(format, listed_in_kind), Money(format, partner->in_kind_fen),
                      Check(in_kind_ok)});
  reconciliation.Row({"granted", Money(format, listed_granted), Money(format, partner->granted_fen),
                      Check(granted_ok)});
  out += Heading(format, "Reconciliation") + reconciliation.Render("reconciliation");
  return ReportText{std::move(out),
                    donated_ok && purchased_ok && used_ok && in_kind_ok && granted_ok};
}

}  // namespace ledger::tools
