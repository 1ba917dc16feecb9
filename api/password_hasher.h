// Passwords (API.md, "People: accounts and sessions"; docs/accounts.md): Argon2id hashes through
// libsodium's crypto_pwhash_str with the interactive limits (64 MiB and about 0.1 s per hash on
// this machine), the password policy, and the small pool that runs the hashing off the I/O
// threads, so that a burst of sign-ins never stalls reads.
//
// Thread-safety: all functions and methods are safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ledger::api {

inline constexpr size_t kPasswordCharactersMin = 8;
inline constexpr size_t kPasswordBytesMax = 256;  // a bound on what is hashed

enum class PasswordCheck { kOk, kTooShort, kTooLong, kCommon };

// Whether `password` may be set: at least kPasswordCharactersMin characters (UTF-8 code points),
// at most kPasswordBytesMax bytes, and not one of the common passwords of
// api/data/common_passwords.txt (compared with ASCII letters lowercased).
PasswordCheck CheckPassword(std::string_view password);
// How many common passwords are refused (the embedded list's size).
size_t CommonPasswordCount();

// The Argon2id hash of `password` (a "$argon2id$..." string); nullopt when libsodium cannot get
// the memory.
std::optional<std::string> HashPassword(std::string_view password);
// Whether `password` matches `hash`. An empty or malformed `hash` is checked against a dummy
// hash of the same cost, so that an unknown login costs the time a wrong password costs.
bool VerifyPassword(const std::string& hash, std::string_view password);
// Makes that dummy hash now (one hash's time) rather than on the first unknown login, which
// would otherwise take twice a wrong password's time and so tell the login is unknown.
void PrepareDummyHash();

// A fixed number of threads running jobs from a bounded queue.
class WorkPool {
 public:
  WorkPool(int threads, size_t queue_jobs_max);
  // Runs every queued job, then joins the threads.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job`; false (and `job` dropped) when queue_jobs_max jobs wait already.
  bool Submit(std::function<void()> job);

 private:
  void Run();

  const size_t queue_jobs_max_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace ledger::api
