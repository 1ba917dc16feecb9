#include "projections/donor_statement.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "domain/civil_time.h"

namespace ledger {
namespace {

std::string_view OutflowTypeName(std::string_view type) {
  if (type == "DisbursementMade") return "资助支出";
  if (type == "ExpenseRecorded") return "费用支出";
  if (type == "RedemptionMade") return "兑换支取";
  return type;
}

ReportSheet InflowSheet() {
  ReportSheet sheet;
  sheet.name = "捐赠与购买";
  sheet.key = "inflows";
  sheet.columns = {{"date", "日期(北京时间)"},
                   {"type", "类型"},
                   {"id", "编号"},
                   {"fund_id", "基金"},
                   {"restricted_to", "限定用途"}};
  sheet.AddMoneyColumns("paid", "支付");
  sheet.AddMoneyColumns("into_fund", "入基金");
  sheet.AddMoneyColumns("used", "已使用");
  sheet.AddMoneyColumns("remaining", "结余");
  sheet.columns.insert(sheet.columns.end(), {{"reference", "协议/说明"}, {"status", "状态"}});
  return sheet;
}

ReportSheet UseSheet() {
  ReportSheet sheet;
  sheet.name = "资金使用";
  sheet.key = "uses";
  sheet.columns = {{"source_id", "来源编号"},
                   {"date", "日期(北京时间)"},
                   {"outflow_id", "支出编号"},
                   {"outflow_type", "支出类型"},
                   {"purpose", "用途"}};
  sheet.AddMoneyColumns("amount", "金额");
  sheet.columns.insert(sheet.columns.end(), {{"recipient", "受益人"}, {"evidence", "凭证"}});
  return sheet;
}

// The goods each in-kind donation gave: item by item, handed out and in stock.
ReportSheet GoodsSheet() {
  ReportSheet sheet;
  sheet.name = "物资捐赠";
  sheet.key = "goods";
  sheet.columns = {{"date", "日期(北京时间)"}, {"donation_id", "捐赠编号"},
                   {"fund_id", "基金"},        {"restricted_to", "限定用途"},
                   {"item", "物品"},           {"unit", "单位"},
                   {"quantity", "数量"}};
  sheet.AddMoneyColumns("value", "价值");
  sheet.columns.insert(sheet.columns.end(), {{"distributed", "已发放"},
                                             {"in_stock", "库存"},
                                             {"reference", "协议/说明"},
                                             {"status", "状态"}});
  return sheet;
}

// Where the goods went: each GoodsDistributed of the donation (Source::goods_uses).
ReportSheet GoodsUseSheet() {
  ReportSheet sheet;
  sheet.name = "物资去向";
  sheet.key = "goods_uses";
  sheet.columns = {{"donation_id", "捐赠编号"},
                   {"date", "日期(北京时间)"},
                   {"distribution_id", "发放编号"},
                   {"item", "物品"},
                   {"quantity", "数量"},
                   {"unit", "单位"},
                   {"elder_id", "受助老人"},
                   {"activity_id", "活动"}};
  return sheet;
}

std::string_view GrantProgramName(events::GrantProgram program) {
  switch (program) {
    case events::GrantProgram::management_fee:
      return "管理费";
    case events::GrantProgram::community_fund:
      return "社区基金";
    case events::GrantProgram::csr_program:
      return "企业社会责任项目";
    case events::GrantProgram::other:
      return "其他";
  }
  return "";
}

std::string_view SourceTypeName(const Source& source) {
  if (source.is_grant) return "资助拨款";
  return source.is_donation ? "捐赠" : "购买";
}

void AddTotal(std::vector<ReportCell>& totals, Fen fen) { AppendMoney(totals, fen); }

// An in-kind donation's rows of 物资捐赠 and 物资去向.
void AddGoods(const std::string& id, const Source& source, ReportSheet& goods,
              ReportSheet& goods_uses) {
  for (const GoodsItem& item : source.items) {
    std::vector<ReportCell> row = {FormatDateOfInstant(source.at_us),
                                   id,
                                   source.fund_id.str(),
                                   source.purpose,
                                   item.name,
                                   item.unit,
                                   item.quantity};
    AppendMoney(row, item.value_fen);
    row.insert(row.end(), {item.distributed, item.quantity - item.distributed,
                           source.reference.empty() ? source.description : source.reference,
                           std::string(source.reversed ? "已冲正" : "")});
    goods.rows.push_back(std::move(row));
  }
  for (const GoodsUse& use : source.goods_uses) {
    std::string unit;
    for (const GoodsItem& item : source.items) {
      if (item.name == use.name) unit = item.unit;
    }
    goods_uses.rows.push_back({id, FormatDateOfInstant(use.at_us), use.distribution_id, use.name,
                               use.quantity, unit, use.elder_id.str(), use.activity_id.str()});
  }
}

}  // namespace

bool IsStatementDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  unsigned year = 0, month = 0, day = 0;
  auto number = [&](size_t at, size_t length, unsigned* value) {
    const char* end = text.data() + at + length;
    auto [ptr, error] = std::from_chars(text.data() + at, end, *value);
    return error == std::errc() && ptr == end;
  };
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day)) return false;
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const CivilDate next = CivilFromDays(DaysFromCivil(year, month, day));
  return next.year == year && next.month == month && next.day == day;
}

