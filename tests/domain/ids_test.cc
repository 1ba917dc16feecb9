#include "domain/ids.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <type_traits>

#include "domain/ledger_state.h"

namespace ledger {
namespace {

// Ids of different kinds do not mix, and text becomes an id only when asked to.
static_assert(!std::is_convertible_v<FundId, MemberId>);
static_assert(!std::is_convertible_v<MemberId, FundId>);
static_assert(!std::is_convertible_v<FundRef, MemberRef>);
static_assert(!std::is_convertible_v<FundId, MemberRef>);
static_assert(!std::is_convertible_v<SourceId, OutflowRef>);
static_assert(!std::is_convertible_v<std::string, MemberId>);
static_assert(!std::is_convertible_v<std::string_view, MemberId>);
static_assert(!std::is_convertible_v<const char*, MemberRef>);
static_assert(!std::is_convertible_v<std::string_view, MemberRef>);
static_assert(!std::is_convertible_v<MemberId, std::string>);
static_assert(!std::is_convertible_v<MemberRef, std::string_view>);
static_assert(std::is_constructible_v<MemberId, std::string_view>);
static_assert(std::is_constructible_v<MemberRef, std::string_view>);
// An id is its own view; a view becomes an owning id explicitly.
static_assert(std::is_convertible_v<const MemberId&, MemberRef>);
static_assert(!std::is_convertible_v<MemberRef, MemberId>);
static_assert(std::is_constructible_v<MemberId, MemberRef>);
// The read API takes only the right kind of id.
template <typename State, typename Id>
concept CanFindMember = requires(const State& state, Id id) {
  state.FindMember(id);
};
static_assert(CanFindMember<LedgerState, MemberId>);
static_assert(CanFindMember<LedgerState, MemberRef>);
static_assert(!CanFindMember<LedgerState, FundId>);
static_assert(!CanFindMember<LedgerState, std::string_view>);
static_assert(!CanFindMember<LedgerState, std::string>);

// An Id and an IdRef of the same text are equal and hash alike, so maps find by either.
TEST(IdsTest, LookupByRefFindsTheOwningKey) {
  const std::string text = "v-wang";
  const MemberId id(text);
  const MemberRef ref(text);
  EXPECT_EQ(id, ref);
  EXPECT_EQ(ref, id);
  EXPECT_EQ(IdHash{}(id), IdHash{}(ref));
  EXPECT_EQ(IdHash{}(id), std::hash<std::string_view>{}(text));
  EXPECT_EQ(std::hash<MemberId>{}(id), IdHash{}(id));

  IdMap<MemberTag, int> map;
  map.emplace(MemberId("v-wang"), 1);
  map.emplace(MemberId("v-li"), 2);
  ASSERT_NE(map.find(ref), map.end());
  EXPECT_EQ(map.find(ref)->second, 1);
  EXPECT_TRUE(map.contains(MemberRef("v-li")));
  EXPECT_FALSE(map.contains(MemberRef("v-zhang")));
  EXPECT_FALSE(map.contains(MemberRef("")));
}

TEST(IdsTest, TextRoundTripsAndEmptiness) {
  const FundId fund("f-aid");
  EXPECT_EQ(fund.view(), "f-aid");
  EXPECT_EQ(fund.str(), "f-aid");
  EXPECT_FALSE(fund.empty());
  EXPECT_TRUE(FundId().empty());
  EXPECT_TRUE(FundRef().empty());
  EXPECT_EQ(FundRef(fund).view(), "f-aid");
  EXPECT_EQ(FundId(FundRef(fund)), fund);
  EXPECT_EQ(FundRef(fund).str(), "f-aid");
}

// Ids order as their text (byte-wise), like the strings they replaced: row dumps and
// cursors depend on it.
TEST(IdsTest, OrderIsTheOrderOfTheText) {
  EXPECT_LT(MemberId("a"), MemberId("b"));
  EXPECT_LT(MemberId("a"), MemberId("aa"));
  EXPECT_LT(MemberId(""), MemberId("a"));
  EXPECT_LT(MemberRef("a"), MemberRef("b"));
  EXPECT_LT(MemberRef("a"), MemberId("b"));
  EXPECT_GT(MemberId("b"), MemberRef("a"));
  EXPECT_NE(MemberId("a"), MemberId("b"));
  std::map<MemberId, int> ordered{{MemberId("v2"), 2}, {MemberId("v10"), 10}, {MemberId("v1"), 1}};
  std::string keys;
  for (const auto& [id, value] : ordered) keys += id.str() + ",";
  EXPECT_EQ(keys, "v1,v10,v2,");
}

// An id's text lives inline up to 15 bytes and on the heap beyond: both hold any bytes, copy,
// move and compare alike, and a moved-from id is empty.
TEST(IdsTest, ShortAndLongTextBehaveAlike) {
  const std::string inline_max(IdText::kInline, 'x');
  const std::string heap_min(IdText::kInline + 1, 'x');
  const std::string with_nul("a\0b", 3);
  const std::string chinese = "长者困济帮扶基金-0001";  // multi-byte, longer than 15 bytes
  for (const std::string& text : {std::string(), inline_max, heap_min, with_nul, chinese}) {
    MemberId id(text);
    EXPECT_EQ(id.view(), text);
    EXPECT_EQ(id.str(), text);
    MemberId copy = id;
    EXPECT_EQ(copy, id);
    EXPECT_EQ(copy.view(), text);
    MemberId moved = std::move(copy);
    EXPECT_EQ(moved.view(), text);
    EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    MemberId assigned(MemberRef("short"));
    assigned = id;
    EXPECT_EQ(assigned.view(), text);
    assigned = MemberId(heap_min + "y");
    EXPECT_EQ(assigned.view(), heap_min + "y");
    assigned = assigned;  // NOLINT: self-assignment keeps the text
    EXPECT_EQ(assigned.view(), heap_min + "y");
    EXPECT_EQ(IdHash{}(id), std::hash<std::string_view>{}(text));
  }
  EXPECT_LT(MemberId(inline_max), MemberId(heap_min));
  EXPECT_LT(MemberId(heap_min), MemberId("y"));
  static_assert(sizeof(MemberId) == 16);
}

}  // namespace
}  // namespace ledger
