// Byte encodings the API shows: lowercase hex and unpadded base64url (RFC 4648 §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ledger::api {

std::string Hex(std::string_view bytes);
std::string Base64Url(std::string_view bytes);
// nullopt unless `text` is unpadded base64url.
std::optional<std::string> FromBase64Url(std::string_view text);

}  // namespace ledger::api
