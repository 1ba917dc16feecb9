#include "projections/filing_package.h"

#include <algorithm>
#include <map>
#include <set>

#include "domain/event_payload.h"
#include "domain/ledger_state.h"
#include "eventstore/ledger_replay.h"
#include "eventstore/signed_checkpoint.h"

namespace ledger {
namespace {

enum Figure : size_t {
  kNewMembers,
  kVerifiedMinutes,
  kServices,
  kEldersServed,
  kActivities,
  kBeneficiaries,
  kDonations,
  kSales,
  kDisbursed,
  kRedeemedCash,
  kRedeemedTraining,
  kGrants,
  kInKindReceived,
};
static_assert(kInKindReceived + 1 == kFilingFigureNames.size(), "one name per figure");

FilingFigures FiguresOf(const Report* report) {
  FilingFigures f{};
  if (report == nullptr) return f;
  f[kNewMembers] = report->new_members;
  f[kVerifiedMinutes] = report->verified_minutes.value;
  f[kServices] = report->services;
  f[kEldersServed] = report->elders_served;
  f[kActivities] = report->activities;
  f[kBeneficiaries] = report->beneficiaries;
  f[kDonations] = report->donations_fen.value;
  f[kSales] = report->sales_fen.value;
  f[kDisbursed] = report->disbursed_fen.value;
  f[kRedeemedCash] = report->redeemed_cash_fen.value;
  f[kRedeemedTraining] = report->redeemed_training_minutes.value;
  f[kGrants] = report->grants_fen.value;
  f[kInKindReceived] = report->in_kind_received_fen.value;
  return f;
}

std::string LowerHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xF]);
  }
  return hex;
}

std::string Str(const flatbuffers::String* s) { return s == nullptr ? "" : s->str(); }

std::string_view MemberKindName(events::MemberKind kind) {
  switch (kind) {
    case events::MemberKind::volunteer:
      return "志愿者";
    case events::MemberKind::elder:
      return "老人";
    case events::MemberKind::youth_volunteer:
      return "青少年志愿者";
  }
  return "";
}

std::string_view ServiceKindName(events::ServiceKind kind) {
  switch (kind) {
    case events::ServiceKind::home_visit:
      return "上门探访";
    case events::ServiceKind::companionship:
      return "陪伴";
    case events::ServiceKind::respite_care:
      return "喘息照护";
    case events::ServiceKind::errand:
      return "代办";
    case events::ServiceKind::activity:
      return "活动";
    case events::ServiceKind::handicraft:
      return "手工";
    case events::ServiceKind::other:
      return "其他";
  }
  return "";
}

// One event of the month, after it was applied.
struct Fact {
  const StoredEvent& event;
  const events::EventData& data;
  const LedgerState& state;
  const FilingFigures& delta;  // what it changed in the month's programme-wide report
  const Reversible* undone;    // for an EventReversed: what it undid; else null
  std::string note;            // "冲正 <id>: <reason>" for a reversal
};

std::vector<ReportCell> Start(const Fact& fact) {
  return {static_cast<int64_t>(fact.event.position.value),
          FormatDateOfInstant(fact.event.occurred_at_us)};
}

template <typename U>
const U* Undone(const Fact& fact) {
  return fact.undone != nullptr ? std::get_if<U>(&fact.undone->undo) : nullptr;
}

ReportSheet NewSheet(std::string name, std::string key) {
  ReportSheet sheet;
  sheet.name = std::move(name);
  sheet.key = std::move(key);
  sheet.columns = {{"position", "日志位置"}, {"date", "日期(北京时间)"}};
  return sheet;
}

