// Reading a CSV file as saved by a spreadsheet program (RFC 4180: comma-separated, fields in
// double quotes when they hold commas, quotes or line breaks, quotes doubled inside) into a
// SheetTable. Chinese Excel saves "CSV" in GBK and "CSV UTF-8" with a byte order mark, so the
// encoding is detected: valid UTF-8 (with or without BOM) is taken as it is, anything else is
// decoded as GB18030 (a superset of GBK) with iconv. Line ends may be CRLF, LF or CR.
//
// Thread-safe: no state.
#pragma once

#include <string>
#include <string_view>

#include "api/sheet_table.h"
#include "domain/status.h"

namespace ledger::api {

// `bytes` as text in UTF-8: without a leading BOM, decoded from GB18030 unless valid UTF-8.
// InvalidArgument when it is neither.
Result<std::string> SheetTextAsUtf8(std::string_view bytes);

// The CSV file `bytes` as a table named `name`. InvalidArgument (message in Chinese, for the
// import report) on an unknown encoding, an unterminated quoted field, a quote inside an
// unquoted field, or more rows, columns or bytes per cell than sheet_table.h allows.
Result<SheetTable> ReadCsvSheet(std::string_view bytes, std::string name);

}  // namespace ledger::api
