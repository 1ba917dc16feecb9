// ChunkWriter (tools/chunk_writer.h): the bytes arrive in the order handed over, whatever the
// queue's depth; a failed write is reported and stops the rest.
#include "tools/chunk_writer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>
#include <string>

namespace ledger::tools {
namespace {

TEST(ChunkWriterTest, WritesChunksInOrderAndHandsBackTheirStorage) {
  for (size_t queued_max : {1, 2, 8}) {
    std::ostringstream out;
    std::string expected;
    size_t reused = 0;
    {
      ChunkWriter writer(out, queued_max);
      std::string chunk;
      for (int i = 0; i < 2000; ++i) {
        if (chunk.capacity() >= 64) ++reused;
        // Sizes from 0 to a few kilobytes, each chunk's bytes telling its number.
        chunk.assign(static_cast<size_t>(i * 7919 % 3001), static_cast<char>('a' + i % 26));
        chunk += std::to_string(i) + "\n";
        expected += chunk;
        ASSERT_TRUE(writer.Write(chunk));
        EXPECT_TRUE(chunk.empty());
      }
      EXPECT_TRUE(writer.Finish());
    }
    EXPECT_EQ(out.str(), expected) << "queued_max " << queued_max;
    EXPECT_GT(reused, 0U) << "written chunks' storage comes back";
  }
}

// A stream buffer that takes `room` bytes, then refuses.
class FullDisk : public std::streambuf {
 public:
  explicit FullDisk(size_t room) : room_(room) {}

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    const auto taken = std::min<std::streamsize>(n, static_cast<std::streamsize>(room_));
    room_ -= static_cast<size_t>(taken);
    return taken;
  }
  int_type overflow(int_type) override { return traits_type::eof(); }

 private:
  size_t room_;
};

TEST(ChunkWriterTest, AFailedWriteIsReportedAndStopsTheRest) {
  FullDisk disk(10'000);
  std::ostream out(&disk);
  ChunkWriter writer(out, 2);
  std::string chunk;
  bool accepted = true;
  int written = 0;
  for (; written < 1000 && accepted; ++written) {
    chunk.assign(1000, 'x');
    accepted = writer.Write(chunk);
  }
  EXPECT_FALSE(accepted) << "Write refuses once a write failed";
  EXPECT_LT(written, 1000);
  EXPECT_FALSE(writer.Finish());
  EXPECT_FALSE(out.good());
}

}  // namespace
}  // namespace ledger::tools
