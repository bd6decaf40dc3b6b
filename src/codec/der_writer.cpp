#include "codec/der_writer.hpp"

#include <ANY.h>
#include <BIT_STRING.h>
#include <BOOLEAN.h>
#include <OCTET_STRING.h>

#include <cstring>

#include "codec/asn1_walk.hpp"

namespace illhub::codec::asn1 {
namespace {

/// The tags written before a value's content, outermost first (asn1c's der_write_tags): the
/// member's tag (EXPLICIT adds it, IMPLICIT replaces the type's outermost one), then the
/// type's own.
struct TagChain {
  ber_tlv_tag_t tags[8];
  int count = 0;
};

TagChain chain_of(const asn_TYPE_descriptor_t* td, int tag_mode, ber_tlv_tag_t tag) {
  TagChain c;
  int first = 0;
  if (tag_mode) {
    c.tags[c.count++] = tag;
    if (tag_mode == -1 && td->tags_count) first = 1;
  }
  for (int i = first; i < td->tags_count && c.count < 8; ++i) c.tags[c.count++] = td->tags[i];
  return c;
}

std::size_t tag_size(ber_tlv_tag_t tag) {
  ber_tlv_tag_t value = BER_TAG_VALUE(tag);
  if (value < 31) return 1;
  std::size_t n = 2;
  while (value >>= 7) ++n;
  return n;
}

std::size_t length_size(std::size_t len) {
  if (len < 0x80) return 1;
  std::size_t n = 1;
  while (len) ++n, len >>= 8;
  return n;
}

/// Size of the whole TLV: the chain's tags and lengths around `content` bytes.
std::size_t wrapped_size(const TagChain& c, std::size_t content) {
  std::size_t total = content;
  for (int i = c.count - 1; i >= 0; --i) total += tag_size(c.tags[i]) + length_size(total);
  return total;
}

/// Minimal two's-complement length of a long, as asn1c's NativeInteger encoder writes it.
std::size_t integer_size(long v) {
  std::size_t n = sizeof(long);
  const auto u = static_cast<unsigned long>(v);
  while (n > 1) {
    const unsigned top9 = static_cast<unsigned>((u >> (8 * n - 9)) & 0x1FF);
    if (top9 != 0 && top9 != 0x1FF) break;  // the top byte is needed
    --n;
  }
  return n;
}

class Writer {
 public:
  /// Pass 1: content length of the value (without its own tags), remembered in pre-order.
  bool measure(const asn_TYPE_descriptor_t* td, void* sptr, std::size_t& content) {
    const std::size_t slot = lengths_.size();
    lengths_.push_back(0);
    std::size_t n = 0;
    switch (kind_of_type(td)) {
      case TypeKind::kSequence:
        for (int i = 0; i < td->elements_count; ++i) {
          const asn_TYPE_member_t& m = td->elements[i];
          void* member = member_ptr(m, sptr);
          if (!member) {
            if (m.optional) continue;
            return false;  // a mandatory member is missing: asn1c would fail too
          }
          std::size_t c;
          if (!measure(m.type, member, c)) return false;
          n += wrapped_size(chain_of(m.type, m.tag_mode, m.tag), c);
        }
        break;
      case TypeKind::kSequenceOf: {
        const asn_TYPE_member_t& m = td->elements[0];
        for (void* item : sequence_items(sptr)) {
          if (!item) return false;
          std::size_t c;
          if (!measure(m.type, item, c)) return false;
          n += wrapped_size(chain_of(m.type, 0, m.tag), c);
        }
        break;
      }
      case TypeKind::kChoice: {
        const int i = choice_index(td, sptr);
        if (i < 0) return false;
        const asn_TYPE_member_t& m = td->elements[i];
        void* member = member_ptr(m, sptr);
        if (!member) return false;
        std::size_t c;
        if (!measure(m.type, member, c)) return false;
        n = wrapped_size(chain_of(m.type, m.tag_mode, m.tag), c);
        break;
      }
      case TypeKind::kBoolean: n = 1; break;
      case TypeKind::kNull: n = 0; break;
      case TypeKind::kInteger:
      case TypeKind::kEnumerated: n = integer_size(*static_cast<const long*>(sptr)); break;
      case TypeKind::kBitString: n = 1 + static_cast<std::size_t>(static_cast<const BIT_STRING_t*>(sptr)->size); break;
      case TypeKind::kText:
      case TypeKind::kOctets:
      case TypeKind::kObjectIdentifier:
      case TypeKind::kAny: n = static_cast<std::size_t>(static_cast<const OCTET_STRING_t*>(sptr)->size); break;
    }
    lengths_[slot] = n;
    content = n;
    return true;
  }

