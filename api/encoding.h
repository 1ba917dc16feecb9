// Byte encodings the API shows and reads: lowercase hex, unpadded base64url (RFC 4648 §5),
// percent-escapes (RFC 3986), and JSON text parsed strictly.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

std::string Hex(std::string_view bytes);
std::string Base64Url(std::string_view bytes);
// nullopt unless `text` is unpadded base64url.
std::optional<std::string> FromBase64Url(std::string_view text);
// `text` with each %XX escape decoded once (and '+' as a space when `plus_is_space`, for query
// strings); nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// `text` as one JSON value (RFC 8259, valid UTF-8, no comments or trailing commas) nested at most
// `depth_max` deep, or nullopt with `*error` saying why in a sentence. Unlike boost::json::parse,
// an object with the same key twice is refused, at every level: parsers disagree on which one
// wins (Boost.JSON and Python keep the last, others the first), so a body or a line with both
// could mean one thing to us and another to whoever checks it. Thread-safe: no state.
std::optional<boost::json::value> ParseStrictJson(std::string_view text, size_t depth_max,
                                                  std::string* error);

}  // namespace ledger::api
