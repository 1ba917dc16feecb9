// Hand-written JSON text for the few small documents eventstore/kafka/ publishes: the partner
// items on `<prefix>.donations`, a public format (docs/kafka.md). It stays hand-written because
// api/ is the only module that knows JSON and links Boost.JSON (docs/ARCHITECTURE.md), while this
// module may depend only on eventstore/, domain/ and librdkafka; and because its bytes are not
// Boost.JSON's (DEL is written \u007f, invalid UTF-8 becomes U+FFFD), which partners already read.
// These helpers only write, never parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

// Appends `text` as a JSON string literal (quotes included): '"' and '\\' escaped, control
// characters as \n, \t, ... or \u00XX, valid UTF-8 copied as is, and each byte of an invalid
// UTF-8 sequence replaced by U+FFFD, so that the output is always valid JSON in valid UTF-8.
void AppendJsonString(std::string_view text, std::string* out);

// Writes JSON text value by value, in call order: objects and arrays are opened and closed
// explicitly; `key` names a member inside an object and is empty for an array element or the
// top-level value. Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& BeginObject(std::string_view key = {});
  JsonWriter& EndObject();
  JsonWriter& BeginArray(std::string_view key);
  JsonWriter& EndArray();
  JsonWriter& String(std::string_view key, std::string_view value);
  // A string, or null when `value` is empty (an absent optional field).
  JsonWriter& StringOrNull(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);

  // The text written so far. REQUIRES: every object and array closed.
  std::string Take();

 private:
  void Key(std::string_view key);
  std::string out_;
  bool need_comma_ = false;
  int depth_ = 0;
};

}  // namespace ledger
