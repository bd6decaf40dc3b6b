#pragma once
// Envelope: what the hub reads from an APDU to route it, check it against the state tables,
// and keep its ledgers and timers. Plain values, no asn1c types; absent fields are empty.

#include <optional>
#include <string>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/apdu_kind.hpp"

namespace illhub::codec {

/// System-Id: a person-or-institution symbol and/or a name (at least one is present).
struct SystemId {
  std::string symbol;  // person-or-institution-symbol, e.g. "IRL:DUB"
  std::string name;    // name-of-person-or-institution
  bool symbol_is_person = false;
  bool name_is_person = false;
  bool empty() const { return symbol.empty() && name.empty(); }
  friend bool operator==(const SystemId&, const SystemId&) = default;
};

/// The four-part Transaction-Id.
struct TransactionId {
  SystemId initial_requester;  // empty when absent
  std::string group_qualifier;
  std::string qualifier;
  std::string sub_qualifier;  // empty when absent
  friend bool operator==(const TransactionId&, const TransactionId&) = default;
};

/// Service-Date-Time: the invoker's local date (YYYYMMDD) and time (HHMMSS), no zone.
struct ServiceDateTime {
  std::string date;
  std::string time;
  std::string original_date;
  std::string original_time;
  friend bool operator==(const ServiceDateTime&, const ServiceDateTime&) = default;
};

/// Amount: ISO 4217 currency code (may be empty) and the monetary value as sent.
struct Amount {
  std::string currency;
  std::string value;
  friend bool operator==(const Amount&, const Amount&) = default;
};

struct DateDue {
  std::string date;  // YYYYMMDD
  bool renewable = true;
};

/// Values of ILL-Service-Type / Shipped-Service-Type.
enum class IllServiceType { kLoan = 1, kCopyNonReturnable = 2, kLocations = 3, kEstimate = 4,
                            kResponderSpecific = 5 };

/// Values of Transaction-Results (ILL-Answer).
enum class TransactionResults { kConditional = 1, kRetry = 2, kUnfilled = 3,
                                kLocationsProvided = 4, kWillSupply = 5, kHoldPlaced = 6,
                                kEstimate = 7 };

/// requires (1) / desires (2) / neither (3) of the optional-messages types.
enum class MessageWish { kRequires = 1, kDesires = 2, kNeither = 3 };

struct RequesterOptionalMessages {
  bool can_send_received = false;
  bool can_send_returned = false;
  MessageWish requester_shipped = MessageWish::kNeither;
  MessageWish requester_checked_in = MessageWish::kNeither;
};

struct ResponderOptionalMessages {
  bool can_send_shipped = false;
  bool can_send_checked_in = false;
  MessageWish responder_received = MessageWish::kNeither;
  MessageWish responder_returned = MessageWish::kNeither;
};

/// The bibliographic item of an ILL-Request, for operators and holdings look-ups.
struct ItemSummary {
  std::string title;
  std::string author;
  std::string isbn;
  std::string issn;
  std::optional<long> item_type;  // monograph 1, serial 2, other 3
};

/// APDU-Encoding: how a peer accepts APDUs at an address.
enum class ApduEncoding { kEdifact = 1, kBerInMime = 2, kBer = 3 };

/// APDU-Delivery-Parameters: one address of a system and how APDUs are encoded for it.
struct ApduDeliveryParameters {
  std::vector<ApduEncoding> encodings;  // preferred first
  std::string telecom_service_identifier;  // transport, e.g. "TCP/IP" (empty when absent)
  std::string telecom_service_address;     // e.g. "ill.library.example:499"
  std::vector<SystemId> aliases;           // the System-Ids reached at this address
  friend bool operator==(const ApduDeliveryParameters&, const ApduDeliveryParameters&) = default;
};

/// APDU-Delivery-Info (extension 1.0.10161.13.3): where the sender and the recipient of the
/// APDU, and any transponder between them, take APDUs.
struct ApduDeliveryInfo {
  std::vector<ApduDeliveryParameters> sender;
  std::vector<ApduDeliveryParameters> recipient;
  std::vector<ApduDeliveryParameters> transponder;
  friend bool operator==(const ApduDeliveryInfo&, const ApduDeliveryInfo&) = default;
};

/// OCLC's ILL-Request extension (1.0.10161.13.2); absent fields are empty.
struct OclcIllRequest {
  std::string client_department;
  std::string payment_method;
  std::string uniform_title;
  std::string dissertation;
  std::string issue_number;
  std::string volume;
  std::string affiliations;
  std::string source;
  friend bool operator==(const OclcIllRequest&, const OclcIllRequest&) = default;
};

struct Envelope {
  ApduKind kind = ApduKind::kIllRequest;
  long protocol_version = 2;
  TransactionId transaction_id;
  ServiceDateTime service_date_time;
  SystemId requester_id;  // empty when absent
  SystemId responder_id;  // empty when absent

  // ILL-Request
  std::vector<IllServiceType> ill_service_types;
  std::optional<RequesterOptionalMessages> requester_optional_messages;
  ItemSummary item;
  std::optional<Amount> maximum_cost;
  std::string need_before_date;
  std::optional<long> expiry_flag;  // need-Before-Date 1, other-Date 2, no-Expiry 3
  std::string expiry_date;
  std::vector<SystemId> already_tried;  // third-party-info (ILL-Request) or ILL-Answer
  std::vector<SystemId> send_to;
  bool retry_flag = false;
  bool forward_flag = false;

  // ILL-Answer
  std::optional<TransactionResults> transaction_results;
  /// The reason code of the results-explanation when it has one: reason-unfilled,
  /// reason-not-available (retry), conditions (conditional), reason-will-supply,
  /// reason-locs-provided.
  std::optional<long> reason;
  std::optional<ResponderOptionalMessages> responder_optional_messages;
  std::string cost_estimate;
  /// locations-provided: the location-id of each Location-Info, in the answer's order.
  std::vector<SystemId> locations;

  // Conditional-Reply, Cancel-Reply, Renew-Answer
  std::optional<bool> answer;

  // Shipped, Received
  std::optional<IllServiceType> shipped_service_type;
  SystemId supplier_id;
  // Shipped supply-details, Overdue, Renew-Answer
  std::optional<DateDue> date_due;
  std::optional<Amount> cost;         // Shipped supply-details cost
  std::optional<Amount> insured_for;  // Shipped supply-details or Returned
  std::optional<long> chargeable_units;
  /// date-shipped, date-received, date-returned or date-checked-in, by kind.
  std::string event_date;
  std::string desired_due_date;  // Renew

  // Forward-Notification
  SystemId intermediary_id;

  // Damaged
  bool has_damaged_details = false;

  // Status-Or-Error-Report
  bool has_status_report = false;
  bool has_error_report = false;

  /// The note of the APDU ([46] requester-note, responder-note, note; [48] notification-note).
  std::string note;

  // Extension payloads illhub compiles, from the APDU's [49] extensions (the first of each
  // kind that decodes; one that does not decode is left out here, and the APDU stays valid).
  std::optional<ApduDeliveryInfo> delivery_info;
  std::optional<OclcIllRequest> oclc_request;
};

/// Reads the envelope of any decoded APDU. Never fails: the decoder already enforced the
/// module, so mandatory fields are there.
Envelope read_envelope(const Apdu& apdu);

}  // namespace illhub::codec
