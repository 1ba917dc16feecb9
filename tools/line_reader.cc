#include "tools/line_reader.h"

namespace ledger::tools {

bool LineReader::Next(std::string_view* line) {
  while (true) {
    const std::string_view unread(buffer_);
    if (const size_t at = unread.find('\n', searched_); at != std::string_view::npos) {
      *line = unread.substr(begin_, at - begin_);
      begin_ = searched_ = at + 1;
      return true;
    }
    if (end_) {
      if (begin_ == buffer_.size()) return false;
      *line = std::string_view(buffer_).substr(begin_);
      begin_ = searched_ = buffer_.size();
      return true;
    }
    // The rest of the buffer is part of a line: keep it, and read the next block after it.
    buffer_.erase(0, begin_);
    begin_ = 0;
    searched_ = buffer_.size();
    buffer_.resize(searched_ + block_bytes_);
    in_.read(buffer_.data() + searched_, static_cast<std::streamsize>(block_bytes_));
    const auto got = static_cast<size_t>(in_.gcount());
    buffer_.resize(searched_ + got);
    end_ = got < block_bytes_;
  }
}

}  // namespace ledger::tools
