// Reading a hub::TransactionSnapshot from a transactions row (see snapshot_row.hpp).
#include "store/snapshot_row.hpp"

#include "illhub/hub/money.hpp"
#include "illhub/protocol/lenient_profile.hpp"

namespace illhub::store {

hub::TransactionSnapshot snapshot_from_row(const PgResult& t, int row, int first) {
  using protocol::Role;
  using protocol::State;
  auto flag = [&](int col) { return t.get(row, first + col) == "t"; };
  auto state = [&](int col) { return static_cast<State>(t.get_int64(row, first + col).value_or(0)); };
  auto text = [&](int col) { return std::string(t.get(row, first + col)); };

  hub::TransactionSnapshot s;
  s.exists = true;
  s.requester_symbol = text(0);
  s.responder_symbol = text(1);
  s.view.requester = state(2);
  s.view.responder = state(3);
  s.view.requester_before_cancel = state(4);
  s.view.responder_before_cancel = state(5);
  s.view.conditions.return_variable = t.is_null(row, first + 6) ? protocol::Return::kUnknown
                                      : flag(6)                  ? protocol::Return::kLoan
                                                                 : protocol::Return::kCopy;
  auto& m = s.view.conditions.optional_messages;
  m.requester_can_send_received = flag(7);
  m.requester_can_send_returned = flag(8);
  m.responder_can_send_shipped = flag(9);
  m.responder_can_send_checked_in = flag(10);
  s.view.conditions.shipped = flag(11);
  if (!t.is_null(row, first + 12))
    s.view.last_applied = protocol::ApduIdentity{
        static_cast<codec::ApduKind>(*t.get_int64(row, first + 12)),
        t.get(row, first + 13) == "responder" ? Role::kResponder : Role::kRequester, text(14), text(15)};
  if (!t.is_null(row, first + 16)) {
    if (auto units = hub::parse_decimal(t.get(row, first + 16)))
      s.insured_value = hub::Money{*units, text(17)};
  }
  s.replacement_charged = flag(18);
  s.date_due = text(19);
  s.view.requester_profile = protocol::find_lenient_profile(t.get(row, first + 20));
  s.view.responder_profile = protocol::find_lenient_profile(t.get(row, first + 21));
  return s;
}

}  // namespace illhub::store
