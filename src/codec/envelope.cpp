#include "illhub/codec/envelope.hpp"

#include "codec/asn1_types.hpp"
#include "codec/envelope_parts.hpp"

namespace illhub::codec {
namespace {

std::string text(const ILL_String_t* s) {
  if (!s) return {};
  return asn1::text_of(s->present == ILL_String_PR_generalstring ? s->choice.generalstring
                                                                 : s->choice.edifactstring);
}
std::string text(const OCTET_STRING_t* s) { return s ? asn1::text_of(*s) : std::string(); }

SystemId system_id(const System_Id_t* id) {
  SystemId out;
  if (!id) return out;
  if (const auto* sym = id->person_or_institution_symbol) {
    out.symbol_is_person = sym->present == Person_Or_Institution_Symbol_PR_person_symbol;
    out.symbol = text(out.symbol_is_person ? &sym->choice.person_symbol
                                           : &sym->choice.institution_symbol);
  }
  if (const auto* name = id->name_of_person_or_institution) {
    out.name_is_person = name->present == Name_Of_Person_Or_Institution_PR_name_of_person;
    out.name = text(out.name_is_person ? &name->choice.name_of_person
                                       : &name->choice.name_of_institution);
  }
  return out;
}

std::optional<Amount> amount(const Amount_t* a) {
  if (!a) return std::nullopt;
  return Amount{text(a->currency_code), text(&a->monetary_value)};
}

DateDue date_due(const Date_Due_t& d) {
  return DateDue{text(&d.date_due_field), !d.renewable || *d.renewable != 0};
}

template <class List>
std::vector<SystemId> system_ids(const List* list) {
  std::vector<SystemId> out;
  if (!list) return out;
  for (int i = 0; i < list->list.count; ++i) out.push_back(system_id(list->list.array[i]));
  return out;
}

std::vector<SystemId> send_to_ids(const Send_To_List_Type_t* list) {
  std::vector<SystemId> out;
  if (!list) return out;
  for (int i = 0; i < list->list.count; ++i) out.push_back(system_id(&list->list.array[i]->system_id));
  return out;
}

template <class A>
void read_common(const A& a, Envelope& e) {
  e.protocol_version = a.protocol_version_num;
  const Transaction_Id_t& t = a.transaction_id;
  e.transaction_id = {system_id(t.initial_requester_id), text(&t.transaction_group_qualifier),
                      text(&t.transaction_qualifier), text(t.sub_transaction_qualifier)};
  const auto& now = a.service_date_time.date_time_of_this_service;
  e.service_date_time.date = text(&now.date);
  e.service_date_time.time = text(now.time);
  if (const auto* orig = a.service_date_time.date_time_of_original_service) {
    e.service_date_time.original_date = text(&orig->date);
    e.service_date_time.original_time = text(orig->time);
  }
  if constexpr (requires { a.requester_id->person_or_institution_symbol; })
    e.requester_id = system_id(a.requester_id);
  if constexpr (requires { a.responder_id.person_or_institution_symbol; })
    e.responder_id = system_id(&a.responder_id);  // mandatory in Forward-Notification
  else
    e.responder_id = system_id(a.responder_id);
  if constexpr (requires { a.requester_note; }) e.note = text(a.requester_note);
  if constexpr (requires { a.responder_note; }) e.note = text(a.responder_note);
  if constexpr (requires { a.notification_note; }) e.note = text(a.notification_note);
  if constexpr (requires { a.note; }) {
    if constexpr (requires { a.note->present; })
      e.note = text(a.note);
    else
      e.note = text(&a.note);  // mandatory in Message
  }
  if constexpr (requires { a.supplier_id; }) e.supplier_id = system_id(a.supplier_id);
  if constexpr (requires { a.answer; }) e.answer = a.answer != 0;
}

void read_request(const ILL_Request_t& r, Envelope& e) {
  for (int i = 0; i < r.iLL_service_type.list.count; ++i)
    e.ill_service_types.push_back(static_cast<IllServiceType>(*r.iLL_service_type.list.array[i]));
  const auto& m = r.requester_optional_messages;
  e.requester_optional_messages = RequesterOptionalMessages{
      m.can_send_RECEIVED != 0, m.can_send_RETURNED != 0,
      static_cast<MessageWish>(m.requester_SHIPPED), static_cast<MessageWish>(m.requester_CHECKED_IN)};
  const Item_Id_t& item = r.item_id;
  e.item = {text(item.title), text(item.author), text(item.iSBN), text(item.iSSN),
            item.item_type ? std::optional<long>(*item.item_type) : std::nullopt};
  if (r.cost_info_type) e.maximum_cost = amount(r.cost_info_type->maximum_cost);
  if (const Search_Type_t* s = r.search_type) {
    e.need_before_date = text(s->need_before_date);
    if (s->expiry_flag) e.expiry_flag = *s->expiry_flag;
    e.expiry_date = text(s->expiry_date);
  }
  if (const Third_Party_Info_Type_t* tp = r.third_party_info_type) {
    e.already_tried = system_ids(tp->already_tried_list);
    e.send_to = send_to_ids(tp->send_to_list);
  }
  e.retry_flag = r.retry_flag && *r.retry_flag;
  e.forward_flag = r.forward_flag && *r.forward_flag;
}

void read_answer(const ILL_Answer_t& a, Envelope& e) {
  e.transaction_results = static_cast<TransactionResults>(a.transaction_results);
  if (const auto* x = a.results_explanation) {
    const auto& c = x->choice;
    switch (x->present) {
      case ILL_Answer__results_explanation_PR_conditional_results:
        e.reason = c.conditional_results.conditions;
        break;
      case ILL_Answer__results_explanation_PR_retry_results:
        if (c.retry_results.reason_not_available) e.reason = *c.retry_results.reason_not_available;
        break;
      case ILL_Answer__results_explanation_PR_unfilled_results:
        e.reason = c.unfilled_results.reason_unfilled;
        break;
      case ILL_Answer__results_explanation_PR_locations_results:
        if (c.locations_results.reason_locs_provided)
          e.reason = *c.locations_results.reason_locs_provided;
        for (int i = 0; i < c.locations_results.locations.list.count; ++i)
          e.locations.push_back(system_id(&c.locations_results.locations.list.array[i]->location_id));
        break;
      case ILL_Answer__results_explanation_PR_will_supply_results:
        e.reason = c.will_supply_results.reason_will_supply;
        break;
      case ILL_Answer__results_explanation_PR_estimate_results:
        e.cost_estimate = text(&c.estimate_results.cost_estimate);
        break;
      default:
        break;
    }
  }
  if (const auto* m = a.responder_optional_messages)
    e.responder_optional_messages = ResponderOptionalMessages{
        m->can_send_SHIPPED != 0, m->can_send_CHECKED_IN != 0,
        static_cast<MessageWish>(m->responder_RECEIVED), static_cast<MessageWish>(m->responder_RETURNED)};
  e.already_tried = system_ids(a.already_tried_list);
  e.send_to = send_to_ids(a.send_to_list);
}

void read_shipped(const Shipped_t& s, Envelope& e) {
  e.shipped_service_type = static_cast<IllServiceType>(s.shipped_service_type);
  const Supply_Details_t& d = s.supply_details;
  e.event_date = text(d.date_shipped);
  if (d.date_due) e.date_due = date_due(*d.date_due);
  e.cost = amount(d.cost);
  e.insured_for = amount(d.insured_for);
  if (d.chargeable_units) e.chargeable_units = *d.chargeable_units;
  if (const auto* m = s.responder_optional_messages)
    e.responder_optional_messages = ResponderOptionalMessages{
        m->can_send_SHIPPED != 0, m->can_send_CHECKED_IN != 0,
        static_cast<MessageWish>(m->responder_RECEIVED), static_cast<MessageWish>(m->responder_RETURNED)};
}

}  // namespace

SystemId read_system_id(const System_Id_t* id) { return system_id(id); }
std::string read_ill_string(const ILL_String_t* s) { return text(s); }

Envelope read_envelope(const Apdu& apdu) {
  Envelope e;
  e.kind = apdu.kind();
  const ILL_APDU_t& raw = apdu.raw();
  asn1::visit_apdu(raw, [&e](const auto& a) { read_common(a, e); });
  const auto& c = raw.choice;
  switch (e.kind) {
    case ApduKind::kIllRequest: read_request(c.ill_request, e); break;
    case ApduKind::kIllAnswer: read_answer(c.ill_answer, e); break;
    case ApduKind::kShipped: read_shipped(c.shipped, e); break;
    case ApduKind::kForwardNotification:
      e.intermediary_id = system_id(&c.forward_notification.intermediary_id);
      break;
    case ApduKind::kReceived:
      e.shipped_service_type = static_cast<IllServiceType>(c.received.shipped_service_type);
      e.event_date = text(&c.received.date_received);
      break;
    case ApduKind::kReturned:
      e.event_date = text(&c.returned.date_returned);
      e.insured_for = amount(c.returned.insured_for);
      break;
    case ApduKind::kCheckedIn: e.event_date = text(&c.checked_in.date_checked_in); break;
    case ApduKind::kOverdue: e.date_due = date_due(c.overdue.date_due); break;
    case ApduKind::kRenew: e.desired_due_date = text(c.renew.desired_due_date); break;
    case ApduKind::kRenewAnswer:
      if (c.renew_answer.date_due) e.date_due = date_due(*c.renew_answer.date_due);
      break;
    case ApduKind::kDamaged: e.has_damaged_details = c.damaged.damaged_details != nullptr; break;
    case ApduKind::kStatusOrErrorReport:
      e.has_status_report = c.status_or_error_report.status_report != nullptr;
      e.has_error_report = c.status_or_error_report.error_report != nullptr;
      break;
    default:
      break;
  }
  read_extension_payloads(raw, e);
  return e;
}

}  // namespace illhub::codec
