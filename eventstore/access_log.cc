#include "eventstore/access_log.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "domain/byte_codec.h"
#include "domain/mutex.h"
#include "eventstore/keys.h"

namespace ledger {
namespace {

// Keys: 'r' || u16 length || member id || u64 sequence → the entry, one key per entry (the range
// of one member is hers alone thanks to the length prefix, so her page is one range scan); 's'
// → u64 first || u64 next, the stored sequences [first, next), put with every batch. Sequences
// start at 1 and grow by one per entry. Entries before `first` are gone: reads skip them at once
// and a compaction filter drops them from the files, so the bound costs no write of its own.
// Before this layout (issue 17) an entry took two keys: 'e' || u64 sequence → the entry and
// 'm' || u16 length || member id || u64 sequence → "" (its index); Open converts them.
constexpr char kRecordTag = 'r';
constexpr char kSpanTag = 's';
constexpr char kOldEntryTag = 'e';
constexpr char kOldIndexTag = 'm';
constexpr uint64_t kFirstSequence = 1;
// The RocksDB instance is small (100,000 entries are a few MB): small memtables, few info logs.
constexpr size_t kWriteBufferBytes = 4 << 20;
constexpr size_t kInfoLogFilesMax = 2;

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = "access log: " + std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::IoError(std::move(message));
}

std::string MemberPrefix(std::string_view member_id) {
  std::string key(1, kRecordTag);
  AppendStreamPrefix(member_id, &key);
  return key;
}

std::string RecordKey(std::string_view member_id, uint64_t sequence) {
  std::string key = MemberPrefix(member_id);
  AppendBigEndian64(sequence, &key);
  return key;
}

// The sequence at the end of a record key; nullopt when the key is not one.
std::optional<uint64_t> RecordSequence(std::string_view key) {
  if (key.size() < 1 + 2 + 8 || key[0] != kRecordTag) return std::nullopt;
  const size_t length = (static_cast<uint8_t>(key[1]) << 8) | static_cast<uint8_t>(key[2]);
  if (key.size() != 1 + 2 + length + 8) return std::nullopt;
  return DecodeBigEndian64(key.substr(key.size() - 8));
}

std::string SpanValue(uint64_t first, uint64_t next) {
  std::string value;
  AppendBigEndian64(first, &value);
  AppendBigEndian64(next, &value);
  return value;
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

// Drops the records before the stored range's first sequence while RocksDB compacts: the
// trimming of the bound. Runs on RocksDB's compaction threads.
class TrimmedRecordsFilter final : public rocksdb::CompactionFilter {
 public:
  void set_first(uint64_t first) { first_.store(first, std::memory_order_relaxed); }

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    const std::optional<uint64_t> sequence = RecordSequence(key.ToStringView());
    return sequence && *sequence < first_.load(std::memory_order_relaxed);
  }
  const char* Name() const override { return "ledger.AccessLogTrimmedRecords"; }

 private:
  std::atomic<uint64_t> first_{kFirstSequence};
};

// Moves entries of the two-key layout (see the top) into records, in one batch; returns the
// stored range. Bounded by the log's bound, so a few MB at most.
Result<std::pair<uint64_t, uint64_t>> ConvertOldLayout(rocksdb::DB& db) {
  const std::string lower(1, kOldEntryTag);
  const std::string upper(1, static_cast<char>(kOldEntryTag + 1));
  const rocksdb::Slice lower_bound(lower);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_bound;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  rocksdb::WriteBatch write;
  uint64_t first = kFirstSequence;
  uint64_t next = kFirstSequence;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 9) return Status::Corruption("access log: bad entry key");
    const uint64_t sequence = DecodeBigEndian64(std::string_view(it->key().data() + 1, 8));
    Result<AccessEntry> entry = DecodeEntry(sequence, it->value().ToStringView());
    if (!entry.ok()) return entry.status();
    if (next == kFirstSequence) first = sequence;
    next = sequence + 1;
    rocksdb::Status s = write.Put(RecordKey(entry->member_id, sequence), it->value());
    if (!s.ok()) return FromRocks(s, "stage conversion");
  }
  if (!it->status().ok()) return FromRocks(it->status(), "read old entries");
  for (const char tag : {kOldEntryTag, kOldIndexTag}) {
    rocksdb::Status s = write.DeleteRange(std::string(1, tag), std::string(1, tag + 1));
    if (!s.ok()) return FromRocks(s, "stage conversion");
  }
  rocksdb::Status s = write.Put(std::string(1, kSpanTag), SpanValue(first, next));
  if (s.ok()) s = db.Write(rocksdb::WriteOptions(), &write);
  if (!s.ok()) return FromRocks(s, "convert the old layout");
  return std::make_pair(first, next);
}