// The sheets and what each fact adds to them: one function per sheet, so a new kind of fact is
// added in the one place its sheet is built.
class FilingSheets {
 public:
  FilingSheets() {
    registrations_ = NewSheet("志愿者注册", "registrations");
    registrations_.columns.insert(registrations_.columns.end(), {{"member_id", "成员编号"},
                                                                 {"kind", "类别"},
                                                                 {"branch_id", "分会"},
                                                                 {"new_members", "计入新成员"}});
    trainings_ = NewSheet("培训记录", "trainings");
    trainings_.columns.insert(trainings_.columns.end(), {{"training_id", "培训编号"},
                                                         {"member_id", "成员编号"},
                                                         {"course", "课程"},
                                                         {"minutes", "培训时长(分钟)"},
                                                         {"note", "备注"}});
    activities_ = NewSheet("活动登记", "activities");
    activities_.columns.insert(activities_.columns.end(), {{"activity_id", "活动编号"},
                                                           {"branch_id", "分会"},
                                                           {"title", "活动名称"},
                                                           {"participants", "参与人数"},
                                                           {"activities", "计入活动数"},
                                                           {"beneficiaries", "受益人数"}});
    services_ = NewSheet("服务时长", "services");
    services_.columns.insert(services_.columns.end(), {{"service_id", "服务编号"},
                                                       {"volunteer_id", "志愿者编号"},
                                                       {"elder_id", "老人编号"},
                                                       {"kind", "服务类别"},
                                                       {"verified_minutes", "服务时长(分钟)"},
                                                       {"services", "服务次数"},
                                                       {"elders_served", "新增服务老人"},
                                                       {"note", "备注"}});
    redemptions_ = NewSheet("兑换支取", "redemptions");
    redemptions_.columns.insert(redemptions_.columns.end(), {{"redemption_id", "兑换编号"},
                                                             {"member_id", "成员编号"},
                                                             {"reward", "兑换方式"},
                                                             {"credit_minutes", "兑换时长(分钟)"}});
    redemptions_.AddMoneyColumns("redeemed_cash", "支取现金");
    redemptions_.columns.insert(
        redemptions_.columns.end(),
        {{"redeemed_training_minutes", "兑换培训(分钟)"}, {"note", "备注"}});
    funds_ = NewSheet("基金收支", "funds");
    funds_.columns.insert(funds_.columns.end(), {{"type", "类型"},
                                                 {"id", "编号"},
                                                 {"fund_id", "基金"},
                                                 {"counterparty", "相关方"},
                                                 {"purpose", "用途"}});
    funds_.AddMoneyColumns("inflow", "收入");
    funds_.AddMoneyColumns("outflow", "支出");
    funds_.columns.push_back({"note", "备注"});
    goods_ = NewSheet("物资", "goods");
    goods_.columns.insert(goods_.columns.end(), {{"type", "类型"},
                                                 {"id", "编号"},
                                                 {"donation_id", "捐赠编号"},
                                                 {"partner_id", "捐赠方"},
                                                 {"fund_id", "基金"},
                                                 {"item", "物品"},
                                                 {"unit", "单位"},
                                                 {"received_quantity", "受赠数量"},
                                                 {"distributed_quantity", "发放数量"}});
    goods_.AddMoneyColumns("value", "受赠价值");
    goods_.columns.insert(goods_.columns.end(), {{"recipient", "发放对象"}, {"note", "备注"}});
  }

  // Takes note of facts the rows need later (a service's kind, which donations are in kind),
  // for every event of the log, whatever its month.
  void Remember(const events::EventData& data) {
    if (const auto* logged = data.data_as_ServiceLogged()) {
      service_kinds_[Str(logged->service_id())] = logged->kind();
    } else if (const auto* donation = data.data_as_DonationReceived()) {
      if (donation->kind() == events::DonationKind::in_kind) {
        in_kind_.insert(Str(donation->donation_id()));
      }
    }
  }

  void Add(const Fact& fact) {
    AddRegistration(fact);
    AddTraining(fact);
    AddActivity(fact);
    AddService(fact);
    AddRedemption(fact);
    AddFundFlow(fact);
    AddGoods(fact);
  }

