#include "tools/ledger_reports.h"

#include <algorithm>
#include <vector>

#include "domain/civil_time.h"
#include "projections/report_workbook.h"

namespace ledger::tools {
namespace {

// One table, written as Markdown or CSV.
class Table {
 public:
  Table(ReportFormat format, ReportLanguage language, std::vector<std::string> header)
      : format_(format), language_(language), header_(std::move(header)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  std::string Render(std::string_view section) const {
    std::string out;
    if (format_ == ReportFormat::kCsv) {
      out += language_ == ReportLanguage::kEnglish ? "section" : "部分";
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
  ReportLanguage language_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Money cells: yuan for people (Markdown), fen for machines (CSV).
std::string Money(ReportFormat format, Fen fen) {
  return format == ReportFormat::kCsv ? std::to_string(fen.value) : FormatYuan(fen.value);
}

// The English or the Chinese words.
class Words {
 public:
  explicit Words(ReportLanguage language) : english_(language == ReportLanguage::kEnglish) {}
  std::string operator()(std::string_view english, std::string_view chinese) const {
    return std::string(english_ ? english : chinese);
  }

 private:
  bool english_;
};

std::string Check(const Words& w, bool ok) {
  return ok ? w("ok", "一致") : w("MISMATCH", "不一致");
}

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
std::string KindOf(const Words& w, const Source& source, const std::string& sale) {
  if (source.in_kind) return w("in-kind donation", "实物捐赠");
  if (source.is_grant) return w("grant", "资助");
  return source.is_donation ? w("donation", "捐赠") : sale;
}

}  // namespace

Result<ReportText> FundReport(const LedgerState& state, FundRef fund_id, ReportFormat format,
                              ReportLanguage language) {
  const Words w(language);
  const Fund* fund = state.FindFund(fund_id);
  if (fund == nullptr) return Status::NotFound("no fund '" + fund_id.str() + "'");
  std::string out;
  if (format == ReportFormat::kMarkdown) {
    out += w("# Fund report: ", "# 基金报告：") + fund->name + " (" + fund_id.str() + ")\n\n";
    out += w("Branch: ", "分会：") +
           (fund->branch_id.empty() ? w("none", "无") : fund->branch_id.str()) +
           w(". Amounts in yuan; dates in Beijing time. Outflows draw on money restricted to their "
             "own purpose first, then on unrestricted money, first in first out.\n",
             "。金额单位为元，日期为北京时间。支出先动用限定于其用途的资金，再动用非限定资金，"
             "先进先出。\n");
  }

  Table totals(format, language, {w("figure", "项目"), w("amount", "金额")});
  totals.Row({w("inflow", "收入"), Money(format, fund->inflow_fen)});
  for (int c = 0; c < kChannels; ++c) {
    totals.Row({w("inflow: ", "收入: ") + std::string(ChannelName(c)),
                Money(format, fund->inflow_by_channel_fen[c])});
  }
  totals.Row({w("outflow", "支出"), Money(format, fund->outflow_fen)});
  for (int c = 0; c < kCategories; ++c) {
    totals.Row({w("outflow: ", "支出: ") + std::string(CategoryName(c)),
                Money(format, fund->outflow_by_category_fen[c])});
  }
  totals.Row({w("balance", "余额"), Money(format, fund->balance_fen)});
  for (const auto& [purpose, fen] : fund->earmarks_fen) {
    totals.Row({w("earmarked for ", "限定用途 ") + purpose, Money(format, fen)});
  }
  totals.Row({w("unrestricted", "非限定"), Money(format, fund->unrestricted_fen)});
  out += Heading(format, w("Totals", "合计")) + totals.Render(w("total", "合计"));

  Table inflows(
      format, language,
      {w("date", "日期"), w("inflow", "收入编号"), w("kind", "类型"), w("partner", "伙伴"),
       w("restricted to", "限定用途"), w("amount", "金额"), w("used", "已使用"),
       w("remaining", "结余"), w("reference", "协议/说明"), w("status", "状态")});
  Fen listed_inflow, listed_remaining;
  for (const auto& [id, source] : FundSources(state, fund_id)) {
    Fen used;
    for (const Use& use : source->uses) used += use.amount_fen;
    // Goods in kind are listed with their declared value but are no money of the fund.
    if (!source->reversed && !source->in_kind) {
      listed_inflow += source->amount_fen;
      listed_remaining += source->remaining_fen;
    }
    inflows.Row({FormatDateOfInstant(source->at_us), id, KindOf(w, *source, w("sale", "义卖")),
                 source->partner_id.str(), source->purpose, Money(format, source->amount_fen),
                 Money(format, used), Money(format, source->remaining_fen),
                 source->reference.empty() ? source->description : source->reference,
                 source->reversed ? w("reversed", "已冲正") : ""});
  }
  out += Heading(format, w("Inflows (first in, first out)", "收入(先进先出)")) +
         inflows.Render(w("inflow", "收入"));

  Table outflows(
      format, language,
      {w("date", "日期"), w("outflow", "支出编号"), w("type", "支出类型"), w("category", "类别"),
       w("purpose", "用途"), w("amount", "金额"), w("recipient", "受益人"), w("evidence", "凭证"),
       w("drawn from", "资金来源"), w("status", "状态")});
  Fen listed_outflow;
  if (const std::vector<OutflowId>* ids = state.FundOutflows(fund_id)) {
    for (const OutflowId& id : *ids) {
      const Outflow& outflow = *state.FindOutflow(id);
      if (!outflow.reversed) listed_outflow += outflow.amount_fen;
      outflows.Row({FormatDateOfInstant(outflow.at_us), id.str(), outflow.type,
                    std::string(CategoryName(outflow.category)), outflow.purpose,
                    Money(format, outflow.amount_fen), outflow.recipient.str(),
                    outflow.evidence_ref.empty() ? outflow.description : outflow.evidence_ref,
                    DrawnFrom(format, outflow), outflow.reversed ? w("reversed", "已冲正") : ""});
    }
  }
  out += Heading(format, w("Outflows", "支出")) + outflows.Render(w("outflow", "支出"));

  const bool inflow_ok = listed_inflow == fund->inflow_fen;
  const bool outflow_ok = listed_outflow == fund->outflow_fen;
  const bool balance_ok = fund->inflow_fen - fund->outflow_fen == fund->balance_fen;
  const bool remaining_ok = listed_remaining == fund->balance_fen;
  Table reconciliation(
      format, language,
      {w("check", "项目"), w("listed", "列出"), w("projection", "账面"), w("result", "结果")});
  reconciliation.Row({w("inflows listed = inflow", "列出收入 = 收入"), Money(format, listed_inflow),
                      Money(format, fund->inflow_fen), Check(w, inflow_ok)});
  reconciliation.Row({w("outflows listed = outflow", "列出支出 = 支出"),
                      Money(format, listed_outflow), Money(format, fund->outflow_fen),
                      Check(w, outflow_ok)});
  reconciliation.Row({w("inflow - outflow = balance", "收入 - 支出 = 余额"),
                      Money(format, fund->inflow_fen - fund->outflow_fen),
                      Money(format, fund->balance_fen), Check(w, balance_ok)});
  reconciliation.Row({w("money remaining in inflows = balance", "各收入结余 = 余额"),
                      Money(format, listed_remaining), Money(format, fund->balance_fen),
                      Check(w, remaining_ok)});
  out += Heading(format, w("Reconciliation", "对账")) +
         reconciliation.Render(w("reconciliation", "对账"));
  return ReportText{std::move(out), inflow_ok && outflow_ok && balance_ok && remaining_ok};
}

Result<ReportText> DonorReport(const LedgerState& state, PartnerRef partner_id, ReportFormat format,
                               ReportLanguage language) {
  const Words w(language);
  const Partner* partner = state.FindPartner(partner_id);
  if (partner == nullptr) return Status::NotFound("no partner '" + partner_id.str() + "'");
  std::string out;
  if (format == ReportFormat::kMarkdown) {
    out +=
        w("# Donor report: ", "# 捐赠方报告：") + partner->name + " (" + partner_id.str() + ")\n\n";
    out +=
        w("Every donation and purchase of this partner and every use made of it. Amounts in "
          "yuan; dates in Beijing time.\n",
          "本伙伴的每笔捐赠与购买及其每一笔使用。金额单位为元，日期为北京时间。\n");
  }
  std::vector<std::pair<std::string, const Source*>> given;
  for (const auto& [id, source] : state.sources()) {
    if (source.partner_id == partner_id) given.emplace_back(id.str(), &source);
  }
  std::sort(given.begin(), given.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->at_us, a.first) < std::tie(b.second->at_us, b.first);
  });

  Table inflows(format, language,
                {w("date", "日期"), w("inflow", "编号"), w("kind", "类型"), w("fund", "基金"),
                 w("restricted to", "限定用途"), w("paid", "支付"), w("into fund", "入基金"),
                 w("used", "已使用"), w("remaining", "结余"), w("reference", "协议/说明"),
                 w("status", "状态")});
  Table uses(
      format, language,
      {w("inflow", "来源编号"), w("date", "日期"), w("outflow", "支出编号"), w("type", "支出类型"),
       w("purpose", "用途"), w("amount", "金额"), w("recipient", "受益人"), w("evidence", "凭证")});
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
    inflows.Row({FormatDateOfInstant(source->at_us), id, KindOf(w, *source, w("purchase", "购买")),
                 source->fund_id.str(), source->purpose, Money(format, source->gross_fen),
                 Money(format, source->amount_fen), Money(format, used),
                 Money(format, source->remaining_fen),
                 source->reference.empty() ? source->description : source->reference,
                 source->reversed ? w("reversed", "已冲正") : ""});
  }
  out += Heading(format, w("Donations and purchases", "捐赠与购买")) +
         inflows.Render(w("inflow", "捐赠与购买"));
  out += Heading(format, w("Uses", "资金使用")) + uses.Render(w("use", "资金使用"));

