#include "illhub/codec/builders.hpp"

#include <ctime>

#include "codec/asn1_types.hpp"
#include "codec/defaults.hpp"
#include "codec/encode_raw.hpp"

namespace illhub::codec {
namespace {

using asn1::make;
using asn1::set_text;

void set_ill_string(ILL_String_t& s, const std::string& value) {
  s.present = ILL_String_PR_generalstring;
  set_text(s.choice.generalstring, value);
}

ILL_String_t* new_ill_string(const std::string& value) {
  if (value.empty()) return nullptr;
  auto* s = make<ILL_String_t>();
  set_ill_string(*s, value);
  return s;
}

OCTET_STRING_t* new_text(const std::string& value) {
  if (value.empty()) return nullptr;
  auto* s = make<OCTET_STRING_t>();
  set_text(*s, value);
  return s;
}

void set_system_id(System_Id_t& out, const SystemId& id) {
  if (!id.symbol.empty()) {
    auto* sym = make<Person_Or_Institution_Symbol_t>();
    sym->present = id.symbol_is_person ? Person_Or_Institution_Symbol_PR_person_symbol
                                       : Person_Or_Institution_Symbol_PR_institution_symbol;
    set_ill_string(id.symbol_is_person ? sym->choice.person_symbol : sym->choice.institution_symbol,
                   id.symbol);
    out.person_or_institution_symbol = sym;
  }
  if (!id.name.empty()) {
    auto* name = make<Name_Of_Person_Or_Institution_t>();
    name->present = id.name_is_person ? Name_Of_Person_Or_Institution_PR_name_of_person
                                      : Name_Of_Person_Or_Institution_PR_name_of_institution;
    set_ill_string(id.name_is_person ? name->choice.name_of_person
                                     : name->choice.name_of_institution,
                   id.name);
    out.name_of_person_or_institution = name;
  }
}

System_Id_t* new_system_id(const SystemId& id) {
  if (id.empty()) return nullptr;
  auto* out = make<System_Id_t>();
  set_system_id(*out, id);
  return out;
}

template <class A>
void set_header(A& a, const ApduHeader& h) {
  a.protocol_version_num = h.protocol_version;
  Transaction_Id_t& t = a.transaction_id;
  t.initial_requester_id = new_system_id(h.transaction_id.initial_requester);
  set_ill_string(t.transaction_group_qualifier, h.transaction_id.group_qualifier);
  set_ill_string(t.transaction_qualifier, h.transaction_id.qualifier);
  t.sub_transaction_qualifier = new_ill_string(h.transaction_id.sub_qualifier);
  auto& now = a.service_date_time.date_time_of_this_service;
  set_text(now.date, h.service_date_time.date);
  now.time = new_text(h.service_date_time.time);
  if (!h.service_date_time.original_date.empty()) {
    auto* orig = make<Service_Date_Time::Service_Date_Time__date_time_of_original_service>();
    set_text(orig->date, h.service_date_time.original_date);
    orig->time = new_text(h.service_date_time.original_time);
    a.service_date_time.date_time_of_original_service = orig;
  }
  a.requester_id = new_system_id(h.requester_id);
  if constexpr (requires { a.responder_id.person_or_institution_symbol; })
    set_system_id(a.responder_id, h.responder_id);
  else
    a.responder_id = new_system_id(h.responder_id);
}

/// Fills defaults, encodes, and wraps the structure with its bytes.
Result<Apdu, EncodeError> finish(asn1::ApduPtr raw) {
  asn1::fill_defaults(*raw);
  auto bytes = asn1::encode_raw(*raw);
  if (!bytes) return unexpected(bytes.error());
  return Apdu(raw.release(), std::move(*bytes));
}

Error_Report_t* new_error_report(const ErrorReportSpec& spec) {
  auto* r = make<Error_Report_t>();
  set_ill_string(r->correlation_information, spec.correlation_information);
  auto provider = [r](Provider_Error_Report_PR which) {
    r->report_source = Report_Source_provider;
    r->provider_error_report = make<Provider_Error_Report_t>();
    r->provider_error_report->present = which;
    return &r->provider_error_report->choice;
  };
  auto user = [r](User_Error_Report_PR which) {
    r->report_source = Report_Source_user;
    r->user_error_report = make<User_Error_Report_t>();
    r->user_error_report->present = which;
    return &r->user_error_report->choice;
  };
  std::visit(
      [&](const auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, GeneralProblem>) {
          provider(Provider_Error_Report_PR_general_problem)->general_problem = static_cast<long>(p);
        } else if constexpr (std::is_same_v<P, TransactionIdProblem>) {
          provider(Provider_Error_Report_PR_transaction_id_problem)->transaction_id_problem =
              static_cast<long>(p);
        } else if constexpr (std::is_same_v<P, StateTransitionProhibited>) {
          auto& s = provider(Provider_Error_Report_PR_state_transition_prohibited)
                        ->state_transition_prohibited;
          s.aPDU_type = static_cast<long>(p.apdu_type);
          s.current_state = p.current_state;
        } else if constexpr (std::is_same_v<P, SecurityProblem>) {
          set_ill_string(user(User_Error_Report_PR_security_problem)->security_problem, p.text);
        } else {
          user(User_Error_Report_PR_unable_to_perform)->unable_to_perform = static_cast<long>(p);
        }
      },
      spec.problem);
  return r;
}

Status_Report_t* new_status_report(const StatusReportSpec& spec) {
  auto* r = make<Status_Report_t>();
  History_Report_t& h = r->user_status_report;
  h.date_requested = new_text(spec.date_requested);
  h.author = new_ill_string(spec.author);
  h.title = new_ill_string(spec.title);
  set_text(h.date_of_last_transition, spec.date_of_last_transition);
  h.most_recent_service = spec.most_recent_service;
  set_text(h.date_of_most_recent_service, spec.date_of_most_recent_service);
  set_system_id(h.initiator_of_most_recent_service, spec.initiator_of_most_recent_service);
  if (spec.shipped_service_type) {
    h.shipped_service_type = make<Shipped_Service_Type_t>();
    *h.shipped_service_type = static_cast<long>(*spec.shipped_service_type);
  }
  if (spec.transaction_results) {
    h.transaction_results = make<Transaction_Results_t>();
    *h.transaction_results = static_cast<long>(*spec.transaction_results);
  }
  h.most_recent_service_note = new_ill_string(spec.most_recent_service_note);
  r->provider_status_report = spec.current_state;
  return r;
}

asn1::ApduPtr new_apdu(ILL_APDU_PR which) {
  asn1::ApduPtr raw(make<ILL_APDU_t>());
  raw->present = which;
  return raw;
}

}  // namespace

