// The payload bytes of an event: a verified EventData FlatBuffer, and the few edits the ledger
// itself makes to one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "events_generated.h"

namespace ledger {

// The EventData in `bytes` if they are a well-formed EventData FlatBuffer holding some event,
// else nullptr. REQUIRES: bytes.data() is 8-byte aligned (std::string storage is).
const events::EventData* VerifyEventData(std::string_view bytes);

// "ServiceLogged" for events::Data::ServiceLogged; "" for NONE.
std::string_view EventTypeName(events::Data type);

// The union member named `name`, or nullopt.
std::optional<events::Data> EventTypeFromName(std::string_view name);

// A copy of a RedemptionMade payload with amount_fen set.
std::string WithRedemptionAmount(const events::RedemptionMade& redemption, int64_t amount_fen);

// A copy of a CreditsTransferred payload with gift set: its minutes are gifts to the receiver.
std::string WithGift(const events::CreditsTransferred& transfer);

}  // namespace ledger
