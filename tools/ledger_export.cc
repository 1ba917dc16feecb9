#include "tools/ledger_export.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <charconv>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "domain/event_payload.h"
#include "eventstore/checkpoint_signer.h"
#include "eventstore/envelope_codec.h"
#include "tools/chunk_writer.h"
#include "tools/line_reader.h"

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

// The text of EventLine(event, envelope), serialized, without building it (the export's hot path;
// tests check that the two agree).
void AppendEventLine(const StoredEvent& event, std::string_view envelope, std::string* out) {
  auto append_hex = [out](const Hash& hash) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (uint8_t byte : hash) {
      out->push_back(kDigits[byte >> 4]);
      out->push_back(kDigits[byte & 0xF]);
    }
  };
  char digits[24];
  out->append("{\"position\":");
  out->append(digits, std::to_chars(digits, digits + sizeof(digits), event.position.value).ptr);
  out->append(",\"prev_hash\":\"");
  append_hex(event.prev_hash);
  out->append("\",\"hash\":\"");
  append_hex(event.hash);
  out->append("\",\"envelope\":\"");
  const size_t at = out->size();
  out->resize(at + 4 * ((envelope.size() + 2) / 3) + 1);  // EVP_EncodeBlock's terminating NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + at),
                                reinterpret_cast<const unsigned char*>(envelope.data()),
                                static_cast<int>(envelope.size()));
  out->resize(at + static_cast<size_t>(n));
  out->append("\",\"event\":");
  api::AppendStoredEventJson(event, /*personal=*/true, out);
  out->push_back('}');
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
  // What the final checkpoint signs of the last event (SignCheckpoint reads no other field).
  std::optional<StoredEvent> last;
  std::optional<uint64_t> last_checkpoint;
  // Lines are formatted here, a block at a time, while a thread of the writer's writes the
  // block before (in order, so the bytes are those of one thread writing line by line).
  constexpr size_t kFlushBytes = 1 << 20;
  ChunkWriter writer(out);
  bool writing = true;
  std::string buffer;
  buffer.reserve(kFlushBytes + (64 << 10));
  Status scan = store.ScanEnvelopes(
      Position{0}, store.GetHead().next, nullptr,
      [&](const StoredEvent& e, std::string_view envelope) {
        AppendEventLine(e, envelope, &buffer);
        buffer.push_back('\n');
        while (next_checkpoint < checkpoints->size() &&
               (*checkpoints)[next_checkpoint].position <= e.position) {
          const SignedCheckpoint& checkpoint = (*checkpoints)[next_checkpoint++];
          buffer += json::serialize(CheckpointLine(checkpoint));
          buffer.push_back('\n');
          last_checkpoint = checkpoint.position.value;
        }
        if (buffer.size() >= kFlushBytes) {
          writing = writer.Write(buffer);
          if (buffer.capacity() < kFlushBytes) buffer.reserve(kFlushBytes + (64 << 10));
        }
        if (!last) last.emplace();
        last->position = e.position;
        last->hash = e.hash;
        last->recorded_at_us = e.recorded_at_us;
        return writing;
      });
  if (!scan.ok()) return scan;
  if (last && last_checkpoint != last->position.value) {
    buffer += json::serialize(CheckpointLine(SignCheckpoint(key, *last)));
    buffer.push_back('\n');
  }
  if (!buffer.empty()) writing = writer.Write(buffer);
  if (!writer.Finish() || !writing || !out) return Status::IoError("cannot write the export");
  return last ? last->position.value + 1 : 0;
}

namespace {

// The fast reading of an event line: true when `text` is exactly the line an export writes for
// the envelope it carries (then `event` holds that envelope, decoded). Anything else, a valid
// line that is only laid out differently included, is left to the full parse.
bool ReadCanonicalEventLine(std::string_view text, std::string* envelope, StoredEvent* event,
                            std::string* rendered) {
  constexpr std::string_view kStart = "{\"position\":";
  constexpr std::string_view kPrevHash = ",\"prev_hash\":\"";
  constexpr std::string_view kHash = "\",\"hash\":\"";
  constexpr std::string_view kEnvelope = "\",\"envelope\":\"";
  constexpr size_t kHexChars = 2 * sizeof(Hash);
  // Whether `literal` stands at `at` (which the hex skips may have taken past the end).
  auto literal_at = [text](size_t at, std::string_view literal) {
    return at <= text.size() && text.substr(at).starts_with(literal);
  };
  if (!text.starts_with(kStart)) return false;
  size_t at = kStart.size();
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  if (!literal_at(at, kPrevHash)) return false;
  at += kPrevHash.size() + kHexChars;
  if (!literal_at(at, kHash)) return false;
  at += kHash.size() + kHexChars;
  if (!literal_at(at, kEnvelope)) return false;
  at += kEnvelope.size();
  const size_t end = text.find('"', at);
  if (end == std::string_view::npos || (end - at) % 4 != 0) return false;
  const std::string_view base64 = text.substr(at, end - at);
  envelope->resize(3 * base64.size() / 4);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(envelope->data()),
                                reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  if (n < 0) return false;
  size_t padding = 0;
  while (padding < 2 && padding < base64.size() && base64[base64.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (static_cast<size_t>(n) < padding) return false;
  envelope->resize(static_cast<size_t>(n) - padding);
  if (!DecodeEnvelopeInto(*envelope, event).ok()) return false;
  rendered->clear();
  AppendEventLine(*event, *envelope, rendered);
  return *rendered == text;
}

}  // namespace

Status ReadExport(std::istream& in, const std::function<bool(const ExportLine&)>& visit,
                  size_t block_bytes) {
  LineReader lines(in, block_bytes);
  std::string_view text;
  // Reused from line to line: the fast path allocates nothing once they have grown.
  std::string envelope_bytes;
  std::string rendered;
  ExportLine parsed;
  for (uint64_t number = 1; lines.Next(&text); ++number) {
    parsed.checkpoint.reset();
    if (!parsed.event) parsed.event.emplace();
    if (ReadCanonicalEventLine(text, &envelope_bytes, &*parsed.event, &rendered)) {
      if (!visit(parsed)) return Status::Ok();
      continue;
    }
    parsed.event.reset();
    const std::string where = "export line " + std::to_string(number);
    // Strict: a line with a key twice could show an auditor's tool one value and us another.
    constexpr size_t kLineDepthMax = 32;
    std::string error;
    std::optional<json::value> value = api::ParseStrictJson(text, kLineDepthMax, &error);
    if (!value) return Status::Corruption(where + " is not JSON: " + std::move(error));
    if (!value->is_object()) return Status::Corruption(where + " is not a JSON object");
    const json::object& line = value->as_object();
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