Result<DonorStatement> BuildDonorStatement(const LedgerState& state, PartnerRef partner_id,
                                           const StatementPeriod& period) {
  const Partner* partner = state.FindPartner(partner_id);
  if (partner == nullptr) return Status::NotFound("no partner '" + partner_id.str() + "'");
  std::vector<std::pair<std::string, const Source*>> given;
  bool everything = true;  // every source of the partner falls in the period
  for (const auto& [id, source] : state.sources()) {
    if (source.partner_id != partner_id) continue;
    const std::string date = FormatDateOfInstant(source.at_us);
    if ((!period.from_date.empty() && date < period.from_date) ||
        (!period.to_date.empty() && date > period.to_date)) {
      everything = false;
      continue;
    }
    given.emplace_back(id.str(), &source);
  }
  std::sort(given.begin(), given.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->at_us, a.first) < std::tie(b.second->at_us, b.first);
  });

  DonorStatement statement;
  ReportSheet inflows = InflowSheet();
  ReportSheet uses = UseSheet();
  ReportSheet goods = GoodsSheet();
  ReportSheet goods_uses = GoodsUseSheet();
  Fen listed_paid, listed_into_fund, listed_remaining, listed_value;
  for (const auto& [id, source] : given) {
    if (source->in_kind) {  // goods, never money: 物资捐赠 and 物资去向
      AddGoods(id, *source, goods, goods_uses);
      if (!source->reversed) {
        statement.in_kind_fen += source->amount_fen;
        listed_value += source->amount_fen;
      }
      continue;
    }
    Fen used;
    for (const Use& use : source->uses) {
      used += use.amount_fen;
      const Outflow* outflow = state.FindOutflow(use.outflow_id);
      std::vector<ReportCell> row = {
          id, FormatDateOfInstant(use.at_us), use.outflow_id.str(),
          std::string(outflow != nullptr ? OutflowTypeName(outflow->type) : std::string_view()),
          use.purpose};
      AppendMoney(row, use.amount_fen);
      row.insert(row.end(), {outflow != nullptr ? outflow->recipient.str() : std::string(),
                             outflow != nullptr ? outflow->evidence_ref : std::string()});
      uses.rows.push_back(std::move(row));
    }
    statement.used_fen += used;
    if (!source->reversed) {
      (source->is_grant      ? statement.granted_fen
       : source->is_donation ? statement.donated_fen
                             : statement.purchased_fen) += source->gross_fen;
      listed_paid += source->gross_fen;
      listed_into_fund += source->amount_fen;
      listed_remaining += source->remaining_fen;
    }
    std::vector<ReportCell> row = {FormatDateOfInstant(source->at_us),
                                   std::string(SourceTypeName(*source)), id, source->fund_id.str(),
                                   source->purpose};
    AppendMoney(row, source->gross_fen);
    AppendMoney(row, source->amount_fen);
    AppendMoney(row, used);
    AppendMoney(row, source->remaining_fen);
    std::string reference = source->reference.empty() ? source->description : source->reference;
    if (source->is_grant) {  // a grant's programme, then its agreement
      std::string program(GrantProgramName(source->program));
      if (!reference.empty()) program.append("：").append(reference);
      reference = std::move(program);
    }
    row.insert(row.end(), {std::move(reference), std::string(source->reversed ? "已冲正" : "")});
    inflows.rows.push_back(std::move(row));
  }
  inflows.totals = {std::string("合计"), std::string(), std::string(), std::string(),
                    std::string()};
  AddTotal(inflows.totals, listed_paid);
  AddTotal(inflows.totals, listed_into_fund);
  AddTotal(inflows.totals, statement.used_fen);
  AddTotal(inflows.totals, listed_remaining);
  inflows.totals.insert(inflows.totals.end(), {std::string(), std::string()});
  uses.totals = {std::string("合计"), std::string(), std::string(), std::string(), std::string()};
  AddTotal(uses.totals, statement.used_fen);
  uses.totals.insert(uses.totals.end(), {std::string(), std::string()});
  goods.totals.assign(goods.columns.size(), std::string());
  goods.totals[0] = std::string("合计");
  goods.totals[7] = listed_value.value;  // value_fen, value_yuan: quantities are of many units
  goods.totals[8] = FormatYuan(listed_value.value);

  ReportSheet reconciliation;
  reconciliation.name = "对账";
  reconciliation.key = "reconciliation";
  reconciliation.columns = {{"check", "项目"}};
  reconciliation.AddMoneyColumns("listed", "本单合计");
  reconciliation.AddMoneyColumns("partner", "伙伴账户");
  reconciliation.columns.push_back({"result", "结果"});
  statement.reconciled = everything;
  auto check = [&](std::string name, Fen listed, Fen recorded) {
    std::vector<ReportCell> row = {std::move(name)};
    AppendMoney(row, listed);
    AppendMoney(row, recorded);
    const bool equal = listed == recorded;
    statement.reconciled = statement.reconciled && equal;
    row.emplace_back(std::string(!everything ? "期间内" : equal ? "一致" : "不一致"));
    reconciliation.rows.push_back(std::move(row));
  };
  check("捐赠", statement.donated_fen, partner->donated_fen);
  check("购买", statement.purchased_fen, partner->purchased_fen);
  check("资助拨款", statement.granted_fen, partner->granted_fen);
  check("实物捐赠(价值)", statement.in_kind_fen, partner->in_kind_fen);
  check("已使用", statement.used_fen, partner->used_fen);
  statement.workbook.sheets = {std::move(inflows), std::move(uses), std::move(goods),
                               std::move(goods_uses), std::move(reconciliation)};
  return statement;
}

}  // namespace ledger
