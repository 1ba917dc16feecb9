// The words of a fund's figures: its inflow channels and outflow categories, in API.md's order.
#pragma once

#include <cstdint>
#include <string_view>

namespace ledger {

// Inflow channels and outflow categories of a fund, in API.md's order.
enum class Channel : uint8_t {
  kDonation,
  kCharitySale,
  kEnterprisePurchase,
  kGovernmentPurchase,
  kGrant,  // GrantReceived: management fees, community funds, CSR programmes
};
constexpr int kChannels = 5;
enum class Category : uint8_t {
  kDisbursement,
  kRedemption,
  kMaterials,
  kManagement,
  kTraining,
  kActivity
};
constexpr int kCategories = 6;
std::string_view ChannelName(int channel);
std::string_view CategoryName(int category);

}  // namespace ledger
