#include "api/xlsx_sheet.h"

#include <expat.h>
#include <minizip/unzip.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ledger::api {
namespace {

// ---- the zip package, read from memory through minizip's I/O callbacks ----

struct MemoryFile {
  std::string_view bytes;
  ZPOS64_T at = 0;
};

voidpf ZCALLBACK OpenMemory(voidpf opaque, const void*, int) { return opaque; }
uLong ZCALLBACK ReadMemory(voidpf, voidpf stream, void* buffer, uLong size) {
  auto* file = static_cast<MemoryFile*>(stream);
  const ZPOS64_T left = file->bytes.size() - file->at;
  const uLong n = static_cast<uLong>(std::min<ZPOS64_T>(size, left));
  std::memcpy(buffer, file->bytes.data() + file->at, n);
  file->at += n;
  return n;
}
uLong ZCALLBACK WriteMemory(voidpf, voidpf, const void*, uLong) { return 0; }
ZPOS64_T ZCALLBACK TellMemory(voidpf, voidpf stream) {
  return static_cast<MemoryFile*>(stream)->at;
}
long ZCALLBACK SeekMemory(voidpf, voidpf stream, ZPOS64_T offset, int origin) {  // NOLINT
  auto* file = static_cast<MemoryFile*>(stream);
  ZPOS64_T base = 0;
  if (origin == ZLIB_FILEFUNC_SEEK_CUR) base = file->at;
  if (origin == ZLIB_FILEFUNC_SEEK_END) base = file->bytes.size();
  if (base + offset > file->bytes.size()) return -1;
  file->at = base + offset;
  return 0;
}
int ZCALLBACK CloseMemory(voidpf, voidpf) { return 0; }
int ZCALLBACK ErrorMemory(voidpf, voidpf) { return 0; }

class Package {
 public:
  explicit Package(std::string_view bytes) : file_{bytes, 0} {
    zlib_filefunc64_def functions{};
    functions.zopen64_file = OpenMemory;
    functions.zread_file = ReadMemory;
    functions.zwrite_file = WriteMemory;
    functions.ztell64_file = TellMemory;
    functions.zseek64_file = SeekMemory;
    functions.zclose_file = CloseMemory;
    functions.zerror_file = ErrorMemory;
    functions.opaque = &file_;
    zip_ = unzOpen2_64("memory", &functions);
  }
  ~Package() {
    if (zip_ != nullptr) unzClose(zip_);
  }
  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;

  bool ok() const { return zip_ != nullptr; }

  // The part at `path` ("xl/workbook.xml"); NotFound when absent.
  Result<std::string> Read(const std::string& path) {
    if (unzLocateFile(zip_, path.c_str(), 1) != UNZ_OK) return Status::NotFound(path);
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
      return Corrupt(path);
    }
    if (info.uncompressed_size > kXlsxPartBytesMax) {
      return Status::InvalidArgument("工作簿的 " + path + " 过大");
    }
    if (unzOpenCurrentFile(zip_) != UNZ_OK) return Corrupt(path);
    std::string out;
    char buffer[1 << 14];
    int n = 0;
    while ((n = unzReadCurrentFile(zip_, buffer, sizeof buffer)) > 0) {
      if (out.size() + static_cast<size_t>(n) > kXlsxPartBytesMax) {
        unzCloseCurrentFile(zip_);
        return Status::InvalidArgument("工作簿的 " + path + " 过大");
      }
      out.append(buffer, static_cast<size_t>(n));
    }
    // unzCloseCurrentFile checks the CRC once the whole entry was read.
    if (n < 0 || unzCloseCurrentFile(zip_) != UNZ_OK) return Corrupt(path);
    return out;
  }

 private:
  static Status Corrupt(const std::string& path) {
    return Status::InvalidArgument("xlsx 文件已损坏（" + path + " 读不出）");
  }
  MemoryFile file_;
  unzFile zip_ = nullptr;
};

// ---- XML through expat, element names without their namespace prefix ----

struct XmlHandlers {
  std::function<void(std::string_view name, const char** attributes)> start;
  std::function<void(std::string_view name)> end;
  std::function<void(std::string_view text)> text;
};