// The stored range [first, next): the span key, else (converted) the old layout's, else empty.
Result<std::pair<uint64_t, uint64_t>> StoredSpan(rocksdb::DB& db) {
  std::string span;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), std::string(1, kSpanTag), &span);
  if (s.ok()) {
    if (span.size() != 16) return Status::Corruption("access log: bad span");
    return std::make_pair(DecodeBigEndian64(std::string_view(span).substr(0, 8)),
                          DecodeBigEndian64(std::string_view(span).substr(8)));
  }
  if (!s.IsNotFound()) return FromRocks(s, "read the span");
  return ConvertOldLayout(db);
}

}  // namespace

class AccessLog::Impl {
 public:
  Impl(AccessLogOptions options, std::unique_ptr<TrimmedRecordsFilter> filter,
       std::unique_ptr<rocksdb::DB> db, uint64_t first, uint64_t next)
      : options_(std::move(options)),
        filter_(std::move(filter)),
        db_(std::move(db)),
        first_(first),
        next_(next) {
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

  Status Compact() {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    rocksdb::Status s = db_->CompactRange(options, nullptr, nullptr);
    return s.ok() ? Status::Ok() : FromRocks(s, "compact");
  }

  Result<AccessPage> ReadMember(std::string_view member_id, size_t limit,
                                std::optional<uint64_t> before) EXCLUDES(mutex_) {
    uint64_t first = 0;
    {
      MutexLock lock(mutex_);
      first = first_;
    }
    const std::string lower = RecordKey(member_id, first);
    const std::string upper = RecordKey(member_id, before.value_or(UINT64_MAX));
    rocksdb::ReadOptions read_options;
    const rocksdb::Slice lower_bound(lower);
    const rocksdb::Slice upper_bound(upper);
    read_options.iterate_lower_bound = &lower_bound;
    read_options.iterate_upper_bound = &upper_bound;
    AccessPage out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      const std::optional<uint64_t> sequence = RecordSequence(it->key().ToStringView());
      if (!sequence || it->key().size() != lower.size()) {
        return Status::Corruption("access log: bad record key");
      }
      if (out.entries.size() == limit) {
        out.next_before = out.entries.back().sequence;
        break;
      }
      Result<AccessEntry> entry = DecodeEntry(*sequence, it->value().ToStringView());
      if (!entry.ok()) return entry.status();
      out.entries.push_back(std::move(entry).value());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "read records");
    return out;
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

  // Writes `batch` (one key per entry) and the new stored range, which leaves out the oldest
  // entries beyond entries_max, in one RocksDB batch. Entries of the batch beyond the bound
  // itself are not written at all.
  Status Write(const std::vector<AccessRead>& batch) EXCLUDES(mutex_) {
    uint64_t first = 0;
    uint64_t next = 0;
    {
      MutexLock lock(mutex_);
      first = first_;
      next = next_;
    }
    size_t entries = 0;
    for (const AccessRead& read : batch) entries += read.member_ids.size();
    const uint64_t end = next + entries;
    const uint64_t keep_from =
        end - first > options_.entries_max ? end - options_.entries_max : first;
    rocksdb::WriteBatch write;
    uint64_t sequence = next;
    for (const AccessRead& read : batch) {
      for (const std::string& member_id : read.member_ids) {
        if (sequence >= keep_from) {
          rocksdb::Status s =
              write.Put(RecordKey(member_id, sequence), EncodeEntry(read, member_id));
          if (!s.ok()) return FromRocks(s, "stage entry");
        }
        ++sequence;
      }
    }
    rocksdb::Status s = write.Put(std::string(1, kSpanTag), SpanValue(keep_from, end));
    if (s.ok()) s = db_->Write(rocksdb::WriteOptions(), &write);
    if (!s.ok()) return FromRocks(s, "write");
    filter_->set_first(keep_from);
    MutexLock lock(mutex_);
    first_ = keep_from;
    next_ = end;
    return Status::Ok();
  }

  const AccessLogOptions options_;
  // Declared before db_, which uses it until closed.
  const std::unique_ptr<TrimmedRecordsFilter> filter_;
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
  auto filter = std::make_unique<TrimmedRecordsFilter>();
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.write_buffer_size = kWriteBufferBytes;
  db_options.keep_log_file_num = kInfoLogFilesMax;
  db_options.compaction_filter = filter.get();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, &raw);
  if (!s.ok()) return FromRocks(s, "open " + options.path);
  std::unique_ptr<rocksdb::DB> db(raw);
  Result<std::pair<uint64_t, uint64_t>> span = StoredSpan(*db);
  if (!span.ok()) return span.status();
  filter->set_first(span->first);
  return std::unique_ptr<AccessLog>(new AccessLog(std::make_unique<Impl>(
      std::move(options), std::move(filter), std::move(db), span->first, span->second)));
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

Status AccessLog::Compact() { return impl_->Compact(); }

}  // namespace ledger
