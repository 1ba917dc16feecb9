#include "api/report_formats.h"

#include <boost/json/array.hpp>

#include "api/rfc3339.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

json::value CellJson(const ReportCell& cell) {
  if (const int64_t* value = std::get_if<int64_t>(&cell)) return *value;
  return json::value(std::get<std::string>(cell));
}

json::object RowJson(const ReportSheet& sheet, const std::vector<ReportCell>& cells) {
  json::object row;
  for (size_t c = 0; c < cells.size() && c < sheet.columns.size(); ++c) {
    row[sheet.columns[c].key] = CellJson(cells[c]);
  }
  return row;
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string CsvCell(const ReportCell& cell) {
  if (const int64_t* value = std::get_if<int64_t>(&cell)) return std::to_string(*value);
  return CsvField(std::get<std::string>(cell));
}

json::value OrNull(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

}  // namespace

json::object WorkbookJson(const ReportWorkbook& workbook) {
  json::array sheets;
  for (const ReportSheet& sheet : workbook.sheets) {
    json::array columns;
    for (const ReportColumn& column : sheet.columns) {
      columns.push_back(json::object{{"key", column.key}, {"heading", column.heading}});
    }
    json::array rows;
    for (const auto& cells : sheet.rows) rows.push_back(RowJson(sheet, cells));
    sheets.push_back(
        json::object{{"name", sheet.name},
                     {"key", sheet.key},
                     {"columns", std::move(columns)},
                     {"rows", std::move(rows)},
                     {"totals", sheet.totals.empty() ? json::value(nullptr)
                                                     : json::value(RowJson(sheet, sheet.totals))}});
  }
  return json::object{{"sheets", std::move(sheets)}};
}

std::string WorkbookCsv(const ReportWorkbook& workbook) {
  std::string out = "\xEF\xBB\xBF";
  for (const ReportSheet& sheet : workbook.sheets) {
    out += "部分";
    for (const ReportColumn& column : sheet.columns) out += "," + CsvField(column.heading);
    out += "\r\n";
    auto line = [&](const std::vector<ReportCell>& cells) {
      out += CsvField(sheet.name);
      for (const ReportCell& cell : cells) out += "," + CsvCell(cell);
      out += "\r\n";
    };
    for (const auto& cells : sheet.rows) line(cells);
    if (!sheet.totals.empty()) line(sheet.totals);
  }
  return out;
}

json::object FilingPackageJson(const FilingPackage& package) {
  json::array seals;
  for (const FilingSeal& seal : package.seals) {
    seals.push_back(json::object{{"branch_id", OrNull(seal.branch_id)},
                                 {"position", seal.position},
                                 {"hash", seal.hash_hex},
                                 {"signature", seal.signature_hex},
                                 {"signature_encoding", "hex"},
                                 {"recorded_at_us", seal.recorded_at_us},
                                 {"recorded_at", FormatInstant(seal.recorded_at_us)}});
  }
  json::object report;
  for (size_t i = 0; i < kFilingFigureNames.size(); ++i) {
    report[kFilingFigureNames[i]] = package.figures[i];
  }
  json::object body{{"month", FormatMonth(package.month)},
                    {"sealed", package.sealed},
                    {"seals", std::move(seals)},
                    {"public_key", package.public_key_hex},
                    {"as_of", package.as_of},
                    {"report", std::move(report)},
                    {"verify", FilingVerifyInstructions()}};
  body["sheets"] = WorkbookJson(package.workbook)["sheets"];
  return body;
}

json::object DonorStatementJson(std::string_view partner_id, const StatementPeriod& period,
                                const DonorStatement& statement) {
  json::object body{{"partner_id", partner_id},
                    {"from", OrNull(period.from_date)},
                    {"to", OrNull(period.to_date)},
                    {"donated_fen", statement.donated_fen.value},
                    {"purchased_fen", statement.purchased_fen.value},
                    {"granted_fen", statement.granted_fen.value},
                    {"in_kind_fen", statement.in_kind_fen.value},
                    {"used_fen", statement.used_fen.value},
                    {"reconciled", statement.reconciled}};
  body["sheets"] = WorkbookJson(statement.workbook)["sheets"];
  return body;
}

}  // namespace ledger::api
