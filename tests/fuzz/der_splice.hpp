#pragma once
// Replacing one TLV deep inside a DER-encoded APDU with other bytes, fixing the lengths of
// every value around it: how the fuzz targets put their input where a real APDU carries an
// EXTERNAL or ANY value. Works on definite-length encodings (what codec::encode writes).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace illhub::fuzz {

/// One TLV inside a buffer.
struct TlvAt {
  std::size_t start = 0;
  std::size_t tag_bytes = 0;
  std::size_t header_bytes = 0;  // tag + length octets
  std::size_t length = 0;
  std::size_t end() const { return start + header_bytes + length; }
};

/// Reads the definite-length TLV at `pos`; nothing when it is not one or runs past `limit`.
inline std::optional<TlvAt> read_tlv(std::span<const std::uint8_t> buf, std::size_t pos, std::size_t limit) {
  TlvAt t{pos};
  std::size_t p = pos;
  if (p >= limit) return std::nullopt;
  if ((buf[p++] & 0x1F) == 0x1F)
    while (p < limit && (buf[p++] & 0x80)) {}
  t.tag_bytes = p - pos;
  if (p >= limit) return std::nullopt;
  const std::uint8_t len0 = buf[p++];
  if (len0 == 0x80 || len0 > 0x84) return std::nullopt;
  if (len0 < 0x80) {
    t.length = len0;
  } else {
    for (int i = 0; i < (len0 & 0x7F); ++i) {
      if (p >= limit) return std::nullopt;
      t.length = (t.length << 8) | buf[p++];
    }
  }
  t.header_bytes = p - pos;
  if (t.end() > limit) return std::nullopt;
  return t;
}

/// The TLVs from the outermost down to the one that starts at `target` and spans
/// `target_size` bytes; empty when no such TLV lies on a path of constructed values.
inline std::vector<TlvAt> path_to(std::span<const std::uint8_t> der, std::size_t target, std::size_t target_size) {
  std::vector<TlvAt> path;
  std::size_t pos = 0, limit = der.size();
  for (int depth = 0; depth < 64; ++depth) {
    std::optional<TlvAt> found;
    while (pos < limit) {
      auto t = read_tlv(der, pos, limit);
      if (!t) return {};
      if (t->start <= target && target < t->end()) {
        found = t;
        break;
      }
      pos = t->end();
    }
    if (!found) return {};
    path.push_back(*found);
    if (found->start == target && found->end() == target + target_size) return path;
    pos = found->start + found->header_bytes;
    limit = found->end();
  }
  return {};
}

inline void append_der_length(std::vector<std::uint8_t>& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  int octets = 0;
  for (std::size_t v = n; v; v >>= 8) ++octets;
  out.push_back(static_cast<std::uint8_t>(0x80 | octets));
  for (int i = octets; i-- > 0;) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
}

/// `der` with path.back() replaced by `replacement` and every enclosing length adjusted.
inline std::vector<std::uint8_t> splice(std::span<const std::uint8_t> der, const std::vector<TlvAt>& path,
                                        std::span<const std::uint8_t> replacement) {
  std::vector<std::uint8_t> inner(replacement.begin(), replacement.end());
  for (std::size_t i = path.size() - 1; i-- > 0;) {
    const TlvAt& parent = path[i];
    const TlvAt& child = path[i + 1];
    std::vector<std::uint8_t> content(der.begin() + static_cast<std::ptrdiff_t>(parent.start + parent.header_bytes),
                                      der.begin() + static_cast<std::ptrdiff_t>(child.start));
    content.insert(content.end(), inner.begin(), inner.end());
    content.insert(content.end(), der.begin() + static_cast<std::ptrdiff_t>(child.end()),
                   der.begin() + static_cast<std::ptrdiff_t>(parent.end()));
    inner.assign(der.begin() + static_cast<std::ptrdiff_t>(parent.start),
                 der.begin() + static_cast<std::ptrdiff_t>(parent.start + parent.tag_bytes));
    append_der_length(inner, content.size());
    inner.insert(inner.end(), content.begin(), content.end());
  }
  // Whatever followed the outermost value (nothing, for one APDU) is kept.
  inner.insert(inner.end(), der.begin() + static_cast<std::ptrdiff_t>(path.front().end()), der.end());
  return inner;
}

}  // namespace illhub::fuzz