  // The seven sheets with rows before `end` only and their totals.
  std::vector<ReportSheet> Finish(uint64_t end) {
    std::vector<ReportSheet> sheets = {registrations_, trainings_, activities_, services_,
                                       redemptions_,   funds_,     goods_};
    for (ReportSheet& sheet : sheets) {
      std::erase_if(sheet.rows, [end](const std::vector<ReportCell>& row) {
        return static_cast<uint64_t>(std::get<int64_t>(row[0])) >= end;
      });
      Total(sheet);
    }
    return sheets;
  }

 private:
  // Sums every integer column but the position and the goods' quantities (of different items
  // and units); a 元 column shows its fen column's sum.
  static void Total(ReportSheet& sheet) {
    sheet.totals.assign(sheet.columns.size(), std::string());
    sheet.totals[0] = std::string("合计");
    for (size_t c = 1; c < sheet.columns.size(); ++c) {
      const std::string& key = sheet.columns[c].key;
      if (key.ends_with("_quantity")) continue;
      if (key.ends_with("_yuan")) {
        sheet.totals[c] = FormatYuan(std::get<int64_t>(sheet.totals[c - 1]));
        continue;
      }
      bool integers = !sheet.rows.empty() || key.ends_with("_fen") || key.ends_with("minutes") ||
                      key == "new_members" || key == "participants" || key == "activities" ||
                      key == "beneficiaries" || key == "services" || key == "elders_served";
      int64_t sum = 0;
      for (const auto& row : sheet.rows) {
        if (const int64_t* value = std::get_if<int64_t>(&row[c])) {
          sum += *value;
        } else {
          integers = false;
        }
      }
      if (integers) sheet.totals[c] = sum;
    }
  }

  void AddRegistration(const Fact& fact) {
    const auto* e = fact.data.data_as_MemberRegistered();
    if (e == nullptr) return;
    std::vector<ReportCell> row = Start(fact);
    row.insert(row.end(), {Str(e->member_id()), std::string(MemberKindName(e->kind())),
                           Str(e->branch_id()), fact.delta[kNewMembers]});
    registrations_.rows.push_back(std::move(row));
  }

  void AddTraining(const Fact& fact) {
    std::vector<ReportCell> row = Start(fact);
    if (const auto* e = fact.data.data_as_TrainingCompleted()) {
      row.insert(row.end(), {Str(e->training_id()), Str(e->member_id()), Str(e->course()),
                             int64_t{e->minutes()}, std::string()});
    } else if (const auto* undo = Undone<TrainingUndo>(fact)) {
      row.insert(row.end(), {std::string(), undo->member_id.str(), std::string(),
                             -undo->minutes.value, fact.note});
    } else {
      return;
    }
    trainings_.rows.push_back(std::move(row));
  }

  // An activity held, or a correction's reversal of one (negative figures, as the report counts
  // it: an activity is corrected by reversing it and recording it anew).
  void AddActivity(const Fact& fact) {
    std::vector<ReportCell> row = Start(fact);
    if (const auto* e = fact.data.data_as_ActivityHeld()) {
      row.insert(row.end(), {Str(e->activity_id()), Str(e->branch_id()), Str(e->title()),
                             int64_t{e->participants()}});
    } else if (const auto* undo = Undone<ActivityUndo>(fact)) {
      const Activity* activity = fact.state.FindActivity(undo->activity_id);
      row.insert(row.end(), {undo->activity_id.str(),
                             activity != nullptr ? activity->branch_id.str() : std::string(),
                             fact.note, int64_t{0}});
    } else {
      return;
    }
    row.insert(row.end(), {fact.delta[kActivities], fact.delta[kBeneficiaries]});
    activities_.rows.push_back(std::move(row));
  }

  void AddService(const Fact& fact) {
    std::string service_id;
    if (const auto* e = fact.data.data_as_ServiceVerified()) {
      service_id = Str(e->service_id());
    } else if (const auto* undo = Undone<ServiceVerifiedUndo>(fact)) {
      service_id = undo->service_id.str();
    } else {
      return;
    }
    const Service* service = fact.state.FindService(ServiceRef(service_id));
    auto kind = service_kinds_.find(service_id);
    std::vector<ReportCell> row = Start(fact);
    row.insert(row.end(),
               {service_id, service != nullptr ? service->volunteer_id.str() : std::string(),
                service != nullptr ? service->elder_id.str() : std::string(),
                std::string(kind != service_kinds_.end() ? ServiceKindName(kind->second) : ""),
                fact.delta[kVerifiedMinutes], fact.delta[kServices], fact.delta[kEldersServed],
                fact.note});
    services_.rows.push_back(std::move(row));
  }