Result<Apdu, EncodeError> build_status_or_error_report(const ApduHeader& header,
                                                       const StatusOrErrorReportSpec& spec) {
  auto raw = new_apdu(ILL_APDU_PR_status_or_error_report);
  auto& r = raw->choice.status_or_error_report;
  set_header(r, header);
  if (spec.reason_no_report) {
    r.reason_no_report = make<Reason_No_Report_t>();
    *r.reason_no_report = static_cast<long>(*spec.reason_no_report);
  }
  if (spec.status) r.status_report = new_status_report(*spec.status);
  if (spec.error) r.error_report = new_error_report(*spec.error);
  r.note = new_ill_string(spec.note);
  return finish(std::move(raw));
}

Result<Apdu, EncodeError> build_overdue(const ApduHeader& header, const DateDue& date_due,
                                        const std::string& note) {
  auto raw = new_apdu(ILL_APDU_PR_overdue);
  auto& o = raw->choice.overdue;
  set_header(o, header);
  set_text(o.date_due.date_due_field, date_due.date);
  o.date_due.renewable = make<BOOLEAN_t>();
  *o.date_due.renewable = date_due.renewable;
  o.responder_note = new_ill_string(note);
  return finish(std::move(raw));
}

Result<Apdu, EncodeError> build_expired(const ApduHeader& header) {
  auto raw = new_apdu(ILL_APDU_PR_expired);
  set_header(raw->choice.expired, header);
  return finish(std::move(raw));
}

Result<Apdu, EncodeError> build_forward_notification(const ApduHeader& header,
                                                     const SystemId& intermediary,
                                                     const std::string& note) {
  // "At least one of the following must be present" (System-Id): a comment in the module, so
  // asn1c cannot check it; an empty mandatory System-Id would be useless to the requester.
  if (header.responder_id.empty() || intermediary.empty())
    return unexpected(EncodeError{"Forward-Notification needs a responder-id and an intermediary-id"});
  auto raw = new_apdu(ILL_APDU_PR_forward_notification);
  auto& f = raw->choice.forward_notification;
  set_header(f, header);
  set_system_id(f.intermediary_id, intermediary);
  f.notification_note = new_ill_string(note);
  return finish(std::move(raw));
}

