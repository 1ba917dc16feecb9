#include "api/sign_in_throttle.h"

#include <algorithm>

namespace ledger::api {

std::optional<int64_t> SignInThrottle::Over(Failures& failures, std::string_view key, size_t max,
                                            int64_t now_us) {
  auto it = failures.find(std::string(key));
  if (it == failures.end()) return std::nullopt;
  std::deque<int64_t>& times = it->second;
  while (!times.empty() && times.front() <= now_us - options_.window_us) times.pop_front();
  if (times.empty()) {
    failures.erase(it);
    return std::nullopt;
  }
  if (times.size() < max) return std::nullopt;
  // Until the oldest failure that keeps it at the limit leaves the window.
  const int64_t free_at_us = times[times.size() - max] + options_.window_us;
  return std::max<int64_t>(1, (free_at_us - now_us + 999'999) / 1'000'000);
}

void SignInThrottle::Add(Failures& failures, std::string_view key, int64_t now_us) {
  if (failures.size() >= options_.entries_max && !failures.contains(std::string(key))) {
    std::erase_if(failures, [&](const auto& entry) {
      return entry.second.empty() || entry.second.back() <= now_us - options_.window_us;
    });
    if (failures.size() >= options_.entries_max) {
      auto oldest = std::min_element(
          failures.begin(), failures.end(),
          [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
      failures.erase(oldest);
    }
  }
  std::deque<int64_t>& times = failures[std::string(key)];
  times.push_back(now_us);
  // Only the newest `max` matter; a bound on memory per key.
  const size_t keep = std::max(options_.login_failures_max, options_.address_failures_max);
  while (times.size() > keep) times.pop_front();
}

std::optional<int64_t> SignInThrottle::RetryAfterSeconds(std::string_view login,
                                                         std::string_view address, int64_t now_us) {
  std::lock_guard lock(mutex_);
  std::optional<int64_t> by_login = Over(by_login_, login, options_.login_failures_max, now_us);
  std::optional<int64_t> by_address =
      Over(by_address_, address, options_.address_failures_max, now_us);
  if (by_login && by_address) return std::max(*by_login, *by_address);
  return by_login ? by_login : by_address;
}

void SignInThrottle::RecordFailure(std::string_view login, std::string_view address,
                                   int64_t now_us) {
  std::lock_guard lock(mutex_);
  Add(by_login_, login, now_us);
  Add(by_address_, address, now_us);
}

void SignInThrottle::RecordSuccess(std::string_view login) {
  std::lock_guard lock(mutex_);
  by_login_.erase(std::string(login));
}

}  // namespace ledger::api