std::string_view LocalName(const char* name) {
  std::string_view view(name);
  const size_t colon = view.rfind(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

const char* Attribute(const char** attributes, std::string_view local_name) {
  for (size_t i = 0; attributes[i] != nullptr; i += 2) {
    if (LocalName(attributes[i]) == local_name) return attributes[i + 1];
  }
  return nullptr;
}

Status ParseXml(const std::string& xml, const std::string& part, XmlHandlers& handlers) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"),
                                                                      &XML_ParserFree);
  if (!parser) return Status::InvalidArgument("内存不足，无法读取 xlsx");
  XML_SetUserData(parser.get(), &handlers);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const char* name, const char** attributes) {
        auto* h = static_cast<XmlHandlers*>(data);
        if (h->start) h->start(LocalName(name), attributes);
      },
      [](void* data, const char* name) {
        auto* h = static_cast<XmlHandlers*>(data);
        if (h->end) h->end(LocalName(name));
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* data, const char* text, int length) {
    auto* h = static_cast<XmlHandlers*>(data);
    if (h->text) h->text(std::string_view(text, static_cast<size_t>(length)));
  });
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    return Status::InvalidArgument("xlsx 文件已损坏（" + part + " 不是有效的 XML）");
  }
  return Status::Ok();
}

// ---- the workbook's parts ----

struct SheetEntry {
  std::string name;
  std::string path;  // inside the package, e.g. "xl/worksheets/sheet1.xml"
};

Result<std::vector<SheetEntry>> ReadSheetList(Package& package) {
  Result<std::string> workbook = package.Read("xl/workbook.xml");
  if (!workbook.ok()) return Status::InvalidArgument("不是 xlsx 工作簿（缺少 xl/workbook.xml）");
  Result<std::string> relations = package.Read("xl/_rels/workbook.xml.rels");
  if (!relations.ok()) return Status::InvalidArgument("xlsx 文件已损坏（缺少工作簿的关系表）");
  std::map<std::string, std::string> targets;  // relationship id → target
  XmlHandlers relation_handlers;
  relation_handlers.start = [&](std::string_view name, const char** attributes) {
    if (name != "Relationship") return;
    const char* id = Attribute(attributes, "Id");
    const char* target = Attribute(attributes, "Target");
    if (id != nullptr && target != nullptr) targets[id] = target;
  };
  if (Status status = ParseXml(*relations, "workbook.xml.rels", relation_handlers); !status.ok()) {
    return status;
  }
  std::vector<SheetEntry> sheets;
  bool missing = false;
  XmlHandlers sheet_handlers;
  sheet_handlers.start = [&](std::string_view name, const char** attributes) {
    if (name != "sheet") return;
    const char* sheet_name = Attribute(attributes, "name");
    const char* id = Attribute(attributes, "id");  // r:id
    auto target = id == nullptr ? targets.end() : targets.find(id);
    if (sheet_name == nullptr || target == targets.end()) {
      missing = true;
      return;
    }
    // Targets are relative to xl/, or absolute within the package ("/xl/worksheets/...").
    std::string path = target->second;
    path = path.starts_with('/') ? path.substr(1) : "xl/" + path;
    sheets.push_back(SheetEntry{sheet_name, std::move(path)});
  };
  if (Status status = ParseXml(*workbook, "workbook.xml", sheet_handlers); !status.ok()) {
    return status;
  }
  if (missing) return Status::InvalidArgument("xlsx 文件已损坏（工作表的关系缺失）");
  return sheets;
}

// Shared strings: each <si> is one string, the text of its <t> elements (rich text runs
// <r><t> included, phonetic guides <rPh> left out).
Result<std::vector<std::string>> ReadSharedStrings(Package& package) {
  Result<std::string> xml = package.Read("xl/sharedStrings.xml");
  if (!xml.ok()) {
    if (xml.status().code() == StatusCode::kNotFound) return std::vector<std::string>{};
    return xml.status();
  }
  std::vector<std::string> strings;
  bool in_text = false;
  int phonetic_depth = 0;
  XmlHandlers handlers;
  handlers.start = [&](std::string_view name, const char**) {
    if (name == "si") strings.emplace_back();
    if (name == "rPh") ++phonetic_depth;
    if (name == "t") in_text = phonetic_depth == 0 && !strings.empty();
  };
  handlers.end = [&](std::string_view name) {
    if (name == "rPh") --phonetic_depth;
    if (name == "t") in_text = false;
  };
  handlers.text = [&](std::string_view text) {
    if (in_text) strings.back().append(text);
  };
  if (Status status = ParseXml(*xml, "sharedStrings.xml", handlers); !status.ok()) return status;
  return strings;
}

// "BC12" → column 54 (0-based index of "BC"), row 12; nullopt when malformed.
bool ParseCellReference(std::string_view reference, size_t* column, size_t* row) {
  size_t i = 0;
  size_t letters = 0;
  while (i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z') {
    letters = letters * 26 + static_cast<size_t>(reference[i] - 'A' + 1);
    if (letters > 16384) return false;
    ++i;
  }
  size_t number = 0;
  const size_t digits_at = i;
  while (i < reference.size() && reference[i] >= '0' && reference[i] <= '9') {
    number = number * 10 + static_cast<size_t>(reference[i] - '0');
    if (number > 1048576) return false;
    ++i;
  }
  if (letters == 0 || i == digits_at || i != reference.size() || number == 0) return false;
  *column = letters - 1;
  *row = number;
  return true;
}

