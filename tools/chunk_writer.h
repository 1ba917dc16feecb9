// ChunkWriter: writes blocks of bytes to an ostream on a thread of its own, in the order they
// were handed over, so that producing the next block overlaps writing the last one. `ledgerctl
// export` formats its lines on the calling thread while this one writes; the kernel's copy of
// the bytes into the page cache was about 30 % of an export's time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace ledger::tools {

class ChunkWriter {
 public:
  // `out` is written by this writer's thread alone until Finish() returns. At most
  // `queued_max` chunks wait to be written; Write blocks while that many do.
  explicit ChunkWriter(std::ostream& out, size_t queued_max = 4);
  ~ChunkWriter();  // Finish()es
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // Queues `chunk`'s bytes to be written after every chunk queued before. `chunk` comes back
  // empty, holding a written chunk's storage when one is free (reuse it: no allocation once
  // warmed up). False once a write has failed; what is queued after that is dropped.
  bool Write(std::string& chunk);

  // Waits until every queued chunk is written and stops the thread. False if a write failed
  // (then `out` is in a failed state).
  bool Finish();

 private:
  void Run();

  std::ostream& out_;
  const size_t queued_max_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;   // chunks to write, oldest first
  std::vector<std::string> spare_;  // written chunks, kept for their storage
  bool finishing_ = false;
  bool failed_ = false;
  std::thread thread_;
};

}  // namespace ledger::tools
