#include "illhub/codec/ber_scan.hpp"

#include <algorithm>
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

/// Filled in completely by read_header on success, or by scan()'s short path; left
/// uninitialised otherwise, since scan() reads one per TLV.
struct Header {
  std::uint8_t tag_class;
  bool constructed;
  std::uint32_t tag_number;
  std::size_t tag_bytes;     // identifier octets
  std::size_t header_bytes;  // identifier + length octets
  std::size_t length;        // kIndefinite for 0x80 on a constructed value
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

namespace {

/// Observes scan() without changing it; scan_tlv's observer does nothing and compiles away.
struct NoRecording {
  void constructed(std::size_t, const Header&, int) {}
  void primitive(std::size_t, const Header&, int) {}
  void end_of_contents(std::size_t) {}
  void close(int, std::size_t) {}
};

/// The TLV walk shared by scan_tlv and scan_to_definite. Recorder gets every header, every
/// end-of-contents and every value's end, in input order; `depth` is the number of values
/// open around the one reported.
template <class Recorder>
TlvScan scan(std::span<const std::uint8_t> buf, const CodecLimits& limits, Recorder& rec) {
  TlvScan r;
  // Ends of the constructed values currently open; kIndefinite for indefinite ones. The
  // innermost one is also kept in `open_end` (kIndefinite when none is open).
  std::size_t open_ends[64];
  std::size_t open_end = kIndefinite;
  const int max_depth = limits.max_depth < 64 ? limits.max_depth : 64;
  // A value that ends within the innermost open definite value, or (inside an indefinite value
  // or at the top) within both the buffer and the size limit, passes every check on its end.
  // An open definite value's own end passed them, so it is never past the buffer or the limit.
  const std::size_t free_end = std::min(buf.size(), limits.max_apdu_bytes);
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
  auto close = [&](std::size_t at) {
    rec.close(--depth, at);
    open_end = depth > 0 ? open_ends[depth - 1] : kIndefinite;
  };
  auto open = [&](std::size_t at, const Header& h, std::size_t end) {
    rec.constructed(at, h, depth);
    open_ends[depth++] = end;
    open_end = end;
  };
  auto complete = [&r](std::size_t size) {
    r.status = TlvScan::Status::kComplete;
    r.size = size;
    return r;
  };

  for (;;) {
    // Close every value that ends here.
    while (depth > 0) {
      if (pos == open_end) {
        close(pos);
      } else if (open_end != kIndefinite) {
        break;
      } else {
        if (pos >= buf.size()) return need_more(pos + 2);
        if (buf[pos] != 0) break;
        if (pos + 1 >= buf.size()) return need_more(pos + 2);
        if (buf[pos + 1] != 0) return fail(BerProblem::kMalformedEndOfContents, pos);
        // The end-of-contents octets count towards the size too: without this check an
        // indefinite value that arrived whole could end past the limit.
        if (pos + 2 > limits.max_apdu_bytes) return fail(BerProblem::kTooLarge, pos);
        close(pos);
        rec.end_of_contents(pos);
        pos += 2;
      }
    }
    if (depth == 0 && pos > 0) return complete(pos);

    const std::size_t bound = open_end != kIndefinite ? open_end : free_end;
    if (pos + 1 < buf.size()) {
      // Most TLVs have one tag octet and a short definite length, and end where every check
      // on their end passes: those take this path, which cannot fail. (first == 0 would be
      // a stray end-of-contents: the general path reports it.)
      const std::uint8_t first = buf[pos];
      const std::uint8_t len0 = buf[pos + 1];
      const std::size_t end = pos + 2 + len0;
      if ((first & 0x1F) != 0x1F && len0 < 0x80 && first != 0 && end <= bound &&
          (!(first & 0x20) || depth < max_depth)) {
        if (pos == 0) {
          r.tag_class = static_cast<std::uint8_t>(first >> 6);
          r.constructed = (first & 0x20) != 0;
          r.tag_number = first & 0x1Fu;
        }
        const Header h{static_cast<std::uint8_t>(first >> 6), (first & 0x20) != 0, first & 0x1Fu,
                       1, 2, len0};
        if (h.constructed) {
          open(pos, h, end);
          pos += 2;
        } else {
          rec.primitive(pos, h, depth);
          pos = end;
          if (depth == 0) return complete(pos);
        }
        continue;
      }
    }

    // The general path: any header form, and every check in the order it has always run.
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
    if (h.length == kIndefinite) {
      r.has_indefinite = true;
      if (depth == max_depth) return fail(BerProblem::kTooDeep, pos);
      open(pos, h, kIndefinite);
      pos = content;
      continue;
    }
    const std::size_t end = content + h.length;
    if (end > limits.max_apdu_bytes) return fail(BerProblem::kTooLarge, pos);
    if (open_end != kIndefinite && end > open_end) return fail(BerProblem::kOverrun, pos);
    if (h.constructed) {
      if (depth == max_depth) return fail(BerProblem::kTooDeep, pos);
      // A definite constructed value cannot be checked inside before all of it is here.
      if (end > buf.size()) return need_more(end);
      open(pos, h, end);
      pos = content;
    } else {
      if (end > buf.size()) return need_more(end);
      rec.primitive(pos, h, depth);
      pos = end;
      if (depth == 0) return complete(pos);
    }
  }
}

std::size_t length_octets(std::size_t len) {
  if (len < 0x80) return 1;
  std::size_t n = 1;
  while (len) ++n, len >>= 8;
  return n;
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

/// One change between the input and its definite form: length octets to rewrite, or an
/// end-of-contents to drop. Everything between two edits is copied as it is.
struct Edit {
  std::size_t pos;         // first byte of the length octets, or of the end-of-contents
  std::size_t old_octets;  // bytes replaced there (2 for an end-of-contents; 0: no edit)
  std::size_t length;      // the definite length to write; kIndefinite: write nothing
};

/// Records, during the scan, the edits that turn the TLV into its definite form and the
/// definite content length of every constructed value: what to_definite's two recursive
/// passes over the input used to find out. It keeps one running difference between output
/// and input positions, so a primitive value costs nothing unless its length octets change.
class DefiniteRecorder {
 public:
  explicit DefiniteRecorder(std::vector<Edit>& edits) : edits_(edits) { edits_.clear(); }

  void constructed(std::size_t pos, const Header& h, int depth) {
    // Where the content starts in the output, less this value's own length change, which
    // is not known before its end (close() adds it after measuring).
    open_[depth] = Open{edits_.size(), pos + h.header_bytes + static_cast<std::size_t>(delta_), h.length};
    edits_.push_back(Edit{pos + h.tag_bytes, h.header_bytes - h.tag_bytes, 0});
  }
  void primitive(std::size_t pos, const Header& h, int) {
    const std::size_t octets = h.header_bytes - h.tag_bytes;
    if (h.length < 0x80 && octets == 1) return;  // the common case: nothing changes
    const std::size_t minimal = length_octets(h.length);
    // Only a length written longer than it needs to be changes (as to_definite did).
    if (octets == minimal) return;
    edits_.push_back(Edit{pos + h.tag_bytes, octets, h.length});
    delta_ += static_cast<std::ptrdiff_t>(minimal) - static_cast<std::ptrdiff_t>(octets);
  }
  /// The value open at `depth` ends; its content ends at input position `content_end`.
  void close(int depth, std::size_t content_end) {
    const Open& o = open_[depth];
    const std::size_t content = content_end + static_cast<std::size_t>(delta_) - o.out_content;
    Edit& e = edits_[o.edit];
    const std::size_t octets = length_octets(content);
    if (content == o.in_length && octets == e.old_octets) {
      e.old_octets = 0;  // a definite value that keeps its length: nothing to rewrite
      e.length = kIndefinite;
      return;
    }
    e.length = content;
    delta_ += static_cast<std::ptrdiff_t>(octets) - static_cast<std::ptrdiff_t>(e.old_octets);
  }
  void end_of_contents(std::size_t pos) {
    edits_.push_back(Edit{pos, 2, kIndefinite});
    delta_ -= 2;
  }

  /// Size of the definite form of a complete TLV of `input_size` bytes.
  std::size_t total(std::size_t input_size) const {
    return input_size + static_cast<std::size_t>(delta_);
  }

 private:
  struct Open {
    std::size_t edit;         // index of the edit of its length octets
    std::size_t out_content;  // see constructed()
    std::size_t in_length;    // its length as written (kIndefinite for 0x80)
  };

  std::vector<Edit>& edits_;
  Open open_[64];
  std::ptrdiff_t delta_ = 0;  // output position - input position, so far
};

/// Copies `in` to `out` (sized to the definite form), applying the edits in input order.
void apply_edits(std::span<const std::uint8_t> in, const std::vector<Edit>& edits,
                 std::uint8_t* out) {
  std::size_t from = 0;
  for (const Edit& e : edits) {
    if (e.old_octets == 0) continue;  // a length that stays as it is: copied with the rest
    const std::size_t n = e.pos - from;
    std::memcpy(out, in.data() + from, n);
    out += n;
    if (e.length != kIndefinite) out = put_length(out, e.length);
    from = e.pos + e.old_octets;
  }
  std::memcpy(out, in.data() + from, in.size() - from);
}

}  // namespace

TlvScan scan_tlv(std::span<const std::uint8_t> buf, const CodecLimits& limits) {
  NoRecording none;
  return scan(buf, limits, none);
}

namespace {

/// scan_to_definite, rewriting even a TLV without indefinite lengths when `always`.
TlvScan scan_and_rewrite(std::span<const std::uint8_t> buf, const CodecLimits& limits,
                         std::vector<std::uint8_t>& definite, bool always) {
  definite.clear();
  // Reused between calls on a thread, so a decode allocates nothing here once warm; a
  // rare huge APDU's list is not kept.
  thread_local std::vector<Edit> edits;
  if (edits.capacity() > 4096) edits = std::vector<Edit>();
  DefiniteRecorder rec(edits);
  const TlvScan r = scan(buf, limits, rec);
  if (r.status != TlvScan::Status::kComplete || !(r.has_indefinite || always)) return r;
  definite.resize(rec.total(r.size));
  apply_edits(buf.first(r.size), edits, definite.data());
  return r;
}

}  // namespace

TlvScan scan_to_definite(std::span<const std::uint8_t> buf, const CodecLimits& limits,
                         std::vector<std::uint8_t>& definite) {
  // An APDU with a definite outer length is nearly always definite all through (DER, our own
  // encoder): the plain walk is all it needs. Only an indefinite value inside a definite
  // one (legal BER, rare) takes a second, recording walk.
  Header h;
  BerProblem problem;
  std::size_t need;
  if (read_header(buf, 0, h, problem, need) == HeaderStatus::kOk && h.length != kIndefinite) {
    const TlvScan r = scan_tlv(buf, limits);
    if (r.status != TlvScan::Status::kComplete || !r.has_indefinite) {
      definite.clear();
      return r;
    }
  }
  return scan_and_rewrite(buf, limits, definite, false);
}

std::vector<std::uint8_t> to_definite(std::span<const std::uint8_t> tlv) {
  // The caller checked the TLV under some limits; these let any such TLV through.
  CodecLimits any;
  any.max_apdu_bytes = tlv.size();
  any.max_depth = 64;
  std::vector<std::uint8_t> out;
  [[maybe_unused]] const TlvScan r = scan_and_rewrite(tlv, any, out, true);
  assert(r.status == TlvScan::Status::kComplete);
  return out;
}

}  // namespace illhub::codec
