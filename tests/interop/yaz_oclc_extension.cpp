// YAZ's OCLCILLRequestExtension and EXTERNAL codecs for tests/interop (see the header).
#include "yaz_oclc_extension.hpp"

#include <gtest/gtest.h>
#include <yaz/ill.h>
#include <yaz/oclc-ill-req-ext.h>
#include <yaz/odr.h>
#include <yaz/proto.h>  // Z_External and z_External, with the Z39.50 types it refers to

#include <memory>
#include <string>

#include "support/yaz_peer.hpp"

namespace illhub::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct OdrDestroy {
  void operator()(ODR o) const { odr_destroy(o); }
};
using OdrPtr = std::unique_ptr<odr, OdrDestroy>;

Bytes buffer_of(ODR o) {
  int len = 0;
  const char* buf = odr_getbuf(o, &len, nullptr);
  return Bytes(reinterpret_cast<const std::uint8_t*>(buf), reinterpret_cast<const std::uint8_t*>(buf) + len);
}

ILL_String* yaz_string(ODR o, const std::string& s) {
  if (s.empty()) return nullptr;
  auto* v = static_cast<ILL_String*>(odr_malloc(o, sizeof(ILL_String)));
  v->which = ILL_String_GeneralString;
  v->u.GeneralString = odr_strdup(o, s.c_str());
  return v;
}

std::string text(const ILL_String* s) { return s ? std::string(s->u.GeneralString) : std::string(); }

}  // namespace

// YAZ: the EXTERNAL {direct-reference 1.0.10161.13.2, single-ASN1-type value} an Extension
// item carries, encoded by YAZ's own OCLCILLRequestExtension and EXTERNAL encoders.
Bytes yaz_oclc_external(const codec::OclcIllRequest& v) {
  OdrPtr value_odr(odr_createmem(ODR_ENCODE));
  ODR o = value_odr.get();
  auto* oc = static_cast<ILL_OCLCILLRequestExtension*>(odr_malloc(o, sizeof(ILL_OCLCILLRequestExtension)));
  oc->clientDepartment = yaz_string(o, v.client_department);
  oc->paymentMethod = yaz_string(o, v.payment_method);
  oc->uniformTitle = yaz_string(o, v.uniform_title);
  oc->dissertation = yaz_string(o, v.dissertation);
  oc->issueNumber = yaz_string(o, v.issue_number);
  oc->volume = yaz_string(o, v.volume);
  oc->affiliations = yaz_string(o, v.affiliations);
  oc->source = yaz_string(o, v.source);
  EXPECT_TRUE(ill_OCLCILLRequestExtension(o, &oc, 0, nullptr));
  Bytes value = buffer_of(o);

  OdrPtr ext_odr(odr_createmem(ODR_ENCODE));
  ODR e = ext_odr.get();
  auto* ext = static_cast<Z_External*>(odr_malloc(e, sizeof(Z_External)));
  ext->direct_reference = odr_getoidbystr(e, "1.0.10161.13.2");
  ext->indirect_reference = nullptr;
  ext->descriptor = nullptr;
  ext->which = Z_External_single;
  ext->u.single_ASN1_type = odr_create_Odr_oct(e, reinterpret_cast<const char*>(value.data()),
                                               static_cast<int>(value.size()));
  EXPECT_TRUE(z_External(e, &ext, 0, nullptr));
  return buffer_of(e);
}

// YAZ: its sample ILL-Request with one more Extension {identifier 1, critical FALSE, item}.
Bytes yaz_request_with_extension(const Bytes& item) {
  const Bytes sample = yaz_encode_sample(1);
  OdrPtr in(odr_createmem(ODR_DECODE));
  // odr_setbuf takes char*; a decoding stream (can_grow 0) only reads it.
  odr_setbuf(in.get(), const_cast<char*>(reinterpret_cast<const char*>(sample.data())),
             static_cast<int>(sample.size()), 0);
  ILL_APDU* apdu = nullptr;
  EXPECT_TRUE(ill_APDU(in.get(), &apdu, 0, nullptr));
  if (!apdu) return {};
  ILL_Request* req = apdu->u.illRequest;
  auto* x = static_cast<ILL_Extension*>(odr_malloc(in.get(), sizeof(ILL_Extension)));
  x->identifier = odr_intdup(in.get(), 1);
  x->critical = odr_booldup(in.get(), 0);
  x->item = odr_create_Odr_oct(in.get(), reinterpret_cast<const char*>(item.data()),
                               static_cast<int>(item.size()));
  req->num_iLL_request_extensions = 1;
  req->iLL_request_extensions = static_cast<ILL_Extension**>(odr_malloc(in.get(), sizeof(ILL_Extension*)));
  req->iLL_request_extensions[0] = x;
  OdrPtr out(odr_createmem(ODR_ENCODE));
  EXPECT_TRUE(ill_APDU(out.get(), &apdu, 0, nullptr));
  return buffer_of(out.get());
}

// YAZ reads BER as an OCLCILLRequestExtension; nullopt if it cannot or bytes are left over.
std::optional<codec::OclcIllRequest> yaz_read_oclc(const Bytes& ber) {
  OdrPtr in(odr_createmem(ODR_DECODE));
  odr_setbuf(in.get(), const_cast<char*>(reinterpret_cast<const char*>(ber.data())),
             static_cast<int>(ber.size()), 0);
  ILL_OCLCILLRequestExtension* oc = nullptr;
  if (!ill_OCLCILLRequestExtension(in.get(), &oc, 0, nullptr) || !oc) return std::nullopt;
  if (odr_offset(in.get()) != static_cast<int>(ber.size())) return std::nullopt;
  return codec::OclcIllRequest{text(oc->clientDepartment), text(oc->paymentMethod),
                               text(oc->uniformTitle),     text(oc->dissertation),
                               text(oc->issueNumber),      text(oc->volume),
                               text(oc->affiliations),     text(oc->source)};
}

}  // namespace illhub::testing
