#pragma once
// The one place where the asn1c-generated C types enter C++. Only src/codec, tests and fuzzers
// include this header; every other layer sees Apdu, Envelope and the builders.

#include <ILL-APDU.h>
#include <asn_application.h>
#include <ber_decoder.h>
#include <der_encoder.h>
#include <constr_CHOICE.h>
#include <constr_SEQUENCE.h>
#include <constr_SEQUENCE_OF.h>
#include <constr_SET_OF.h>
#include <xer_decoder.h>
#include <xer_encoder.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "codec/decode_arena.hpp"
#include "illhub/codec/apdu_kind.hpp"

namespace illhub::codec::asn1 {

/// Frees an asn1c structure with its own free routine (the only correct way: members come
/// from asn1c's allocation hooks, in the decoder and in our builders alike).
template <asn_TYPE_descriptor_t* Descriptor>
struct Free {
  void operator()(void* p) const {
    if (p) Descriptor->free_struct(Descriptor, p, 0);
  }
};

using ApduPtr = std::unique_ptr<ILL_APDU_t, Free<&asn_DEF_ILL_APDU>>;

/// Zeroed object of type T from asn1c's allocation hooks (decode_arena.hpp: asn1c's FREEMEM
/// must be able to free it; never std::calloc). Throws std::bad_alloc on out-of-memory like new.
template <class T>
T* make() {
  void* p = illhub_asn1_calloc(1, sizeof(T));
  if (!p) throw std::bad_alloc();
  return static_cast<T*>(p);
}

/// Sets an OCTET STRING-based value (GeneralString, VisibleString, ...) to text.
inline void set_text(OCTET_STRING_t& s, std::string_view text) {
  if (OCTET_STRING_fromBuf(&s, text.data(), static_cast<int>(text.size())) != 0)
    throw std::bad_alloc();
}

inline std::string text_of(const OCTET_STRING_t& s) {
  return std::string(reinterpret_cast<const char*>(s.buf), static_cast<std::size_t>(s.size));
}

inline ApduKind kind_of(const ILL_APDU_t& apdu) { return static_cast<ApduKind>(apdu.present); }

/// Calls f with the concrete APDU structure (ILL_Request_t&, Shipped_t&, ...) that is present.
/// Every APDU structure has protocol_version_num, transaction_id, service_date_time,
/// requester_id and responder_id, so generic code can be written once as a template.
template <class Apdu, class F>
decltype(auto) visit_apdu(Apdu& a, F&& f) {
  auto& c = a.choice;
  switch (a.present) {
    case ILL_APDU_PR_ill_request: return f(c.ill_request);
    case ILL_APDU_PR_forward_notification: return f(c.forward_notification);
    case ILL_APDU_PR_shipped: return f(c.shipped);
    case ILL_APDU_PR_ill_answer: return f(c.ill_answer);
    case ILL_APDU_PR_conditional_reply: return f(c.conditional_reply);
    case ILL_APDU_PR_cancel: return f(c.cancel);
    case ILL_APDU_PR_cancel_reply: return f(c.cancel_reply);
    case ILL_APDU_PR_received: return f(c.received);
    case ILL_APDU_PR_recall: return f(c.recall);
    case ILL_APDU_PR_returned: return f(c.returned);
    case ILL_APDU_PR_checked_in: return f(c.checked_in);
    case ILL_APDU_PR_overdue: return f(c.overdue);
    case ILL_APDU_PR_renew: return f(c.renew);
    case ILL_APDU_PR_renew_answer: return f(c.renew_answer);
    case ILL_APDU_PR_lost: return f(c.lost);
    case ILL_APDU_PR_damaged: return f(c.damaged);
    case ILL_APDU_PR_message: return f(c.message);
    case ILL_APDU_PR_status_query: return f(c.status_query);
    case ILL_APDU_PR_status_or_error_report: return f(c.status_or_error_report);
    case ILL_APDU_PR_expired: break;
    case ILL_APDU_PR_NOTHING: std::abort();  // a decoded or built APDU always has an arm
  }
  return f(c.expired);
}

}  // namespace illhub::codec::asn1
