// LineReader: a stream's lines as std::getline gives them (split at '\n', which is dropped; a
// last line needs no '\n'; nothing after a final '\n' is a line), read in large blocks and
// searched with string_view::find (memchr), not character by character. Reading an export file
// through std::getline was about 8 % of `ledgerctl verify --export`.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>

namespace ledger::tools {

class LineReader {
 public:
  explicit LineReader(std::istream& in, size_t block_bytes = 1 << 20)
      : in_(in), block_bytes_(block_bytes == 0 ? 1 : block_bytes) {}

  // The next line, valid until the next call; false at the end of the stream.
  bool Next(std::string_view* line);

 private:
  std::istream& in_;
  const size_t block_bytes_;
  std::string buffer_;  // [begin_, end) unread; a line split across blocks is moved to the front
  size_t begin_ = 0;
  size_t searched_ = 0;  // no '\n' in [begin_, searched_)
  bool end_ = false;     // the stream is exhausted
};

}  // namespace ledger::tools
