#include "tools/ledger_export.h"

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "domain/event_payload.h"
#include "eventstore/checkpoint_signer.h"
#include "eventstore/envelope_codec.h"

namespace ledger::tools {
namespace {

namespace json = boost::json;

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  if (Base64(out) != text) return std::nullopt;  // only the canonical encoding
  return out;
}

// Lowercase hex of exactly `bytes` bytes, decoded; nullopt otherwise.
std::optional<std::string> FromHex(std::string_view hex, size_t bytes) {
  if (hex.size() != 2 * bytes) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(bytes);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = digit(hex[i]);
    const int low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

std::optional<SignedCheckpoint> ParseCheckpoint(const json::value& value) {
  const json::object* c = value.if_object();
  if (c == nullptr || c->size() != 4) return std::nullopt;
  const json::value* position = c->if_contains("position");
  const json::value* hash = c->if_contains("hash");
  const json::value* recorded_at = c->if_contains("recorded_at_us");
  const json::value* signature = c->if_contains("signature");
  // JSON parsers give non-negative integers as int64 when they fit.
  if (position == nullptr ||
      !(position->is_uint64() || (position->is_int64() && position->as_int64() >= 0)) ||
      hash == nullptr || !hash->is_string() || recorded_at == nullptr || !recorded_at->is_int64() ||
      signature == nullptr || !signature->is_string()) {
    return std::nullopt;
  }
  std::optional<std::string> hash_bytes = FromHex(hash->as_string(), sizeof(Hash));
  std::optional<std::string> signature_bytes = FromHex(signature->as_string(), kSignatureBytes);
  if (!hash_bytes || !signature_bytes) return std::nullopt;
  SignedCheckpoint checkpoint;
  checkpoint.position = Position{position->to_number<uint64_t>()};
  std::copy(hash_bytes->begin(), hash_bytes->end(), checkpoint.hash.begin());
  checkpoint.recorded_at_us = recorded_at->as_int64();
  checkpoint.signature = std::move(*signature_bytes);
  return checkpoint;
}

json::object EventLine(const StoredEvent& event, std::string_view envelope) {
  json::object line;
  line["position"] = event.position.value;
  line["prev_hash"] = HexOf(event.prev_hash);
  line["hash"] = HexOf(event.hash);
  line["envelope"] = Base64(envelope);
  line["event"] = api::EncodeStoredEvent(event, /*personal=*/true);
  return line;
}

json::object CheckpointLine(const SignedCheckpoint& checkpoint) {
  json::object inner;
  inner["position"] = checkpoint.position.value;
  inner["hash"] = HexOf(checkpoint.hash);
  inner["recorded_at_us"] = checkpoint.recorded_at_us;
  inner["signature"] = api::Hex(checkpoint.signature);
  json::object line;
  line["checkpoint"] = std::move(inner);
  return line;
}

}  // namespace

Result<uint64_t> WriteExport(EventStore& store, const SigningKey& key, std::ostream& out) {
  auto checkpoints = StoredCheckpoints(store);
  if (!checkpoints.ok()) return checkpoints.status();
  size_t next_checkpoint = 0;
  std::optional<StoredEvent> last;
  std::optional<uint64_t> last_checkpoint;
  std::string envelope;
  Status scan = store.Scan(Position{0}, store.GetHead().next, nullptr, [&](const StoredEvent& e) {
    EncodeEnvelope(e, &envelope);
    out << json::serialize(EventLine(e, envelope)) << '\n';
    while (next_checkpoint < checkpoints->size() &&
           (*checkpoints)[next_checkpoint].position <= e.position) {
      const SignedCheckpoint& checkpoint = (*checkpoints)[next_checkpoint++];
      out << json::serialize(CheckpointLine(checkpoint)) << '\n';
      last_checkpoint = checkpoint.position.value;
    }
    last = e;
    return true;
  });
  if (!scan.ok()) return scan;
  if (last && last_checkpoint != last->position.value) {
    out << json::serialize(CheckpointLine(SignCheckpoint(key, *last))) << '\n';
  }
  if (!out) return Status::IoError("cannot write the export");
  return last ? last->position.value + 1 : 0;
}

Status ReadExport(std::istream& in, const std::function<bool(const ExportLine&)>& visit) {
  std::string text;
  for (uint64_t number = 1; std::getline(in, text); ++number) {
    const std::string where = "export line " + std::to_string(number);
    // Strict: a line with a key twice could show an auditor's tool one value and us another.
    constexpr size_t kLineDepthMax = 32;
    std::string error;
    std::optional<json::value> value = api::ParseStrictJson(text, kLineDepthMax, &error);
    if (!value) return Status::Corruption(where + " is not JSON: " + std::move(error));
    if (!value->is_object()) return Status::Corruption(where + " is not a JSON object");
    const json::object& line = value->as_object();
    ExportLine parsed;
    if (const json::value* checkpoint = line.if_contains("checkpoint")) {
      parsed.checkpoint = ParseCheckpoint(*checkpoint);
      if (line.size() != 1 || !parsed.checkpoint) {
        return Status::Corruption(where + ": malformed checkpoint");
      }
    } else {
      const json::value* envelope_b64 = line.if_contains("envelope");
      std::optional<std::string> envelope;
      if (envelope_b64 != nullptr && envelope_b64->is_string()) {
        envelope = FromBase64(envelope_b64->as_string());
      }
      if (!envelope) return Status::Corruption(where + ": missing or malformed envelope");
      Result<StoredEvent> event = DecodeEnvelope(*envelope);
      if (!event.ok()) return Status::Corruption(where + ": " + event.status().message());
      // Everything the line says besides the envelope must be what the envelope says.
      if (line != EventLine(*event, *envelope)) {
        return Status::Corruption(where + " (position " + std::to_string(event->position.value) +
                                  "): its JSON does not say what its envelope bytes say");
      }
      parsed.event = std::move(event).value();
    }
    if (!visit(parsed)) return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace ledger::tools
