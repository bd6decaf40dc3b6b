// Guards and the names of the row columns.
#include "illhub/protocol/transition.hpp"

namespace illhub::protocol {

std::string_view to_string(Return value) {
  switch (value) {
    case Return::kUnknown: return "unknown";
    case Return::kLoan: return "loan";
    case Return::kCopy: return "copy";
  }
  return "?";
}

std::string_view to_string(Guard guard) {
  switch (guard) {
    case Guard::kAlways: return "";
    case Guard::kLoan: return "loan";
    case Guard::kShippedSkipped: return "no-Shipped";
    case Guard::kLoanReceivedSkipped: return "loan,no-Received";
    case Guard::kLoanReturnedSkipped: return "loan,no-Returned";
    case Guard::kNotYetShipped: return "not-yet-shipped";
  }
  return "?";
}

bool holds(Guard guard, const Conditions& c) {
  // An unknown RETURN counts as a loan: the transaction stays open rather than ending early.
  const bool loan = c.return_variable != Return::kCopy;
  const OptionalMessages& m = c.optional_messages;
  switch (guard) {
    case Guard::kAlways: return true;
    case Guard::kLoan: return loan;
    case Guard::kShippedSkipped: return !m.responder_can_send_shipped;
    case Guard::kLoanReceivedSkipped: return loan && !m.requester_can_send_received;
    case Guard::kLoanReturnedSkipped: return loan && !m.requester_can_send_returned;
    case Guard::kNotYetShipped: return !c.shipped;
  }
  return false;
}

std::string_view to_string(Confidence confidence) {
  return confidence == Confidence::kConfirmed ? "C" : "I";
}

}  // namespace illhub::protocol
