#include "domain/event_payload.h"

#include <cstdint>

#include "domain/assert.h"

namespace ledger {

const events::EventData* VerifyEventData(std::string_view bytes) {
  LEDGER_ASSERT(reinterpret_cast<uintptr_t>(bytes.data()) % 8 == 0 || bytes.empty());
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!events::VerifyEventDataBuffer(verifier)) return nullptr;
  const events::EventData* data = events::GetEventData(bytes.data());
  if (data->data_type() == events::Data::NONE || data->data() == nullptr) return nullptr;
  return data;
}

std::string_view EventTypeName(events::Data type) {
  if (type == events::Data::NONE) return "";
  return events::EnumNameData(type);
}

std::optional<events::Data> EventTypeFromName(std::string_view name) {
  for (auto type : events::EnumValuesData()) {
    if (type != events::Data::NONE && name == events::EnumNameData(type)) return type;
  }
  return std::nullopt;
}

std::string WithRedemptionAmount(const events::RedemptionMade& r, int64_t amount_fen) {
  flatbuffers::FlatBufferBuilder b(256);
  auto str = [&](const flatbuffers::String* s) {
    return s == nullptr ? flatbuffers::Offset<flatbuffers::String>() : b.CreateString(s);
  };
  auto redemption_id = str(r.redemption_id());
  auto member_id = str(r.member_id());
  auto fund_id = str(r.fund_id());
  auto course = str(r.course());
  events::RedemptionMadeBuilder redemption(b);
  redemption.add_redemption_id(redemption_id);
  redemption.add_member_id(member_id);
  redemption.add_minutes(r.minutes());
  redemption.add_reward(r.reward());
  if (!fund_id.IsNull()) redemption.add_fund_id(fund_id);
  if (!course.IsNull()) redemption.add_course(course);
  redemption.add_amount_fen(amount_fen);
  auto data = redemption.Finish();
  b.Finish(events::CreateEventData(b, events::Data::RedemptionMade, data.Union()));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string WithGift(const events::CreditsTransferred& t) {
  flatbuffers::FlatBufferBuilder b(256);
  auto str = [&](const flatbuffers::String* s) {
    return s == nullptr ? flatbuffers::Offset<flatbuffers::String>() : b.CreateString(s);
  };
  auto transfer_id = str(t.transfer_id());
  auto from_member_id = str(t.from_member_id());
  auto to_member_id = str(t.to_member_id());
  auto reason = str(t.reason());
  events::CreditsTransferredBuilder transfer(b);
  transfer.add_transfer_id(transfer_id);
  transfer.add_from_member_id(from_member_id);
  transfer.add_to_member_id(to_member_id);
  transfer.add_minutes(t.minutes());
  if (!reason.IsNull()) transfer.add_reason(reason);
  transfer.add_gift(true);
  auto data = transfer.Finish();
  b.Finish(events::CreateEventData(b, events::Data::CreditsTransferred, data.Union()));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

}  // namespace ledger
