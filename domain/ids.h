// Strong ids: one type per kind of thing the ledger names, so that a fund id passed where a
// member id is expected does not compile. Zero cost: an Id is exactly the std::string it owns and
// an IdRef exactly a std::string_view.
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
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ledger {

template <class Tag>
class IdRef;

template <class Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string_view text) : text_(text) {}
  explicit Id(const char* text) : text_(text) {}
  explicit Id(std::string&& text) : text_(std::move(text)) {}
  explicit Id(IdRef<Tag> ref);

  std::string_view view() const { return text_; }
  const std::string& str() const { return text_; }
  bool empty() const { return text_.empty(); }

  auto operator<=>(const Id&) const = default;
  bool operator==(const Id&) const = default;

 private:
  std::string text_;
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

static_assert(sizeof(MemberId) == sizeof(std::string), "an id is just its text");
static_assert(sizeof(MemberRef) == sizeof(std::string_view), "a ref is just a view");

}  // namespace ledger

template <class Tag>
struct std::hash<ledger::Id<Tag>> {
  size_t operator()(const ledger::Id<Tag>& id) const { return ledger::IdHash{}(id); }
};
