// YAZ as an independent ISO 10161 peer, for interoperability tests only.
//
// Builds, encodes, decodes, re-encodes and prints ILL-APDUs with YAZ's ILL codec (libyaz,
// `ill_APDU`), so that tests can check illhub's own asn1c codec against a second
// implementation. Nothing in src/ may link this library.
//
// YAZ types never appear in this header. Every function creates and destroys its own ODR
// streams (freed on every path); nothing is kept between calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace illhub::testing {

/// Smallest and largest ILL-APDU kind: the CHOICE alternative, equal to the [APPLICATION n] tag
/// (1 ILL-Request ... 20 Expired).
inline constexpr int kFirstApduKind = 1;
inline constexpr int kLastApduKind = 20;

/// ISO 10161 name in lower case with dashes ("ill-request", "status-or-error-report"), or ""
/// when `kind` is outside 1..20. Used for file names (tests/data/apdu/yaz-<name>.ber).
std::string_view apdu_kind_name(int kind);

/// Which parts a Status-Or-Error-Report sample carries.
enum class ReportVariant {
  kStatus,          ///< status-report only: History-Report + provider state PENDING
  kError,           ///< error-report only: provider state-transition-prohibited
  kStatusAndError,  ///< both (the default)
  kNoReport,        ///< reason-no-report temporary, no report
};

/// The values a sample is built from, so that tests can look for them after decoding.
///
/// Every sample has: protocol-version-num 2; transaction-id {initial-requester-id =
/// institution-symbol requester_symbol, group_qualifier, qualifier}; service-date-time {date,
/// time}; requester-id and responder-id as institution symbols (Forward-Notification: also
/// intermediary-id "IRL:HUB"); every DEFAULT field explicitly present (YAZ's decoder requires
/// them). Kind-specific content is listed at yaz_encode_sample().
struct SampleOptions {
  std::string requester_symbol = "IRL:BOR";  ///< requester-id, initial-requester-id
  std::string responder_symbol = "IRL:LEN";  ///< responder-id
  std::string group_qualifier = "G1";        ///< transaction-group-qualifier
  std::string qualifier = "T0001";           ///< transaction-qualifier
  std::string date = "20261124";             ///< date-time-of-this-service.date (YYYYMMDD)
  std::string time = "101500";               ///< date-time-of-this-service.time (HHMMSS)
  /// If non-empty, the kind's note field ([46] requester-/responder-note or note;
  /// Forward-Notification: [48] notification-note), a GeneralString sent byte for byte (UTF-8
  /// is fine). Message's note is mandatory: when empty it is kDefaultMessageNote. Expired has
  /// no note field, so this is ignored for it.
  std::string note;
  /// Add one [49] Extension {identifier 1, critical FALSE, item = an EXTERNAL with
  /// direct-reference kExtensionOid and octet-aligned kExtensionPayload}. Overdue gets its
  /// explicitly tagged overdue-extensions.
  bool with_extension = false;
  /// ILL-Request only: responder-specific-service [10] EXTERNAL (octet-aligned, and
  /// iLL-service-type gains responder-specific) and supplemental-item-description [17] with one
  /// single-ASN1-type EXTERNAL (holding a GeneralString).
  bool with_external = false;
  /// ILL-Answer transaction-results 1..7 (conditional, retry, unfilled, locations-provided,
  /// will-supply, hold-placed, estimate) with the matching results-explanation.
  int answer_results = 5;
  /// Conditional-Reply, Cancel-Reply and Renew-Answer answer BOOLEAN. Renew-Answer carries a
  /// new date-due only when true.
  bool answer = true;
  /// ILL-Request only: 0 = the natural title (kDefaultTitle); otherwise kDefaultTitle padded
  /// with '.' or cut to exactly this many bytes, to move the lengths of title, item-id and the
  /// APDU byte by byte (e.g. item-id's [16] IMPLICIT tag across 127/128 content bytes). The
  /// realistic ILL-Request is over 300 bytes, so the top-level mixed chain needs a smaller kind:
  /// see boundary_note_length().
  std::size_t title_length = 0;
  /// ILL-Request's iLL-service-type and Shipped's and Received's shipped-service-type:
  /// copy-non-returnable instead of loan (a copy: nothing comes back).
  bool copy = false;
  /// Status-Or-Error-Report only.
  ReportVariant report = ReportVariant::kStatusAndError;
};

inline constexpr std::string_view kDefaultTitle = "Interlibrary loan in practice";
inline constexpr std::string_view kDefaultAuthor = "Doe, Jane";
inline constexpr std::string_view kDefaultIsbn = "0123456789";
inline constexpr std::string_view kDefaultMessageNote = "Message from illhub tests";
inline constexpr std::string_view kExtensionOid = "1.0.10161.13.1";
inline constexpr std::string_view kExtensionPayload = "illhub-extension";
inline constexpr std::string_view kUtf8Note = "Prêt entre bibliothèques — 日本語";  // UTF-8

