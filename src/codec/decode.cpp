#include <algorithm>
#include <cctype>
#include <memory>
#include <new>
#include <string>

#include "codec/asn1_types.hpp"
#include "codec/asn1_walk.hpp"
#include "codec/decode_arena.hpp"
#include "codec/defaults.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec {

GeneralProblem general_problem(const DecodeError& error) {
  switch (error.problem) {
    case DecodeProblem::kUnrecognizedApdu: return GeneralProblem::kUnrecognizedApdu;
    case DecodeProblem::kConstraint: return GeneralProblem::kMistypedApdu;
    case DecodeProblem::kUnsupportedVersion: return GeneralProblem::kProtocolVersionNotSupported;
    case DecodeProblem::kTruncated:
    case DecodeProblem::kBadBer:
    case DecodeProblem::kTrailingBytes:
    case DecodeProblem::kStructure:
    case DecodeProblem::kTooDeep: return GeneralProblem::kBadlyStructuredApdu;
    case DecodeProblem::kTooLarge: return GeneralProblem::kOther;
  }
  return GeneralProblem::kOther;
}

const char* to_string(GeneralProblem problem) {
  switch (problem) {
    case GeneralProblem::kUnrecognizedApdu: return "unrecognized-APDU";
    case GeneralProblem::kMistypedApdu: return "mistyped-APDU";
    case GeneralProblem::kBadlyStructuredApdu: return "badly-structured-APDU";
    case GeneralProblem::kProtocolVersionNotSupported: return "protocol-version-not-supported";
    case GeneralProblem::kOther: return "other";
  }
  return "other";
}

namespace {

Unexpected<DecodeError> fail(DecodeProblem problem, std::string detail, std::size_t offset = 0,
                             BerProblem ber = BerProblem::kNone) {
  return unexpected(DecodeError{problem, offset, ber, std::move(detail)});
}

std::string ill_string_text(const ILL_String_t* s) {
  if (!s) return {};
  return asn1::text_of(s->present == ILL_String_PR_generalstring ? s->choice.generalstring
                                                                 : s->choice.edifactstring);
}

std::size_t significant_chars(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return c != '-' && c != ' '; }));
}

/// The SIZE constraints asn1c could not compile (asn1/ADAPTATIONS.md, 3). ISBN accepts the
/// 13-digit form that replaced ISBN-10 in 2007, and both ignore hyphens and spaces.
std::string check_dropped_constraints(const ILL_APDU_t& apdu) {
  if (apdu.present != ILL_APDU_PR_ill_request) return {};
  const ILL_Request_t& r = apdu.choice.ill_request;
  if (r.search_type && r.search_type->level_of_service &&
      ill_string_text(r.search_type->level_of_service).size() != 1)
    return "search-type level-of-service must be 1 character";
  if (const ILL_String_t* isbn = r.item_id.iSBN) {
    const std::size_t n = significant_chars(ill_string_text(isbn));
    if (n != 10 && n != 13) return "item-id iSBN must have 10 or 13 characters";
  }
  if (const ILL_String_t* issn = r.item_id.iSSN) {
    if (significant_chars(ill_string_text(issn)) != 8) return "item-id iSSN must have 8 characters";
  }
  return {};
}

}  // namespace

