#include "api/encoding.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ledger::api {
namespace {
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace json = boost::json;

// The handler of json::basic_parser: builds the value as json::parser does (a value_stack) and
// keeps the keys of every open object, to stop at the first key an object already has. The
// keys of all open objects sit one after another in one buffer (an object's keys are dropped
// when it closes), and a key is compared with the keys its object already has; an object that
// reaches kLinearKeysMax keys moves its keys into a hash set of its own. So the work stays
// linear in the text whatever its shape, and the small objects of an event batch (thousands
// per body) cost no allocation per key or per object.
class UniqueKeyHandler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  json::value_stack& stack() { return stack_; }
  // The key seen twice, once the parser stopped on it.
  const std::optional<std::string>& duplicate_key() const { return duplicate_key_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open_objects_.push_back(OpenObject{spans_.size(), keys_.size(), nullptr});
    return true;
  }
  bool on_object_end(size_t n, json::error_code&) {
    keys_.resize(open_objects_.back().first_byte);
    spans_.resize(open_objects_.back().first_span);
    open_objects_.pop_back();
    stack_.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t n, json::error_code&) {
    stack_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view part, size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    stack_.push_chars(part);
    return true;
  }
  bool on_key(json::string_view last, size_t, json::error_code& error) {
    key_.append(last.data(), last.size());
    if (!AddKey(open_objects_.back())) {
      duplicate_key_ = std::move(key_);
      error = json::error::syntax;
      return false;
    }
    key_.clear();
    stack_.push_key(last);
    return true;
  }
  bool on_string_part(json::string_view part, size_t, json::error_code&) {
    stack_.push_chars(part);
    return true;
  }
  bool on_string(json::string_view last, size_t, json::error_code&) {
    stack_.push_string(last);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view, json::error_code&) {
    stack_.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code&) {
    stack_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    stack_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // Keys an object is checked against one by one; from this many on, a hash set.
  static constexpr size_t kLinearKeysMax = 16;

  struct OpenObject {
    size_t first_span;  // its keys are spans_[first_span..] while `many` is null
    size_t first_byte;  // and their bytes keys_[first_byte..]
    std::unique_ptr<std::unordered_set<std::string>> many;
  };

  // Adds key_ to `object`'s keys; false when the object already has it.
  bool AddKey(OpenObject& object) {
    if (object.many != nullptr) return object.many->insert(key_).second;
    const std::string_view key = key_;
    for (size_t i = object.first_span; i < spans_.size(); ++i) {
      if (std::string_view(keys_).substr(spans_[i].first, spans_[i].second) == key) return false;
    }
    if (spans_.size() - object.first_span + 1 < kLinearKeysMax) {
      spans_.emplace_back(keys_.size(), key.size());
      keys_.append(key);
      return true;
    }
    object.many = std::make_unique<std::unordered_set<std::string>>();
    for (size_t i = object.first_span; i < spans_.size(); ++i) {
      object.many->emplace(std::string_view(keys_).substr(spans_[i].first, spans_[i].second));
    }
    object.many->emplace(key);
    keys_.resize(object.first_byte);
    spans_.resize(object.first_span);
    return true;
  }

  json::value_stack stack_;
  std::vector<OpenObject> open_objects_;  // innermost last
  // The keys of the open objects without a set, one after another, and (offset, size) of each.
  std::string keys_;
  std::vector<std::pair<size_t, size_t>> spans_;
  std::string key_;  // the key being read
  std::optional<std::string> duplicate_key_;
};

// How a problem names a key: quoted, or by its size when it is too long to quote.
std::string KeyForMessage(const std::string& key) {
  constexpr size_t kQuotedKeyBytesMax = 64;
  if (key.size() > kQuotedKeyBytesMax) return "a key of " + std::to_string(key.size()) + " bytes";
  return "the key '" + key + "'";
}

}  // namespace

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0xF]);
  }
  return out;
}

std::string Base64Url(std::string_view bytes) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kBase64Url[(bits >> count) & 0x3F]);
    }
  }
  if (count > 0) out.push_back(kBase64Url[(bits << (6 - count)) & 0x3F]);
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int value = Base64Value(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  // Leftover bits must be zero, so every byte string has exactly one encoding.
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<json::value> ParseStrictJson(std::string_view text, size_t depth_max,
                                           std::string* error) {
  json::parse_options options;
  options.max_depth = depth_max;
  json::basic_parser<UniqueKeyHandler> parser(options);
  parser.handler().stack().reset();
  json::error_code code;
  const size_t used = parser.write_some(false, text.data(), text.size(), code);
  if (!code && used < text.size()) code = json::error::extra_data;
  if (code) {
    const std::optional<std::string>& duplicate = parser.handler().duplicate_key();
    *error = duplicate ? "an object has " + KeyForMessage(*duplicate) + " twice" : code.message();
    return std::nullopt;
  }
  return parser.handler().stack().release();
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexDigit(text[i + 1]);
      const int low = HexDigit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace ledger::api
