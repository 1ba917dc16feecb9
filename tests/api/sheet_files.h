// Spreadsheet files for the import tests: GBK bytes (iconv) and xlsx workbooks written with
// minizip's zip API from worksheet XML.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ledger::testing {

// `utf8` encoded as GBK (aborts when iconv cannot).
std::string Gbk(const std::string& utf8);

// A zip archive of (name, content) entries.
std::string ZipBytes(const std::vector<std::pair<std::string, std::string>>& entries);

// <worksheet><sheetData>rows</sheetData></worksheet> in the spreadsheetml namespace.
std::string WorksheetXml(const std::string& rows);

// A workbook of (tab name, worksheet XML) sheets, with `shared_strings` as its
// xl/sharedStrings.xml when not empty.
std::string XlsxBytes(const std::vector<std::pair<std::string, std::string>>& sheets,
                      const std::string& shared_strings = "");

// A workbook of (tab name, rows of cells) sheets: cells as inline strings, except cells of
// digits (with at most one '.'), written as numbers, as Excel stores numbers and dates.
std::string XlsxOfRows(
    const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& sheets);

}  // namespace ledger::testing
