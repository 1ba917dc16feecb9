// DenseMap: a hash map for the ledger state's large tables (members, services, reversibles,
// sources, outflows...) that keeps its entries densely, in chunks of kChunk, and only a small
// index (key -> position) in an open-addressing table. An open-addressing map of large values
// (boost::unordered_flat_map) leaves up to half its slots empty after each doubling, each as
// large as an entry: 1,000,000 members of 170 bytes took 390 MB in one. Here an empty slot costs
// the index's key and a uint32_t, and the entries never move when the map grows.
//
// The interface is the subset of unordered_flat_map's that LedgerState uses: find (also by a
// transparent key such as an IdRef), contains, operator[], emplace, insert_or_assign, erase by
// key, clear, size, iteration and ==. Iteration is in insertion order, except that erase moves
// the last entry into the erased one's place. Keys are unique; a value_type is a std::pair of
// key and value, whose key callers must not change. References and iterators stay valid until
// the next erase or clear (not affected by inserts); the position of an entry is its handle.
//
// Not thread-safe, like the standard containers.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/assert.h"

namespace ledger {

template <class Key, class Value, class Hash, class Eq>
class DenseMap {
 public:
  using key_type = Key;
  using mapped_type = Value;
  using value_type = std::pair<Key, Value>;
  static constexpr size_t kChunk = 4096;

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
      : index_(other.index_), chunks_(other.chunks_), size_(other.size_) {
    if (!chunks_.empty()) chunks_.back().reserve(kChunk);  // a copy's last chunk is exact
  }
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
    auto it = index_.find(key);
    return it == index_.end() ? end() : iterator(this, it->second);
  }
  template <class K>
  const_iterator find(const K& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? end() : const_iterator(this, it->second);
  }
  template <class K>
  bool contains(const K& key) const {
    return index_.contains(key);
  }
  template <class K>
  size_t count(const K& key) const {
    return index_.count(key);
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
    auto it = index_.find(key);
    if (it != index_.end()) return At(it->second).second;
    return TryPut(Key(key), Value(), false).first->second;
  }

  // Removes the entry of `key`, if any (the last entry takes its place); returns how many.
  template <class K>
  size_t erase(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return 0;
    const uint32_t at = it->second;
    index_.erase(it);
    const size_t last = size_ - 1;
    if (at != last) {
      At(at) = std::move(At(last));
      index_.find(At(at).first)->second = at;
    }
    chunks_.back().pop_back();
    if (chunks_.back().empty()) chunks_.pop_back();
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
    for (const value_type& entry : a) {
      auto it = b.find(entry.first);
      if (it == b.end() || !(it->second == entry.second)) return false;
    }
    return true;
  }

 private:
  value_type& At(size_t at) { return chunks_[at / kChunk][at % kChunk]; }
  const value_type& At(size_t at) const { return chunks_[at / kChunk][at % kChunk]; }

  template <class V>
  std::pair<iterator, bool> TryPut(Key key, V&& value, bool assign) {
    auto [slot, inserted] = index_.try_emplace(key, static_cast<uint32_t>(size_));
    if (!inserted) {
      iterator it(this, slot->second);
      if (assign) it->second = std::forward<V>(value);
      return {it, false};
    }
    LEDGER_ASSERT(size_ < UINT32_MAX);
    if (chunks_.empty() || chunks_.back().size() == kChunk) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    chunks_.back().emplace_back(std::move(key), std::forward<V>(value));
    return {iterator(this, size_++), true};
  }

  boost::unordered_flat_map<Key, uint32_t, Hash, Eq> index_;
  // Each chunk holds kChunk entries but the last, so that an entry never moves on insert.
  std::vector<std::vector<value_type>> chunks_;
  size_t size_ = 0;
};

}  // namespace ledger
