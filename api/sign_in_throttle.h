// SignInThrottle: failed sign-ins counted per login and per client address, in a sliding window
// (API.md: after 5 failures for one login within 15 minutes, 429 rate_limited with Retry-After).
// The per-address limit keeps one address from trying many logins. Both maps are bounded: past
// entries_max entries, the ones with no failure left in the window are dropped, and then, if
// still over, the oldest.
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ledger::api {

struct SignInThrottleOptions {
  int64_t window_us = int64_t{15} * 60 * 1'000'000;
  size_t login_failures_max = 5;
  size_t address_failures_max = 30;
  size_t entries_max = 100'000;  // per map
};

class SignInThrottle {
 public:
  explicit SignInThrottle(SignInThrottleOptions options = {}) : options_(options) {}

  // Seconds to wait when `login` or `address` is over its limit now; nullopt when neither is.
  std::optional<int64_t> RetryAfterSeconds(std::string_view login, std::string_view address,
                                           int64_t now_us);
  void RecordFailure(std::string_view login, std::string_view address, int64_t now_us);
  // A correct password clears the login's failures (not the address's).
  void RecordSuccess(std::string_view login);

 private:
  using Failures = std::unordered_map<std::string, std::deque<int64_t>>;
  std::optional<int64_t> Over(Failures& failures, std::string_view key, size_t max, int64_t now_us);
  void Add(Failures& failures, std::string_view key, int64_t now_us);

  const SignInThrottleOptions options_;
  std::mutex mutex_;
  Failures by_login_;    // guarded by mutex_
  Failures by_address_;  // guarded by mutex_
};

}  // namespace ledger::api