  void AddRedemption(const Fact& fact) {
    std::vector<ReportCell> row = Start(fact);
    if (const auto* e = fact.data.data_as_RedemptionMade()) {
      row.insert(row.end(), {Str(e->redemption_id()), Str(e->member_id()),
                             std::string(e->reward() == events::RewardKind::cash ? "现金" : "培训"),
                             int64_t{e->minutes()}});
    } else if (const auto* undo = Undone<RedemptionUndo>(fact)) {
      row.insert(row.end(),
                 {undo->redemption_id.str(), undo->member_id.str(),
                  std::string(undo->reward == events::RewardKind::cash ? "现金" : "培训"),
                  -undo->minutes.value});
    } else {
      return;
    }
    AppendMoney(row, Fen{fact.delta[kRedeemedCash]});
    row.insert(row.end(), {fact.delta[kRedeemedTraining], fact.note});
    redemptions_.rows.push_back(std::move(row));
  }

  // 基金收支: every inflow and outflow of a fund's money: donations, grants, sales, outflows.
  // Goods given in kind are no money: they are rows of 物资 (a gift recorded in kind before
  // items existed counted as money, and is a row here).
  void AddFundFlow(const Fact& fact) {
    std::string type, id, fund, counterparty, purpose;
    Fen inflow, outflow;
    const Outflow* drawn = nullptr;
    if (const auto* e = fact.data.data_as_DonationReceived()) {
      if (e->kind() == events::DonationKind::in_kind && fact.delta[kDonations] == 0) return;
      type = e->kind() == events::DonationKind::in_kind ? "捐赠(实物)" : "捐赠";
      id = Str(e->donation_id());
      fund = Str(e->fund_id());
      counterparty = Str(e->partner_id());
      purpose = Str(e->restricted_to());
      inflow = Fen{fact.delta[kDonations]};
    } else if (const auto* e = fact.data.data_as_GrantReceived()) {
      type = "资助拨款";
      id = Str(e->grant_id());
      fund = Str(e->fund_id());
      counterparty = Str(e->partner_id());
      purpose = Str(e->restricted_to());
      inflow = Fen{fact.delta[kGrants]};
    } else if (const auto* e = fact.data.data_as_SaleRecorded()) {
      type = "义卖/购买";
      id = Str(e->sale_id());
      fund = Str(e->fund_id());
      counterparty = Str(e->buyer_partner_id());
      purpose = Str(e->product());
      inflow = Fen{fact.delta[kSales]};
    } else if (const auto* e = fact.data.data_as_DisbursementMade()) {
      type = "资助支出";
      id = Str(e->disbursement_id());
      drawn = fact.state.FindOutflow(OutflowRef(id));
      outflow = Fen{fact.delta[kDisbursed]};
    } else if (const auto* e = fact.data.data_as_ExpenseRecorded()) {
      type = "费用支出";
      id = Str(e->expense_id());
      drawn = fact.state.FindOutflow(OutflowRef(id));
      outflow = Fen{e->amount_fen()};
    } else if (const auto* e = fact.data.data_as_RedemptionMade()) {
      if (fact.delta[kRedeemedCash] == 0) return;  // training, or no cash paid
      type = "兑换支取";
      id = Str(e->redemption_id());
      drawn = fact.state.FindOutflow(OutflowRef(id));
      outflow = Fen{fact.delta[kRedeemedCash]};
    } else if (!AddFundReversal(fact, &type, &id, &inflow, &outflow, &drawn)) {
      return;
    }
    if (drawn != nullptr) {
      fund = drawn->fund_id.str();
      counterparty = drawn->recipient.str();
      purpose = drawn->purpose;
    }
    std::vector<ReportCell> row = Start(fact);
    row.insert(row.end(), {type, id, fund, counterparty, purpose});
    AppendMoney(row, inflow);
    AppendMoney(row, outflow);
    row.emplace_back(fact.note);
    funds_.rows.push_back(std::move(row));
  }

