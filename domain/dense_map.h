// DenseMap: a hash map for the ledger state's large tables (members, services, reversibles,
// sources, outflows...) that keeps its entries densely, in chunks of kChunk, and only a small
// index (HandleIndex: 8 bytes a slot, the position and hash bits, the key only in the entry). An
// open-addressing map of large values (boost::unordered_flat_map) leaves up to half its slots
// empty after each doubling, each as large as an entry: 1,000,000 members of 170 bytes took
// 390 MB in one. Here a slot costs 8 bytes, and the entries never move when the map grows.
//
// The interface is the subset of unordered_flat_map's that LedgerState uses: find (also by a
// transparent key such as an IdRef), contains, operator[], emplace, insert_or_assign, erase by
// key, clear, size, iteration and ==. Iteration is in insertion order, except that erase moves
// the last entry into the erased one's place. Keys are unique; a value_type is a std::pair of
// key and value, whose key callers must not change. References and iterators stay valid until
// the next erase or clear (not affected by inserts); the position of an entry is its handle.
//
// Sharing: a copy shares the original's chunks (a copy of the ledger state costs its index, not
// its entries) until one of them changes a chunk: it then takes a private copy of that chunk
// first (copy on write). A chunk shared is never changed, so two owners on two threads may each
// use their own map freely. Mutable access (non-const find, operator[], iteration...) takes the
// chunk private; const access reads the shared chunk, so a const reference may go on seeing a
// chunk its map has since replaced by a private copy. Code that keeps const references across
// changes (LedgerState::Execute) holds a DenseMapExclusive on its thread meanwhile: const access
// then takes chunks private too, as mutable access does. The chunks' vector is then changed by
// const access: only the one thread that may change the map may hold a DenseMapExclusive while
// using it.
//
// Not thread-safe, like the standard containers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/assert.h"
#include "domain/handle_index.h"

namespace ledger {

// While one lives on a thread, const access through a DenseMap on that thread also takes the
// chunk it reads private (see DenseMap's "Sharing"). Nests.
class DenseMapExclusive {
 public:
  DenseMapExclusive() { ++depth_; }
  ~DenseMapExclusive() { --depth_; }
  DenseMapExclusive(const DenseMapExclusive&) = delete;
  DenseMapExclusive& operator=(const DenseMapExclusive&) = delete;
  static bool active() { return depth_ > 0; }

 private:
  static inline thread_local int depth_ = 0;
};

template <class Key, class Value, class Hash, class Eq>
class DenseMap {
 public:
  using key_type = Key;
  using mapped_type = Value;
  using value_type = std::pair<Key, Value>;
  static constexpr size_t kChunk = 1024;

  template <bool kConst>
  class Iterator {
   public:
    using Map = std::conditional_t<kConst, const DenseMap, DenseMap>;
    using iterator_category = std::forward_iterator_tag;
    using value_type = DenseMap::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = std::conditional_t<kConst, const value_type&, value_type&>;
    using pointer = std::conditional_t<kConst, const value_type*, value_type*>;

    Iterator() = default;
    Iterator(Map* map, size_t at) : map_(map), at_(at) {}
    // An iterator converts to a const_iterator, as the standard containers' do.
    template <bool kOther, class = std::enable_if_t<kConst && !kOther>>
    Iterator(const Iterator<kOther>& other)  // NOLINT(google-explicit-constructor)
        : map_(other.map_), at_(other.at_) {}

    reference operator*() const { return map_->At(at_); }
    pointer operator->() const { return &map_->At(at_); }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++at_;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.at_ == b.at_; }

