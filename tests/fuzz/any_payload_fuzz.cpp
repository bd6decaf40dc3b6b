// Fuzz target: the input as an EXTERNAL or ANY value inside an otherwise valid APDU. Those
// are the only places where ISO 10161 lets a peer put bytes the module does not describe
// (asn1c keeps an ANY as raw bytes, and the codec has to check and re-encode them itself).
// Byte 0 picks the place (see kSites), the rest is spliced there into a YAZ-encoded golden
// APDU (tests/data/apdu) with every enclosing length fixed. Checks, beyond never crashing:
//  - an accepted APDU renders (JSON, text, XER; the extension payloads illhub compiles,
//    APDU-Delivery-Info and OCLC's, decoded on the way: seeds carry both) and round-trips: our DER equals asn1c's,
//    decodes again, and re-encodes to the same bytes;
//  - where the input is the whole ANY value, an accepted APDU means the input was exactly
//    one complete BER value (the codec's promise for ANY contents).
#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "codec/asn1_types.hpp"
#include "fuzz/der_splice.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "illhub/codec/ber_scan.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "unit/codec/asn1c_der.hpp"

namespace {

using illhub::fuzz::require;

struct Site {
  const char* golden;       // file in tests/data/apdu
  std::string_view marker;  // a TLV of that APDU, found by its bytes
  int levels_up;            // the TLV replaced: the marker, or an enclosing one
  bool keep_tag;            // replace only its contents (the input gets the original tag)
  bool input_is_any;        // the input is a whole ANY value
  const char* name;
};

using namespace std::string_view_literals;
constexpr std::string_view kExtensionExternal =
    "\x28\x19\x06\x05\x28\xcf\x31\x0d\x01\x81\x10illhub-extension"sv;
constexpr std::string_view kExtensionOctets = "\x81\x10illhub-extension"sv;
constexpr std::string_view kSupplementalAny = "\x1b\x15" "2nd edition preferred"sv;
constexpr std::string_view kResponderSpecificOctets = "\x81\x04rush"sv;

constexpr std::array<Site, 7> kSites = {{
    {"yaz-extension.ber", kExtensionExternal, 0, false, true, "extension item (ANY)"},
    {"yaz-extension.ber", kExtensionOctets, 1, true, false, "extension item's EXTERNAL contents"},
    {"yaz-extension.ber", kExtensionExternal, 2, true, false, "Extension contents"},
    {"yaz-external.ber", kSupplementalAny, 0, false, true, "supplemental-item-description single-ASN1-type (ANY)"},
    {"yaz-external.ber", kSupplementalAny, 2, false, false, "supplemental-item-description EXTERNAL, whole"},
    {"yaz-external.ber", kSupplementalAny, 2, true, false, "supplemental-item-description EXTERNAL contents"},
    {"yaz-external.ber", kResponderSpecificOctets, 1, true, false, "responder-specific-service EXTERNAL contents"},
}};

struct Template {
  std::vector<std::uint8_t> der;
  std::vector<illhub::fuzz::TlvAt> path;  // outermost .. the TLV to replace
};

illhub::codec::CodecLimits fuzz_limits() {
  illhub::codec::CodecLimits limits;
  limits.max_apdu_bytes = 64 * 1024;
  return limits;
}

/// Each site's golden APDU in our DER, and where the input goes. Built once; a golden file
/// that is missing or changed is a broken set-up, not a finding.
const std::vector<Template>& templates() {
  static const std::vector<Template> all = [] {
    std::vector<Template> out;
    for (const Site& site : kSites) {
      std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/" + site.golden, std::ios::binary);
      const std::vector<std::uint8_t> ber{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      auto apdu = illhub::codec::decode(ber);
      require(apdu.has_value(), "golden APDU decodes (set-up)");
      auto der = illhub::codec::encode(*apdu);
      require(der.has_value(), "golden APDU encodes (set-up)");
      Template t{std::move(*der), {}};
      const auto at = std::search(t.der.begin(), t.der.end(), site.marker.begin(), site.marker.end(),
                                  [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
      require(at != t.der.end(), "marker found in the golden APDU (set-up)");
      t.path = illhub::fuzz::path_to(t.der, static_cast<std::size_t>(at - t.der.begin()), site.marker.size());
      require(t.path.size() > static_cast<std::size_t>(site.levels_up), "marker lies on a TLV path (set-up)");
      t.path.resize(t.path.size() - static_cast<std::size_t>(site.levels_up));
      out.push_back(std::move(t));
    }
    return out;
  }();
  return all;
}

void check_round_trip(const illhub::codec::Apdu& apdu) {
  using namespace illhub::codec;
  (void)read_envelope(apdu);
  require(!to_json(apdu).empty(), "an accepted APDU renders as JSON");
  require(!to_text(apdu).empty(), "an accepted APDU renders as text");
  (void)to_xer(apdu);
  (void)extensions_as_xer_comments(apdu);  // decodes the payloads illhub knows
  auto encoded = encode(apdu);
  require(encoded.has_value(), "an accepted APDU encodes");
  require(illhub::codec::testing::asn1c_der(apdu.raw()) == *encoded, "our DER equals asn1c's DER");
  auto again = decode(*encoded, fuzz_limits());
  require(again.has_value(), "our own encoding decodes");
  auto encoded_again = encode(*again);
  require(encoded_again && *encoded_again == *encoded, "re-encoding is stable");
}

}  // namespace

void illhub::fuzz::run_any_payload(std::span<const std::uint8_t> input) {
  if (input.empty()) return;
  const std::size_t which = input[0] % kSites.size();
  const Site& site = kSites[which];
  const Template& t = templates()[which];
  const std::span<const std::uint8_t> payload = input.subspan(1);

  std::vector<std::uint8_t> replacement;
  if (site.keep_tag) {
    const TlvAt& old = t.path.back();
    replacement.assign(t.der.begin() + static_cast<std::ptrdiff_t>(old.start),
                       t.der.begin() + static_cast<std::ptrdiff_t>(old.start + old.tag_bytes));
    append_der_length(replacement, payload.size());
  }
  replacement.insert(replacement.end(), payload.begin(), payload.end());
  const std::vector<std::uint8_t> ber = splice(t.der, t.path, replacement);

  auto apdu = codec::decode(ber, fuzz_limits());
  if (!apdu) {
    require(!apdu.error().detail.empty(), "a refusal says why");
    return;
  }
  check_round_trip(*apdu);
  if (site.input_is_any) {
    const auto scan = codec::scan_tlv(payload, fuzz_limits());
    require(scan.status == codec::TlvScan::Status::kComplete && scan.size == payload.size(),
            "an accepted ANY value is exactly one complete BER value");
  }
}

ILLHUB_FUZZ_ENTRY(illhub::fuzz::run_any_payload)
