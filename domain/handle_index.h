// HandleIndex: the index of a table whose entries live elsewhere (DenseMap's chunks, TextSet's
// bytes): an open-addressing table of 8-byte slots, each a 32-bit handle (the entry's position)
// and 32 bits of its key's hash. The keys stay with the entries, so an index slot costs 8 bytes,
// not a copy of the key; a lookup compares hash bits first and asks the owner to compare keys
// (`matches(handle)`) only on a hash match. Growing rehashes from the stored hash bits alone,
// without touching an entry, and a copy is a copy of one vector.
//
// Linear probing, at most 80% full (the table doubles past that); erasing shifts the entries
// after it back, so there are no tombstones. Handles are below 2^32 - 1.
//
// Not thread-safe, like the standard containers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "domain/assert.h"

namespace ledger {

class HandleIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  size_t size() const { return size_; }

  // The handle stored under `hash` for which matches(handle) holds, or kNone.
  template <class Match>
  uint32_t Find(uint64_t hash, const Match& matches) const {
    if (slots_.empty()) return kNone;
    const uint32_t bits = HashBits(hash);
    for (size_t at = Home(bits);; at = (at + 1) & Mask()) {
      const uint64_t slot = slots_[at];
      if (slot == 0) return kNone;
      if (SlotBits(slot) == bits && matches(SlotHandle(slot))) return SlotHandle(slot);
    }
  }

  // Adds `handle` under `hash`. REQUIRES: no handle with an equal key is stored.
  void Insert(uint64_t hash, uint32_t handle) {
    LEDGER_ASSERT(handle < kNone);
    if ((size_ + 1) * 5 > slots_.size() * 4) Grow();
    Place(MakeSlot(HashBits(hash), handle));
    ++size_;
  }

  // Removes `handle`, stored under `hash`. REQUIRES: it is stored.
  void Erase(uint64_t hash, uint32_t handle) {
    size_t hole = Locate(hash, handle);
    for (size_t next = (hole + 1) & Mask();; next = (next + 1) & Mask()) {
      const uint64_t slot = slots_[next];
      if (slot == 0) break;
      // The entry at `next` may fill the hole unless its home lies after the hole.
      const size_t from_home = (next - Home(SlotBits(slot))) & Mask();
      if (from_home >= ((next - hole) & Mask())) {
        slots_[hole] = slot;
        hole = next;
      }
    }
    slots_[hole] = 0;
    --size_;
  }

  // The entry `from`, stored under `hash`, is now at handle `to`. REQUIRES: `from` is stored.
  void Move(uint64_t hash, uint32_t from, uint32_t to) {
    LEDGER_ASSERT(to < kNone);
    const size_t at = Locate(hash, from);
    slots_[at] = MakeSlot(SlotBits(slots_[at]), to);
  }

  // Calls visit(handle) for every stored handle, in no particular order.
  template <class Visit>
  void ForEach(const Visit& visit) const {
    for (uint64_t slot : slots_) {
      if (slot != 0) visit(SlotHandle(slot));
    }
  }

  void clear() {
    slots_.clear();
    slots_.shrink_to_fit();
    size_ = 0;
    shift_ = 32;
  }

 private:
  // Fibonacci hashing of the whole hash, so that a weak hash's low bits do not decide the home.
  static uint32_t HashBits(uint64_t hash) {
    return static_cast<uint32_t>((hash * 0x9E3779B97F4A7C15ULL) >> 32);
  }
  static uint64_t MakeSlot(uint32_t bits, uint32_t handle) {
    return (static_cast<uint64_t>(bits) << 32) | (static_cast<uint64_t>(handle) + 1);
  }
  static uint32_t SlotBits(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
  static uint32_t SlotHandle(uint64_t slot) { return static_cast<uint32_t>(slot) - 1; }
  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(uint32_t bits) const { return shift_ == 32 ? 0 : bits >> shift_; }

  size_t Locate(uint64_t hash, uint32_t handle) const {
    const uint32_t bits = HashBits(hash);
    LEDGER_ASSERT(!slots_.empty());
    for (size_t at = Home(bits);; at = (at + 1) & Mask()) {
      const uint64_t slot = slots_[at];
      LEDGER_ASSERT(slot != 0);
      if (slot == MakeSlot(bits, handle)) return at;
    }
  }
  void Place(uint64_t slot) {
    size_t at = Home(SlotBits(slot));
    while (slots_[at] != 0) at = (at + 1) & Mask();
    slots_[at] = slot;
  }
  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    const size_t capacity = old.empty() ? 16 : old.size() * 2;
    LEDGER_ASSERT(capacity <= (size_t{1} << 32));
    slots_.assign(capacity, 0);
    shift_ = 32;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    for (uint64_t slot : old) {
      if (slot != 0) Place(slot);
    }
  }

  std::vector<uint64_t> slots_;  // 0: empty; else hash bits << 32 | (handle + 1)
  size_t size_ = 0;
  int shift_ = 32;  // the home of hash bits b is b >> shift_ (32 - log2 of the capacity)
};

}  // namespace ledger