  // A reversal of a fund's inflow or outflow: its row, with negative amounts.
  bool AddFundReversal(const Fact& fact, std::string* type, std::string* id, Fen* inflow,
                       Fen* outflow, const Outflow** drawn) const {
    if (const auto* u = Undone<DonationUndo>(fact)) {
      if (in_kind_.contains(u->donation_id.str()) && fact.delta[kDonations] == 0) return false;
      *type = "冲正: 捐赠";
      *id = u->donation_id.str();
      *inflow = Fen{fact.delta[kDonations]};
      return true;
    }
    if (const auto* u = Undone<SaleUndo>(fact)) {
      *type = "冲正: 义卖/购买";
      *id = u->sale_id.str();
      *inflow = Fen{fact.delta[kSales]};
      return true;
    }
    if (const auto* u = Undone<DisbursementUndo>(fact)) {
      *type = "冲正: 资助支出";
      *id = u->disbursement_id.str();
      *outflow = Fen{fact.delta[kDisbursed]};
    } else if (const auto* u = Undone<ExpenseUndo>(fact)) {
      *type = "冲正: 费用支出";
      *id = u->expense_id.str();
      *outflow = Fen{} - u->amount_fen;
    } else if (const auto* u = Undone<RedemptionUndo>(fact); u != nullptr && u->DrewOnFund()) {
      *type = "冲正: 兑换支取";
      *id = u->redemption_id.str();
      *outflow = Fen{fact.delta[kRedeemedCash]};
    } else {
      return false;
    }
    *drawn = fact.state.FindOutflow(OutflowRef(*id));
    return true;
  }

  // 物资: the goods given in kind, one row per item: received (with its declared value; the
  // values add up to the report's in_kind_received_fen) and handed out by GoodsDistributed (to an
  // elder or an activity). A reversed gift's items leave with negative figures; a gift recorded
  // in kind before items existed is one row of its description and value.
  void AddGoods(const Fact& fact) {
    if (const auto* e = fact.data.data_as_DonationReceived()) {
      if (e->kind() != events::DonationKind::in_kind) return;
      const std::string id = Str(e->donation_id());
      AddGoodsReceived(fact, "受赠", id, fact.state.FindSource(SourceRef(id)), 1);
    } else if (const auto* u = Undone<DonationUndo>(fact);
               u != nullptr && in_kind_.contains(u->donation_id.str())) {
      AddGoodsReceived(fact, "冲正: 受赠", u->donation_id.str(),
                       fact.state.FindSource(u->donation_id), -1);
    } else if (const auto* e = fact.data.data_as_GoodsDistributed()) {
      const Source* source = fact.state.FindSource(SourceRef(Str(e->donation_id())));
      const std::string recipient =
          !Str(e->elder_id()).empty() ? Str(e->elder_id()) : Str(e->activity_id());
      for (const events::GoodsQuantity* item : *e->items()) {
        std::string unit;
        if (source != nullptr) {
          for (const GoodsItem& g : source->items) {
            if (g.name == Str(item->name())) unit = g.unit;
          }
        }
        std::vector<ReportCell> row = Start(fact);
        row.insert(row.end(),
                   {std::string("发放"), Str(e->distribution_id()), Str(e->donation_id()),
                    source != nullptr ? source->partner_id.str() : std::string(),
                    source != nullptr ? source->fund_id.str() : std::string(), Str(item->name()),
                    unit, int64_t{0}, int64_t{item->quantity()}});
        AppendMoney(row, Fen{});
        row.insert(row.end(), {recipient, fact.note});
        goods_.rows.push_back(std::move(row));
      }
    }
  }

