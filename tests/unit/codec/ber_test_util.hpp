#pragma once
// Helpers that produce BER variants of a valid encoding, so tests cover both length forms
// with the same values.

#include <cstdint>
#include <span>
#include <vector>

#include "illhub/codec/ber_scan.hpp"

namespace illhub::codec::testing {

/// Rewrites every constructed value of a definite-length TLV with indefinite length
/// (0x80 ... 00 00), as YAZ and other BER encoders may send it.
inline std::vector<std::uint8_t> to_indefinite(std::span<const std::uint8_t> in, std::size_t& pos) {
  std::vector<std::uint8_t> out;
  const std::size_t start = pos;
  std::size_t p = pos + 1;
  if ((in[start] & 0x1F) == 0x1F)
    while (in[p++] & 0x80) {
    }
  const bool constructed = (in[start] & 0x20) != 0;
  out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(start),
             in.begin() + static_cast<std::ptrdiff_t>(p));
  std::size_t len = in[p];
  std::size_t len_start = p++;
  if (len & 0x80) {
    const std::size_t n = len & 0x7F;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | in[p++];
  }
  if (!constructed) {
    out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(len_start),
               in.begin() + static_cast<std::ptrdiff_t>(p + len));
    pos = p + len;
    return out;
  }
  out.push_back(0x80);
  const std::size_t end = p + len;
  while (p < end) {
    auto child = to_indefinite(in, p);
    out.insert(out.end(), child.begin(), child.end());
  }
  out.push_back(0);
  out.push_back(0);
  pos = end;
  return out;
}

inline std::vector<std::uint8_t> to_indefinite(std::span<const std::uint8_t> in) {
  std::size_t pos = 0;
  return to_indefinite(in, pos);
}

}  // namespace illhub::codec::testing
