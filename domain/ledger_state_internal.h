// Shared by the files that implement LedgerState (ledger_state.cc, ledger_members.cc,
// ledger_funds.cc, ledger_reports.cc, ledger_reversals.cc): small helpers over FlatBuffers
// fields, the bounds the rules use, and the journaling templates. Not part of domain's interface.
#pragma once

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

#include "domain/assert.h"
#include "domain/ledger_state.h"
#include "domain/money.h"

namespace ledger {
namespace ledger_internal {

constexpr int64_t kFenMax = Fen::kMax;

constexpr int32_t kServiceMinutesMax = 720;

constexpr int32_t kTrainingMinutesMax = 31 * 24 * 60;

constexpr int32_t kSaleQuantityMax = 10'000'000;

constexpr int32_t kBasisPointsMax = 10000;

constexpr int32_t kStarBonusBpMax = 100000;

constexpr int64_t kCreditValueFenPerHourMax = 100'000'000;

constexpr int32_t kStarThresholdHoursMax = 1'000'000;

inline std::string_view Str(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

inline bool Present(const flatbuffers::String* s) { return s != nullptr && s->size() > 0; }

// Whether `stream` is the name `prefix` + `id` ("member-" + "v12"), without building that name.
inline bool IsStream(std::string_view stream, std::string_view prefix, std::string_view id) {
  return stream.size() == prefix.size() + id.size() && stream.starts_with(prefix) &&
         stream.substr(prefix.size()) == id;
}

// The bytes of a commitment to personal fields (HMAC-SHA-256, docs/privacy.md).
constexpr size_t kCommitmentBytes = 32;

// A `personal` commitment is absent or exactly 32 bytes.
inline bool ValidCommitment(const flatbuffers::Vector<uint8_t>* personal) {
  return personal == nullptr || personal->size() == kCommitmentBytes;
}

template <typename E>

inline bool InRange(E value) {
  using U = std::underlying_type_t<E>;
  return static_cast<U>(value) >= static_cast<U>(E::MIN) &&
         static_cast<U>(value) <= static_cast<U>(E::MAX);
}

inline bool AddFits(Fen a, Fen b) { return Fen::CheckedAdd(a, b).has_value(); }

inline std::string Join(std::string_view a, std::string_view b) {
  std::string key;
  key.reserve(a.size() + 1 + b.size());
  key.append(a);
  key.push_back('\n');
  key.append(b);
  return key;
}

inline bool IsVolunteer(const Member& m) {
  return m.kind == events::MemberKind::volunteer || m.kind == events::MemberKind::youth_volunteer;
}

// YYYY-MM-DD with a real month and day.
inline bool ValidDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  const int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

inline Execution Fail(Outcome outcome) { return Execution{outcome, std::nullopt}; }

// The elder and the activity an event may name (a service, goods handed out): kOk with `*elder`
// the elder (nullptr when none is named), else unknown_member or unknown_activity.
inline Outcome FindElderAndActivity(const LedgerState& state, const flatbuffers::String* elder_id,
                                    const flatbuffers::String* activity_id, const Member** elder) {
  *elder = nullptr;
  if (Present(elder_id)) {
    *elder = state.FindMember(MemberRef(Str(elder_id)));
    if (*elder == nullptr) return Outcome::kUnknownMember;
  }
  if (Present(activity_id)) {
    const Activity* activity = state.FindActivity(ActivityRef(Str(activity_id)));
    if (activity == nullptr || activity->reversed) return Outcome::kUnknownActivity;  // corrected
  }
  return Outcome::kOk;
}

constexpr Execution kOk{};

inline int CategoryOf(events::ExpenseCategory category) {
  switch (category) {
    case events::ExpenseCategory::materials:
      return static_cast<int>(Category::kMaterials);
    case events::ExpenseCategory::management:
      return static_cast<int>(Category::kManagement);
    case events::ExpenseCategory::training:
      return static_cast<int>(Category::kTraining);
    case events::ExpenseCategory::activity:
      return static_cast<int>(Category::kActivity);
  }
  return static_cast<int>(Category::kMaterials);
}

inline int ChannelOf(events::SaleChannel channel) {
  switch (channel) {
    case events::SaleChannel::charity_sale:
      return static_cast<int>(Channel::kCharitySale);
    case events::SaleChannel::enterprise_purchase:
      return static_cast<int>(Channel::kEnterprisePurchase);
    case events::SaleChannel::government_purchase:
      return static_cast<int>(Channel::kGovernmentPurchase);
  }
  return static_cast<int>(Channel::kCharitySale);
}

constexpr std::string_view kRedemptionPurpose = "redemption";

inline std::string RowKey(const std::string& key) { return key; }  // composite keys (cash used)

template <class Tag>

inline std::string RowKey(IdRef<Tag> key) {
  return key.str();
}

template <class Tag>

inline std::string RowKey(const Id<Tag>& key) {
  return key.str();
}

inline std::string RowKey(const ReportKey& key) { return ReportRowKey(key); }

}  // namespace ledger_internal

// The journaling templates every part of LedgerState uses.

template <typename Map, typename Key>

void LedgerState::Touch(Map& map, Table table, const Key& key) {
  if (tracking_) changes_.emplace_back(table, ledger_internal::RowKey(key));
  if (!journaling_) return;
  auto it = map.find(key);
  if (it == map.end()) {
    undo_.push_back([&map, k = typename Map::key_type(key)] { map.erase(k); });
  } else {
    undo_.push_back([&map, k = it->first, v = it->second] { map.insert_or_assign(k, v); });
  }
}

template <typename Change>

void LedgerState::AddToReports(BranchRef branch_id, int64_t occurred_at_us, const Change& change) {
  const MonthKey month = MonthOfInstant(occurred_at_us);
  ReportKey all{BranchId(), month};
  Touch(reports_, Table::kReport, all);
  change(reports_[all], all);
  if (!branch_id.empty()) {
    ReportKey branch{BranchId(branch_id), month};
    Touch(reports_, Table::kReport, branch);
    change(reports_[branch], branch);
  }
}

}  // namespace ledger
