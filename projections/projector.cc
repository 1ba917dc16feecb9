#include "projections/projector.h"

#include <pthread.h>

#include "eventstore/ledger_replay.h"

namespace ledger {
namespace {
// How long the follower waits on the head before looking at the stop flag again.
constexpr std::chrono::milliseconds kHeadWaitMs{200};
}  // namespace

Projector::Projector(const EventStore& store, ReadModelStore& rows, ProjectorOptions options)
    : store_(store), rows_(rows), options_(options) {}

Result<std::unique_ptr<Projector>> Projector::Start(const EventStore& store, ReadModelStore& rows,
                                                    ProjectorOptions options) {
  std::unique_ptr<Projector> projector(new Projector(store, rows, options));
  Result<Position> checkpoint = projector->LoadState();
  if (!checkpoint.ok()) return checkpoint.status();
  return Run(std::move(projector), *checkpoint);
}

Result<std::unique_ptr<Projector>> Projector::Start(const EventStore& store, ReadModelStore& rows,
                                                    LedgerState loaded, Position checkpoint,
                                                    ProjectorOptions options) {
  std::unique_ptr<Projector> projector(new Projector(store, rows, options));
  if (Status status = projector->AdoptState(std::move(loaded), checkpoint); !status.ok()) {
    return status;
  }
  return Run(std::move(projector), checkpoint);
}

std::unique_ptr<Projector> Projector::Run(std::unique_ptr<Projector> projector,
                                          Position checkpoint) {
  projector->flushed_ = checkpoint;
  projector->thread_ = std::thread([p = projector.get()] {
    pthread_setname_np(pthread_self(), "ledger-project");  // for perf and top
    p->Run();
  });
  return projector;
}

Result<Position> Projector::LoadState() {
  LedgerState loaded;
  Result<Position> checkpoint = LoadLedgerState(rows_, loaded);
  if (!checkpoint.ok()) return checkpoint.status();
  if (Status status = AdoptState(std::move(loaded), *checkpoint); !status.ok()) return status;
  return checkpoint;
}

Status Projector::AdoptState(LedgerState loaded, Position checkpoint) {
  // No other thread runs yet; the locks are for the analysis.
  WriterMutexLock state_lock(state_mutex_);
  state_ = std::move(loaded);
  if (checkpoint.value == 0) {
    // Nothing reliable persisted: drop any leftovers of an interrupted rebuild, and record the
    // format the rows will be written in (it lands with the first checkpoint).
    if (Status status = rows_.Clear(); !status.ok()) return status;
    if (Status status = rows_.Commit({LedgerRowsFormatRow()}, std::nullopt); !status.ok()) {
      return status;
    }
  }
  state_.TrackChanges(true);
  MutexLock progress_lock(progress_mutex_);
  applied_ = checkpoint;
  return Status::Ok();
}

Projector::~Projector() {
  {
    MutexLock lock(progress_mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Projector::OnApplied(std::function<void(const StoredEvent&)> applied) {
  WriterMutexLock lock(state_mutex_);
  on_applied_ = std::move(applied);
}

Position Projector::applied() const {
  MutexLock lock(progress_mutex_);
  return applied_;
}

Status Projector::health() const {
  MutexLock lock(progress_mutex_);
  return failure_;
}

bool Projector::WaitForApplied(Position next, std::chrono::milliseconds timeout) const {
  MutexLock lock(progress_mutex_);
  return progress_cv_.WaitFor(lock, timeout, [&]() REQUIRES(progress_mutex_) {
    return applied_ >= next || !failure_.ok();
  }) && applied_ >= next;
}

void Projector::Run() {
  while (true) {
    {
      MutexLock lock(progress_mutex_);
      if (stopping_) break;
    }
    const Position next = applied();
    if (!store_.WaitForPosition(next, kHeadWaitMs)) continue;
    if (!Step()) return;
  }
  Status status = Flush();
  if (!status.ok()) {
    MutexLock lock(progress_mutex_);
    failure_ = status;
  }
}

namespace {
// Whether `a` and `b` may belong to one append: the store gives all the events of an append the
// same recorded_at (and recorded_at never goes back), so events whose recorded_at differ were
// appended apart. Appends sharing a microsecond merely stay together.
bool MayShareAppend(const StoredEvent& a, const StoredEvent& b) {
  return a.recorded_at_us == b.recorded_at_us;
}
}  // namespace

size_t Projector::ApplySlice(const std::vector<StoredEvent>& events, size_t begin, Status& status) {
  size_t end = begin;
  WriterMutexLock lock(state_mutex_);
  while (end < events.size()) {
    if (end > begin && end - begin >= options_.slice_events_min &&
        !MayShareAppend(events[end - 1], events[end])) {
      break;
    }
    status = ApplyCommitted(state_, events[end]);
    if (!status.ok()) break;
    if (on_applied_) on_applied_(events[end]);
    ++end;
  }
  return end;
}

bool Projector::Step() {
  const Position from = applied();
  Result<std::vector<StoredEvent>> read = store_.ReadFrom(from, options_.read_events_max);
  Status status = read.status();
  Position next = from;
  if (status.ok()) {
    std::vector<StoredEvent>& events = *read;
    // A full read may end inside an append: leave its part for the next step, unless the whole
    // read is one append (larger than a read: then it is applied in parts, as it must be).
    if (events.size() == options_.read_events_max) {
      size_t keep = events.size();
      while (keep > 1 && MayShareAppend(events[keep - 2], events[keep - 1])) --keep;
      if (keep > 1) events.resize(keep - 1);
    }
    for (size_t begin = 0; begin < events.size() && status.ok();) {
      const size_t end = ApplySlice(events, begin, status);
      if (end > begin) {
        next = events[end - 1].position.Next();
        {
          MutexLock lock(progress_mutex_);
          applied_ = next;
        }
        progress_cv_.NotifyAll();
      }
      begin = end;
    }
  }
  // Flush when enough has piled up, or when caught up (so a quiet ledger's rows are current).
  if (status.ok() &&
      (next.value - flushed_.value >= options_.flush_events_max || next >= store_.GetHead().next)) {
    status = Flush();
  }
  if (!status.ok()) {
    MutexLock lock(progress_mutex_);
    failure_ = status;
    progress_cv_.NotifyAll();
    return false;
  }
  return true;
}

Status Projector::Flush() {
  std::vector<ReadModelStore::RowWrite> writes;
  Position at;
  {
    ReaderMutexLock lock(state_mutex_);
    at = applied();
    if (at == flushed_) return Status::Ok();
    writes = TakeChangedRows();
  }
  if (Status status = rows_.Commit(writes, at); !status.ok()) return status;
  flushed_ = at;
  return Status::Ok();
}

std::vector<ReadModelStore::RowWrite> Projector::TakeChangedRows() { return TakeRowWrites(state_); }

Result<uint64_t> Projector::Rebuild(const EventStore& store, ReadModelStore& rows,
                                    ProjectorOptions) {
  LedgerState state;
  Result<Position> next = ReplayInto(store, Position{0}, state);
  if (!next.ok()) return next.status();
  if (Status status = DumpLedgerState(state, *next, rows); !status.ok()) return status;
  return next->value;
}

}  // namespace ledger
