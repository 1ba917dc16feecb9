// CheckpointSigner: follows the committed log and signs a checkpoint every `interval_events`
// events and at every MonthlyReportSealed, storing them in the meta table "checkpoints" (in the
// log's `meta` column family; row key: big-endian position). Its own progress is that table's
// checkpoint, written in the same batch, so a restart neither skips nor repeats.
//
// Thread-safety: safe for concurrent use; one background thread signs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/signed_checkpoint.h"
#include "eventstore/signing_key.h"

namespace ledger {

inline constexpr std::string_view kCheckpointsTable = "checkpoints";

struct CheckpointSignerOptions {
  uint64_t interval_events = 10000;  // sign when position + 1 is a multiple of this
  size_t read_events_max = 4096;
};

class CheckpointSigner {
 public:
  // Starts signing from where the "checkpoints" meta table left off. `store` and `key` must
  // outlive the signer.
  static Result<std::unique_ptr<CheckpointSigner>> Start(EventStore& store,
                                                         std::shared_ptr<const SigningKey> key,
                                                         CheckpointSignerOptions options = {});
  ~CheckpointSigner();

  // The newest stored checkpoint, if any.
  std::optional<SignedCheckpoint> Latest() const;

  // Blocks until every event before `next` has been considered for signing (or the timeout).
  bool WaitForProgress(Position next, std::chrono::milliseconds timeout) const;

  // The error that stopped the signer, or OK.
  Status health() const;

 private:
  CheckpointSigner(EventStore& store, std::shared_ptr<const SigningKey> key,
                   std::unique_ptr<ReadModelStore> rows, CheckpointSignerOptions options);
  void Run();

  EventStore& store_;
  std::shared_ptr<const SigningKey> key_;
  std::unique_ptr<ReadModelStore> rows_;
  const CheckpointSignerOptions options_;

  mutable std::mutex mutex_;
  mutable std::condition_variable progress_cv_;
  Position next_;                           // guarded by mutex_
  std::optional<SignedCheckpoint> latest_;  // guarded by mutex_
  Status failure_;                          // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::thread thread_;
};

// Every checkpoint stored in `store`'s "checkpoints" meta table, in position order.
Result<std::vector<SignedCheckpoint>> StoredCheckpoints(EventStore& store);

}  // namespace ledger
