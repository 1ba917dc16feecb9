// Base58btc (the Bitcoin alphabet), the encoding of multibase 'z' strings in did:key
// identifiers and Data Integrity proof values (docs/certificates.md). Thread-safe: no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

// The base58btc text of `bytes`; each leading zero byte becomes a leading '1'.
std::string Base58Encode(std::string_view bytes);

// The bytes of base58btc `text`; nullopt when it holds a character outside the alphabet or is
// longer than base58_text_chars_max.
std::optional<std::string> Base58Decode(std::string_view text);

inline constexpr size_t kBase58TextCharsMax = 1024;

}  // namespace ledger::api
