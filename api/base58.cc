#include "api/base58.h"

#include <cstdint>
#include <vector>

namespace ledger::api {
namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

}  // namespace

std::string Base58Encode(std::string_view bytes) {
  size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == '\0') ++zeros;
  // Base-58 digits, least significant first: repeated division of the big-endian number.
  std::vector<uint8_t> digits;
  for (size_t i = zeros; i < bytes.size(); ++i) {
    uint32_t carry = static_cast<unsigned char>(bytes[i]);
    for (uint8_t& digit : digits) {
      carry += uint32_t{digit} << 8;
      digit = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

std::optional<std::string> Base58Decode(std::string_view text) {
  if (text.size() > kBase58TextCharsMax) return std::nullopt;
  size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<uint8_t> bytes;  // least significant first
  for (size_t i = ones; i < text.size(); ++i) {
    const size_t value = kAlphabet.find(text[i]);
    if (value == std::string_view::npos) return std::nullopt;
    uint32_t carry = static_cast<uint32_t>(value);
    for (uint8_t& byte : bytes) {
      carry += uint32_t{byte} * 58;
      byte = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  std::string out(ones, '\0');
  for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) out.push_back(static_cast<char>(*it));
  return out;
}

}  // namespace ledger::api