namespace {

Already_Tried_List_Type* new_already_tried(const std::vector<SystemId>& ids) {
  if (ids.empty()) return nullptr;
  auto* list = make<Already_Tried_List_Type>();
  for (const SystemId& id : ids)
    if (ASN_SEQUENCE_ADD(&list->list, new_system_id(id)) != 0) throw std::bad_alloc();
  return list;
}

Send_To_List_Type* new_send_to(const std::vector<SystemId>& ids) {
  if (ids.empty()) return nullptr;
  auto* list = make<Send_To_List_Type>();
  for (const SystemId& id : ids) {
    auto* entry = make<Send_To_List_Entry>();
    set_system_id(entry->system_id, id);
    if (ASN_SEQUENCE_ADD(&list->list, entry) != 0) throw std::bad_alloc();
  }
  return list;
}

template <class T>
void free_member(asn_TYPE_descriptor_t& def, T*& member) {
  if (member) def.free_struct(&def, member, 0);
  member = nullptr;
}

}  // namespace

Result<Apdu, EncodeError> build_rewritten_request(const Apdu& request, const RequestRewrite& rewrite) {
  if (request.kind() != ApduKind::kIllRequest)
    return unexpected(EncodeError{"only an ILL-Request can be rewritten, not a " +
                                  std::string(to_string(request.kind()))});
  if (rewrite.responder_id.empty()) return unexpected(EncodeError{"the rewritten ILL-Request needs a responder-id"});
  // A private copy of the structure: decoding the bytes again is the one deep copy asn1c has.
  auto copy = decode(request.bytes());
  if (!copy) return unexpected(EncodeError{"cannot decode the request again: " + copy.error().detail});
  ILL_Request_t& r = copy->raw().choice.ill_request;

  Service_Date_Time_t& sdt = r.service_date_time;
  if (!sdt.date_time_of_original_service) {
    // The borrower's own date-time stays visible to the lender as the original service.
    auto* orig = make<Service_Date_Time::Service_Date_Time__date_time_of_original_service>();
    set_text(orig->date, asn1::text_of(sdt.date_time_of_this_service.date));
    if (sdt.date_time_of_this_service.time)
      orig->time = new_text(asn1::text_of(*sdt.date_time_of_this_service.time));
    sdt.date_time_of_original_service = orig;
  }
  free_member(asn_DEF_ISO_Time, sdt.date_time_of_this_service.time);
  set_text(sdt.date_time_of_this_service.date, rewrite.service_date_time.date);
  sdt.date_time_of_this_service.time = new_text(rewrite.service_date_time.time);

  free_member(asn_DEF_System_Id, r.responder_id);
  r.responder_id = new_system_id(rewrite.responder_id);

  if (!r.third_party_info_type) r.third_party_info_type = make<Third_Party_Info_Type_t>();
  Third_Party_Info_Type_t& tp = *r.third_party_info_type;
  free_member(asn_DEF_Already_Tried_List_Type, tp.already_tried_list);
  tp.already_tried_list = new_already_tried(rewrite.already_tried);
  free_member(asn_DEF_Send_To_List_Type, tp.send_to_list);
  tp.send_to_list = new_send_to(rewrite.send_to);

  if (!r.forward_flag) r.forward_flag = make<BOOLEAN_t>();
  *r.forward_flag = rewrite.forward_flag ? 1 : 0;

  asn1::fill_defaults(copy->raw());
  auto bytes = asn1::encode_raw(copy->raw());
  if (!bytes) return unexpected(bytes.error());
  auto out = decode(*bytes);
  if (!out) return unexpected(EncodeError{"the rewritten request does not decode: " + out.error().detail});
  return std::move(*out);
}

Result<Apdu, EncodeError> build_unfilled_answer(const ApduHeader& header, long reason_unfilled,
                                                const std::string& note) {
  auto raw = new_apdu(ILL_APDU_PR_ill_answer);
  auto& a = raw->choice.ill_answer;
  set_header(a, header);
  a.transaction_results = static_cast<long>(TransactionResults::kUnfilled);
  a.results_explanation = make<ILL_Answer::ILL_Answer__results_explanation>();
  a.results_explanation->present = ILL_Answer__results_explanation_PR_unfilled_results;
  a.results_explanation->choice.unfilled_results.reason_unfilled = reason_unfilled;
  a.responder_note = new_ill_string(note);
  return finish(std::move(raw));
}

ServiceDateTime service_date_time_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char date[16], time[16];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  ServiceDateTime s;
  s.date = date;
  s.time = time;
  return s;
}

}  // namespace illhub::codec
