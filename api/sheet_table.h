// SheetTable: one sheet of a spreadsheet as text cells, the common form of a CSV file
// (csv_sheet.h) and of each worksheet of an xlsx workbook (xlsx_sheet.h), which the onboarding
// import (sheet_import.h) reads. Cells are UTF-8; rows[i] is the sheet's row number i + 1, so
// a report can name the row as the spreadsheet program shows it (blank rows stay, empty).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ledger::api {

// Bounds of what a sheet may hold; larger input is refused, never truncated.
constexpr size_t kSheetRowsMax = 20000;
constexpr size_t kSheetColumnsMax = 64;
constexpr size_t kSheetCellBytesMax = 4096;

struct SheetTable {
  std::string name;                            // the file's or worksheet's name
  std::vector<std::vector<std::string>> rows;  // rows[0] is the heading row
};

}  // namespace ledger::api
