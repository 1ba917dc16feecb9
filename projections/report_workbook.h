// A report as named sheets of rows, independent of the file format: the filing package and the
// donor statement are built as a ReportWorkbook, and api/ writes it as XLSX, JSON or CSV. Every
// cell is an integer (fen, minutes, positions, counts) or a string; money appears twice, as
// integer fen for machines and as a "1,234.56" 元 string for people (never a float).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/money.h"

namespace ledger {

using ReportCell = std::variant<int64_t, std::string>;

struct ReportColumn {
  std::string key;      // machine name (JSON member, English), e.g. "amount_fen"
  std::string heading;  // the heading people read, e.g. "金额(分)"
};

struct ReportSheet {
  std::string name;  // the sheet's (Chinese) name, at most 31 characters as Excel requires
  std::string key;   // machine name, e.g. "services"
  std::vector<ReportColumn> columns;
  std::vector<std::vector<ReportCell>> rows;  // each as many cells as columns
  // The totals row (as many cells as columns; "" where nothing is summed); empty for none.
  std::vector<ReportCell> totals;

  // Appends the columns "<heading>(分)" (key "<key>_fen") and "<heading>(元)" (key
  // "<key>_yuan"); MoneyCells gives their two cells.
  void AddMoneyColumns(std::string_view key, std::string_view heading);
};

// The two cells of a pair of money columns: fen, and 元 as "1,234.56".
void AppendMoney(std::vector<ReportCell>& row, Fen fen);

struct ReportWorkbook {
  std::vector<ReportSheet> sheets;
};

// 123456 fen → "1,234.56" (integer arithmetic only).
std::string FormatYuan(int64_t fen);

}  // namespace ledger
