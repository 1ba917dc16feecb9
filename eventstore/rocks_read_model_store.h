// The RocksDB implementation of ReadModelStore (internal to eventstore/).
#pragma once

#include <memory>

#include "eventstore/read_model_store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace ledger {

// Rows of one column family of `db`; both must outlive the returned store.
std::unique_ptr<ReadModelStore> NewRocksReadModelStore(rocksdb::DB* db,
                                                       rocksdb::ColumnFamilyHandle* family);

}  // namespace ledger