  // The rows of an in-kind gift received (sign 1) or reversed (sign -1).
  void AddGoodsReceived(const Fact& fact, const char* type, const std::string& donation_id,
                        const Source* source, int64_t sign) {
    const std::string partner = source != nullptr ? source->partner_id.str() : std::string();
    const std::string fund = source != nullptr ? source->fund_id.str() : std::string();
    auto add = [&](const std::string& item, const std::string& unit, int64_t quantity, Fen value) {
      std::vector<ReportCell> row = Start(fact);
      row.insert(row.end(), {std::string(type), donation_id, donation_id, partner, fund, item, unit,
                             sign * quantity, int64_t{0}});
      AppendMoney(row, value);
      row.insert(row.end(), {std::string(), fact.note});
      goods_.rows.push_back(std::move(row));
    };
    if (source == nullptr || source->items.empty()) {  // recorded before items existed
      add(source != nullptr ? source->description : std::string(), std::string(), 0,
          Fen{fact.delta[kDonations]});
      return;
    }
    for (const GoodsItem& item : source->items) {
      add(item.name, item.unit, item.quantity, Fen{sign * item.value_fen.value});
    }
  }

  ReportSheet registrations_, trainings_, activities_, services_, redemptions_, funds_, goods_;
  std::map<std::string, events::ServiceKind, std::less<>> service_kinds_;
  std::set<std::string, std::less<>> in_kind_;
};

ReportSheet Cover(const FilingPackage& package) {
  ReportSheet cover;
  cover.name = "封面";
  cover.key = "cover";
  cover.columns = {{"item", "项目"}, {"value", "内容"}};
  auto add = [&](std::string item, ReportCell value) {
    cover.rows.push_back({std::move(item), std::move(value)});
  };
  add("报送月份", FormatMonth(package.month));
  add("封存状态", std::string(package.sealed ? "已封存" : "未封存"));
  for (const FilingSeal& seal : package.seals) {
    const std::string scope = seal.branch_id.empty() ? "全项目" : "分会 " + seal.branch_id;
    add("封存(" + scope + ") 日志位置", static_cast<int64_t>(seal.position));
    add("封存(" + scope + ") 哈希(SHA-256, 十六进制)", seal.hash_hex);
    add("封存(" + scope + ") 签名(Ed25519, 十六进制)", seal.signature_hex);
    add("封存(" + scope + ") 签名时间 recorded_at_us", seal.recorded_at_us);
  }
  if (package.receipt) {  // head office's receipt (总行备案)
    add("总行回执 编号", package.receipt->receipt_ref);
    if (!package.receipt->acknowledged_by.empty()) {
      add("总行回执 签收方", package.receipt->acknowledged_by);
    }
    add("总行回执 日期(北京时间)", FormatDateOfInstant(package.receipt->at_us));
    add("总行回执 日志位置", static_cast<int64_t>(package.receipt->position));
  }
  add("公钥(Ed25519, 十六进制)", package.public_key_hex);
  add("数据截至日志位置(不含)", static_cast<int64_t>(package.as_of));
  add("验证方法", FilingVerifyInstructions());
  for (size_t i = 0; i < kFilingFigureNames.size(); ++i) {
    add("月报 " + std::string(kFilingFigureNames[i]), package.figures[i]);
  }
  return cover;
}

}  // namespace

std::string FilingVerifyInstructions() {
  return "签名为账本 Ed25519 私钥对检查点消息 \"ZLCP1\" || u64 日志位置 || 32 字节哈希 || i64 "
         "recorded_at_us(大端)的签名(docs/event_format.md)。验证: ledgerctl export --data DIR "
         "--out ledger.jsonl; ledgerctl pubkey --data DIR > ledger.pub; ledgerctl verify --export "
         "ledger.jsonl --pubkey ledger.pub —— 从位置 0 重算哈希链，核对封存位置的哈希与签名"
         "(公钥亦可由 GET /v1/audit/head 取得)。";
}

