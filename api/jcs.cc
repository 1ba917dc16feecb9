#include "api/jcs.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::api {
namespace json = boost::json;
namespace {

// The UTF-16 code units of a UTF-8 string (RFC 8785 §3.2.3 sorts names by them).
std::u16string Utf16(std::string_view utf8) {
  std::u16string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    uint32_t code = byte;
    size_t length = 1;
    if (byte >= 0xF0) {
      code = byte & 0x07;
      length = 4;
    } else if (byte >= 0xE0) {
      code = byte & 0x0F;
      length = 3;
    } else if (byte >= 0xC0) {
      code = byte & 0x1F;
      length = 2;
    }
    for (size_t k = 1; k < length && i + k < utf8.size(); ++k) {
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    i += length;
    if (code >= 0x10000) {
      code -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (code >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (code & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(code));
    }
  }
  return out;
}

// ECMAScript Number::toString(x) (ECMA-262 §6.1.6.1.20), from the shortest round-trip digits.
void AppendNumber(double x, std::string& out) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  if (x == 0) {  // -0 too
    out.push_back('0');
    return;
  }
  if (x < 0) {
    out.push_back('-');
    x = -x;
  }
  // Shortest digits in scientific form: "d[.ddd]e±XX".
  char buffer[64];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  const size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(std::string(text.substr(e + 1)).c_str()) + 1;  // x = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
}

constexpr int64_t kExactIntegerMax = int64_t{1} << 53;

void Append(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      if (value.get_int64() > -kExactIntegerMax && value.get_int64() < kExactIntegerMax) {
        out += std::to_string(value.get_int64());
      } else {
        AppendNumber(static_cast<double>(value.get_int64()), out);
      }
      break;
    case json::kind::uint64:
      if (value.get_uint64() < static_cast<uint64_t>(kExactIntegerMax)) {
        out += std::to_string(value.get_uint64());
      } else {
        AppendNumber(static_cast<double>(value.get_uint64()), out);
      }
      break;
    case json::kind::double_:
      AppendNumber(value.get_double(), out);
      break;
    case json::kind::string:
      AppendJsonString(value.get_string(), out);
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const json::value& item : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        Append(item, out);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      std::vector<std::pair<std::u16string, const json::key_value_pair*>> members;
      for (const json::key_value_pair& member : value.get_object()) {
        members.emplace_back(Utf16(member.key()), &member);
      }
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      bool first = true;
      for (const auto& entry : members) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(entry.second->key(), out);
        out.push_back(':');
        Append(entry.second->value(), out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace

std::string CanonicalJson(const json::value& value) {
  std::string out;
  Append(value, out);
  return out;
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out.push_back(static_cast<char>(c));
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

}  // namespace ledger::api
