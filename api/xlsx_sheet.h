// Reading the worksheets of an Office Open XML workbook (.xlsx, as Excel and WPS save it) into
// SheetTables, with zlib's minizip (unzip) and expat. Cells are read as text: shared strings,
// inline strings, formula results and numbers as the file stores them (a number cell formatted
// as a date stays its serial, e.g. "46298.375"; sheet_import.h reads serials). Styles, formulas
// and every other part of the package are ignored.
//
// Thread-safe: no state.
#pragma once

#include <string_view>
#include <vector>

#include "api/sheet_table.h"
#include "domain/status.h"

namespace ledger::api {

constexpr size_t kXlsxPartBytesMax = 64 << 20;  // one uncompressed part (zip bombs stop here)

// Every worksheet of the workbook `bytes`, in the workbook's order, named as its tab.
// InvalidArgument (message in Chinese) when `bytes` is not a zip, lacks the workbook's parts,
// holds malformed XML, or exceeds the bounds of sheet_table.h or kXlsxPartBytesMax.
Result<std::vector<SheetTable>> ReadXlsxSheets(std::string_view bytes);

}  // namespace ledger::api
