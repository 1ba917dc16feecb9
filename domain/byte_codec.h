// ByteWriter / ByteReader: a small deterministic binary encoding for projection rows: unsigned
// varints, zigzag varints for signed values, length-prefixed strings. The same value always
// gives the same bytes, so rebuilt and incrementally built rows can be compared byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

class ByteWriter {
 public:
  void U64(uint64_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void I64(int64_t value) {
    U64((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
  }
  void Bool(bool value) { out_.push_back(value ? 1 : 0); }
  void Str(std::string_view value) {
    U64(value.size());
    out_.append(value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what ByteWriter wrote. Every read fails softly: after the first malformed read ok()
// turns false and later reads return zero values.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  uint64_t U64() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return Fail();
  }
  int64_t I64() {
    const uint64_t raw = U64();
    return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  bool Bool() {
    if (pos_ >= in_.size()) return Fail() != 0;
    const char c = in_[pos_++];
    if (c != 0 && c != 1) Fail();
    return c == 1;
  }
  std::string Str() {
    const uint64_t size = U64();
    if (!ok_ || size > in_.size() - pos_) {
      Fail();
      return {};
    }
    std::string value(in_.substr(pos_, size));
    pos_ += size;
    return value;
  }
  // True when every read succeeded and all input was consumed.
  bool Done() const { return ok_ && pos_ == in_.size(); }
  bool ok() const { return ok_; }
  // Marks the input malformed (a value read well but out of its range): ok() turns false.
  void Reject() { Fail(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ledger
