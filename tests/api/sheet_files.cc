#include "tests/api/sheet_files.h"

#include <iconv.h>
#include <minizip/zip.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ledger::testing {

std::string Gbk(const std::string& utf8) {
  iconv_t converter = iconv_open("GBK", "UTF-8");
  if (converter == reinterpret_cast<iconv_t>(-1)) std::abort();
  std::string out(utf8.size() * 2 + 8, '\0');
  char* in_at = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* out_at = out.data();
  size_t out_left = out.size();
  if (iconv(converter, &in_at, &in_left, &out_at, &out_left) == static_cast<size_t>(-1)) {
    std::abort();
  }
  iconv_close(converter);
  out.resize(out.size() - out_left);
  return out;
}

std::string ZipBytes(const std::vector<std::pair<std::string, std::string>>& entries) {
  char path[] = "/tmp/sheet-test-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) std::abort();
  close(fd);
  zipFile zip = zipOpen64(path, APPEND_STATUS_CREATE);
  if (zip == nullptr) std::abort();
  for (const auto& [name, content] : entries) {
    zip_fileinfo info{};
    if (zipOpenNewFileInZip(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                            Z_DEFAULT_COMPRESSION) != ZIP_OK ||
        zipWriteInFileInZip(zip, content.data(), static_cast<unsigned>(content.size())) != ZIP_OK ||
        zipCloseFileInZip(zip) != ZIP_OK) {
      std::abort();
    }
  }
  if (zipClose(zip, nullptr) != ZIP_OK) std::abort();
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::remove(path);
  return bytes.str();
}

std::string WorksheetXml(const std::string& rows) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>)"
         R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
         "<sheetData>" +
         rows + "</sheetData></worksheet>";
}

std::string XlsxBytes(const std::vector<std::pair<std::string, std::string>>& sheets,
                      const std::string& shared_strings) {
  std::string workbook =
      R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
      R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)";
  std::string relations =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
  std::vector<std::pair<std::string, std::string>> entries;
  for (size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook +=
        "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
    relations += "<Relationship Id=\"rId" + n +
                 "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                 "worksheet\" Target=\"worksheets/sheet" +
                 n + ".xml\"/>";
    entries.emplace_back("xl/worksheets/sheet" + n + ".xml", sheets[i].second);
  }
  entries.emplace_back("xl/workbook.xml", workbook + "</sheets></workbook>");
  entries.emplace_back("xl/_rels/workbook.xml.rels", relations + "</Relationships>");
  if (!shared_strings.empty()) entries.emplace_back("xl/sharedStrings.xml", shared_strings);
  return ZipBytes(entries);
}

namespace {
std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}
bool IsNumber(const std::string& text) {
  if (text.empty()) return false;
  int dots = 0;
  for (char c : text) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots <= 1;
}
}  // namespace

std::string XlsxOfRows(
    const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& sheets) {
  std::vector<std::pair<std::string, std::string>> xml;
  for (const auto& [name, rows] : sheets) {
    std::string data;
    for (size_t r = 0; r < rows.size(); ++r) {
      data += "<row r=\"" + std::to_string(r + 1) + "\">";
      for (size_t c = 0; c < rows[r].size(); ++c) {
        const std::string ref = std::string(1, static_cast<char>('A' + c)) + std::to_string(r + 1);
        if (IsNumber(rows[r][c])) {
          data += "<c r=\"" + ref + "\"><v>" + rows[r][c] + "</v></c>";
        } else {
          data += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + Escaped(rows[r][c]) +
                  "</t></is></c>";
        }
      }
      data += "</row>";
    }
    xml.emplace_back(name, WorksheetXml(data));
  }
  return XlsxBytes(xml);
}

}  // namespace ledger::testing
