// FaultInjectionFileSystem: a RocksDB FileSystem wrapper for tests that fails the Nth append or
// sync of a write-ahead-log file on demand, and can drop what was written to WAL files but never
// synced, as a power cut would (after leveldb's fault_injection_test and RocksDB's
// FaultInjectionTestFS). Thread-safe.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ledger::testing {

class FaultInjectionFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultInjectionFileSystem(std::shared_ptr<rocksdb::FileSystem> base);

  static const char* kClassName() { return "LedgerFaultInjectionFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // From now on, the nth (1-based) append to a WAL file fails with an I/O error, writing nothing.
  void FailNthWalAppend(int n);
  // From now on, the nth (1-based) sync of a WAL file fails with an I/O error.
  void FailNthWalSync(int n);
  // Stops injecting failures.
  void Disarm();
  // From now on, the next sync of a WAL file waits before syncing until ReleaseHeldSync, so a
  // test can act while a commit group is in flight.
  void HoldNextWalSync();
  // Blocks until a WAL sync is held.
  void WaitUntilSyncHeld();
  // Lets the held sync go on; with `fail`, it fails with an I/O error instead of syncing.
  void ReleaseHeldSync(bool fail);
  // Truncates every WAL file written through this file system to its last synced size.
  // REQUIRES: no database is open on these files.
  void DropUnsyncedWalData();

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;

  // Called by the file wrappers.
  bool ShouldFailAppend();
  bool ShouldFailSync();  // waits first while a sync is held
  void Appended(const std::string& fname, uint64_t bytes);
  void Synced(const std::string& fname);

 private:
  struct WalState {
    uint64_t size_bytes = 0;
    uint64_t synced_bytes = 0;
  };
  std::mutex mutex_;
  std::condition_variable hold_cv_;
  int appends_until_failure_ = 0;  // 0: off
  int syncs_until_failure_ = 0;    // 0: off
  enum class Hold { kOff, kArmed, kHolding, kReleased };
  Hold hold_ = Hold::kOff;
  bool fail_held_ = false;
  std::map<std::string, WalState> wal_files_;
};

// An Env that routes file I/O through `fs`. Keep it alive while the store is open.
std::unique_ptr<rocksdb::Env> NewEnvOver(const std::shared_ptr<FaultInjectionFileSystem>& fs);

}  // namespace ledger::testing
