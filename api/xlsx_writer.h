// Writes a ReportWorkbook as an Excel workbook (.xlsx, Office Open XML) with libxlsxwriter: one
// worksheet per sheet, its headings in bold on the first row (frozen), one row per row, the
// totals row last in bold. Integer cells are Excel numbers (fen, minutes and positions are below
// 2^53, so the double Excel stores holds them exactly), strings are text; 元 cells are the
// formatted text the workbook carries, never a computed float.
#pragma once

#include <string>

#include "domain/status.h"
#include "projections/report_workbook.h"

namespace ledger::api {

// The .xlsx bytes. `title` becomes the document's title property. IoError when the temporary
// file libxlsxwriter writes cannot be written or read back.
Result<std::string> WriteXlsx(const ReportWorkbook& workbook, const std::string& title);

}  // namespace ledger::api
