#include "eventstore/rocks_read_model_store.h"

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>

#include "eventstore/keys.h"

namespace ledger {
namespace {

// Below the store's key prefix, rows are stored under "r" + key and the checkpoint under "c",
// outside the rows' range.
constexpr char kRowTag = 'r';
constexpr char kCheckpointTag = 'c';
// A scan reads the SST files ahead in blocks of this size rather than one 4 KiB block at a time.
constexpr size_t kScanReadahead = 4 << 20;

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::IoError(std::move(message));
}

class RocksReadModelStore : public ReadModelStore {
 public:
  RocksReadModelStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, std::string prefix)
      : db_(db),
        family_(family),
        row_prefix_(prefix + kRowTag),
        checkpoint_key_(prefix + kCheckpointTag),
        end_key_(prefix + static_cast<char>(kRowTag + 1)),
        prefix_(std::move(prefix)) {}

  Status Commit(const std::vector<RowWrite>& writes, std::optional<Position> checkpoint) override {
    if (Status ingested = IngestLoaded(); !ingested.ok()) return ingested;
    rocksdb::WriteBatch batch;
    std::string key;
    for (const RowWrite& write : writes) {
      key.assign(row_prefix_);
      key.append(write.key);
      rocksdb::Status s =
          write.value ? batch.Put(family_, key, *write.value) : batch.Delete(family_, key);
      if (!s.ok()) return FromRocks(s, "stage read model row");
    }
    rocksdb::Status s;
    if (checkpoint) {
      s = batch.Put(family_, checkpoint_key_, PositionKey(checkpoint->value));
      if (!s.ok()) return FromRocks(s, "stage read model checkpoint");
    }
    s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "write read model");
    return Status::Ok();
  }

  Result<Position> Checkpoint() const override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family_, checkpoint_key_, &value);
    if (s.IsNotFound()) return Position{0};
    if (!s.ok()) return FromRocks(s, "read read model checkpoint");
    if (value.size() != 8) return Status::Corruption("read model checkpoint is malformed");
    return Position{DecodeBigEndian64(value)};
  }

  Status ForEachRow(
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    return ForEachRowIn("", "", visit);
  }

  Status ForEachRowIn(
      std::string_view from, std::string_view to,
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    const std::string first = row_prefix_ + std::string(from);
    const std::string bound = to.empty() ? end_key_ : row_prefix_ + std::string(to);
    const rocksdb::Slice upper(bound);
    rocksdb::ReadOptions options;
    options.fill_cache = false;  // one pass over every row: keep the cache for the lookups
    options.readahead_size = kScanReadahead;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
    for (it->Seek(first); it->Valid(); it->Next()) {
      if (!visit(it->key().ToStringView().substr(row_prefix_.size()), it->value().ToStringView())) {
        break;
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan read model");
    return Status::Ok();
  }

  ~RocksReadModelStore() override { DropLoaded(); }

  Status Load(const std::vector<std::pair<std::string_view, std::string_view>>& rows) override {
    if (rows.empty()) return Status::Ok();
    for (size_t i = 1; i < rows.size(); ++i) {
      if (!(rows[i - 1].first < rows[i].first)) {
        return Status::InvalidArgument("read model load: keys are not strictly increasing");
      }
    }
    // A table file of the family's own format (comparator, filters, compression) in the
    // database's directory; the next Commit moves it into the family.
    static std::atomic<uint64_t> files{0};
    const std::string file = db_->GetName() + "/load-" + std::to_string(::getpid()) + "-" +
                             std::to_string(files++) + ".sst";
    const rocksdb::Options options(db_->GetDBOptions(), db_->GetOptions(family_));
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, family_);
    rocksdb::Status s = writer.Open(file);
    std::string key;
    for (size_t i = 0; s.ok() && i < rows.size(); ++i) {
      key.assign(row_prefix_);
      key.append(rows[i].first);
      s = writer.Put(key, rows[i].second);
    }
    if (s.ok()) s = writer.Finish();  // synced
    if (!s.ok()) {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
      return FromRocks(s, "load read model rows");
    }
    std::lock_guard lock(loaded_mutex_);
    loaded_.push_back(file);
    return Status::Ok();
  }

  Status Clear() override {
    DropLoaded();
    rocksdb::WriteBatch batch;
    // Everything from the prefix to past its rows: rows and checkpoint ("c" < "r").
    rocksdb::Status s = batch.DeleteRange(family_, prefix_, end_key_);
    if (s.ok()) s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "clear read model");
    return Status::Ok();
  }

 private:
  // The files of the loads since the last Commit, moved into the family in one ingestion: they
  // hold disjoint key ranges, and one ingestion leaves the compaction of them all (above the
  // Clear's range deletion) to the background after the rebuild, as the flushes of written
  // rows would.
  Status IngestLoaded() {
    std::lock_guard lock(loaded_mutex_);
    if (loaded_.empty()) return Status::Ok();
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    // The Clear's range deletion may still be in a memtable: the files then go above it.
    ingest.allow_blocking_flush = true;
    ingest.allow_global_seqno = true;
    const rocksdb::Status s = db_->IngestExternalFile(family_, loaded_, ingest);
    std::error_code ignored;
    for (const std::string& file : loaded_) std::filesystem::remove(file, ignored);
    loaded_.clear();
    if (!s.ok()) return FromRocks(s, "load read model rows");
    return Status::Ok();
  }
  void DropLoaded() {
    std::lock_guard lock(loaded_mutex_);
    std::error_code ignored;
    for (const std::string& file : loaded_) std::filesystem::remove(file, ignored);
    loaded_.clear();
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  const std::string row_prefix_;
  const std::string checkpoint_key_;
  const std::string end_key_;
  const std::string prefix_;
  std::mutex loaded_mutex_;
  std::vector<std::string> loaded_;
};

}  // namespace

std::unique_ptr<ReadModelStore> NewRocksReadModelStore(rocksdb::DB* db,
                                                       rocksdb::ColumnFamilyHandle* family,
                                                       std::string key_prefix) {
  return std::make_unique<RocksReadModelStore>(db, family, std::move(key_prefix));
}

}  // namespace ledger
