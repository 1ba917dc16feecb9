// JCS: the JSON Canonicalization Scheme of RFC 8785, which the eddsa-jcs-2022 cryptosuite hashes
// (docs/certificates.md). Object members sorted by the UTF-16 code units of their names, no
// whitespace, strings escaped as ECMAScript's JSON.stringify does, numbers as ECMAScript's
// Number.prototype.toString (the shortest form that reads back as the same double).
// Thread-safe: no state.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace ledger::api {

// The canonical UTF-8 form of `value`. Strings must be valid UTF-8 (Boost.JSON's parser checks
// it). Integers beyond 2^53 are written as the double nearest to them, as ECMAScript would; a
// non-finite double (which JSON cannot hold) is written as null.
std::string CanonicalJson(const boost::json::value& value);

}  // namespace ledger::api
