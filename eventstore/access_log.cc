#include "eventstore/access_log.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <thread>

#include "domain/byte_codec.h"
#include "domain/mutex.h"
#include "eventstore/keys.h"

namespace ledger {
namespace {

// Keys: 'e' || u64 sequence → the entry; 'm' || u16 length || member id || u64 sequence → ""
// (the member's index, whose range is one member's alone thanks to the length prefix). Sequences
// start at 1 and grow by one per entry; the stored ones are [first, next).
constexpr char kEntryTag = 'e';
constexpr char kMemberTag = 'm';
constexpr uint64_t kFirstSequence = 1;
// The RocksDB instance is small (100,000 entries are a few MB): small memtables, few info logs.
constexpr size_t kWriteBufferBytes = 4 << 20;
constexpr size_t kInfoLogFilesMax = 2;

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = "access log: " + std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::IoError(std::move(message));
}

std::string EntryKey(uint64_t sequence) {
  std::string key(1, kEntryTag);
  AppendBigEndian64(sequence, &key);
  return key;
}

std::string MemberPrefix(std::string_view member_id) {
  std::string key(1, kMemberTag);
  AppendStreamPrefix(member_id, &key);
  return key;
}

std::string MemberKey(std::string_view member_id, uint64_t sequence) {
  std::string key = MemberPrefix(member_id);
  AppendBigEndian64(sequence, &key);
  return key;
}

std::string EncodeEntry(const AccessRead& read, std::string_view member_id) {
  ByteWriter out;
  out.I64(read.at_us);
  out.Str(read.actor);
  out.Str(read.role);
  out.Str(read.route);
  out.Str(member_id);
  return out.Take();
}

Result<AccessEntry> DecodeEntry(uint64_t sequence, std::string_view bytes) {
  ByteReader in(bytes);
  AccessEntry entry;
  entry.sequence = sequence;
  entry.at_us = in.I64();
  entry.actor = in.Str();
  entry.role = in.Str();
  entry.route = in.Str();
  entry.member_id = in.Str();
  if (!in.Done()) return Status::Corruption("access log: malformed entry");
  return entry;
}

}  // namespace

class AccessLog::Impl {
 public:
  Impl(AccessLogOptions options, std::unique_ptr<rocksdb::DB> db, uint64_t first, uint64_t next)
      : options_(std::move(options)), db_(std::move(db)), first_(first), next_(next) {
    writer_ = std::thread([this] { WriteLoop(); });
  }