/// Encodes with YAZ a realistic APDU of the given kind (1..20).
///
/// Besides the common fields (see SampleOptions):
///  1 ILL-Request: transaction-type simple, delivery-address (postal), iLL-service-type loan,
///    requester-optional-messages, search-type {need-before-date 20261231, expiry-flag
///    need-Before-Date}, place-on-hold according-to-responder-policy, item-id {monograph,
///    title, author kDefaultAuthor, ISBN kDefaultIsbn}, cost-info-type {maximum-cost EUR
///    "25.00", flags}, third-party-info-type {permissions, preference, already-tried-list
///    [IRL:AAA]}, retry-flag/forward-flag FALSE;
///  2 Forward-Notification: responder-id, responder-address, intermediary-id IRL:HUB;
///  3 Shipped: transaction-type simple, shipped-service-type loan, supply-details
///    {date-shipped 20261125, date-due {20261225, renewable TRUE}, chargeable-units 1,
///    cost EUR "7.50", shipped-via physical-delivery "courier"};
///  4 ILL-Answer: see SampleOptions::answer_results;
///  5 Conditional-Reply, 7 Cancel-Reply: answer; 6 Cancel, 9 Recall, 13 Renew {desired-due-date
///    20270110}, 15 Lost, 17 Message, 18 Status-Query, 20 Expired: common fields;
///  8 Received: date-received 20261126, shipped-service-type loan;
///  10 Returned: date-returned 20261220, returned-via "post", insured-for EUR "30.00";
///  11 Checked-In: date-checked-in 20261222; 12 Overdue: date-due {20261225, renewable FALSE};
///  14 Renew-Answer: answer, date-due {20270110, renewable TRUE} when answer is true;
///  16 Damaged: damaged-details {document-type-id 1.0.10161.5.1, specific-units [3, 4]} (v2);
///  19 Status-Or-Error-Report: see SampleOptions::report.
///
/// Throws std::invalid_argument for a kind outside 1..20 or answer_results outside 1..7, and
/// std::runtime_error if YAZ refuses to encode (a bug in this file).
std::vector<std::uint8_t> yaz_encode_sample(int kind, const SampleOptions& options = {});

/// What YAZ made of some bytes.
struct YazDecodeResult {
  bool ok = false;           ///< YAZ decoded one ILL-APDU and it used every input byte
  std::string dump;          ///< YAZ's odr_print rendering of the decoded APDU (when ok)
  std::string error;         ///< YAZ's error text, e.g. "Required data element missing" (when !ok)
  int kind = 0;              ///< the decoded CHOICE alternative 1..20 (when YAZ decoded one)
  std::size_t consumed = 0;  ///< bytes YAZ consumed (odr_offset)
};

/// Decodes `ber` with YAZ's ill_APDU. Trailing bytes after the APDU make the result !ok (with
/// kind and consumed set), since a test feeding a single APDU should not get a silent success
/// for a frame YAZ only partly read. Never throws on bad input.
YazDecodeResult yaz_decode(std::span<const std::uint8_t> ber);

/// Decodes with YAZ and encodes the result again with YAZ; std::nullopt if decoding fails (or
/// leaves trailing bytes) or re-encoding fails. YAZ's output is canonical for YAZ: BOOLEAN TRUE
/// as 01, definite lengths up to 127 content bytes and indefinite above.
std::optional<std::vector<std::uint8_t>> yaz_reencode(std::span<const std::uint8_t> ber);

/// Where a "mixed" tag chain sits: an indefinite-length constructed TLV whose first content
/// TLV is a constructed value with a definite length of 0x7e or 0x7f (e.g. `68 80 30 7e`).
struct MixedLengthSite {
  std::size_t offset = 0;         ///< offset of the outer tag
  std::uint8_t inner_length = 0;  ///< 0x7e or 0x7f
};

/// Walks BER TLVs (both length forms) and returns the first mixed site, or std::nullopt if
/// there is none or the bytes are not well-formed BER.
std::optional<MixedLengthSite> find_mixed_length_site(std::span<const std::uint8_t> ber);

/// The note length (SampleOptions::note, padded with '.') for which YAZ encodes APDU `kind` as
/// a mixed tag chain at the top: `[APPLICATION kind]` indefinite holding the SEQUENCE with a
/// definite length of `inner_length` (0x7e or 0x7f), e.g. `68 80 30 7e` for Received. YAZ
/// switches to indefinite length when content exceeds 127 bytes, so the outer tag (content =
/// 2 + 126) is indefinite and the inner one is not: the case asn1c 0.9.28 rejects (PROTOCOL.md
/// §3 finding 2). Searches note lengths 1..127 starting from `options` (its note is replaced);
/// std::nullopt if none fits: Expired has no note, and ILL-Request, Forward-Notification,
/// Shipped, Returned and Status-Or-Error-Report are too long with defaults. (With
/// with_extension, Cancel, Recall, Lost, Status-Query and Expired hit `30 7f` with no note.)
std::optional<std::size_t> boundary_note_length(int kind, std::uint8_t inner_length = 0x7e,
                                                const SampleOptions& options = {});

/// yaz_encode_sample(kind) with the note from boundary_note_length(kind, inner_length), so it
/// starts `(0x60 + kind) 80 30 7e` (or `... 30 7f`). Defaults to Received (`68 80 30 7e`).
/// Throws std::runtime_error when no note length fits (see boundary_note_length).
std::vector<std::uint8_t> yaz_encode_boundary_sample(int kind = 8, std::uint8_t inner_length = 0x7e,
                                                     const SampleOptions& options = {});

/// A golden vector: the bytes and the file name they are stored under in tests/data/apdu/.
struct NamedSample {
  std::string file_name;
  std::vector<std::uint8_t> ber;
};

/// The golden vectors and fuzz seeds, in this order:
///  - yaz-<apdu_kind_name(k)>.ber = yaz_encode_sample(k) with default options, k = 1..20;
///  - yaz-boundary.ber = yaz_encode_boundary_sample() (Received, `68 80 30 7e`);
///  - yaz-utf8-note.ber = Message with note kUtf8Note;
///  - yaz-extension.ber = ILL-Request with with_extension;
///  - yaz-external.ber = ILL-Request with with_external.
/// tests/support/gen_yaz_samples writes them; a self-test checks the stored files still match.
std::vector<NamedSample> yaz_golden_samples();

}  // namespace illhub::testing