Result<SheetTable> ReadWorksheet(Package& package, const SheetEntry& entry,
                                 const std::vector<std::string>& shared) {
  Result<std::string> xml = package.Read(entry.path);
  if (!xml.ok()) return Status::InvalidArgument("xlsx 文件已损坏（缺少工作表 " + entry.name + "）");
  SheetTable table{entry.name, {}};
  Status failure;
  size_t row_number = 0;   // of the current <row>
  size_t next_column = 0;  // for cells without a reference
  size_t column = 0;
  std::string type;  // the cell's t attribute
  std::string value;
  bool in_value = false;  // inside <v> or an inline string's <t>
  bool in_cell = false;
  auto fail = [&](std::string message) {
    if (failure.ok()) failure = Status::InvalidArgument(std::move(message));
  };
  XmlHandlers handlers;
  handlers.start = [&](std::string_view name, const char** attributes) {
    if (!failure.ok()) return;
    if (name == "row") {
      const char* r = Attribute(attributes, "r");
      row_number = r != nullptr ? std::strtoul(r, nullptr, 10) : row_number + 1;
      next_column = 0;
      if (row_number == 0 || row_number > kSheetRowsMax) {
        fail("工作表 " + entry.name + " 超过 " + std::to_string(kSheetRowsMax) + " 行");
      }
    } else if (name == "c") {
      const char* reference = Attribute(attributes, "r");
      size_t reference_row = row_number;
      column = next_column;
      if (reference != nullptr && !ParseCellReference(reference, &column, &reference_row)) {
        fail("xlsx 文件已损坏（格子位置 " + std::string(reference) + " 无效）");
      }
      if (column >= kSheetColumnsMax) {
        fail("工作表 " + entry.name + " 超过 " + std::to_string(kSheetColumnsMax) + " 列");
      }
      if (row_number == 0) fail("xlsx 文件已损坏（工作表 " + entry.name + " 有一格不在任何行内）");
      next_column = column + 1;
      const char* t = Attribute(attributes, "t");
      type = t != nullptr ? t : "n";
      value.clear();
      in_cell = true;
    } else if (in_cell && (name == "v" || (name == "t" && type == "inlineStr"))) {
      in_value = true;
    }
  };
  handlers.text = [&](std::string_view text) {
    if (!in_value || !failure.ok()) return;
    value.append(text);
    if (value.size() > kSheetCellBytesMax) {
      fail("工作表 " + entry.name + " 第 " + std::to_string(row_number) + " 行有一格超过 " +
           std::to_string(kSheetCellBytesMax) + " 字节");
    }
  };
  handlers.end = [&](std::string_view name) {
    if (!failure.ok()) return;
    if (name == "v" || name == "t") in_value = false;
    if (name != "c" || !in_cell) return;
    in_cell = false;
    std::string text = value;
    if (type == "s") {
      char* end = nullptr;
      const unsigned long index = std::strtoul(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || index >= shared.size()) {
        fail("xlsx 文件已损坏（共享字符串 " + value + " 不存在）");
        return;
      }
      text = shared[index];
      if (text.size() > kSheetCellBytesMax) {
        fail("工作表 " + entry.name + " 第 " + std::to_string(row_number) + " 行有一格超过 " +
             std::to_string(kSheetCellBytesMax) + " 字节");
        return;
      }
    }
    if (text.empty()) return;
    if (table.rows.size() < row_number) table.rows.resize(row_number);
    std::vector<std::string>& row = table.rows[row_number - 1];
    if (row.size() <= column) row.resize(column + 1);
    row[column] = std::move(text);
  };
  if (Status status = ParseXml(*xml, entry.name, handlers); !status.ok()) return status;
  if (!failure.ok()) return failure;
  return table;
}

}  // namespace

Result<std::vector<SheetTable>> ReadXlsxSheets(std::string_view bytes) {
  Package package(bytes);
  if (!package.ok()) return Status::InvalidArgument("不是 xlsx 文件（读不出 zip 包）");
  Result<std::vector<SheetEntry>> entries = ReadSheetList(package);
  if (!entries.ok()) return entries.status();
  Result<std::vector<std::string>> shared = ReadSharedStrings(package);
  if (!shared.ok()) return shared.status();
  std::vector<SheetTable> tables;
  for (const SheetEntry& entry : *entries) {
    Result<SheetTable> table = ReadWorksheet(package, entry, *shared);
    if (!table.ok()) return table.status();
    tables.push_back(std::move(table).value());
  }
  return tables;
}

}  // namespace ledger::api
