#include "api/password_hasher.h"

#include <sodium.h>

#include <algorithm>
#include <unordered_set>

#include "domain/assert.h"

namespace ledger::api {

std::string_view CommonPasswordsText();  // common_passwords.cc, generated

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x80 ? static_cast<char>(std::tolower(byte)) : c;
  });
  return out;
}

const std::unordered_set<std::string_view>& CommonPasswords() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> words;
    std::string_view text = CommonPasswordsText();
    while (!text.empty()) {
      const size_t end = std::min(text.find('\n'), text.size());
      if (end > 0) words.insert(text.substr(0, end));
      text.remove_prefix(std::min(end + 1, text.size()));
    }
    return words;
  }();
  return set;
}

void InitSodium() {
  static const int initialised = sodium_init();
  LEDGER_ASSERT(initialised >= 0);
}

// A hash of a password nobody has, with the same cost as every other.
const std::string& DummyHash() {
  static const std::string hash = [] {
    std::optional<std::string> made =
        HashPassword("no account has this password: " + std::to_string(randombytes_random()));
    LEDGER_ASSERT(made.has_value());
    return *made;
  }();
  return hash;
}

}  // namespace

size_t CommonPasswordCount() { return CommonPasswords().size(); }

void PrepareDummyHash() {
  InitSodium();
  static_cast<void>(DummyHash());
}

PasswordCheck CheckPassword(std::string_view password) {
  if (password.size() > kPasswordBytesMax) return PasswordCheck::kTooLong;
  // Characters, not bytes: a password of Chinese characters counts each one once.
  const size_t characters = static_cast<size_t>(
      std::count_if(password.begin(), password.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  if (characters < kPasswordCharactersMin) return PasswordCheck::kTooShort;
  if (CommonPasswords().contains(Lowercase(password))) return PasswordCheck::kCommon;
  return PasswordCheck::kOk;
}

std::optional<std::string> HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return std::nullopt;
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  const bool real = hash.starts_with("$argon2id$");
  const std::string& checked = real ? hash : DummyHash();
  const bool match =
      crypto_pwhash_str_verify(checked.c_str(), password.data(), password.size()) == 0;
  return real && match;
}

WorkPool::WorkPool(int threads, size_t queue_jobs_max) : queue_jobs_max_(queue_jobs_max) {
  LEDGER_ASSERT(threads >= 1);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

bool WorkPool::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= queue_jobs_max_) return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void WorkPool::Run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace ledger::api
