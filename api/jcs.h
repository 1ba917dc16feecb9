// JCS: the JSON Canonicalization Scheme of RFC 8785, which the eddsa-jcs-2022 cryptosuite hashes
// (docs/certificates.md). Object members sorted by the UTF-16 code units of their names, no
// whitespace, strings escaped as ECMAScript's JSON.stringify does, numbers as ECMAScript's
// Number.prototype.toString (the shortest form that reads back as the same double).
// Thread-safe: no state.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace ledger::api {

// The canonical UTF-8 form of `value`. Strings must be valid UTF-8 (Boost.JSON's parser checks
// it). Integers beyond 2^53 are written as the double nearest to them, as ECMAScript would; a
// non-finite double (which JSON cannot hold) is written as null.
std::string CanonicalJson(const boost::json::value& value);

// Appends `text` as a JSON string, quoted: \" and \\, the short escapes for \b \t \n \f \r,
// \u00xx (lower-case hex) for the other control characters, every other byte as it is (RFC 8785
// §3.2.2.2; also exactly what Boost.JSON's serializer writes, which the export's text relies on).
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace ledger::api