Result<Apdu, DecodeError> decode(std::span<const std::uint8_t> ber, const CodecLimits& limits) {
  asn1::resolve_descriptors();
  if (ber.empty()) return fail(DecodeProblem::kTruncated, "no bytes");
  if (ber.size() > limits.max_apdu_bytes)
    return fail(DecodeProblem::kTooLarge, "APDU of " + std::to_string(ber.size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(limits.max_apdu_bytes));
  // asn1c 0.9.28 rejects an indefinite outer tag around a definite inner value (YAZ writes
  // that when the inner content is 126 or 127 bytes), and fails on some all-indefinite
  // encodings too (an ILL-Answer's results-explanation): decoding the definite form
  // sidesteps both, and the decoder's end-of-contents handling altogether. The walk that
  // checks the structure also writes that form, in one pass, into a buffer this thread
  // reuses (asn1c copies every value out of its input, so it is free again after decoding).
  thread_local std::vector<std::uint8_t> definite;
  if (definite.capacity() > 64 * 1024) definite = std::vector<std::uint8_t>();
  const TlvScan scan = scan_to_definite(ber, limits, definite);
  switch (scan.status) {
    case TlvScan::Status::kNeedMore:
      return fail(DecodeProblem::kTruncated,
                  "APDU truncated: " + std::to_string(ber.size()) + " of at least " +
                      std::to_string(scan.size) + " bytes",
                  ber.size());
    case TlvScan::Status::kError: {
      const DecodeProblem p = scan.problem == BerProblem::kTooLarge ? DecodeProblem::kTooLarge
                              : scan.problem == BerProblem::kTooDeep ? DecodeProblem::kTooDeep
                                                                     : DecodeProblem::kBadBer;
      return fail(p, std::string("bad BER at byte ") + std::to_string(scan.offset) + ": " +
                         describe(scan.problem),
                  scan.offset, scan.problem);
    }
    case TlvScan::Status::kComplete:
      break;
  }
  if (scan.size != ber.size())
    return fail(DecodeProblem::kTrailingBytes,
                std::to_string(ber.size() - scan.size) + " bytes after the end of the APDU",
                scan.size);
  if (scan.tag_class != 1 || !scan.constructed || !apdu_kind_from_tag(scan.tag_number))
    return fail(DecodeProblem::kUnrecognizedApdu,
                "outer tag is not an ISO 10161 APDU ([APPLICATION 1..20], constructed)");

  const std::span<const std::uint8_t> input =
      scan.has_indefinite ? std::span<const std::uint8_t>(definite) : ber;

  // Every node asn1c allocates, and every DEFAULT filled in, comes from one arena that the
  // Apdu keeps (decode_arena.hpp). Declared before `owned`, so it outlives the structure on
  // every path.
  DecodeArenaPtr arena = DecodeArena::for_apdu(input.size());
  if (!arena) throw std::bad_alloc();  // as asn1::make and the rest of the program do
  ILL_APDU_t* raw = nullptr;
  asn_codec_ctx_t ctx{limits.max_decoder_stack};
  asn_dec_rval_t rv;
  {
    const DecodeArenaScope scope(*arena);
    rv = ber_decode(&ctx, &asn_DEF_ILL_APDU, reinterpret_cast<void**>(&raw), input.data(), input.size());
  }
  asn1::ApduPtr owned(raw);  // owned on every path, whatever ber_decode returned
  const ApduKind kind = *apdu_kind_from_tag(scan.tag_number);
  if (rv.code != RC_OK || rv.consumed != input.size() || !owned ||
      owned->present == ILL_APDU_PR_NOTHING)
    return fail(DecodeProblem::kStructure,
                std::string(to_string(kind)) + " does not match the ISO 10161 definition");

  bool any_values_ok;
  {
    const DecodeArenaScope scope(*arena);
    any_values_ok = asn1::complete_and_check(*owned, limits);
  }
  if (!any_values_ok)
    return fail(DecodeProblem::kStructure,
                std::string(to_string(kind)) + ": an ANY value (EXTERNAL or extension item) is not one BER value");

  char why[256];
  std::size_t why_len = sizeof why;
  if (asn_check_constraints(&asn_DEF_ILL_APDU, owned.get(), why, &why_len) != 0)
    return fail(DecodeProblem::kConstraint, std::string(to_string(kind)) + ": " + why);
  if (std::string why2 = check_dropped_constraints(*owned); !why2.empty())
    return fail(DecodeProblem::kConstraint, std::string(to_string(kind)) + ": " + why2);

  const long version = asn1::visit_apdu(*owned, [](auto& a) { return a.protocol_version_num; });
  if (version != 1 && version != 2)
    return fail(DecodeProblem::kUnsupportedVersion,
                "protocol-version-num " + std::to_string(version) + " (1 and 2 are supported)");

  return Apdu(owned.release(), std::vector<std::uint8_t>(ber.begin(), ber.end()), std::move(arena));
}

}  // namespace illhub::codec
