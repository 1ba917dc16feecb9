// Projector: the read side. A background thread follows the log from the read model's
// checkpoint, applies each committed event to an in-memory LedgerState (the same rules as the
// write side), and every `flush_events_max` events, or whenever it has caught up, writes the
// changed rows together with the new checkpoint in one batch. A crash therefore never
// double-applies or skips an event, and a restart loads the rows instead of replaying the log.
//
// Readers see the in-memory state under a shared lock; WaitForApplied gives read-your-writes.
// The writer applies in slices, each under its own hold of the lock, so a reader waits at most
// for one slice: whole appends only (a batch is never half visible), about slice_events_min
// events unless one append is larger.
// Thread-safety: all public methods are safe from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "domain/ledger_state.h"
#include "domain/mutex.h"
#include "domain/status.h"
#include "eventstore/event_store.h"
#include "eventstore/read_model_store.h"

namespace ledger {

struct ProjectorOptions {
  size_t read_events_max = 4096;    // events read from the log per step
  size_t flush_events_max = 50000;  // applied events between row flushes while catching up
  // Events applied under one hold of the state's lock, at least: a slice ends at the first
  // append's end after this many, so readers wait for one slice, not a whole step, and never
  // see part of an append (see Step).
  size_t slice_events_min = 128;
};

class Projector {
 public:
  // Loads the state from `rows` and starts following `store` from their checkpoint. Both must
  // outlive the projector. Corruption if the rows are malformed.
  static Result<std::unique_ptr<Projector>> Start(const EventStore& store, ReadModelStore& rows,
                                                  ProjectorOptions options = {});
  // Likewise from a state the caller loaded from `rows` (LoadLedgerState gave it and
  // `checkpoint`), so that one load serves the write side too (LedgerNode copies it).
  static Result<std::unique_ptr<Projector>> Start(const EventStore& store, ReadModelStore& rows,
                                                  LedgerState loaded, Position checkpoint,
                                                  ProjectorOptions options = {});

  // Stops following and flushes what was applied.
  ~Projector();

  // Calls `read(state)` under a shared lock; the state reflects exactly the events before
  // applied().
  template <typename Reader>
  auto Read(Reader&& read) const EXCLUDES(state_mutex_) {
    ReaderMutexLock lock(state_mutex_);
    return read(static_cast<const LedgerState&>(state_));
  }

  // Calls `applied(event)` for every event the projector applies from now on, on its thread,
  // after the event is in the state and before applied() passes it (so before a read that waits
  // for it runs). It must not block nor call back into the projector.
  void OnApplied(std::function<void(const StoredEvent&)> applied) EXCLUDES(state_mutex_);

  // The next position to apply: every event before it is reflected in the state.
  Position applied() const EXCLUDES(progress_mutex_);

  // Blocks until every event before `next` is applied, the projector fails, or the timeout runs
  // out. True when applied.
  bool WaitForApplied(Position next, std::chrono::milliseconds timeout) const
      EXCLUDES(progress_mutex_);

  // The error that stopped the projector (a log the rules refuse, a failed write), or OK.
  Status health() const EXCLUDES(progress_mutex_);

  // Replays the log from position 0 into `rows` on the calling thread (after clearing them) and
  // returns the number of events applied: the rebuild of `ledgerctl rebuild`.
  static Result<uint64_t> Rebuild(const EventStore& store, ReadModelStore& rows,
                                  ProjectorOptions options = {});

 private:
  Projector(const EventStore& store, ReadModelStore& rows, ProjectorOptions options);
  // Loads the state from the rows (clearing them when they hold no checkpoint), starts tracking
  // changes and returns the checkpoint. Before the thread starts.
  Result<Position> LoadState() EXCLUDES(state_mutex_, progress_mutex_);
  // Takes `loaded`, loaded from the rows at `checkpoint`: the rest of LoadState.
  Status AdoptState(LedgerState loaded, Position checkpoint)
      EXCLUDES(state_mutex_, progress_mutex_);
  // Starts the thread that follows the log from `checkpoint`.
  static std::unique_ptr<Projector> Run(std::unique_ptr<Projector> projector, Position checkpoint);
  void Run();
  // Applies the events read next from the log in slices (ApplySlice); flushes as options say.
  // Returns false on failure.
  bool Step() EXCLUDES(state_mutex_, progress_mutex_);
  // Applies events[begin...] under one hold of the lock: at least slice_events_min of them,
  // then up to the end of the append the last one belongs to. Returns the end of the slice;
  // `status` says whether the last event applied.
  size_t ApplySlice(const std::vector<StoredEvent>& events, size_t begin, Status& status)
      EXCLUDES(state_mutex_);
  Status Flush() EXCLUDES(state_mutex_, progress_mutex_);
  // The rows changed since the last call. The writer thread holds the lock shared only, so that
  // readers go on meanwhile: it takes the change log, which only the writer thread touches and
  // readers never read, and merely reads the rest of the state (hence no analysis inside).
  std::vector<ReadModelStore::RowWrite> TakeChangedRows()
      REQUIRES_SHARED(state_mutex_) NO_THREAD_SAFETY_ANALYSIS;

  const EventStore& store_;
  ReadModelStore& rows_;
  const ProjectorOptions options_;

  mutable SharedMutex state_mutex_;
  LedgerState state_ GUARDED_BY(state_mutex_);
  std::function<void(const StoredEvent&)> on_applied_ GUARDED_BY(state_mutex_);

  mutable Mutex progress_mutex_;
  mutable CondVar progress_cv_;
  Position applied_ GUARDED_BY(progress_mutex_);
  Position flushed_;  // writer thread only
  Status failure_ GUARDED_BY(progress_mutex_);
  bool stopping_ GUARDED_BY(progress_mutex_) = false;

  std::thread thread_;
};

}  // namespace ledger
