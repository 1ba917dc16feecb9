#include "tools/chunk_writer.h"

#include <utility>

namespace ledger::tools {

ChunkWriter::ChunkWriter(std::ostream& out, size_t queued_max)
    : out_(out), queued_max_(queued_max == 0 ? 1 : queued_max), thread_([this] { Run(); }) {}

ChunkWriter::~ChunkWriter() { Finish(); }

bool ChunkWriter::Write(std::string& chunk) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < queued_max_ || failed_; });
  if (failed_) {
    chunk.clear();
    return false;
  }
  queue_.push_back(std::move(chunk));
  chunk.clear();  // a moved-from string is valid but unspecified
  if (!spare_.empty()) {
    chunk = std::move(spare_.back());
    spare_.pop_back();
    chunk.clear();
  }
  changed_.notify_all();
  return true;
}

bool ChunkWriter::Finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return !failed_;
}

void ChunkWriter::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return !queue_.empty() || finishing_; });
    if (queue_.empty()) return;  // finishing, and everything is written
    std::string chunk = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    bool ok = !failed_;
    if (ok) {
      lock.unlock();
      out_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      ok = static_cast<bool>(out_);
      lock.lock();
    }
    if (!ok && !failed_) {
      failed_ = true;
      queue_.clear();
      changed_.notify_all();
    }
    spare_.push_back(std::move(chunk));
  }
}

}  // namespace ledger::tools
