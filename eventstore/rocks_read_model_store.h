// The RocksDB implementation of ReadModelStore (internal to eventstore/).
#pragma once

#include <memory>
#include <string>

#include "eventstore/read_model_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace ledger {

// The rows stored in `family` of `db` under `key_prefix` ("" for a family of its own); `db` and
// `family` must outlive the returned store. No key of another user of the family may start with
// `key_prefix`.
std::unique_ptr<ReadModelStore> NewRocksReadModelStore(rocksdb::DB* db,
                                                       rocksdb::ColumnFamilyHandle* family,
                                                       std::string key_prefix);

}  // namespace ledger
