#include "tests/eventstore/fault_injection_fs.h"

#include <unistd.h>

#include "domain/assert.h"

namespace ledger::testing {
namespace {

bool IsWal(const std::string& fname) {
  return fname.size() > 4 && fname.compare(fname.size() - 4, 4, ".log") == 0;
}

class FaultyWalFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWalFile(std::unique_ptr<rocksdb::FSWritableFile> file, FaultInjectionFileSystem* fs,
                std::string fname)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), fname_(std::move(fname)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_->ShouldFailAppend()) return rocksdb::IOStatus::IOError("injected WAL append failure");
    rocksdb::IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (fs_->ShouldFailAppend()) return rocksdb::IOStatus::IOError("injected WAL append failure");
    rocksdb::IOStatus s = target()->Append(data, options, info, dbg);
    if (s.ok()) fs_->Appended(fname_, data.size());
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (fs_->ShouldFailSync()) return rocksdb::IOStatus::IOError("injected WAL sync failure");
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(fname_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (fs_->ShouldFailSync()) return rocksdb::IOStatus::IOError("injected WAL fsync failure");
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(fname_);
    return s;
  }

 private:
  FaultInjectionFileSystem* fs_;
  std::string fname_;
};

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)) {}

void FaultInjectionFileSystem::FailNthWalAppend(int n) {
  std::lock_guard lock(mutex_);
  appends_until_failure_ = n;
}

void FaultInjectionFileSystem::FailNthWalSync(int n) {
  std::lock_guard lock(mutex_);
  syncs_until_failure_ = n;
}

void FaultInjectionFileSystem::Disarm() {
  std::lock_guard lock(mutex_);
  appends_until_failure_ = 0;
  syncs_until_failure_ = 0;
}

bool FaultInjectionFileSystem::ShouldFailAppend() {
  std::lock_guard lock(mutex_);
  return appends_until_failure_ > 0 && --appends_until_failure_ == 0;
}

void FaultInjectionFileSystem::HoldNextWalSync() {
  std::lock_guard lock(mutex_);
  hold_ = Hold::kArmed;
  fail_held_ = false;
}

void FaultInjectionFileSystem::WaitUntilSyncHeld() {
  std::unique_lock lock(mutex_);
  hold_cv_.wait(lock, [&] { return hold_ == Hold::kHolding; });
}

void FaultInjectionFileSystem::ReleaseHeldSync(bool fail) {
  {
    std::lock_guard lock(mutex_);
    LEDGER_ASSERT(hold_ == Hold::kHolding);
    hold_ = Hold::kReleased;
    fail_held_ = fail;
  }
  hold_cv_.notify_all();
}

bool FaultInjectionFileSystem::ShouldFailSync() {
  std::unique_lock lock(mutex_);
  if (hold_ == Hold::kArmed) {
    hold_ = Hold::kHolding;
    hold_cv_.notify_all();
    hold_cv_.wait(lock, [&] { return hold_ == Hold::kReleased; });
    hold_ = Hold::kOff;
    if (fail_held_) return true;
  }
  return syncs_until_failure_ > 0 && --syncs_until_failure_ == 0;
}

void FaultInjectionFileSystem::Appended(const std::string& fname, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  wal_files_[fname].size_bytes += bytes;
}

void FaultInjectionFileSystem::Synced(const std::string& fname) {
  std::lock_guard lock(mutex_);
  WalState& state = wal_files_[fname];
  state.synced_bytes = state.size_bytes;
}

void FaultInjectionFileSystem::DropUnsyncedWalData() {
  std::lock_guard lock(mutex_);
  for (auto& [fname, state] : wal_files_) {
    if (access(fname.c_str(), F_OK) != 0) continue;  // deleted after a flush
    LEDGER_ASSERT(truncate(fname.c_str(), static_cast<off_t>(state.synced_bytes)) == 0);
    state.size_bytes = state.synced_bytes;
  }
}

rocksdb::IOStatus FaultInjectionFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  if (s.ok() && IsWal(fname)) {
    {
      std::lock_guard lock(mutex_);
      wal_files_[fname] = WalState{};
    }
    *result = std::make_unique<FaultyWalFile>(std::move(*result), this, fname);
  }
  return s;
}

rocksdb::IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->ReopenWritableFile(fname, options, result, dbg);
  if (s.ok() && IsWal(fname)) {
    uint64_t size = 0;
    target()->GetFileSize(fname, rocksdb::IOOptions(), &size, dbg).PermitUncheckedError();
    {
      std::lock_guard lock(mutex_);
      wal_files_[fname] = WalState{size, size};
    }
    *result = std::make_unique<FaultyWalFile>(std::move(*result), this, fname);
  }
  return s;
}

std::unique_ptr<rocksdb::Env> NewEnvOver(const std::shared_ptr<FaultInjectionFileSystem>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace ledger::testing