  ~Impl() {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
    }
    wake_writer_.NotifyAll();
    writer_.join();
  }

  void Note(AccessRead read) EXCLUDES(mutex_) {
    const size_t entries = read.member_ids.size();
    if (entries == 0) return;
    bool wake = false;
    {
      MutexLock lock(mutex_);
      // A full buffer waits for the writer (an entry is never dropped); a read larger than the
      // whole buffer goes in once the buffer is empty.
      space_.Wait(lock, [&]() REQUIRES(mutex_) {
        return pending_entries_ + entries <= options_.buffer_entries_max || pending_.empty() ||
               !failure_.ok() || stopping_;
      });
      pending_.push_back(std::move(read));
      pending_entries_ += entries;
      ++noted_;
      wake = pending_entries_ >= options_.buffer_entries_max / 2;
    }
    if (wake) wake_writer_.NotifyOne();
  }

  Status Flush() EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    const uint64_t target = noted_;
    flush_wanted_ = true;
    wake_writer_.NotifyOne();
    written_.Wait(lock, [&]() REQUIRES(mutex_) {
      return written_reads_ >= target || !failure_.ok() || stopping_;
    });
    return failure_;
  }

  uint64_t size() const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return next_ - first_;
  }

  Result<AccessPage> ReadMember(std::string_view member_id, size_t limit,
                                std::optional<uint64_t> before) {
    const std::string lower = MemberPrefix(member_id);
    const std::string upper = MemberKey(member_id, before.value_or(UINT64_MAX));
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot;
    const rocksdb::Slice lower_bound(lower);
    const rocksdb::Slice upper_bound(upper);
    read_options.iterate_lower_bound = &lower_bound;
    read_options.iterate_upper_bound = &upper_bound;
    Result<AccessPage> page = [&]() -> Result<AccessPage> {
      AccessPage out;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
      std::string value;
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        const rocksdb::Slice key = it->key();
        if (key.size() != lower.size() + 8) return Status::Corruption("access log: bad index key");
        const uint64_t sequence = DecodeBigEndian64(std::string_view(key.data() + lower.size(), 8));
        if (out.entries.size() == limit) {
          out.next_before = out.entries.back().sequence;
          break;
        }
        rocksdb::ReadOptions get_options;
        get_options.snapshot = snapshot;
        rocksdb::Status s = db_->Get(get_options, EntryKey(sequence), &value);
        if (!s.ok()) return FromRocks(s, "read entry");
        Result<AccessEntry> entry = DecodeEntry(sequence, value);
        if (!entry.ok()) return entry.status();
        out.entries.push_back(std::move(entry).value());
      }
      if (!it->status().ok()) return FromRocks(it->status(), "read index");
      return out;
    }();
    db_->ReleaseSnapshot(snapshot);
    return page;
  }

 private:
  void WriteLoop() EXCLUDES(mutex_) {
    while (true) {
      std::vector<AccessRead> batch;
      bool stop = false;
      {
        MutexLock lock(mutex_);
        wake_writer_.WaitFor(lock, options_.flush_interval, [&]() REQUIRES(mutex_) {
          return stopping_ || flush_wanted_ || pending_entries_ >= options_.buffer_entries_max / 2;
        });
        batch.swap(pending_);
        pending_entries_ = 0;
        flush_wanted_ = false;
        stop = stopping_;
      }
      space_.NotifyAll();
      Status status = batch.empty() ? Status::Ok() : Write(batch);
      {
        MutexLock lock(mutex_);
        written_reads_ += batch.size();
        if (failure_.ok() && !status.ok()) failure_ = std::move(status);
      }
      written_.NotifyAll();
      if (stop) return;
    }
  }

  // Writes `batch` and removes the oldest entries beyond entries_max, in one RocksDB batch.
  Status Write(const std::vector<AccessRead>& batch) EXCLUDES(mutex_) {
    uint64_t first = 0;
    uint64_t stored_end = 0;
    {
      MutexLock lock(mutex_);
      first = first_;
      stored_end = next_;
    }
    rocksdb::WriteBatch write;
    std::vector<const std::string*> staged;  // the member id of each new entry, from stored_end
    for (const AccessRead& read : batch) {
      for (const std::string& member_id : read.member_ids) {
        const uint64_t sequence = stored_end + staged.size();
        rocksdb::Status s = write.Put(EntryKey(sequence), EncodeEntry(read, member_id));
        if (s.ok()) s = write.Put(MemberKey(member_id, sequence), rocksdb::Slice());
        if (!s.ok()) return FromRocks(s, "stage entry");
        staged.push_back(&member_id);
      }
    }
    const uint64_t next = stored_end + staged.size();
    // The oldest go first: every entry (and its index key) before next - entries_max.
    const uint64_t keep_from =
        next - first > options_.entries_max ? next - options_.entries_max : first;
    auto remove = [&write](uint64_t sequence, std::string_view member_id) {
      rocksdb::Status s = write.Delete(EntryKey(sequence));
      if (s.ok()) s = write.Delete(MemberKey(member_id, sequence));
      return s;
    };
    if (keep_from > first) {
      const std::string end = EntryKey(std::min(keep_from, stored_end));
      const rocksdb::Slice end_bound(end);
      rocksdb::ReadOptions read_options;
      read_options.iterate_upper_bound = &end_bound;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
      for (it->Seek(EntryKey(first)); it->Valid(); it->Next()) {
        const uint64_t sequence = DecodeBigEndian64(std::string_view(it->key().data() + 1, 8));
        Result<AccessEntry> entry = DecodeEntry(sequence, it->value().ToStringView());
        if (!entry.ok()) return entry.status();
        rocksdb::Status s = remove(sequence, entry->member_id);
        if (!s.ok()) return FromRocks(s, "stage removal");
      }
      if (!it->status().ok()) return FromRocks(it->status(), "read oldest entries");
      // A batch larger than the bound: its own oldest entries go at once.
      for (uint64_t sequence = stored_end; sequence < keep_from; ++sequence) {
        rocksdb::Status s = remove(sequence, *staged[sequence - stored_end]);
        if (!s.ok()) return FromRocks(s, "stage removal");
      }
    }
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &write);
    if (!s.ok()) return FromRocks(s, "write");
    MutexLock lock(mutex_);
    first_ = std::max(first, keep_from);
    next_ = next;
    return Status::Ok();
  }

  const AccessLogOptions options_;
  const std::unique_ptr<rocksdb::DB> db_;
  mutable Mutex mutex_;
  CondVar wake_writer_;  // something to write, or stopping
  CondVar space_;        // the buffer was taken by the writer
  CondVar written_;      // a batch was written
  std::vector<AccessRead> pending_ GUARDED_BY(mutex_);
  size_t pending_entries_ GUARDED_BY(mutex_) = 0;
  uint64_t noted_ GUARDED_BY(mutex_) = 0;          // reads noted so far
  uint64_t written_reads_ GUARDED_BY(mutex_) = 0;  // reads written (or failed) so far
  bool flush_wanted_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  Status failure_ GUARDED_BY(mutex_);
  uint64_t first_ GUARDED_BY(mutex_);  // the oldest stored entry's sequence
  uint64_t next_ GUARDED_BY(mutex_);   // the next entry's sequence
  std::thread writer_;
};

