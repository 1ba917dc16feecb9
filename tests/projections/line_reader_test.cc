// LineReader (tools/line_reader.h): the lines std::getline gives, whatever the block size, also
// for lines split across blocks, empty lines, a last line without '\n' and lines longer than a
// block.
#include "tools/line_reader.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tools/ledger_export.h"

namespace ledger::tools {
namespace {

std::vector<std::string> GetlineLines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> ReaderLines(const std::string& text, size_t block_bytes) {
  std::istringstream in(text);
  LineReader reader(in, block_bytes);
  std::vector<std::string> lines;
  for (std::string_view line; reader.Next(&line);) lines.emplace_back(line);
  return lines;
}

TEST(LineReaderTest, GivesTheLinesGetlineGivesAtEveryBlockSize) {
  const std::string long_line(5000, 'x');
  const std::vector<std::string> texts = {
      "",
      "\n",
      "\n\n",
      "one",
      "one\n",
      "one\ntwo",
      "one\ntwo\n",
      "one\n\nthree\n",
      "\r\nwindows\r\n",
      std::string("nul\0inside\n", 11),
      "{\"position\":0}\n{\"position\":1}\n" + long_line + "\n" + long_line,
  };
  for (const std::string& text : texts) {
    const std::vector<std::string> expected = GetlineLines(text);
    for (size_t block : {1, 2, 3, 7, 16, 4096, 1 << 20}) {
      EXPECT_EQ(ReaderLines(text, block), expected) << "block " << block << ": " << text;
    }
  }
}

// ReadExport reads through a LineReader: a line split across blocks is read whole, and an error
// names the same line at every block size (here a bad third line after two good ones).
TEST(LineReaderTest, ExportErrorsNameTheSameLineAtEveryBlockSize) {
  const std::string checkpoint = R"({"checkpoint":{"position":0,"hash":")" + std::string(64, '0') +
                                 R"(","recorded_at_us":1,"signature":")" + std::string(128, '0') +
                                 "\"}}\n";
  for (size_t block : {1, 5, 64, 200, 1 << 20}) {
    size_t read = 0;
    auto count = [&read](const ExportLine& line) {
      read += line.checkpoint ? 1 : 0;
      return true;
    };
    std::istringstream good(checkpoint + checkpoint);
    EXPECT_TRUE(ReadExport(good, count, block).ok()) << block;
    EXPECT_EQ(read, 2U) << block;
    std::istringstream bad(checkpoint + checkpoint + "{\"position\":\n" + checkpoint);
    const Status status = ReadExport(bad, count, block);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << block;
    EXPECT_EQ(status.message().rfind("export line 3 is not JSON", 0), 0U)
        << block << ": " << status.message();
    EXPECT_EQ(read, 4U) << block;
  }
}

}  // namespace
}  // namespace ledger::tools
