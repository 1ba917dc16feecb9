// A partner's statement (捐赠方对账单): each donation, grant and purchase of the partner received
// in a period, every use of each fen of them as the fund's FIFO allocation recorded it
// (Source::uses, the same allocations GET /v1/donations/{id} and the fund-use trail read), the
// goods it gave in kind item by item and where they went (GoodsDistributed), and a
// reconciliation with the partner's own figures (GET /v1/partners/{id}). Chinese headings; money as
// fen and 元.
#pragma once

#include <optional>
#include <string>

#include "domain/ledger_state.h"
#include "domain/status.h"
#include "projections/report_workbook.h"

namespace ledger {

struct StatementPeriod {
  std::string from_date;  // YYYY-MM-DD (Beijing), inclusive; "" = from the beginning
  std::string to_date;    // YYYY-MM-DD (Beijing), inclusive; "" = to date
};

struct DonorStatement {
  ReportWorkbook workbook;  // 捐赠与购买, 资金使用, 物资捐赠, 物资去向, 对账
  Fen donated_fen;          // listed donations, less reversed ones
  Fen purchased_fen;        // listed purchases (as buyer), less reversed ones
  Fen granted_fen;          // listed grants (GrantReceived)
  Fen in_kind_fen;          // declared value of listed in-kind donations, less reversed ones
  Fen used_fen;             // listed uses
  // Whole history: the listed totals equal the partner's figures. A period's statement lists
  // part of them and reconciles only when the period covers everything the partner gave.
  bool reconciled = false;
};

// NotFound when the partner does not exist.
Result<DonorStatement> BuildDonorStatement(const LedgerState& state, PartnerRef partner_id,
                                           const StatementPeriod& period);

// True for a date written YYYY-MM-DD, year 0001 or later. A period whose from is after its to is
// empty (not an error): it lists nothing.
bool IsStatementDate(std::string_view text);

}  // namespace ledger