  const bool donated_ok = listed_donated == partner->donated_fen;
  const bool purchased_ok = listed_purchased == partner->purchased_fen;
  const bool used_ok = listed_used == partner->used_fen;
  const bool in_kind_ok = listed_in_kind == partner->in_kind_fen;
  const bool granted_ok = listed_granted == partner->granted_fen;
  Table reconciliation(
      format, language,
      {w("check", "项目"), w("listed", "列出"), w("projection", "账面"), w("result", "结果")});
  reconciliation.Row({w("donated", "捐赠"), Money(format, listed_donated),
                      Money(format, partner->donated_fen), Check(w, donated_ok)});
  reconciliation.Row({w("purchased", "购买"), Money(format, listed_purchased),
                      Money(format, partner->purchased_fen), Check(w, purchased_ok)});
  reconciliation.Row({w("used", "已使用"), Money(format, listed_used),
                      Money(format, partner->used_fen), Check(w, used_ok)});
  reconciliation.Row({w("in kind", "实物捐赠"), Money(format, listed_in_kind),
                      Money(format, partner->in_kind_fen), Check(w, in_kind_ok)});
  reconciliation.Row({w("granted", "资助"), Money(format, listed_granted),
                      Money(format, partner->granted_fen), Check(w, granted_ok)});
  out += Heading(format, w("Reconciliation", "对账")) +
         reconciliation.Render(w("reconciliation", "对账"));
  return ReportText{std::move(out),
                    donated_ok && purchased_ok && used_ok && in_kind_ok && granted_ok};
}

}  // namespace ledger::tools
