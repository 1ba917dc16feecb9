// Big-endian key encodings, so that RocksDB's bytewise order is numeric order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

inline void AppendBigEndian32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

inline void AppendBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

// REQUIRES: bytes.size() >= 8.
inline uint64_t DecodeBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

inline std::string PositionKey(uint64_t position) {
  std::string key;
  key.reserve(8);
  AppendBigEndian64(position, &key);
  return key;
}

// streams column family: u16 length || stream || u64 version. The length prefix makes one
// stream's keys a contiguous range that no other stream's keys fall into.
inline void AppendStreamPrefix(std::string_view stream, std::string* out) {
  out->push_back(static_cast<char>(stream.size() >> 8));
  out->push_back(static_cast<char>(stream.size() & 0xFF));
  out->append(stream);
}

inline std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string key;
  key.reserve(2 + stream.size() + 8);
  AppendStreamPrefix(stream, &key);
  AppendBigEndian64(version, &key);
  return key;
}

}  // namespace ledger
