#include "illhub/codec/ber_scan.hpp"

#include <cassert>
#include <cstring>

namespace illhub::codec {

const char* describe(BerProblem problem) {
  switch (problem) {
    case BerProblem::kNone: return "no problem";
    case BerProblem::kTooLarge: return "APDU larger than the configured limit";
    case BerProblem::kTooDeep: return "values nested deeper than the configured limit";
    case BerProblem::kBadTag: return "tag number longer than 4 octets";
    case BerProblem::kBadLength: return "length in a reserved or over-long form";
    case BerProblem::kIndefinitePrimitive: return "indefinite length on a primitive value";
    case BerProblem::kStrayEndOfContents: return "end-of-contents where none was open";
    case BerProblem::kMalformedEndOfContents: return "end-of-contents not followed by 00";
    case BerProblem::kOverrun: return "value runs past the end of its container";
  }
  return "unknown problem";
}

namespace {

constexpr std::size_t kIndefinite = static_cast<std::size_t>(-1);

struct Header {
  std::uint8_t tag_class = 0;
  bool constructed = false;
  std::uint32_t tag_number = 0;
  std::size_t tag_bytes = 0;     // identifier octets
  std::size_t header_bytes = 0;  // identifier + length octets
  std::size_t length = 0;        // kIndefinite for 0x80 on a constructed value
};

enum class HeaderStatus { kOk, kNeedMore, kError };

/// Reads the identifier and length octets at buf[pos]. On kNeedMore, *need is the total
/// buffer size that would let it progress.
HeaderStatus read_header(std::span<const std::uint8_t> buf, std::size_t pos, Header& h,
                         BerProblem& problem, std::size_t& need) {
  std::size_t p = pos;
  if (p >= buf.size()) return need = p + 1, HeaderStatus::kNeedMore;
  const std::uint8_t first = buf[p++];
  h.tag_class = static_cast<std::uint8_t>(first >> 6);
  h.constructed = (first & 0x20) != 0;
  h.tag_number = first & 0x1Fu;
  if (h.tag_number == 0x1F) {
    h.tag_number = 0;
    for (int n = 0;; ++n) {
      if (n == 4) return problem = BerProblem::kBadTag, HeaderStatus::kError;
      if (p >= buf.size()) return need = p + 1, HeaderStatus::kNeedMore;
      const std::uint8_t b = buf[p++];
      h.tag_number = (h.tag_number << 7) | (b & 0x7Fu);
      if ((b & 0x80) == 0) break;
    }
  }
  h.tag_bytes = p - pos;
  if (p >= buf.size()) return need = p + 1, HeaderStatus::kNeedMore;
  const std::uint8_t len0 = buf[p++];
  if (len0 < 0x80) {
    h.length = len0;
  } else if (len0 == 0x80) {
    if (!h.constructed) return problem = BerProblem::kIndefinitePrimitive, HeaderStatus::kError;
    h.length = kIndefinite;
  } else {
    const std::size_t octets = len0 & 0x7Fu;
    if (len0 == 0xFF || octets > 8) return problem = BerProblem::kBadLength, HeaderStatus::kError;
    if (buf.size() - p < octets) return need = p + octets, HeaderStatus::kNeedMore;
    std::uint64_t len = 0;
    for (std::size_t i = 0; i < octets; ++i) len = (len << 8) | buf[p++];
    // Anything this large fails the size limit anyway; clamping keeps the sums below safe.
    h.length = len > (std::uint64_t{1} << 40) ? (std::size_t{1} << 40) : static_cast<std::size_t>(len);
  }
  h.header_bytes = p - pos;
  return HeaderStatus::kOk;
}

}  // namespace

TlvScan scan_tlv(std::span<const std::uint8_t> buf, const CodecLimits& limits) {
  TlvScan r;
  // Ends of the constructed values currently open; kIndefinite for indefinite ones.
  std::size_t open_ends[64];
  const int max_depth = limits.max_depth < 64 ? limits.max_depth : 64;
  int depth = 0;
  std::size_t pos = 0;
  auto fail = [&r](BerProblem problem, std::size_t offset) {
    r.status = TlvScan::Status::kError;
    r.problem = problem;
    r.offset = offset;
    return r;
  };
  auto need_more = [&r, &limits, &fail](std::size_t need) {
    if (need > limits.max_apdu_bytes) return fail(BerProblem::kTooLarge, limits.max_apdu_bytes);
    r.status = TlvScan::Status::kNeedMore;
    r.size = need;
    return r;
  };

  for (;;) {
    // Close every value that ends here.
    while (depth > 0) {
      const std::size_t end = open_ends[depth - 1];
      if (end == kIndefinite) {
        if (pos >= buf.size()) return need_more(pos + 2);
        if (buf[pos] != 0) break;
        if (pos + 1 >= buf.size()) return need_more(pos + 2);
        if (buf[pos + 1] != 0) return fail(BerProblem::kMalformedEndOfContents, pos);
        // The end-of-contents octets count towards the size too: without this check an
        // indefinite value that arrived whole could end past the limit.
        if (pos + 2 > limits.max_apdu_bytes) return fail(BerProblem::kTooLarge, pos);
        pos += 2;
        --depth;
      } else if (pos == end) {
        --depth;
      } else {
        break;
      }
    }
    if (depth == 0 && pos > 0) {
      r.status = TlvScan::Status::kComplete;
      r.size = pos;
      return r;
    }

    Header h;
    BerProblem problem = BerProblem::kNone;
    std::size_t need = 0;
    switch (read_header(buf, pos, h, problem, need)) {
      case HeaderStatus::kNeedMore: return need_more(need);
      case HeaderStatus::kError: return fail(problem, pos);
      case HeaderStatus::kOk: break;
    }
    if (pos == 0) {
      r.tag_class = h.tag_class;
      r.constructed = h.constructed;
      r.tag_number = h.tag_number;
    }
    if (h.tag_class == 0 && h.tag_number == 0 && !h.constructed)
      return fail(BerProblem::kStrayEndOfContents, pos);  // 00 where no indefinite value is open

    const std::size_t content = pos + h.header_bytes;
    const std::size_t parent_end = depth > 0 ? open_ends[depth - 1] : kIndefinite;
    if (h.length == kIndefinite) {
      r.has_indefinite = true;
      if (depth == max_depth) return fail(BerProblem::kTooDeep, pos);
      open_ends[depth++] = kIndefinite;
      pos = content;
      continue;
    }
    const std::size_t end = content + h.length;
    if (end > limits.max_apdu_bytes) return fail(BerProblem::kTooLarge, pos);
    if (parent_end != kIndefinite && end > parent_end) return fail(BerProblem::kOverrun, pos);
    if (h.constructed) {
      if (depth == max_depth) return fail(BerProblem::kTooDeep, pos);
      // A definite constructed value cannot be checked inside before all of it is here.
      if (end > buf.size()) return need_more(end);
      open_ends[depth++] = end;
      pos = content;
    } else {
      if (end > buf.size()) return need_more(end);
      pos = end;
    }
    if (depth == 0) {
      r.status = TlvScan::Status::kComplete;
      r.size = pos;
      return r;
    }
  }
}

namespace {

std::size_t length_octets(std::size_t len) {
  if (len < 0x80) return 1;
  std::size_t n = 1;
  while (len) ++n, len >>= 8;
  return n;
}

/// Pass 1: content lengths of every constructed value, in pre-order.
std::size_t measure(std::span<const std::uint8_t> in, std::size_t& pos,
                    std::vector<std::size_t>& lengths) {
  Header h;
  BerProblem problem;
  std::size_t need;
  [[maybe_unused]] auto status = read_header(in, pos, h, problem, need);
  assert(status == HeaderStatus::kOk);
  std::size_t p = pos + h.header_bytes;
  if (!h.constructed) {
    pos = p + h.length;
    return h.tag_bytes + length_octets(h.length) + h.length;
  }
  const std::size_t slot = lengths.size();
  lengths.push_back(0);
  std::size_t content = 0;
  if (h.length == kIndefinite) {
    while (!(in[p] == 0 && in[p + 1] == 0)) content += measure(in, p, lengths);
    p += 2;
  } else {
    const std::size_t end = p + h.length;
    while (p < end) content += measure(in, p, lengths);
  }
  lengths[slot] = content;
  pos = p;
  return h.tag_bytes + length_octets(content) + content;
}

/// Writes a definite length at out; returns the position after it.
std::uint8_t* put_length(std::uint8_t* out, std::size_t len) {
  if (len < 0x80) {
    *out++ = static_cast<std::uint8_t>(len);
    return out;
  }
  const std::size_t n = length_octets(len) - 1;
  *out++ = static_cast<std::uint8_t>(0x80 | n);
  for (std::size_t i = n; i-- > 0;) *out++ = static_cast<std::uint8_t>(len >> (8 * i));
  return out;
}

/// Pass 2: copy tags and primitive values, write the measured definite lengths, into a buffer
/// already sized by pass 1.
std::uint8_t* emit(std::span<const std::uint8_t> in, std::size_t& pos,
                   const std::vector<std::size_t>& lengths, std::size_t& next_length,
                   std::uint8_t* out) {
  Header h;
  BerProblem problem;
  std::size_t need;
  read_header(in, pos, h, problem, need);
  std::memcpy(out, in.data() + pos, h.tag_bytes);
  out += h.tag_bytes;
  std::size_t p = pos + h.header_bytes;
  if (!h.constructed) {
    out = put_length(out, h.length);
    std::memcpy(out, in.data() + p, h.length);
    pos = p + h.length;
    return out + h.length;
  }
  out = put_length(out, lengths[next_length++]);
  if (h.length == kIndefinite) {
    while (!(in[p] == 0 && in[p + 1] == 0)) out = emit(in, p, lengths, next_length, out);
    p += 2;
  } else {
    const std::size_t end = p + h.length;
    while (p < end) out = emit(in, p, lengths, next_length, out);
  }
  pos = p;
  return out;
}

}  // namespace

std::vector<std::uint8_t> to_definite(std::span<const std::uint8_t> tlv) {
  std::vector<std::size_t> lengths;
  lengths.reserve(64);
  std::size_t pos = 0;
  const std::size_t total = measure(tlv, pos, lengths);
  std::vector<std::uint8_t> out(total);
  pos = 0;
  std::size_t next_length = 0;
  [[maybe_unused]] const std::uint8_t* end = emit(tlv, pos, lengths, next_length, out.data());
  assert(end == out.data() + out.size());
  return out;
}

}  // namespace illhub::codec