   private:
    friend class DenseMap;
    template <bool>
    friend class Iterator;
    Map* map_ = nullptr;
    size_t at_ = 0;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  DenseMap() = default;
  DenseMap(const DenseMap& other)
      : index_(other.index_),
        chunks_(other.chunks_),
        size_(other.size_),
        hash_(other.hash_),
        eq_(other.eq_) {}
  DenseMap& operator=(const DenseMap& other) {
    if (this != &other) {
      DenseMap copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  DenseMap(DenseMap&&) noexcept = default;
  DenseMap& operator=(DenseMap&&) noexcept = default;
  ~DenseMap() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  template <class K>
  iterator find(const K& key) {
    const uint32_t at = Position(key);
    return at == HandleIndex::kNone ? end() : iterator(this, at);
  }
  template <class K>
  const_iterator find(const K& key) const {
    const uint32_t at = Position(key);
    return at == HandleIndex::kNone ? end() : const_iterator(this, at);
  }
  template <class K>
  bool contains(const K& key) const {
    return Position(key) != HandleIndex::kNone;
  }
  template <class K>
  size_t count(const K& key) const {
    return contains(key) ? 1 : 0;
  }

  // Inserts (key, value) unless the key is there; as unordered_map::emplace.
  template <class K, class V>
  std::pair<iterator, bool> emplace(K&& key, V&& value) {
    return TryPut(Key(std::forward<K>(key)), std::forward<V>(value), false);
  }
  template <class K, class V>
  std::pair<iterator, bool> insert_or_assign(K&& key, V&& value) {
    return TryPut(Key(std::forward<K>(key)), std::forward<V>(value), true);
  }
  Value& operator[](const Key& key) {
    const uint64_t hash = hash_(key);
    const uint32_t at = Position(key, hash);
    if (at != HandleIndex::kNone) return At(at).second;
    return Append(Key(key), Value(), hash)->second;
  }

  // Removes the entry of `key`, if any (the last entry takes its place); returns how many.
  template <class K>
  size_t erase(const K& key) {
    const uint64_t hash = hash_(key);
    const uint32_t at = Position(key, hash);
    if (at == HandleIndex::kNone) return 0;
    index_.Erase(hash, at);
    const auto last = static_cast<uint32_t>(size_ - 1);
    if (at != last) {
      index_.Move(hash_(Peek(last).first), last, at);
      At(at) = std::move(At(last));
    }
    Own(chunks_.size() - 1).pop_back();
    if (chunks_.back()->empty()) chunks_.pop_back();
    --size_;
    return 1;
  }

  void clear() {
    index_.clear();
    chunks_.clear();
    size_ = 0;
  }

  // The same keys with equal values, in any order.
  friend bool operator==(const DenseMap& a, const DenseMap& b) {
    if (a.size_ != b.size_) return false;
    for (size_t at = 0; at < a.size_; ++at) {
      const value_type& entry = a.Peek(at);
      const uint32_t in_b = b.Position(entry.first);
      if (in_b == HandleIndex::kNone || !(b.Peek(in_b).second == entry.second)) return false;
    }
    return true;
  }

 private:
  using Chunk = std::vector<value_type>;

  // The entry at `at` to change: its chunk made private first.
  value_type& At(size_t at) { return Own(at / kChunk)[at % kChunk]; }
  // The entry at `at` to read: made private too under a DenseMapExclusive.
  const value_type& At(size_t at) const {
    if (DenseMapExclusive::active()) return Own(at / kChunk)[at % kChunk];
    return Peek(at);
  }
  // The entry at `at` as it is, shared or not (for comparing keys, and ==).
  const value_type& Peek(size_t at) const { return (*chunks_[at / kChunk])[at % kChunk]; }

  // Chunk `c`, copied first if another map shares it. Const, for At() under DenseMapExclusive.
  Chunk& Own(size_t c) const {
    std::shared_ptr<Chunk>& chunk = chunks_[c];
    if (chunk.use_count() > 1) {
      auto copy = std::make_shared<Chunk>();
      copy->reserve(kChunk);  // full, or the last chunk, which keeps room to grow in place
      copy->insert(copy->end(), chunk->begin(), chunk->end());
      chunk = std::move(copy);
    } else {
      // Whatever another owner did with this chunk before letting go of it happened before.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    return *chunk;
  }

  // The position of `key`'s entry, or HandleIndex::kNone.
  template <class K>
  uint32_t Position(const K& key, uint64_t hash) const {
    return index_.Find(hash, [&](uint32_t at) { return eq_(Peek(at).first, key); });
  }
  template <class K>
  uint32_t Position(const K& key) const {
    return Position(key, hash_(key));
  }

  template <class V>
  std::pair<iterator, bool> TryPut(Key key, V&& value, bool assign) {
    const uint64_t hash = hash_(key);
    const uint32_t at = Position(key, hash);
    if (at != HandleIndex::kNone) {
      iterator it(this, at);
      if (assign) it->second = std::forward<V>(value);
      return {it, false};
    }
    return {Append(std::move(key), std::forward<V>(value), hash), true};
  }
  // Adds an entry whose key is not there.
  template <class V>
  iterator Append(Key key, V&& value, uint64_t hash) {
    index_.Insert(hash, static_cast<uint32_t>(size_));
    if (chunks_.empty() || chunks_.back()->size() == kChunk) {
      chunks_.push_back(std::make_shared<Chunk>());
      chunks_.back()->reserve(kChunk);
    }
    Own(chunks_.size() - 1).emplace_back(std::move(key), std::forward<V>(value));
    return iterator(this, size_++);
  }

  HandleIndex index_;  // key -> position, the keys in the entries
  // Each chunk holds kChunk entries but the last, whose room is reserved, so that an entry never
  // moves on insert. Mutable: const access takes chunks private under DenseMapExclusive.
  mutable std::vector<std::shared_ptr<Chunk>> chunks_;
  size_t size_ = 0;
  [[no_unique_address]] Hash hash_;
  [[no_unique_address]] Eq eq_;
};

}  // namespace ledger
