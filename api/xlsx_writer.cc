#include "api/xlsx_writer.h"

#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "domain/assert.h"

namespace ledger::api {
namespace {

// Excel's limit on a sheet name's length, in characters.
constexpr size_t kSheetNameCharactersMax = 31;
constexpr double kColumnWidthCharacters = 16;

void WriteCell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t column, const ReportCell& cell,
               lxw_format* format) {
  if (const int64_t* value = std::get_if<int64_t>(&cell)) {
    worksheet_write_number(sheet, row, column, static_cast<double>(*value), format);
  } else if (!std::get<std::string>(cell).empty()) {
    worksheet_write_string(sheet, row, column, std::get<std::string>(cell).c_str(), format);
  }
}

size_t Utf8Characters(const std::string& text) {
  size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

}  // namespace

Result<std::string> WriteXlsx(const ReportWorkbook& workbook, const std::string& title) {
  std::string path = (std::filesystem::temp_directory_path() / "ledger-xlsx-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return Status::IoError("cannot create a temporary file for the workbook");
  close(fd);
  lxw_workbook* book = workbook_new(path.c_str());
  if (book == nullptr) {
    std::filesystem::remove(path);
    return Status::IoError("cannot start the workbook");
  }
  lxw_doc_properties properties{};
  std::string title_text = title;  // libxlsxwriter takes a char*, and copies it
  properties.title = title_text.data();
  workbook_set_properties(book, &properties);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_format* integer = workbook_add_format(book);
  format_set_num_format(integer, "0");
  lxw_format* bold_integer = workbook_add_format(book);
  format_set_bold(bold_integer);
  format_set_num_format(bold_integer, "0");
  for (const ReportSheet& sheet : workbook.sheets) {
    LEDGER_ASSERT(Utf8Characters(sheet.name) <= kSheetNameCharactersMax);
    lxw_worksheet* out = workbook_add_worksheet(book, sheet.name.c_str());
    worksheet_set_column(out, 0, static_cast<lxw_col_t>(sheet.columns.size()),
                         kColumnWidthCharacters, nullptr);
    for (size_t c = 0; c < sheet.columns.size(); ++c) {
      worksheet_write_string(out, 0, static_cast<lxw_col_t>(c), sheet.columns[c].heading.c_str(),
                             bold);
    }
    worksheet_freeze_panes(out, 1, 0);
    lxw_row_t row = 1;
    for (const auto& cells : sheet.rows) {
      for (size_t c = 0; c < cells.size(); ++c) {
        WriteCell(out, row, static_cast<lxw_col_t>(c), cells[c], integer);
      }
      ++row;
    }
    for (size_t c = 0; c < sheet.totals.size(); ++c) {
      const bool is_integer = std::holds_alternative<int64_t>(sheet.totals[c]);
      WriteCell(out, row, static_cast<lxw_col_t>(c), sheet.totals[c],
                is_integer ? bold_integer : bold);
    }
  }
  const lxw_error error = workbook_close(book);
  std::string bytes;
  if (error == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  if (error != LXW_NO_ERROR) {
    return Status::IoError(std::string("cannot write the workbook: ") + lxw_strerror(error));
  }
  if (bytes.empty()) return Status::IoError("cannot read the workbook back");
  return bytes;
}

}  // namespace ledger::api
