// Mutex, SharedMutex and CondVar: std::mutex, std::shared_mutex and std::condition_variable
// with clang's thread-safety annotations (domain/thread_annotations.h), which libstdc++'s types
// lack. Each is the standard type underneath and every method an inline forward, so they cost
// nothing over the standard types; only scoped locking is offered (MutexLock, ReaderMutexLock,
// WriterMutexLock), which is all the code base uses.
//
//   Mutex mutex_;
//   CondVar changed_;
//   int value_ GUARDED_BY(mutex_) = 0;
//   ...
//   MutexLock lock(mutex_);
//   changed_.Wait(lock, [&]() REQUIRES(mutex_) { return value_ > 0; });
//
// A wait predicate runs with the mutex held, but the analysis checks a lambda on its own: say
// REQUIRES(mutex) on it, as above. Thread-safety: these are the synchronisation.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "domain/thread_annotations.h"

namespace ledger {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds `mutex` from construction to destruction; CondVar waits release it meanwhile.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// std::condition_variable, waited on through a MutexLock. The predicate forms only (no lost or
// spurious wake-ups to reason about).
class CondVar {
 public:
  void NotifyOne() noexcept { cv_.notify_one(); }
  void NotifyAll() noexcept { cv_.notify_all(); }

  // Blocks until `ready()` is true; the mutex is released while blocked.
  template <typename Predicate>
  void Wait(MutexLock& lock, Predicate ready) {
    cv_.wait(lock.lock_, std::move(ready));
  }
  // Blocks until `ready()` is true or `timeout` passed; returns `ready()`.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(MutexLock& lock, std::chrono::duration<Rep, Period> timeout, Predicate ready) {
    return cv_.wait_for(lock.lock_, timeout, std::move(ready));
  }

 private:
  std::condition_variable cv_;
};

// A reader-writer lock: std::shared_mutex.
class CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

 private:
  friend class ReaderMutexLock;
  friend class WriterMutexLock;
  std::shared_mutex mutex_;
};

// Holds `mutex` shared (with other readers) for its scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : lock_(mutex.mutex_) {}
  ~ReaderMutexLock() RELEASE() {}
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  std::shared_lock<std::shared_mutex> lock_;
};

// Holds `mutex` exclusively for its scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mutex) ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~WriterMutexLock() RELEASE() {}
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  std::unique_lock<std::shared_mutex> lock_;
};

}  // namespace ledger
