// ReadModelStore: the persistent rows of one read model (projection), kept in their own RocksDB
// column family "proj.<name>" inside the ledger's database, with the position up to which they
// reflect the log. The same interface serves the ledger's own records beside the log (signed
// checkpoints, the relay's progress), kept in the `meta` family under a key prefix
// (EventStore::OpenMetaTable). Rows and checkpoint are written in one WriteBatch, so after any
// crash they agree and the projection resumes from the checkpoint without double-applying or
// skipping.
//
// Writes are not synced: a read model can always be rebuilt from the log, and RocksDB's single
// WAL keeps them ordered before every later synced append.
//
// Thread-safety: safe for concurrent use; one writer is expected.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/position.h"
#include "domain/status.h"

namespace ledger {

class ReadModelStore {
 public:
  struct RowWrite {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete the row
  };

  virtual ~ReadModelStore() = default;

  // Applies `writes` and, when given, sets the checkpoint (the next position to apply),
  // atomically. Rows written without ever setting a checkpoint are an interrupted rebuild's:
  // readers must ignore them (see Checkpoint).
  virtual Status Commit(const std::vector<RowWrite>& writes,
                        std::optional<Position> checkpoint) = 0;

  // The next position to apply: 0 for a new or cleared read model, and for one whose rebuild
  // was interrupted before its final checkpoint; then any rows present are to be discarded.
  virtual Result<Position> Checkpoint() const = 0;

  // Visits every row in key order (not the checkpoint), stopping early if `visit` returns false.
  virtual Status ForEachRow(
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
  // The same for the rows whose keys lie in [from, to) (no upper bound when `to` is empty), read
  // ahead in large blocks: for loading a read model's tables in parallel, one range per thread.
  virtual Status ForEachRowIn(
      std::string_view from, std::string_view to,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;

  // Deletes every row and the checkpoint, so the read model can be rebuilt from position 0.
  virtual Status Clear() = 0;

  // A rebuild's rows, written in bulk after Clear(): `rows` (key, value) with keys strictly
  // increasing and outside the ranges of earlier loads since the Clear. They go straight into
  // table files, not through the WAL and memtables; when it returns OK they are on disk, ahead of
  // any later Commit. Like rows committed without a checkpoint they are an interrupted rebuild's
  // until a Commit sets one, so a crash before that leaves a read model at position 0.
  // InvalidArgument when the keys are not strictly increasing (nothing is written then).
  virtual Status Load(const std::vector<std::pair<std::string_view, std::string_view>>& rows) = 0;
};

}  // namespace ledger
