// TextSet: a set of short byte strings (the ledger state's composite keys: kind ':' id of taken
// ids, branch '\n' month '\n' elder of elders served, volunteer '\n' elder of active pairings)
// kept compactly: each string's bytes once, behind a length byte, in 1 MiB blocks, and a
// HandleIndex of 8-byte slots. A std::string in an open-addressing set costs 32 bytes a slot at
// up to half the slots empty, and a heap block besides for text longer than 15 bytes.
//
// Exactly a set of strings: any bytes, any length; insert, contains, erase, size, ==, and a visit
// of every element in no particular order. An erased string's bytes stay in their block (the
// last one inserted gives them back, as a rolled-back insert does): a set that churns grows with
// its inserts, not its size. A copy shares the full blocks, never written again, with its
// original: two owners on two threads may each use their own set.
//
// Not thread-safe, like the standard containers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "domain/assert.h"
#include "domain/handle_index.h"

namespace ledger {

class TextSet {
 public:
  static constexpr size_t kBlock = size_t{1} << 20;

  TextSet() = default;
  // A copy shares the full blocks, whose bytes never change, and copies the last one.
  TextSet(const TextSet& other)
      : index_(other.index_), blocks_(other.blocks_), used_(other.used_), size_(other.size_) {
    if (!blocks_.empty()) {
      blocks_.back() = NewBlock();
      std::memcpy(blocks_.back().get(), other.blocks_.back().get(), used_);
    }
    big_.reserve(other.big_.size());
    for (const std::unique_ptr<char[]>& owned : other.big_) {
      big_.push_back(owned ? Own(OwnedText(owned)) : nullptr);
    }
  }
  TextSet& operator=(const TextSet& other) {
    if (this != &other) {
      TextSet copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  TextSet(TextSet&&) noexcept = default;
  TextSet& operator=(TextSet&&) noexcept = default;
  ~TextSet() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  bool contains(std::string_view text) const {
    return Find(text, Hash(text)) != HandleIndex::kNone;
  }
  size_t count(std::string_view text) const { return contains(text) ? 1 : 0; }

  // Adds `text`; false if it was there.
  bool insert(std::string_view text) {
    const uint64_t hash = Hash(text);
    if (Find(text, hash) != HandleIndex::kNone) return false;
    index_.Insert(hash, Store(text));
    ++size_;
    return true;
  }

  // Removes `text`; returns how many (0 or 1).
  size_t erase(std::string_view text) {
    const uint64_t hash = Hash(text);
    const uint32_t handle = Find(text, hash);
    if (handle == HandleIndex::kNone) return 0;
    index_.Erase(hash, handle);
    --size_;
    Release(handle);
    return 1;
  }

  void clear() { *this = TextSet(); }

  // Calls visit(text) for every element, in no particular order.
  template <class Visit>
  void ForEach(const Visit& visit) const {
    index_.ForEach([&](uint32_t handle) { visit(At(handle)); });
  }

  friend bool operator==(const TextSet& a, const TextSet& b) {
    if (a.size_ != b.size_) return false;
    bool same = true;
    a.ForEach([&](std::string_view text) { same = same && b.contains(text); });
    return same;
  }

 private:
  // A handle with this bit is an index into big_ (text of kLong bytes or more); otherwise it is
  // the offset of a length byte in the blocks.
  static constexpr uint32_t kBig = uint32_t{1} << 31;
  static constexpr size_t kLong = 255;

  static uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }
  static std::unique_ptr<char[]> Own(std::string_view text) {
    std::unique_ptr<char[]> owned(new char[sizeof(uint32_t) + text.size()]);
    const auto size = static_cast<uint32_t>(text.size());
    std::memcpy(owned.get(), &size, sizeof size);
    std::memcpy(owned.get() + sizeof size, text.data(), text.size());
    return owned;
  }
  static std::string_view OwnedText(const std::unique_ptr<char[]>& owned) {
    uint32_t size = 0;
    std::memcpy(&size, owned.get(), sizeof size);
    return {owned.get() + sizeof size, size};
  }
  // Not zeroed: a block's pages become resident as texts fill them.
  static std::shared_ptr<char[]> NewBlock() { return std::shared_ptr<char[]>(new char[kBlock]); }

  uint32_t Find(std::string_view text, uint64_t hash) const {
    return index_.Find(hash, [&](uint32_t handle) { return At(handle) == text; });
  }
  std::string_view At(uint32_t handle) const {
    if ((handle & kBig) != 0) return OwnedText(big_[handle & ~kBig]);
    const char* at = blocks_[handle / kBlock].get() + handle % kBlock;
    return {at + 1, static_cast<unsigned char>(*at)};
  }
  uint32_t Store(std::string_view text) {
    if (text.size() >= kLong) {
      LEDGER_ASSERT(big_.size() < kBig);
      big_.push_back(Own(text));
      return static_cast<uint32_t>(big_.size() - 1) | kBig;
    }
    if (blocks_.empty() || used_ + 1 + text.size() > kBlock) {
      LEDGER_ASSERT(blocks_.size() < kBig / kBlock);
      blocks_.push_back(NewBlock());
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    *at = static_cast<char>(text.size());
    std::memcpy(at + 1, text.data(), text.size());
    const auto handle = static_cast<uint32_t>((blocks_.size() - 1) * kBlock + used_);
    used_ += 1 + text.size();
    return handle;
  }
  // The last text stored gives its bytes back; any other keeps them.
  void Release(uint32_t handle) {
    if ((handle & kBig) != 0) {
      big_[handle & ~kBig].reset();
      if ((handle & ~kBig) == big_.size() - 1) big_.pop_back();
      return;
    }
    const size_t offset = handle % kBlock;
    if (handle / kBlock == blocks_.size() - 1 && offset + 1 + At(handle).size() == used_) {
      used_ = offset;
    }
  }

  HandleIndex index_;
  // All full but the last, up to used_; only the last is ever written, and never shared.
  std::vector<std::shared_ptr<char[]>> blocks_;
  size_t used_ = 0;
  std::vector<std::unique_ptr<char[]>> big_;  // texts of kLong bytes or more; null when erased
  size_t size_ = 0;
};

}  // namespace ledger
