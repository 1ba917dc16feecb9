#include "projections/report_workbook.h"

namespace ledger {

void ReportSheet::AddMoneyColumns(std::string_view key, std::string_view heading) {
  columns.push_back({std::string(key) + "_fen", std::string(heading) + "(分)"});
  columns.push_back({std::string(key) + "_yuan", std::string(heading) + "(元)"});
}

void AppendMoney(std::vector<ReportCell>& row, Fen fen) {
  row.emplace_back(fen.value);
  row.emplace_back(FormatYuan(fen.value));
}

std::string FormatYuan(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string whole = std::to_string(magnitude / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(i, ",");
  const uint64_t cents = magnitude % 100;
  return (negative ? "-" : "") + whole + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
}

}  // namespace ledger