Result<std::unique_ptr<AccessLog>> AccessLog::Open(AccessLogOptions options) {
  std::error_code error;
  std::filesystem::create_directories(options.path, error);
  if (error) return Status::IoError("cannot create " + options.path + ": " + error.message());
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.write_buffer_size = kWriteBufferBytes;
  db_options.keep_log_file_num = kInfoLogFilesMax;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, &raw);
  if (!s.ok()) return FromRocks(s, "open " + options.path);
  std::unique_ptr<rocksdb::DB> db(raw);
  // The stored range [first, next): from the lowest and the highest entry key.
  uint64_t first = kFirstSequence;
  uint64_t next = kFirstSequence;
  {
    const std::string lower(1, kEntryTag);
    const std::string upper(1, static_cast<char>(kEntryTag + 1));
    const rocksdb::Slice lower_bound(lower);
    const rocksdb::Slice upper_bound(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_lower_bound = &lower_bound;
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options));
    it->SeekToFirst();
    if (it->Valid()) {
      if (it->key().size() != 9) return Status::Corruption("access log: bad entry key");
      first = DecodeBigEndian64(std::string_view(it->key().data() + 1, 8));
      it->SeekToLast();
      if (!it->Valid() || it->key().size() != 9) {
        return Status::Corruption("access log: bad entry key");
      }
      next = DecodeBigEndian64(std::string_view(it->key().data() + 1, 8)) + 1;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read the stored range");
  }
  return std::unique_ptr<AccessLog>(
      new AccessLog(std::make_unique<Impl>(std::move(options), std::move(db), first, next)));
}

AccessLog::AccessLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccessLog::~AccessLog() = default;

void AccessLog::Note(AccessRead read) { impl_->Note(std::move(read)); }

Status AccessLog::Flush() { return impl_->Flush(); }

Result<AccessPage> AccessLog::ReadMember(std::string_view member_id, size_t limit,
                                         std::optional<uint64_t> before_sequence) {
  if (Status flushed = Flush(); !flushed.ok()) return flushed;
  return impl_->ReadMember(member_id, limit, before_sequence);
}

uint64_t AccessLog::size() const { return impl_->size(); }

}  // namespace ledger
