// Helpers shared by the event store tests: throwaway directories and event drafts.
#pragma once

#include <filesystem>
#include <string>

#include "eventstore/event.h"

namespace ledger::testing {

// A fresh directory under the system temp dir, removed when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A draft with deterministic content derived from `id`, so a reader can check it is intact.
EventDraft MakeDraft(const std::string& id, const std::string& stream,
                     std::string type = "ServiceLogged");

// The payload MakeDraft gives `id`.
std::string PayloadFor(const std::string& id);

// The event of the test vector in docs/event_format.md (its hash is computed there).
StoredEvent DocumentedVectorEvent();

// The integer in environment variable `name`, or `fallback` when it is not set (test knobs such
// as the number of crash cycles or a seed to replay).
int EnvInt(const char* name, int fallback);

// Rewrites the log entry at `position` of the closed store at `path`, bypassing every check of
// the store: flips one bit of its payload (leaving the stored hash alone), or removes it.
void TamperLogEntry(const std::string& path, uint64_t position, bool remove);

}  // namespace ledger::testing
