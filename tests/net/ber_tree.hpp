#pragma once
// BerNode: one BER value as an editable tree, for building malformed APDUs out of a good one
// (a YAZ-encoded sample): change a tag, a value, a child or the form of a length, then encode
// it again. Test-side only, and deliberately independent of the codec under test: it must be
// able to write what the codec refuses.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace illhub::test {

struct BerNode {
  using Bytes = std::vector<std::uint8_t>;
  /// How encode() writes this value's length.
  enum class Length : std::uint8_t {
    kMinimal,     // definite, as few octets as possible
    kLongFour,    // definite, 0x84 and four octets (valid BER, never minimal)
    kIndefinite,  // 0x80 ... 00 00 (constructed values only, unless a test means to break that)
  };

  Bytes tag;  // identifier octets, as received
  bool constructed = false;
  Bytes value;                    // a primitive value's contents
  std::vector<BerNode> children;  // a constructed value's contents
  Length length = Length::kMinimal;

  /// The `nth` child whose first identifier octet is `tag0`, or nullptr.
  BerNode* child(std::uint8_t tag0, int nth = 0);
  /// Removes the first child whose first identifier octet is `tag0`; false when there is none.
  bool remove_child(std::uint8_t tag0);
};

/// Parses one complete, well-formed TLV (definite or indefinite lengths) that fills `ber`.
/// Nothing when the bytes are not that (the inputs are the test's own good samples).
std::optional<BerNode> parse_ber(std::span<const std::uint8_t> ber);

/// Encodes `node` with the length forms it asks for.
BerNode::Bytes encode_ber(const BerNode& node);

/// A primitive node with a one-octet tag.
BerNode primitive(std::uint8_t tag, BerNode::Bytes value);
/// A constructed node with a one-octet tag.
BerNode constructed(std::uint8_t tag, std::vector<BerNode> children);

}  // namespace illhub::test