  /// Pass 2: writes the value with its tag chain; lengths come from pass 1 in the same order.
  void write(const asn_TYPE_descriptor_t* td, void* sptr, int tag_mode, ber_tlv_tag_t tag) {
    const std::size_t content = lengths_[next_++];
    const TypeKind kind = kind_of_type(td);
    const TagChain chain = chain_of(td, tag_mode, tag);
    // The innermost tag is constructed for constructed types and for a tagged ANY (its
    // content is a whole TLV); outer tags of a chain are always constructed.
    const bool constructed = kind == TypeKind::kSequence || kind == TypeKind::kSequenceOf ||
                             kind == TypeKind::kChoice || kind == TypeKind::kAny;
    write_tags(chain, content, constructed);
    switch (kind) {
      case TypeKind::kSequence:
        for (int i = 0; i < td->elements_count; ++i) {
          const asn_TYPE_member_t& m = td->elements[i];
          if (void* member = member_ptr(m, sptr)) write(m.type, member, m.tag_mode, m.tag);
        }
        break;
      case TypeKind::kSequenceOf:
        for (void* item : sequence_items(sptr)) write(td->elements[0].type, item, 0, td->elements[0].tag);
        break;
      case TypeKind::kChoice: {
        const asn_TYPE_member_t& m = td->elements[choice_index(td, sptr)];
        write(m.type, member_ptr(m, sptr), m.tag_mode, m.tag);
        break;
      }
      case TypeKind::kBoolean: *out_++ = *static_cast<const BOOLEAN_t*>(sptr) ? 0xFF : 0x00; break;
      case TypeKind::kNull: break;
      case TypeKind::kInteger:
      case TypeKind::kEnumerated: {
        const auto u = static_cast<unsigned long>(*static_cast<const long*>(sptr));
        for (std::size_t i = content; i-- > 0;) *out_++ = static_cast<std::uint8_t>(u >> (8 * i));
        break;
      }
      case TypeKind::kBitString: {
        const auto* b = static_cast<const BIT_STRING_t*>(sptr);
        const int unused = b->bits_unused & 0x07;
        *out_++ = static_cast<std::uint8_t>(unused);
        const auto size = static_cast<std::size_t>(b->size);
        if (size) {
          std::memcpy(out_, b->buf, size);
          out_[size - 1] = static_cast<std::uint8_t>(out_[size - 1] & (0xFF << unused));  // as asn1c
          out_ += size;
        }
        break;
      }
      case TypeKind::kText:
      case TypeKind::kOctets:
      case TypeKind::kObjectIdentifier:
      case TypeKind::kAny: {
        const auto* s = static_cast<const OCTET_STRING_t*>(sptr);
        if (s->size) std::memcpy(out_, s->buf, static_cast<std::size_t>(s->size));
        out_ += s->size;
        break;
      }
    }
  }

  void start(std::uint8_t* out) {
    out_ = out;
    next_ = 0;
  }

 private:
  void write_tags(const TagChain& c, std::size_t content, bool constructed) {
    // Lengths from the inside out, then the tags from the outside in.
    std::size_t lens[8];
    std::size_t total = content;
    for (int i = c.count - 1; i >= 0; --i) {
      lens[i] = total;
      total += tag_size(c.tags[i]) + length_size(total);
    }
    for (int i = 0; i < c.count; ++i) {
      const bool form = constructed || i < c.count - 1;
      write_tag(c.tags[i], form);
      write_length(lens[i]);
    }
  }

  void write_tag(ber_tlv_tag_t tag, bool constructed) {
    const auto cls = static_cast<std::uint8_t>(BER_TAG_CLASS(tag) << 6);
    const ber_tlv_tag_t value = BER_TAG_VALUE(tag);
    const std::uint8_t form = constructed ? 0x20 : 0x00;
    if (value < 31) {
      *out_++ = static_cast<std::uint8_t>(cls | form | value);
      return;
    }
    *out_++ = static_cast<std::uint8_t>(cls | form | 0x1F);
    int shift = 0;
    for (ber_tlv_tag_t v = value >> 7; v; v >>= 7) shift += 7;
    for (; shift > 0; shift -= 7) *out_++ = static_cast<std::uint8_t>(0x80 | ((value >> shift) & 0x7F));
    *out_++ = static_cast<std::uint8_t>(value & 0x7F);
  }

  void write_length(std::size_t len) {
    if (len < 0x80) {
      *out_++ = static_cast<std::uint8_t>(len);
      return;
    }
    const std::size_t n = length_size(len) - 1;
    *out_++ = static_cast<std::uint8_t>(0x80 | n);
    for (std::size_t i = n; i-- > 0;) *out_++ = static_cast<std::uint8_t>(len >> (8 * i));
  }

  std::vector<std::size_t> lengths_;
  std::size_t next_ = 0;
  std::uint8_t* out_ = nullptr;
};

}  // namespace

bool write_der(asn_TYPE_descriptor_t* td, void* sptr, std::vector<std::uint8_t>& out) {
  resolve_descriptors();
  Writer w;
  std::size_t content = 0;
  if (!w.measure(td, sptr, content)) return false;
  // The PDU is written with its own tags (for ILL-APDU, a CHOICE: none of its own).
  const TagChain chain = chain_of(td, 0, 0);
  out.resize(wrapped_size(chain, content));
  w.start(out.data());
  w.write(td, sptr, 0, 0);
  return true;
}

}  // namespace illhub::codec::asn1
