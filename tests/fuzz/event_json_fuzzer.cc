// One event's JSON body, as POST /v1/events decodes it (api/event_codec: ParseJson, DecodeEvent).
// A decoded event's payload verifies, and its data encoded back to JSON — with the personal
// fields the sealer took put back, as the vault would give them — decodes to the same payload
// bytes (the idempotency check compares them), the same commitment included.
#include <openssl/evp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/event_codec.h"
#include "domain/event_payload.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace api = ledger::api;

// Commits to the fields by their SHA-256 and keeps them, so that the round trip can put them
// back.
class KeepingSealer : public api::PersonalSealer {
 public:
  api::Checked<api::SealedFields> Seal(std::string_view, std::string_view,
                                       const std::string& fields) override {
    fields_ = fields;
    std::string digest(api::kCommitmentBytes, '\0');
    unsigned int length = 0;
    FUZZ_CHECK(EVP_Digest(fields.data(), fields.size(),
                          reinterpret_cast<unsigned char*>(digest.data()), &length, EVP_sha256(),
                          nullptr) == 1);
    return api::SealedFields{std::move(digest), nullptr};
  }
  const std::string& fields() const { return fields_; }

 private:
  std::string fields_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  api::Checked<boost::json::value> json = api::ParseJson(body);
  if (!json.ok()) return 0;
  KeepingSealer sealer;
  api::Checked<ledger::EventDraft> draft = api::DecodeEvent(*json, "", &sealer);
  if (!draft.ok()) return 0;
  const ledger::events::EventData* payload = ledger::VerifyEventData(draft->payload);
  FUZZ_CHECK(payload != nullptr);
  boost::json::object encoded = api::EncodeEventData(*payload, true);
  if (!sealer.fields().empty()) {
    const boost::json::value sealed = boost::json::parse(sealer.fields());
    for (const auto& field : sealed.as_object()) encoded[field.key()] = field.value();
  }
  boost::json::value again = *json;
  again.as_object()["data"] = std::move(encoded);
  KeepingSealer resealer;
  api::Checked<ledger::EventDraft> redecoded =
      api::DecodeEvent(api::ParseJson(boost::json::serialize(again)).value(), "", &resealer);
  FUZZ_CHECK(redecoded.ok());
  FUZZ_CHECK(redecoded->payload == draft->payload);
  FUZZ_CHECK(resealer.fields() == sealer.fields());
  return 0;
}
