#pragma once
// Builders for the APDUs the hub itself sends: Status-Or-Error-Report (answers, refusals,
// receipts), Overdue and Expired (its timers), Forward-Notification, the onward ILL-Request
// and the final unfilled ILL-Answer (its routing, docs/ROUTING.md).
// Each returns an Apdu whose bytes() are the BER to send, DEFAULT fields written out.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/decode_error.hpp"
#include "illhub/codec/envelope.hpp"

namespace illhub::codec {

/// The hub's local date and time as a Service-Date-Time (ISO 10161 service times are the
/// invoker's local time, without a zone): the stamp of every APDU the hub builds.
ServiceDateTime service_date_time_now();

/// The fields every APDU starts with.
struct ApduHeader {
  long protocol_version = 2;
  TransactionId transaction_id;
  ServiceDateTime service_date_time;  // date mandatory; time strongly advised
  SystemId requester_id;              // empty: left out
  SystemId responder_id;              // empty: left out
};

/// Transaction-Id-Problem values.
enum class TransactionIdProblem { kDuplicate = 1, kInvalid = 2, kUnknown = 3 };

/// State-Transition-Prohibited: the APDU that was refused and the state it met.
/// current_state is an ISO 10161 Current-State value (1 NOT-SUPPLIED .. 18 UNKNOWN).
struct StateTransitionProhibited {
  ApduKind apdu_type = ApduKind::kIllRequest;
  long current_state = 18;
};

/// Unable-To-Perform values (user error report).
enum class UnableToPerform { kNotAvailable = 1, kResourceLimitation = 2, kOther = 3 };

/// A security-problem user error report, with its text.
struct SecurityProblem {
  std::string text;
};

/// Error-Report: provider problems (general, transaction-id, state) or user problems.
struct ErrorReportSpec {
  std::string correlation_information;
  std::variant<GeneralProblem, TransactionIdProblem, StateTransitionProhibited, SecurityProblem,
               UnableToPerform>
      problem = GeneralProblem::kOther;
};

/// Status-Report: History-Report + the provider's Current-State.
struct StatusReportSpec {
  std::string date_requested;
  std::string author;
  std::string title;
  std::string date_of_last_transition;  // YYYYMMDD, mandatory
  long most_recent_service = 1;          // History-Report most-recent-service value
  std::string date_of_most_recent_service;
  SystemId initiator_of_most_recent_service;
  std::optional<IllServiceType> shipped_service_type;
  std::optional<TransactionResults> transaction_results;
  std::string most_recent_service_note;
  long current_state = 18;
};

/// Reason-No-Report values.
enum class ReasonNoReport { kTemporary = 1, kPermanent = 2 };

struct StatusOrErrorReportSpec {
  std::optional<StatusReportSpec> status;
  std::optional<ErrorReportSpec> error;
  /// Mandatory when neither report is present.
  std::optional<ReasonNoReport> reason_no_report;
  std::string note;
};

Result<Apdu, EncodeError> build_status_or_error_report(const ApduHeader& header,
                                                       const StatusOrErrorReportSpec& spec);
Result<Apdu, EncodeError> build_overdue(const ApduHeader& header, const DateDue& date_due,
                                        const std::string& note = {});
Result<Apdu, EncodeError> build_expired(const ApduHeader& header);
/// header.responder_id is the new responder (mandatory here); intermediary is the hub.
Result<Apdu, EncodeError> build_forward_notification(const ApduHeader& header,
                                                     const SystemId& intermediary,
                                                     const std::string& note = {});

/// How the hub rewrites an ILL-Request it passes on (docs/ROUTING.md).
struct RequestRewrite {
  /// The new service-date-time; the original one becomes date-time-of-original-service.
  ServiceDateTime service_date_time;
  SystemId responder_id;                // the lender asked now
  std::vector<SystemId> already_tried;  // replaces third-party-info's already-tried-list
  /// Replaces the send-to-list; empty: left out (the hub keeps the rota itself).
  std::vector<SystemId> send_to;
  bool forward_flag = true;
};

/// The ILL-Request `request` (an ILL-Request, decoded) rewritten as `rewrite` says, everything
/// else (transaction-id, requester-id, item, costs, extensions) unchanged. Fails when `request`
/// is not an ILL-Request or the result breaks a constraint.
Result<Apdu, EncodeError> build_rewritten_request(const Apdu& request, const RequestRewrite& rewrite);

/// An ILL-Answer with transaction-results unfilled and unfilled-results {reason_unfilled}.
/// ISO 10161 Reason-Unfilled values: 5 not-owned, 27 other, ...
Result<Apdu, EncodeError> build_unfilled_answer(const ApduHeader& header, long reason_unfilled,
                                                const std::string& note = {});

}  // namespace illhub::codec
