// The terms of an attestation (API.md "Personal information"): the purpose a request names and
// the data a statement may disclose. Shared by the domain's rule (AttestationIssued) and the
// route that records it (api/handler_attestations.cc), so that both hold the same bounds.
#pragma once

#include <cstddef>
#include <string_view>

namespace ledger {

// A purpose is 1..200 characters (Unicode code points of UTF-8 text, so 200 汉字 fit).
inline constexpr size_t kAttestationPurposeCharsMax = 200;

// The number of code points of UTF-8 `text` (its bytes that do not continue a sequence).
inline size_t Utf8Chars(std::string_view text) {
  size_t chars = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++chars;
  }
  return chars;
}

inline bool ValidAttestationPurpose(std::string_view purpose) {
  return !purpose.empty() && Utf8Chars(purpose) <= kAttestationPurposeCharsMax;
}

}  // namespace ledger
