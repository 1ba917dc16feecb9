#include "eventstore/rocks_read_model_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "eventstore/keys.h"

namespace ledger {
namespace {

// Rows are stored under "r" + key; the checkpoint under "c", outside the rows' range.
constexpr char kRowPrefix = 'r';
constexpr std::string_view kCheckpointKey = "c";

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(std::move(message));
  return Status::IoError(std::move(message));
}

class RocksReadModelStore : public ReadModelStore {
 public:
  RocksReadModelStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family) {}

  Status Commit(const std::vector<RowWrite>& writes, std::optional<Position> checkpoint) override {
    rocksdb::WriteBatch batch;
    std::string key;
    for (const RowWrite& write : writes) {
      key.assign(1, kRowPrefix);
      key.append(write.key);
      rocksdb::Status s =
          write.value ? batch.Put(family_, key, *write.value) : batch.Delete(family_, key);
      if (!s.ok()) return FromRocks(s, "stage read model row");
    }
    rocksdb::Status s;
    if (checkpoint) {
      s = batch.Put(family_, kCheckpointKey, PositionKey(checkpoint->value));
      if (!s.ok()) return FromRocks(s, "stage read model checkpoint");
    }
    s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "write read model");
    return Status::Ok();
  }

  Result<Position> Checkpoint() const override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family_, kCheckpointKey, &value);
    if (s.IsNotFound()) return Position{0};
    if (!s.ok()) return FromRocks(s, "read read model checkpoint");
    if (value.size() != 8) return Status::Corruption("read model checkpoint is malformed");
    return Position{DecodeBigEndian64(value)};
  }

  Status ForEachRow(
      const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    rocksdb::ReadOptions options;
    options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
    const std::string prefix(1, kRowPrefix);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (!visit(it->key().ToStringView().substr(1), it->value().ToStringView())) break;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scan read model");
    return Status::Ok();
  }

  Status Clear() override {
    rocksdb::WriteBatch batch;
    // Everything from "" to past the row prefix: rows and checkpoint.
    rocksdb::Status s = batch.DeleteRange(family_, "", std::string(1, kRowPrefix + 1));
    if (s.ok()) s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "clear read model");
    return Status::Ok();
  }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
};

}  // namespace

std::unique_ptr<ReadModelStore> NewRocksReadModelStore(rocksdb::DB* db,
                                                       rocksdb::ColumnFamilyHandle* family) {
  return std::make_unique<RocksReadModelStore>(db, family);
}

}  // namespace ledger
