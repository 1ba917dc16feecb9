// Strong ids: one type per kind of thing the ledger names, so that a fund id passed where a
// member id is expected does not compile. An Id owns its text in 16 bytes (IdText: up to 15
// bytes inline, longer text on the heap), half a std::string: the ledger state holds millions of
// them. An IdRef is exactly a std::string_view.
//
// Id<Tag> owns its text; IdRef<Tag> is a non-owning view (like std::string_view, it must not
// outlive the text it views), for lookups straight from FlatBuffers strings, row keys or request
// paths. An Id converts implicitly to the IdRef of the same tag; everything else is explicit:
// raw text becomes an id only where it enters the domain (an event's fields, a row key, an HTTP
// path, a command-line flag), and an id becomes text again through view() or str().
//
// IdMap/IdSet hash ids transparently, so find/contains by an IdRef does not allocate. They are
// open-addressing (boost::unordered_flat_map): an insert may move every element, so a reference
// or pointer into one is valid only until the next insert into the same map.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ledger {

// Owned text in 16 bytes: up to kInline bytes inline, with their count in the last byte; longer
// text in a heap block, its pointer and size in the first 12 bytes and kHeap in the last. Any
// bytes, as std::string holds them.
class IdText {
 public:
  static constexpr size_t kInline = 15;

  IdText() = default;
  explicit IdText(std::string_view text) { Assign(text); }
  IdText(const IdText& other) { Assign(other.view()); }
  IdText(IdText&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    std::memset(other.bytes_, 0, sizeof other.bytes_);
  }
  IdText& operator=(const IdText& other) {
    if (this != &other) {
      IdText copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  IdText& operator=(IdText&& other) noexcept {
    if (this != &other) {
      Free();
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      std::memset(other.bytes_, 0, sizeof other.bytes_);
    }
    return *this;
  }
  ~IdText() { Free(); }

  std::string_view view() const {
    if (bytes_[kInline] != kHeap) return {reinterpret_cast<const char*>(bytes_), bytes_[kInline]};
    char* heap = nullptr;
    uint32_t size = 0;
    std::memcpy(&heap, bytes_, sizeof heap);
    std::memcpy(&size, bytes_ + sizeof heap, sizeof size);
    return {heap, size};
  }

  friend bool operator==(const IdText& a, const IdText& b) { return a.view() == b.view(); }
  friend std::strong_ordering operator<=>(const IdText& a, const IdText& b) {
    return a.view() <=> b.view();
  }

 private:
  static constexpr unsigned char kHeap = 0xff;

  void Assign(std::string_view text) {
    if (text.size() <= kInline) {
      std::memcpy(bytes_, text.data(), text.size());
      bytes_[kInline] = static_cast<unsigned char>(text.size());
      return;
    }
    char* heap = new char[text.size()];
    std::memcpy(heap, text.data(), text.size());
    const auto size = static_cast<uint32_t>(text.size());
    std::memcpy(bytes_, &heap, sizeof heap);
    std::memcpy(bytes_ + sizeof heap, &size, sizeof size);
    bytes_[kInline] = kHeap;
  }
  void Free() {
    if (bytes_[kInline] != kHeap) return;
    char* heap = nullptr;
    std::memcpy(&heap, bytes_, sizeof heap);
    delete[] heap;
  }

  alignas(8) unsigned char bytes_[kInline + 1] = {};
};

static_assert(sizeof(IdText) == 16, "an id's text is 16 bytes");

template <class Tag>
class IdRef;

template <class Tag>
class Id {
 public:
  using tag_type = Tag;

  Id() = default;
  explicit Id(std::string_view text) : text_(text) {}
  explicit Id(const char* text) : text_(std::string_view(text)) {}
  explicit Id(const std::string& text) : text_(std::string_view(text)) {}
  explicit Id(IdRef<Tag> ref);

  std::string_view view() const { return text_.view(); }
  // A copy of the text (an Id keeps no std::string to refer to).
  std::string str() const { return std::string(text_.view()); }
  bool empty() const { return view().empty(); }

  auto operator<=>(const Id&) const = default;
  bool operator==(const Id&) const = default;

 private:
  IdText text_;
};

template <class Tag>
class IdRef {
 public:
  constexpr IdRef() = default;
  constexpr explicit IdRef(std::string_view text) : text_(text) {}
  IdRef(const Id<Tag>& id) : text_(id.view()) {}  // NOLINT: an id is always its own view

  constexpr std::string_view view() const { return text_; }
  std::string str() const { return std::string(text_); }
  constexpr bool empty() const { return text_.empty(); }

  // Also compares an Id with an IdRef (the Id converts).
  friend constexpr bool operator==(IdRef a, IdRef b) { return a.text_ == b.text_; }
  friend constexpr auto operator<=>(IdRef a, IdRef b) { return a.text_ <=> b.text_; }

 private:
  std::string_view text_;
};

template <class Tag>
Id<Tag>::Id(IdRef<Tag> ref) : text_(ref.view()) {}

// Hashes an Id and an IdRef of the same text alike, so that maps keyed by Id look up by IdRef.
struct IdHash {
  using is_transparent = void;
  template <class Tag>
  size_t operator()(IdRef<Tag> id) const {
    return std::hash<std::string_view>{}(id.view());
  }
  template <class Tag>
  size_t operator()(const Id<Tag>& id) const {
    return std::hash<std::string_view>{}(id.view());
  }
};

template <class Tag, class Value>
using IdMap = boost::unordered_flat_map<Id<Tag>, Value, IdHash, std::equal_to<>>;
template <class Tag>
using IdSet = boost::unordered_flat_set<Id<Tag>, IdHash, std::equal_to<>>;

struct BranchTag {};
struct MemberTag {};
struct PairingTag {};
struct ServiceTag {};
struct ActivityTag {};
struct PartnerTag {};
struct FundTag {};
struct SourceTag {};   // an inflow: a donation or a sale (purchases are sales)
struct OutflowTag {};  // a disbursement, an expense or a cash redemption
struct RequestTag {};  // a service request (订单式)
struct EventTag {};

using BranchId = Id<BranchTag>;
using MemberId = Id<MemberTag>;
using PairingId = Id<PairingTag>;
using ServiceId = Id<ServiceTag>;
using ActivityId = Id<ActivityTag>;
using PartnerId = Id<PartnerTag>;
using FundId = Id<FundTag>;
using SourceId = Id<SourceTag>;
using OutflowId = Id<OutflowTag>;
using RequestId = Id<RequestTag>;
using EventId = Id<EventTag>;

using BranchRef = IdRef<BranchTag>;
using MemberRef = IdRef<MemberTag>;
using PairingRef = IdRef<PairingTag>;
using ServiceRef = IdRef<ServiceTag>;
using ActivityRef = IdRef<ActivityTag>;
using PartnerRef = IdRef<PartnerTag>;
using FundRef = IdRef<FundTag>;
using SourceRef = IdRef<SourceTag>;
using OutflowRef = IdRef<OutflowTag>;
using RequestRef = IdRef<RequestTag>;
using EventRef = IdRef<EventTag>;

static_assert(sizeof(MemberId) == sizeof(IdText), "an id is just its text");
static_assert(sizeof(MemberRef) == sizeof(std::string_view), "a ref is just a view");

}  // namespace ledger

template <class Tag>
struct std::hash<ledger::Id<Tag>> {
  size_t operator()(const ledger::Id<Tag>& id) const { return ledger::IdHash{}(id); }
};
