// A ReportWorkbook as JSON or CSV (api/xlsx_writer.h writes it as Excel), and the filing
// package's and donor statement's JSON documents.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "projections/donor_statement.h"
#include "projections/filing_package.h"
#include "projections/report_workbook.h"

namespace ledger::api {

// {"sheets":[{"name","key","columns":[{"key","heading"}],"rows":[{<key>: cell}],
//  "totals":{<key>: cell}|null}]}: a cell is an integer or a string, as in the workbook.
boost::json::object WorkbookJson(const ReportWorkbook& workbook);

// UTF-8 with a byte order mark (so that Excel in a Chinese locale reads it as UTF-8), CRLF line
// ends (RFC 4180): per sheet, a heading row and its rows, the first column naming the sheet
// ("部分"); the totals row's first cell says 合计.
std::string WorkbookCsv(const ReportWorkbook& workbook);

// The filing package: month, sealed, seals [{branch_id|null, position, hash, signature,
// signature_encoding "hex", recorded_at_us, recorded_at}], public_key (hex), as_of, report
// (the figures of kFilingFigureNames), verify (how to check the seal), sheets (WorkbookJson).
boost::json::object FilingPackageJson(const FilingPackage& package);

// The statement: partner_id, from, to (null when open), donated_fen, purchased_fen, used_fen,
// reconciled, sheets.
boost::json::object DonorStatementJson(std::string_view partner_id, const StatementPeriod& period,
                                       const DonorStatement& statement);

}  // namespace ledger::api
