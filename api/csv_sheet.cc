#include "api/csv_sheet.h"

#include <iconv.h>

#include <cerrno>

namespace ledger::api {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    }
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

Result<std::string> FromGb18030(std::string_view bytes) {
  iconv_t converter = iconv_open("UTF-8", "GB18030");
  if (converter == reinterpret_cast<iconv_t>(-1)) {
    return Status::InvalidArgument("无法解码 GBK 文件（系统缺少 GB18030 编码）");
  }
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_at = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
  size_t in_left = bytes.size();
  char* out_at = out.data();
  size_t out_left = out.size();
  const size_t converted = iconv(converter, &in_at, &in_left, &out_at, &out_left);
  const bool failed = converted == static_cast<size_t>(-1);
  iconv_close(converter);
  if (failed) return Status::InvalidArgument("文件既不是 UTF-8 也不是 GBK 编码的文本");
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace

Result<std::string> SheetTextAsUtf8(std::string_view bytes) {
  if (bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
  if (IsUtf8(bytes)) return std::string(bytes);
  return FromGb18030(bytes);
}

Result<SheetTable> ReadCsvSheet(std::string_view bytes, std::string name) {
  Result<std::string> text = SheetTextAsUtf8(bytes);
  if (!text.ok()) return text.status();
  SheetTable table{std::move(name), {}};
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field was quoted (closed)
  bool row_started = false;  // the current row has at least one character
  auto row_number = [&] { return std::to_string(table.rows.size() + 1); };
  auto end_cell = [&]() -> Status {
    if (cell.size() > kSheetCellBytesMax) {
      return Status::InvalidArgument("第 " + row_number() + " 行有一格超过 " +
                                     std::to_string(kSheetCellBytesMax) + " 字节");
    }
    if (row.size() >= kSheetColumnsMax) {
      return Status::InvalidArgument("第 " + row_number() + " 行超过 " +
                                     std::to_string(kSheetColumnsMax) + " 列");
    }
    row.push_back(std::move(cell));
    cell.clear();
    was_quoted = false;
    return Status::Ok();
  };
  auto end_row = [&]() -> Status {
    if (Status status = end_cell(); !status.ok()) return status;
    if (table.rows.size() >= kSheetRowsMax) {
      return Status::InvalidArgument("超过 " + std::to_string(kSheetRowsMax) + " 行");
    }
    // A row of one empty cell is a blank line: kept (empty) so row numbers stay true.
    if (row.size() == 1 && row[0].empty()) row.clear();
    table.rows.push_back(std::move(row));
    row.clear();
    row_started = false;
    return Status::Ok();
  };
  const std::string& s = *text;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c != '"') {
        cell.push_back(c);
      } else if (i + 1 < s.size() && s[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else {
        quoted = false;
        was_quoted = true;
      }
      continue;
    }
    if (c == ',') {
      if (Status status = end_cell(); !status.ok()) return status;
      row_started = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      if (Status status = end_row(); !status.ok()) return status;
    } else if (c == '"' && cell.empty() && !was_quoted) {
      quoted = true;
      row_started = true;
    } else if (was_quoted || c == '"') {
      return Status::InvalidArgument("第 " + row_number() +
                                     " 行的引号不成对（带逗号或引号的格子须整格用英文双引号括起）");
    } else {
      cell.push_back(c);
      row_started = true;
    }
  }
  if (quoted) {
    return Status::InvalidArgument("第 " + row_number() + " 行的引号没有结束");
  }
  if (row_started || !cell.empty() || !row.empty()) {
    if (Status status = end_row(); !status.ok()) return status;
  }
  return table;
}

}  // namespace ledger::api
