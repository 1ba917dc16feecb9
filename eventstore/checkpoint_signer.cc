#include "eventstore/checkpoint_signer.h"

#include "eventstore/keys.h"

namespace ledger {
namespace {
constexpr std::chrono::milliseconds kHeadWaitMs{200};
constexpr std::string_view kSealType = "MonthlyReportSealed";
}  // namespace

CheckpointSigner::CheckpointSigner(EventStore& store, std::shared_ptr<const SigningKey> key,
                                   std::unique_ptr<ReadModelStore> rows,
                                   CheckpointSignerOptions options)
    : store_(store), key_(std::move(key)), rows_(std::move(rows)), options_(options) {}

Result<std::unique_ptr<CheckpointSigner>> CheckpointSigner::Start(
    EventStore& store, std::shared_ptr<const SigningKey> key, CheckpointSignerOptions options) {
  if (options.interval_events == 0) return Status::InvalidArgument("interval_events must be > 0");
  auto rows = store.OpenMetaTable(kCheckpointsTable);
  if (!rows.ok()) return rows.status();
  Result<Position> next = (*rows)->Checkpoint();
  if (!next.ok()) return next.status();
  std::unique_ptr<CheckpointSigner> signer(
      new CheckpointSigner(store, std::move(key), std::move(rows).value(), options));
  signer->next_ = *next;
  auto stored = StoredCheckpoints(store);
  if (!stored.ok()) return stored.status();
  if (!stored->empty()) signer->latest_ = stored->back();
  signer->thread_ = std::thread([s = signer.get()] { s->Run(); });
  return signer;
}

CheckpointSigner::~CheckpointSigner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

std::optional<SignedCheckpoint> CheckpointSigner::Latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

Status CheckpointSigner::health() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

bool CheckpointSigner::WaitForProgress(Position next, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return progress_cv_.wait_for(lock, timeout, [&] { return next_ >= next || !failure_.ok(); }) &&
         next_ >= next;
}

void CheckpointSigner::Run() {
  while (true) {
    Position from;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      from = next_;
    }
    if (!store_.WaitForPosition(from, kHeadWaitMs)) continue;
    auto events = store_.ReadFrom(from, options_.read_events_max);
    Status status = events.status();
    std::vector<ReadModelStore::RowWrite> writes;
    std::optional<SignedCheckpoint> newest;
    Position next = from;
    if (status.ok()) {
      for (const StoredEvent& event : *events) {
        if ((event.position.value + 1) % options_.interval_events == 0 || event.type == kSealType) {
          SignedCheckpoint checkpoint = SignCheckpoint(*key_, event);
          writes.push_back({PositionKey(event.position.value), EncodeCheckpointValue(checkpoint)});
          newest = std::move(checkpoint);
        }
        next = event.position.Next();
      }
      status = rows_->Commit(writes, next);
    }
    std::lock_guard lock(mutex_);
    if (!status.ok()) {
      failure_ = status;
      progress_cv_.notify_all();
      return;
    }
    next_ = next;
    if (newest) latest_ = std::move(newest);
    progress_cv_.notify_all();
  }
}

Result<std::vector<SignedCheckpoint>> StoredCheckpoints(EventStore& store) {
  auto rows = store.OpenMetaTable(kCheckpointsTable);
  if (!rows.ok()) return rows.status();
  std::vector<SignedCheckpoint> checkpoints;
  Status failure;
  Status scan = (*rows)->ForEachRow([&](std::string_view key, std::string_view value) {
    std::optional<SignedCheckpoint> checkpoint;
    if (key.size() == 8)
      checkpoint = DecodeCheckpointValue(Position{DecodeBigEndian64(key)}, value);
    if (!checkpoint) {
      failure = Status::Corruption("stored checkpoint row is malformed");
      return false;
    }
    checkpoints.push_back(std::move(*checkpoint));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!failure.ok()) return failure;
  return checkpoints;
}

}  // namespace ledger
