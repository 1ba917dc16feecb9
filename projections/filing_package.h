// The monthly filing package (每月报送包) for head office: one sheet per kind of fact —
// 志愿者注册, 培训记录, 活动登记, 服务时长, 兑换支取, 基金收支, 物资 — with one row per fact of the
// month and its log position, a totals row per sheet, and a cover (封面) naming the seal that
// closed the month, its chain hash and Ed25519 signature, and how to verify them.
//
// Built by replaying the log through the domain rules (the same Execute every read side runs)
// and attributing to each event what it changed in the month's programme-wide report: the sheets'
// totals are those changes summed, so they equal the report as sealed by construction, and the
// rows say which fact contributed what. Reversals appear as rows of the month they were recorded
// in, with negative figures, as the report counts them.
//
// A month counts as sealed when the programme-wide report carries a seal (MonthlyReportSealed
// without branch_id), or else when every branch of the log has sealed it; the package then
// reflects the log up to the last of those seals. Head office's receipt (FilingAcknowledged),
// recorded later, is shown on the cover (回执) when present. A package of an unsealed month has
// sealed = false and is not served (the API answers 409 month_not_sealed): head office files sealed
// months only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/civil_time.h"
#include "domain/status.h"
#include "eventstore/event_store.h"
#include "eventstore/signing_key.h"
#include "projections/report_workbook.h"

namespace ledger {

// The monthly report's figures the package reconciles with (all branches), in this order, named
// as GET /v1/reports/monthly names them (redeemed_training is in minutes).
inline constexpr std::array<std::string_view, 13> kFilingFigureNames = {
    "new_members",         "verified_minutes",  "services",          "elders_served",
    "activities",          "beneficiaries",     "donations_fen",     "sales_fen",
    "disbursed_fen",       "redeemed_cash_fen", "redeemed_training", "grants_fen",
    "in_kind_received_fen"};
using FilingFigures = std::array<int64_t, kFilingFigureNames.size()>;

struct FilingSeal {
  std::string branch_id;  // "" for a programme-wide seal
  uint64_t position = 0;
  std::string hash_hex;       // the chain hash at `position`, 64 hex digits
  std::string signature_hex;  // Ed25519 over the checkpoint message (docs/event_format.md)
  int64_t recorded_at_us = 0;
};

// Head office's receipt of the month's filing (FilingAcknowledged).
struct FilingReceipt {
  std::string receipt_ref;
  std::string acknowledged_by;  // "" when not given
  uint64_t position = 0;
  int64_t at_us = 0;  // its occurred_at
};

struct FilingPackage {
  MonthKey month = 0;
  bool sealed = false;
  std::vector<FilingSeal> seals;         // programme-wide first, else one per branch in id order
  uint64_t as_of = 0;                    // the package reflects the log before this position
  std::string public_key_hex;            // the ledger's Ed25519 public key
  FilingFigures figures{};               // the month's programme-wide report at `as_of`
  std::optional<FilingReceipt> receipt;  // when head office acknowledged the month
  ReportWorkbook workbook;               // 封面 first, then the seven sheets
};

// How a holder of the package checks the seal (the cover says it too).
std::string FilingVerifyInstructions();

// Replays `store` and builds `month`'s package; signatures are `key`'s checkpoints of the seal
// events (Ed25519 is deterministic: the same bytes as the stored checkpoints). Errors are the
// store's, or Corruption when the rules refuse a logged event.
Result<FilingPackage> BuildFilingPackage(const EventStore& store, const SigningKey& key,
                                         MonthKey month);

}  // namespace ledger
