// YAZ as an independent ISO 10161 peer (tests only). See yaz_peer.hpp for the contract.
//
// Memory: every YAZ value below is allocated in the nmem of the ODR stream that encodes (or
// decoded) it, so one OdrPtr going out of scope frees the whole APDU on every path.
#include "support/yaz_peer.hpp"

#include <yaz/ill-core.h>
#include <yaz/odr.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

namespace illhub::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// ODR streams and the C data they own

struct OdrDestroy {
  void operator()(odr* stream) const { odr_destroy(stream); }
};
using OdrPtr = std::unique_ptr<odr, OdrDestroy>;

OdrPtr make_odr(int direction) {
  OdrPtr stream(odr_createmem(direction));
  if (!stream) throw std::bad_alloc();
  return stream;
}

// open_memstream's FILE and its buffer; the buffer is only valid after fclose.
class MemStream {
 public:
  MemStream() : file_(open_memstream(&buf_, &size_)) {
    if (file_ == nullptr) throw std::bad_alloc();
  }
  MemStream(const MemStream&) = delete;
  MemStream& operator=(const MemStream&) = delete;
  ~MemStream() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(buf_);
  }
  FILE* file() const { return file_; }
  std::string take() {
    std::fclose(file_);
    file_ = nullptr;
    return std::string(buf_ != nullptr ? buf_ : "", size_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t size_ = 0;
  FILE* file_;
};

std::string odr_error_text(ODR stream) {
  const int code = odr_geterror(stream);
  std::string text = odr_errmsg(code);
  const char* element = odr_getelement(stream);
  if (element != nullptr && *element != '\0') {
    text += " (element ";
    text += element;
    text += ")";
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Building sample values in an encode stream's memory

class Builder {
 public:
  Builder(ODR stream, const SampleOptions& options) : o_(stream), opt_(options) {}

  template <class T>
  T* make() {
    void* p = odr_malloc(o_, sizeof(T));
    std::memset(p, 0, sizeof(T));
    return static_cast<T*>(p);
  }
  template <class T>
  T** array(std::size_t n) {
    void* p = odr_malloc(o_, sizeof(T*) * n);
    std::memset(p, 0, sizeof(T*) * n);
    return static_cast<T**>(p);
  }

  char* cstr(std::string_view s) { return odr_strdupn(o_, s.data(), s.size()); }
  Odr_int* integer(Odr_int v) { return odr_intdup(o_, v); }
  Odr_bool* boolean(bool v) { return odr_booldup(o_, v ? 1 : 0); }
  Odr_oid* oid(std::string_view dotted) { return odr_getoidbystr(o_, cstr(dotted)); }

  ILL_String* str(std::string_view s) {
    auto* v = make<ILL_String>();
    v->which = ILL_String_GeneralString;
    v->u.GeneralString = cstr(s);
    return v;
  }
  // Empty string = field absent.
  ILL_String* opt_str(std::string_view s) { return s.empty() ? nullptr : str(s); }

  ILL_System_Id* institution(std::string_view symbol) {
    auto* symbol_choice = make<ILL_Person_Or_Institution_Symbol>();
    symbol_choice->which = ILL_Person_Or_Institution_Symbol_institution_symbol;
    symbol_choice->u.institution_symbol = str(symbol);
    auto* id = make<ILL_System_Id>();
    id->person_or_institution_symbol = symbol_choice;
    return id;
  }

  ILL_Transaction_Id* transaction_id() {
    auto* t = make<ILL_Transaction_Id>();
    t->initial_requester_id = institution(opt_.requester_symbol);
    t->transaction_group_qualifier = str(opt_.group_qualifier);
    t->transaction_qualifier = str(opt_.qualifier);
    return t;
  }

  ILL_Service_Date_Time* service_date_time() {
    auto* now = make<ILL_Service_Date_this>();
    now->date = cstr(opt_.date);
    now->time = opt_.time.empty() ? nullptr : cstr(opt_.time);
    auto* sdt = make<ILL_Service_Date_Time>();
    sdt->date_time_of_this_service = now;
    return sdt;
  }

  ILL_Date_Due* date_due(std::string_view date, bool renewable) {
    auto* d = make<ILL_Date_Due>();
    d->date_due_field = cstr(date);
    d->renewable = boolean(renewable);  // DEFAULT TRUE, yet YAZ requires it
    return d;
  }

  ILL_Amount* amount(std::string_view currency, std::string_view value) {
    auto* a = make<ILL_Amount>();
    a->currency_code = cstr(currency);
    a->monetary_value = cstr(value);
    return a;
  }

  ILL_Location_Info* location(std::string_view symbol, std::string_view note) {
    auto* l = make<ILL_Location_Info>();
    l->location_id = institution(symbol);
    l->location_note = opt_str(note);
    return l;
  }

  Odr_external* external_octets(std::string_view oid_text, std::string_view octets) {
    auto* e = make<Odr_external>();
    e->direct_reference = oid(oid_text);
    e->which = ODR_EXTERNAL_octet;
    e->u.octet_aligned = odr_create_Odr_oct(o_, octets.data(), static_cast<int>(octets.size()));
    return e;
  }

  // EXTERNAL {direct-reference, single-ASN1-type GeneralString}: the ANY holds a whole TLV.
  Odr_external* external_single(std::string_view oid_text, std::string_view text) {
    auto* e = make<Odr_external>();
    e->direct_reference = oid(oid_text);
    e->which = ODR_EXTERNAL_single;
    std::string tlv;
    tlv.push_back(static_cast<char>(0x1b));         // [UNIVERSAL 27] GeneralString
    tlv.push_back(static_cast<char>(text.size()));  // short form; callers keep text < 128
    tlv.append(text);
    e->u.single_ASN1_type = odr_create_Odr_oct(o_, tlv.data(), static_cast<int>(tlv.size()));
    return e;
  }

  // One Extension {identifier 1, critical FALSE, item EXTERNAL}. The ANY item must be complete
  // BER, so the EXTERNAL is encoded by YAZ in a stream of its own and copied in.
  ILL_Extension* extension() {
    OdrPtr inner = make_odr(ODR_ENCODE);
    Odr_external* ext = external_octets(kExtensionOid, kExtensionPayload);
    if (!odr_external(inner.get(), &ext, 0, nullptr)) {
      throw std::runtime_error("YAZ refused to encode the extension EXTERNAL: " +
                               odr_error_text(inner.get()));
    }
    int len = 0;
    const char* bytes = odr_getbuf(inner.get(), &len, nullptr);
    auto* x = make<ILL_Extension>();
    x->identifier = integer(1);
    x->critical = boolean(false);  // DEFAULT FALSE, yet YAZ requires it
    x->item = odr_create_Odr_oct(o_, bytes, len);
    return x;
  }

  // Fills an APDU's `num_x` / `x` extension pair when extensions are asked for.
  void extensions(int& num, ILL_Extension**& list) {
    if (!opt_.with_extension) return;
    num = 1;
    list = array<ILL_Extension>(1);
    list[0] = extension();
  }

  ILL_String* note() { return opt_str(opt_.note); }

  // The five fields every APDU starts with.
  template <class T>
  T* common() {
    auto* a = make<T>();
    a->protocol_version_num = integer(2);
    a->transaction_id = transaction_id();
    a->service_date_time = service_date_time();
    a->requester_id = institution(opt_.requester_symbol);
    a->responder_id = institution(opt_.responder_symbol);
    return a;
  }

  const SampleOptions& options() const { return opt_; }

 private:
  ODR o_;
  const SampleOptions& opt_;
};

std::string padded_title(std::size_t length) {
  std::string title(kDefaultTitle);
  if (length == 0) return title;
  title.resize(length, '.');
  return title;
}

ILL_Request* build_request(Builder& b) {
  const SampleOptions& opt = b.options();
  auto* r = b.common<ILL_Request>();
  r->transaction_type = b.integer(ILL_Transaction_Type_simple);

  auto* postal = b.make<ILL_Postal_Address>();
  auto* name = b.make<ILL_Name_Of_Person_Or_Institution>();
  name->which = ILL_Name_Of_Person_Or_Institution_name_of_institution;
  name->u.name_of_institution = b.str("Borrowing Library");
  postal->name_of_person_or_institution = name;
  postal->street_and_number = b.str("1 Library Street");
  postal->city = b.str("Dublin");
  postal->country = b.str("IE");
  postal->postal_code = b.str("D02 XY00");
  r->delivery_address = b.make<ILL_Delivery_Address>();
  r->delivery_address->postal_address = postal;

  const int services = opt.with_external ? 2 : 1;
  r->num_iLL_service_type = services;
  r->iLL_service_type = b.array<ILL_Service_Type>(static_cast<std::size_t>(services));
  r->iLL_service_type[0] = b.integer(opt.copy ? ILL_Service_Type_copy_non_returnable : ILL_Service_Type_loan);
  if (opt.with_external) {
    r->iLL_service_type[1] = b.integer(ILL_Service_Type_responder_specific);
    r->responder_specific_service = b.external_octets("1.0.10161.13.2", "rush");
    r->supplemental_item_description = b.make<ILL_Supplemental_Item_Description>();
    r->supplemental_item_description->num = 1;
    r->supplemental_item_description->elements = b.array<Odr_external>(1);
    r->supplemental_item_description->elements[0] =
        b.external_single("1.0.10161.13.4", "2nd edition preferred");
  }

  auto* messages = b.make<ILL_Requester_Optional_Messages_Type>();
  messages->can_send_RECEIVED = b.boolean(true);
  messages->can_send_RETURNED = b.boolean(true);
  messages->requester_SHIPPED = b.integer(ILL_Requester_Optional_Messages_Type_requires);
  messages->requester_CHECKED_IN = b.integer(ILL_Requester_Optional_Messages_Type_desires);
  r->requester_optional_messages = messages;

  auto* search = b.make<ILL_Search_Type>();
  search->need_before_date = b.cstr("20261231");
  search->expiry_flag = b.integer(ILL_Search_Type_need_Before_Date);  // DEFAULT 3
  r->search_type = search;

  r->place_on_hold = b.integer(ILL_Place_On_Hold_Type_according_to_responder_policy);

  auto* item = b.make<ILL_Item_Id>();
  item->item_type = b.integer(ILL_Item_Id_monograph);
  item->author = b.str(kDefaultAuthor);
  item->title = b.str(padded_title(opt.title_length));
  item->iSBN = b.str(kDefaultIsbn);
  r->item_id = item;

  auto* cost = b.make<ILL_Cost_Info_Type>();
  cost->maximum_cost = b.amount("EUR", "25.00");
  cost->reciprocal_agreement = b.boolean(false);  // the three flags: DEFAULT FALSE
  cost->will_pay_fee = b.boolean(true);
  cost->payment_provided = b.boolean(false);
  r->cost_info_type = cost;

  auto* third = b.make<ILL_Third_Party_Info_Type>();
  third->permission_to_forward = b.boolean(true);
  third->permission_to_chain = b.boolean(false);
  third->permission_to_partition = b.boolean(false);
  third->permission_to_change_send_to_list = b.boolean(false);
  third->preference = b.integer(ILL_Third_Party_Info_Type_unordered);  // DEFAULT 2
  third->already_tried_list = b.make<ILL_Already_Tried_List_Type>();
  third->already_tried_list->num = 1;
  third->already_tried_list->elements = b.array<ILL_System_Id>(1);
  third->already_tried_list->elements[0] = b.institution("IRL:AAA");
  r->third_party_info_type = third;

  r->retry_flag = b.boolean(false);
  r->forward_flag = b.boolean(false);
  r->requester_note = b.note();
  b.extensions(r->num_iLL_request_extensions, r->iLL_request_extensions);
  return r;
}

ILL_Answer* build_answer(Builder& b) {
  const int results = b.options().answer_results;
  auto* a = b.common<ILL_Answer>();
  a->transaction_results = b.integer(results);
  a->which = results;  // the ILL_Answer_*_results values equal Transaction-Results
  switch (results) {
    case ILL_Transaction_Results_conditional: {
      auto* c = b.make<ILL_Conditional_Results>();
      c->conditions = b.integer(ILL_Conditional_Results_charges);
      c->date_for_reply = b.cstr("20261201");
      a->u.conditional_results = c;
      break;
    }
    case ILL_Transaction_Results_retry: {
      auto* r = b.make<ILL_Retry_Results>();
      r->reason_not_available = b.integer(ILL_Retry_Results_in_use_on_loan);
      r->retry_date = b.cstr("20261215");
      a->u.retry_results = r;
      break;
    }
    case ILL_Transaction_Results_unfilled: {
      auto* u = b.make<ILL_Unfilled_Results>();
      u->reason_unfilled = b.integer(ILL_Reason_Unfilled_not_owned);
      a->u.unfilled_results = u;
      break;
    }
    case ILL_Transaction_Results_locations_provided: {
      auto* l = b.make<ILL_Locations_Results>();
      l->reason_locs_provided = b.integer(ILL_Reason_Locs_Provided_non_circulating);
      l->num_locations = 1;
      l->locations = b.array<ILL_Location_Info>(1);
      l->locations[0] = b.location("IRL:ALT", "Try the national library");
      a->u.locations_results = l;
      break;
    }
    case ILL_Transaction_Results_will_supply: {
      auto* w = b.make<ILL_Will_Supply_Results>();
      w->reason_will_supply = b.integer(ILL_Will_Supply_Results_being_processed_for_supply);
      w->supply_date = b.cstr("20261125");
      a->u.will_supply_results = w;
      break;
    }
    case ILL_Transaction_Results_hold_placed: {
      auto* h = b.make<ILL_Hold_Placed_Results>();
      h->estimated_date_available = b.cstr("20261210");
      h->hold_placed_medium_type = b.integer(ILL_Medium_Type_printed);
      a->u.hold_placed_results = h;
      break;
    }
    case ILL_Transaction_Results_estimate: {
      auto* e = b.make<ILL_Estimate_Results>();
      e->cost_estimate = b.str("EUR 12.50");
      a->u.estimate_results = e;
      break;
    }
    default:
      throw std::invalid_argument("answer_results must be 1..7");
  }
  a->responder_note = b.note();
  b.extensions(a->num_ill_answer_extensions, a->ill_answer_extensions);
  return a;
}

ILL_Status_Or_Error_Report* build_report(Builder& b) {
  const ReportVariant variant = b.options().report;
  auto* s = b.common<ILL_Status_Or_Error_Report>();
  if (variant == ReportVariant::kNoReport) {
    s->reason_no_report = b.integer(ILL_Reason_No_Report_temporary);
  }
  if (variant == ReportVariant::kStatus || variant == ReportVariant::kStatusAndError) {
    auto* history = b.make<ILL_History_Report>();
    history->date_requested = b.cstr("20261120");
    history->title = b.str(kDefaultTitle);
    history->date_of_last_transition = b.cstr("20261124");
    history->most_recent_service = b.integer(ILL_History_Report_iLL_ANSWER);
    history->date_of_most_recent_service = b.cstr("20261124");
    history->initiator_of_most_recent_service = b.institution(b.options().responder_symbol);
    history->transaction_results = b.integer(ILL_Transaction_Results_will_supply);
    auto* status = b.make<ILL_Status_Report>();
    status->user_status_report = history;
    status->provider_status_report = b.integer(ILL_Current_State_pENDING);
    s->status_report = status;
  }
  if (variant == ReportVariant::kError || variant == ReportVariant::kStatusAndError) {
    auto* prohibited = b.make<ILL_State_Transition_Prohibited>();
    prohibited->aPDU_type = b.integer(ILL_APDU_Type_sHIPPED);
    prohibited->current_state = b.integer(ILL_Current_State_iN_PROCESS);
    auto* provider = b.make<ILL_Provider_Error_Report>();
    provider->which = ILL_Provider_Error_Report_state_transition_prohibited;
    provider->u.state_transition_prohibited = prohibited;
    auto* error = b.make<ILL_Error_Report>();
    error->correlation_information = b.str("shipped 20261124 101500");
    error->report_source = b.integer(ILL_Report_Source_provider);
    error->provider_error_report = provider;
    s->error_report = error;
  }
  s->note = b.note();
  b.extensions(s->num_status_or_error_report_extensions, s->status_or_error_report_extensions);
  return s;
}

ILL_APDU* build_apdu(Builder& b, int kind) {
  auto* apdu = b.make<ILL_APDU>();
  apdu->which = kind;  // ILL_APDU_* equal the [APPLICATION n] tags
  const SampleOptions& opt = b.options();
  switch (kind) {
    case ILL_APDU_ILL_Request:
      apdu->u.illRequest = build_request(b);
      break;
    case ILL_APDU_Forward_Notification: {
      auto* f = b.common<ILL_Forward_Notification>();
      f->responder_address = b.make<ILL_System_Address>();
      f->responder_address->telecom_service_identifier = b.str("TCP");
      f->responder_address->telecom_service_address = b.str("ill.lender.example:499");
      f->intermediary_id = b.institution("IRL:HUB");
      f->notification_note = b.note();
      b.extensions(f->num_forward_notification_extensions, f->forward_notification_extensions);
      apdu->u.Forward_Notification = f;
      break;
    }
    case ILL_APDU_Shipped: {
      auto* s = b.common<ILL_Shipped>();
      s->transaction_type = b.integer(ILL_Transaction_Type_simple);
      s->shipped_service_type = b.integer(opt.copy ? ILL_Service_Type_copy_non_returnable : ILL_Service_Type_loan);
      auto* d = b.make<ILL_Supply_Details>();
      d->date_shipped = b.cstr("20261125");
      d->date_due = b.date_due("20261225", true);
      d->chargeable_units = b.integer(1);
      d->cost = b.amount("EUR", "7.50");
      d->which = ILL_Supply_Details_physical_delivery;
      d->u.physical_delivery = b.str("courier");
      s->supply_details = d;
      s->responder_note = b.note();
      b.extensions(s->num_shipped_extensions, s->shipped_extensions);
      apdu->u.Shipped = s;
      break;
    }
    case ILL_APDU_ILL_Answer:
      apdu->u.illAnswer = build_answer(b);
      break;
    case ILL_APDU_Conditional_Reply: {
      auto* c = b.common<ILL_Conditional_Reply>();
      c->answer = b.boolean(opt.answer);
      c->requester_note = b.note();
      b.extensions(c->num_conditional_reply_extensions, c->conditional_reply_extensions);
      apdu->u.Conditional_Reply = c;
      break;
    }
    case ILL_APDU_Cancel: {
      auto* c = b.common<ILL_Cancel>();
      c->requester_note = b.note();
      b.extensions(c->num_cancel_extensions, c->cancel_extensions);
      apdu->u.Cancel = c;
      break;
    }
    case ILL_APDU_Cancel_Reply: {
      auto* c = b.common<ILL_Cancel_Reply>();
      c->answer = b.boolean(opt.answer);
      c->responder_note = b.note();
      b.extensions(c->num_cancel_reply_extensions, c->cancel_reply_extensions);
      apdu->u.Cancel_Reply = c;
      break;
    }
    case ILL_APDU_Received: {
      auto* r = b.common<ILL_Received>();
      r->date_received = b.cstr("20261126");
      r->shipped_service_type = b.integer(opt.copy ? ILL_Service_Type_copy_non_returnable : ILL_Service_Type_loan);
      r->requester_note = b.note();
      b.extensions(r->num_received_extensions, r->received_extensions);
      apdu->u.Received = r;
      break;
    }
    case ILL_APDU_Recall: {
      auto* r = b.common<ILL_Recall>();
      r->responder_note = b.note();
      b.extensions(r->num_recall_extensions, r->recall_extensions);
      apdu->u.Recall = r;
      break;
    }
    case ILL_APDU_Returned: {
      auto* r = b.common<ILL_Returned>();
      r->date_returned = b.cstr("20261220");
      r->returned_via = b.str("post");
      r->insured_for = b.amount("EUR", "30.00");
      r->requester_note = b.note();
      b.extensions(r->num_returned_extensions, r->returned_extensions);
      apdu->u.Returned = r;
      break;
    }
    case ILL_APDU_Checked_In: {
      auto* c = b.common<ILL_Checked_In>();
      c->date_checked_in = b.cstr("20261222");
      c->responder_note = b.note();
      b.extensions(c->num_checked_in_extensions, c->checked_in_extensions);
      apdu->u.Checked_In = c;
      break;
    }
    case ILL_APDU_Overdue: {
      auto* o = b.common<ILL_Overdue>();
      o->date_due = b.date_due("20261225", false);
      o->responder_note = b.note();
      if (opt.with_extension) {
        o->overdue_extensions = b.make<ILL_Overdue_ExtensionS>();
        b.extensions(o->overdue_extensions->num, o->overdue_extensions->elements);
      }
      apdu->u.Overdue = o;
      break;
    }
    case ILL_APDU_Renew: {
      auto* r = b.common<ILL_Renew>();
      r->desired_due_date = b.cstr("20270110");
      r->requester_note = b.note();
      b.extensions(r->num_renew_extensions, r->renew_extensions);
      apdu->u.Renew = r;
      break;
    }
    case ILL_APDU_Renew_Answer: {
      auto* r = b.common<ILL_Renew_Answer>();
      r->answer = b.boolean(opt.answer);
      if (opt.answer) r->date_due = b.date_due("20270110", true);
      r->responder_note = b.note();
      b.extensions(r->num_renew_answer_extensions, r->renew_answer_extensions);
      apdu->u.Renew_Answer = r;
      break;
    }
    case ILL_APDU_Lost: {
      auto* l = b.common<ILL_Lost>();
      l->note = b.note();
      b.extensions(l->num_lost_extensions, l->lost_extensions);
      apdu->u.Lost = l;
      break;
    }
    case ILL_APDU_Damaged: {
      auto* d = b.common<ILL_Damaged>();
      auto* details = b.make<ILL_Damaged_Details>();
      details->document_type_id = b.oid("1.0.10161.5.1");
      details->which = ILL_Damaged_Details_specific_units;
      details->u.specific_units = b.make<ILL_Damaged_DetailsSpecific_units>();
      details->u.specific_units->num = 2;
      details->u.specific_units->elements = b.array<Odr_int>(2);
      details->u.specific_units->elements[0] = b.integer(3);
      details->u.specific_units->elements[1] = b.integer(4);
      d->damaged_details = details;
      d->note = b.note();
      b.extensions(d->num_damaged_extensions, d->damaged_extensions);
      apdu->u.Damaged = d;
      break;
    }
    case ILL_APDU_Message: {
      auto* m = b.common<ILL_Message>();
      m->note = b.str(opt.note.empty() ? kDefaultMessageNote : std::string_view(opt.note));
      b.extensions(m->num_message_extensions, m->message_extensions);
      apdu->u.Message = m;
      break;
    }
    case ILL_APDU_Status_Query: {
      auto* s = b.common<ILL_Status_Query>();
      s->note = b.note();
      b.extensions(s->num_status_query_extensions, s->status_query_extensions);
      apdu->u.Status_Query = s;
      break;
    }
    case ILL_APDU_Status_Or_Error_Report:
      apdu->u.Status_Or_Error_Report = build_report(b);
      break;
    case ILL_APDU_Expired: {
      auto* e = b.common<ILL_Expired>();
      b.extensions(e->num_expired_extensions, e->expired_extensions);
      apdu->u.Expired = e;
      break;
    }
    default:
      throw std::invalid_argument("APDU kind must be 1..20");
  }
  return apdu;
}

std::vector<std::uint8_t> copy_buffer(ODR stream) {
  int len = 0;
  const char* bytes = odr_getbuf(stream, &len, nullptr);
  const auto* first = reinterpret_cast<const std::uint8_t*>(bytes);
  return std::vector<std::uint8_t>(first, first + len);
}

// A decode stream over `ber` and the APDU it produced (owned by the stream's memory).
struct Decoded {
  OdrPtr stream;
  ILL_APDU* apdu = nullptr;
  YazDecodeResult result;
};

Decoded decode(std::span<const std::uint8_t> ber) {
  Decoded d{make_odr(ODR_DECODE), nullptr, {}};
  if (ber.size() > static_cast<std::size_t>(INT32_MAX)) {
    d.result.error = "input too large for YAZ";
    return d;
  }
  // YAZ's decoder only reads the buffer; its API takes char*.
  auto* bytes = const_cast<char*>(reinterpret_cast<const char*>(ber.data()));
  odr_setbuf(d.stream.get(), bytes, static_cast<int>(ber.size()), 0);
  const int ok = ill_APDU(d.stream.get(), &d.apdu, 0, nullptr);
  d.result.consumed = static_cast<std::size_t>(odr_offset(d.stream.get()));
  if (!ok || d.apdu == nullptr) {
    d.result.error = odr_error_text(d.stream.get());
    d.apdu = nullptr;
    return d;
  }
  d.result.kind = d.apdu->which;
  if (d.result.consumed != ber.size()) {
    d.result.error = "trailing bytes: YAZ consumed " + std::to_string(d.result.consumed) + " of " +
                     std::to_string(ber.size());
    return d;
  }
  d.result.ok = true;
  return d;
}

// ---------------------------------------------------------------------------------------------
// A minimal BER walker for find_mixed_length_site

struct Tlv {
  std::size_t header = 0;  // tag + length bytes
  bool constructed = false;
  bool indefinite = false;
  std::size_t length = 0;  // definite content length
};

std::optional<Tlv> read_header(std::span<const std::uint8_t> b, std::size_t pos) {
  Tlv t;
  std::size_t p = pos;
  if (p >= b.size()) return std::nullopt;
  t.constructed = (b[p] & 0x20) != 0;
  if ((b[p] & 0x1f) == 0x1f) {  // high tag number: base-128 continuation bytes
    do {
      if (++p >= b.size() || p - pos > 4) return std::nullopt;
    } while ((b[p] & 0x80) != 0);
  }
  if (++p >= b.size()) return std::nullopt;
  const std::uint8_t first = b[p++];
  if (first == 0x80) {
    if (!t.constructed) return std::nullopt;
    t.indefinite = true;
  } else if (first < 0x80) {
    t.length = first;
  } else {
    const std::size_t n = first & 0x7f;
    if (n > 4) return std::nullopt;
    for (std::size_t i = 0; i < n; ++i) {
      if (p >= b.size()) return std::nullopt;
      t.length = (t.length << 8) | b[p++];
    }
  }
  t.header = p - pos;
  return t;
}

// Walks the TLVs in [pos, end) (end = npos: until an end-of-contents). Returns the position
// after the sequence (after the EOC when indefinite), or nullopt on malformed input.
std::optional<std::size_t> walk(std::span<const std::uint8_t> b, std::size_t pos, std::size_t end,
                                int depth, std::optional<MixedLengthSite>& found) {
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  if (depth > 64) return std::nullopt;
  while (end == npos || pos < end) {
    if (end == npos && pos + 1 < b.size() && b[pos] == 0 && b[pos + 1] == 0) return pos + 2;
    const auto t = read_header(b, pos);
    if (!t) return std::nullopt;
    const std::size_t content = pos + t->header;
    std::size_t next = 0;
    if (t->indefinite) {
      if (!found) {
        if (const auto inner = read_header(b, content);
            inner && inner->constructed && !inner->indefinite &&
            (inner->length == 0x7e || inner->length == 0x7f)) {
          found = MixedLengthSite{pos, static_cast<std::uint8_t>(inner->length)};
        }
      }
      const auto after = walk(b, content, npos, depth + 1, found);
      if (!after) return std::nullopt;
      next = *after;
    } else {
      if (t->length > b.size() - content) return std::nullopt;
      next = content + t->length;
      if (t->constructed && !walk(b, content, next, depth + 1, found)) return std::nullopt;
    }
    pos = next;
    if (end == npos && pos >= b.size()) return std::nullopt;  // missing end-of-contents
  }
  return pos == end ? std::optional<std::size_t>(pos) : std::nullopt;
}

}  // namespace

// -------------------------------------------------------------------------------------------
// Public API

std::string_view apdu_kind_name(int kind) {
  static constexpr std::array<std::string_view, 21> kNames = {
      "",
      "ill-request",
      "forward-notification",
      "shipped",
      "ill-answer",
      "conditional-reply",
      "cancel",
      "cancel-reply",
      "received",
      "recall",
      "returned",
      "checked-in",
      "overdue",
      "renew",
      "renew-answer",
      "lost",
      "damaged",
      "message",
      "status-query",
      "status-or-error-report",
      "expired",
  };
  if (kind < kFirstApduKind || kind > kLastApduKind) return {};
  return kNames[static_cast<std::size_t>(kind)];
}

std::vector<std::uint8_t> yaz_encode_sample(int kind, const SampleOptions& options) {
  if (kind < kFirstApduKind || kind > kLastApduKind) {
    throw std::invalid_argument("APDU kind must be 1..20");
  }
  OdrPtr stream = make_odr(ODR_ENCODE);
  Builder builder(stream.get(), options);
  ILL_APDU* apdu = build_apdu(builder, kind);
  if (!ill_APDU(stream.get(), &apdu, 0, nullptr)) {
    throw std::runtime_error("YAZ refused to encode " + std::string(apdu_kind_name(kind)) + ": " +
                             odr_error_text(stream.get()));
  }
  return copy_buffer(stream.get());
}

YazDecodeResult yaz_decode(std::span<const std::uint8_t> ber) {
  Decoded d = decode(ber);
  if (!d.result.ok) return d.result;
  OdrPtr printer = make_odr(ODR_PRINT);
  MemStream out;
  odr_setprint_noclose(printer.get(), out.file());
  if (!ill_APDU(printer.get(), &d.apdu, 0, nullptr)) {
    d.result.ok = false;
    d.result.error = "YAZ could not print the APDU: " + odr_error_text(printer.get());
    return d.result;
  }
  printer.reset();  // flush YAZ's print stream before reading the memory stream
  d.result.dump = out.take();
  return d.result;
}

std::optional<std::vector<std::uint8_t>> yaz_reencode(std::span<const std::uint8_t> ber) {
  Decoded d = decode(ber);
  if (!d.result.ok) return std::nullopt;
  OdrPtr encoder = make_odr(ODR_ENCODE);
  if (!ill_APDU(encoder.get(), &d.apdu, 0, nullptr)) return std::nullopt;
  return copy_buffer(encoder.get());
}

std::optional<MixedLengthSite> find_mixed_length_site(std::span<const std::uint8_t> ber) {
  std::optional<MixedLengthSite> found;
  if (!walk(ber, 0, ber.size(), 0, found)) return std::nullopt;
  return found;
}

std::optional<std::size_t> boundary_note_length(int kind, std::uint8_t inner_length,
                                                const SampleOptions& options) {
  SampleOptions o = options;
  for (std::size_t length = 1; length <= 127; ++length) {
    o.note.assign(length, '.');
    const auto ber = yaz_encode_sample(kind, o);
    // Only the top-level chain counts: tag, 0x80, then the SEQUENCE tag and its length.
    if (ber.size() > 4 && ber[1] == 0x80 && ber[2] == 0x30 && ber[3] == inner_length) {
      return length;
    }
    if (ber.size() > 4 && ber[1] == 0x80 && ber[3] > 0x7f) return std::nullopt;  // passed it
  }
  return std::nullopt;
}

std::vector<std::uint8_t> yaz_encode_boundary_sample(int kind, std::uint8_t inner_length,
                                                     const SampleOptions& options) {
  const auto length = boundary_note_length(kind, inner_length, options);
  if (!length) {
    throw std::runtime_error("no note length gives a mixed-length chain for " +
                             std::string(apdu_kind_name(kind)));
  }
  SampleOptions o = options;
  o.note.assign(*length, '.');
  return yaz_encode_sample(kind, o);
}

std::vector<NamedSample> yaz_golden_samples() {
  std::vector<NamedSample> samples;
  for (int kind = kFirstApduKind; kind <= kLastApduKind; ++kind) {
    samples.push_back(
        {"yaz-" + std::string(apdu_kind_name(kind)) + ".ber", yaz_encode_sample(kind)});
  }
  samples.push_back({"yaz-boundary.ber", yaz_encode_boundary_sample()});
  SampleOptions utf8;
  utf8.note = kUtf8Note;
  samples.push_back({"yaz-utf8-note.ber", yaz_encode_sample(ILL_APDU_Message, utf8)});
  SampleOptions extension;
  extension.with_extension = true;
  samples.push_back({"yaz-extension.ber", yaz_encode_sample(ILL_APDU_ILL_Request, extension)});
  SampleOptions external;
  external.with_external = true;
  samples.push_back({"yaz-external.ber", yaz_encode_sample(ILL_APDU_ILL_Request, external)});
  return samples;
}

}  // namespace illhub::testing
