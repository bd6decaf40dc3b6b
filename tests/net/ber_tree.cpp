// BerNode: parse a good TLV into a tree, encode the (edited) tree again.
#include "net/ber_tree.hpp"

namespace illhub::test {

namespace {

using Bytes = BerNode::Bytes;

/// Parses the TLV at ber[pos]; advances pos past it. Recursion depth is that of the sample.
std::optional<BerNode> parse_at(std::span<const std::uint8_t> ber, std::size_t& pos) {
  BerNode node;
  if (pos >= ber.size()) return std::nullopt;
  const std::size_t tag_start = pos;
  const std::uint8_t first = ber[pos++];
  node.constructed = (first & 0x20) != 0;
  if ((first & 0x1F) == 0x1F) {
    while (pos < ber.size() && (ber[pos] & 0x80) != 0) ++pos;
    if (pos++ >= ber.size()) return std::nullopt;
  }
  node.tag.assign(ber.begin() + static_cast<std::ptrdiff_t>(tag_start), ber.begin() + static_cast<std::ptrdiff_t>(pos));
  if (pos >= ber.size()) return std::nullopt;
  const std::uint8_t len0 = ber[pos++];
  if (len0 == 0x80) {
    if (!node.constructed) return std::nullopt;
    node.length = BerNode::Length::kIndefinite;
    while (pos + 1 < ber.size() && !(ber[pos] == 0 && ber[pos + 1] == 0)) {
      auto child = parse_at(ber, pos);
      if (!child) return std::nullopt;
      node.children.push_back(std::move(*child));
    }
    if (pos + 1 >= ber.size()) return std::nullopt;
    pos += 2;
    return node;
  }
  std::size_t length = len0;
  if (len0 > 0x80) {
    const std::size_t octets = len0 & 0x7Fu;
    if (octets > 4 || ber.size() - pos < octets) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | ber[pos++];
  }
  if (ber.size() - pos < length) return std::nullopt;
  const std::size_t end = pos + length;
  if (!node.constructed) {
    node.value.assign(ber.begin() + static_cast<std::ptrdiff_t>(pos), ber.begin() + static_cast<std::ptrdiff_t>(end));
    pos = end;
    return node;
  }
  while (pos < end) {
    auto child = parse_at(ber.first(end), pos);
    if (!child) return std::nullopt;
    node.children.push_back(std::move(*child));
  }
  return node;
}

void put_length(Bytes& out, std::size_t length, BerNode::Length form) {
  if (form == BerNode::Length::kLongFour) {
    out.push_back(0x84);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(length >> shift));
    return;
  }
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  Bytes octets;
  for (std::size_t l = length; l > 0; l >>= 8) octets.insert(octets.begin(), static_cast<std::uint8_t>(l));
  out.push_back(static_cast<std::uint8_t>(0x80 | octets.size()));
  out.insert(out.end(), octets.begin(), octets.end());
}

}  // namespace

BerNode* BerNode::child(std::uint8_t tag0, int nth) {
  for (auto& c : children)
    if (!c.tag.empty() && c.tag[0] == tag0 && nth-- == 0) return &c;
  return nullptr;
}

bool BerNode::remove_child(std::uint8_t tag0) {
  for (auto it = children.begin(); it != children.end(); ++it) {
    if (!it->tag.empty() && it->tag[0] == tag0) {
      children.erase(it);
      return true;
    }
  }
  return false;
}

std::optional<BerNode> parse_ber(std::span<const std::uint8_t> ber) {
  std::size_t pos = 0;
  auto node = parse_at(ber, pos);
  if (!node || pos != ber.size()) return std::nullopt;
  return node;
}

Bytes encode_ber(const BerNode& node) {
  Bytes contents;
  if (node.constructed) {
    for (const auto& c : node.children) {
      const Bytes b = encode_ber(c);
      contents.insert(contents.end(), b.begin(), b.end());
    }
  } else {
    contents = node.value;
  }
  Bytes out = node.tag;
  if (node.length == BerNode::Length::kIndefinite) {
    out.push_back(0x80);
    out.insert(out.end(), contents.begin(), contents.end());
    out.push_back(0x00);
    out.push_back(0x00);
  } else {
    put_length(out, contents.size(), node.length);
    out.insert(out.end(), contents.begin(), contents.end());
  }
  return out;
}

BerNode primitive(std::uint8_t tag, BerNode::Bytes value) {
  BerNode n;
  n.tag = {tag};
  n.value = std::move(value);
  return n;
}

BerNode constructed(std::uint8_t tag, std::vector<BerNode> children) {
  BerNode n;
  n.tag = {tag};
  n.constructed = true;
  n.children = std::move(children);
  return n;
}

}  // namespace illhub::test
