// Reading the onboarding template's files: CSV as spreadsheet programs save it (quotes, line
// breaks in cells, BOM, CRLF, GBK) and xlsx workbooks (shared, rich and inline strings, numbers,
// date serials), the workbooks written here with minizip's zip API.
#include <gtest/gtest.h>
#include <iconv.h>
#include <minizip/zip.h>

#include <fstream>
#include <sstream>

#include "api/csv_sheet.h"
#include "api/sheet_import.h"
#include "api/xlsx_sheet.h"
#include "tests/api/sheet_files.h"

namespace ledger::api {
namespace {
using Rows = std::vector<std::vector<std::string>>;

TEST(CsvSheetTest, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  Result<SheetTable> table = ReadCsvSheet(
      "成员编号,姓名,技能\r\nv-1,\"王,秀兰\",\"唱歌\r\n手工\"\r\nv-2,\"说\"\"好\"\"\",\r\n",
      "t.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->rows, (Rows{{"成员编号", "姓名", "技能"},
                               {"v-1", "王,秀兰", "唱歌\r\n手工"},
                               {"v-2", "说\"好\"", ""}}));
}

TEST(CsvSheetTest, ByteOrderMarkIsDroppedAndBlankLinesKeepRowNumbers) {
  Result<SheetTable> table = ReadCsvSheet("\xEF\xBB\xBF成员编号\nv-1\n\nv-3", "t.csv");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->rows, (Rows{{"成员编号"}, {"v-1"}, {}, {"v-3"}}));
}

TEST(CsvSheetTest, GbkBytesAreDecoded) {
  const std::string gbk = testing::Gbk("成员编号,姓名\r\nv-1,王秀兰\r\n");
  ASSERT_NE(gbk, "成员编号,姓名\r\nv-1,王秀兰\r\n");  // really other bytes
  Result<SheetTable> table = ReadCsvSheet(gbk, "t.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->rows, (Rows{{"成员编号", "姓名"}, {"v-1", "王秀兰"}}));
}

TEST(CsvSheetTest, MalformedQuotesAreRefusedInChinese) {
  Result<SheetTable> open = ReadCsvSheet("a,b\n1,\"unterminated\n", "t.csv");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("引号"), std::string::npos);
  EXPECT_FALSE(ReadCsvSheet("a,b\n1,x\"y\n", "t.csv").ok());
  EXPECT_FALSE(ReadCsvSheet("a\n\"x\"y\n", "t.csv").ok());
}

TEST(CsvSheetTest, BytesThatAreNeitherUtf8NorGbkAreRefused) {
  EXPECT_FALSE(ReadCsvSheet(std::string("a\n\x81\x20\n"), "t.csv").ok());
}

TEST(XlsxSheetTest, ReadsSharedInlineAndNumberCellsOfEverySheet) {
  const std::string shared =
      R"(<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3">)"
      R"(<si><t>服务编号</t></si><si><r><t>开始</t></r><r><rPr><b/></rPr><t>时间</t></r></si>)"
      R"(<si><t>王</t><rPh sb="0" eb="1"><t>wang</t></rPh></si></sst>)";
  const std::string first = testing::WorksheetXml(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)"
      R"(<row r="3"><c r="A3" t="inlineStr"><is><t>s-1</t></is></c><c r="B3"><v>46327.375</v></c>)"
      R"(<c r="D3" t="s"><v>2</v></c></row>)");
  const std::string second =
      testing::WorksheetXml(R"(<row r="1"><c t="inlineStr"><is><t>x</t></is></c>)"
                            R"(<c t="str"><v>y</v></c></row>)");
  Result<std::vector<SheetTable>> sheets =
      ReadXlsxSheets(testing::XlsxBytes({{"服务", first}, {"第二", second}}, shared));
  ASSERT_TRUE(sheets.ok()) << sheets.status().ToString();
  ASSERT_EQ(sheets->size(), 2u);
  EXPECT_EQ((*sheets)[0].name, "服务");
  EXPECT_EQ((*sheets)[0].rows,
            (Rows{{"服务编号", "开始时间"}, {}, {"s-1", "46327.375", "", "王"}}));
  EXPECT_EQ((*sheets)[1].name, "第二");
  EXPECT_EQ((*sheets)[1].rows, (Rows{{"x", "y"}}));
}

TEST(XlsxSheetTest, BrokenWorkbooksAreRefused) {
  EXPECT_FALSE(ReadXlsxSheets("PK\x03\x04 not really a zip").ok());
  // A valid zip without the workbook's parts.
  EXPECT_FALSE(ReadXlsxSheets(testing::ZipBytes({{"hello.txt", "hi"}})).ok());
  // A shared string index past the table.
  const std::string bad = testing::WorksheetXml(R"(<row r="1"><c r="A1" t="s"><v>7</v></c></row>)");
  EXPECT_FALSE(ReadXlsxSheets(testing::XlsxBytes({{"s", bad}}, "<sst></sst>")).ok());
  // Malformed XML.
  EXPECT_FALSE(ReadXlsxSheets(testing::XlsxBytes({{"s", "<worksheet><sheetData>"}})).ok());
}

// The template the console offers (web/public/templates) reads back with its headings.
TEST(XlsxSheetTest, TheShippedTemplateHasTheImportsHeadings) {
  std::ifstream in(
      std::string(LEDGER_SOURCE_DIR) + "/web/public/templates/zhaiyi-import-template.xlsx",
      std::ios::binary);
  ASSERT_TRUE(in);
  std::stringstream bytes;
  bytes << in.rdbuf();
  Result<std::vector<SheetTable>> sheets = ReadXlsxSheets(bytes.str());
  ASSERT_TRUE(sheets.ok()) << sheets.status().ToString();
  ASSERT_EQ(sheets->size(), 4u);
  EXPECT_EQ((*sheets)[0].name, "成员");
  EXPECT_EQ((*sheets)[0].rows.at(0).at(0), "成员编号");
  EXPECT_EQ((*sheets)[2].rows.at(0).at(5), "时长(分钟)");
  // Headings only: importing it finds nothing to import, and no heading problem.
  SheetImport import = BuildSheetImport(*sheets);
  ASSERT_EQ(import.problems.size(), 1u);
  EXPECT_EQ(import.problems[0].code, "empty_sheet");
}

}  // namespace
}  // namespace ledger::api
