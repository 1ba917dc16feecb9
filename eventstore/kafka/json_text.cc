#include "eventstore/kafka/json_text.h"

#include "domain/assert.h"

namespace ledger {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The length of the valid UTF-8 sequence starting at text[i], or 0 if it is not one (overlong
// forms, surrogates and code points past U+10FFFF included, as RFC 3629 says).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  size_t length;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong
    if (lead == 0xF4) second_max = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < second_min || byte(i + 1) > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out->append(kReplacementCharacter);
        ++i;
      } else {
        out->append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHexDigits[c >> 4]);
          out->push_back(kHexDigits[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void JsonWriter::Key(std::string_view key) {
  if (need_comma_) out_.push_back(',');
  if (!key.empty()) {
    AppendJsonString(key, &out_);
    out_.push_back(':');
  }
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject(std::string_view key) {
  Key(key);
  out_.push_back('{');
  need_comma_ = false;
  ++depth_;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  LEDGER_ASSERT(depth_ > 0);
  out_.push_back('}');
  need_comma_ = true;
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::BeginArray(std::string_view key) {
  Key(key);
  out_.push_back('[');
  need_comma_ = false;
  ++depth_;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  LEDGER_ASSERT(depth_ > 0);
  out_.push_back(']');
  need_comma_ = true;
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(value, &out_);
  return *this;
}

JsonWriter& JsonWriter::StringOrNull(std::string_view key, std::string_view value) {
  if (value.empty()) {
    Key(key);
    out_.append("null");
    return *this;
  }
  return String(key, value);
}

JsonWriter& JsonWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  out_.append(std::to_string(value));
  return *this;
}

std::string JsonWriter::Take() {
  LEDGER_ASSERT(depth_ == 0);
  need_comma_ = false;
  return std::move(out_);
}

}  // namespace ledger