Result<FilingPackage> BuildFilingPackage(const EventStore& store, const SigningKey& key,
                                         MonthKey month) {
  FilingPackage package;
  package.month = month;
  LedgerState state;
  FilingSheets sheets;
  std::set<std::string> branches;
  std::map<uint64_t, std::pair<FilingFigures, SignedCheckpoint>> seal_events;
  const ReportKey programme{BranchId(), month};
  Status failure;
  const Position head = store.GetHead().next;
  Status scanned = store.Scan(Position{0}, head, nullptr, [&](const StoredEvent& event) {
    const FilingFigures before = FiguresOf(state.FindReport(programme));
    failure = ApplyCommitted(state, event);
    if (!failure.ok()) return false;
    const events::EventData& data = *VerifyEventData(event.payload);  // ApplyCommitted did
    sheets.Remember(data);
    // The branches that existed in the month: each must seal it (a later branch need not).
    if (const auto* opened = data.data_as_BranchOpened();
        opened != nullptr && MonthOfInstant(event.occurred_at_us) <= month) {
      branches.insert(Str(opened->branch_id()));
    }
    // A seal is recorded after its month: it closes the month, it is no fact of it.
    if (const auto* sealed = data.data_as_MonthlyReportSealed();
        sealed != nullptr && ParseMonth(Str(sealed->month())) == month) {
      seal_events[event.position.value] = {FiguresOf(state.FindReport(programme)),
                                           SignCheckpoint(key, event)};
    }
    FilingFigures delta = FiguresOf(state.FindReport(programme));
    for (size_t i = 0; i < delta.size(); ++i) delta[i] -= before[i];
    // The month's facts, and any other event that changed its report (none today: every
    // figure counts in the month of the event's own occurred_at), so totals always match.
    if (MonthOfInstant(event.occurred_at_us) != month && delta == FilingFigures{}) return true;
    const Reversible* undone = nullptr;
    std::string note;
    if (const auto* reversal = data.data_as_EventReversed()) {
      undone = state.FindReversible(EventRef(Str(reversal->reverses_id())));
      note = "冲正 " + Str(reversal->reverses_id()) + ": " + Str(reversal->reason());
    }
    sheets.Add(Fact{event, data, state, delta, undone, std::move(note)});
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (!failure.ok()) return failure;

  // Which seals close the month: the programme-wide one, else every branch's.
  std::vector<std::pair<std::string, const Seal*>> seals;
  if (const Report* report = state.FindReport(programme); report != nullptr && report->seal) {
    seals.emplace_back("", &*report->seal);
  } else {
    for (const std::string& branch : branches) {
      const Report* report = state.FindReport(ReportKey{BranchId(branch), month});
      if (report != nullptr && report->seal) seals.emplace_back(branch, &*report->seal);
    }
    if (seals.size() != branches.size() || branches.empty()) seals.clear();
  }
  package.sealed = !seals.empty();
  if (const Report* report = state.FindReport(programme); report != nullptr && report->filing) {
    package.receipt = FilingReceipt{report->filing->receipt_ref, report->filing->acknowledged_by,
                                    report->filing->position, report->filing->at_us};
  }
  package.public_key_hex = LowerHex(key.public_key());
  package.as_of = head.value;
  package.figures = FiguresOf(state.FindReport(programme));
  for (const auto& [branch, seal] : seals) {
    const SignedCheckpoint& checkpoint = seal_events.at(seal->position).second;
    package.seals.push_back({branch, seal->position, HexOf(checkpoint.hash),
                             LowerHex(checkpoint.signature), checkpoint.recorded_at_us});
  }
  if (package.sealed) {
    uint64_t last = 0;
    for (const FilingSeal& seal : package.seals) last = std::max(last, seal.position);
    package.as_of = last + 1;
    package.figures = seal_events.at(last).first;
  }
  package.workbook.sheets.push_back(ReportSheet{});
  for (ReportSheet& sheet : sheets.Finish(package.as_of)) {
    package.workbook.sheets.push_back(std::move(sheet));
  }
  package.workbook.sheets[0] = Cover(package);
  return package;
}

}  // namespace ledger
