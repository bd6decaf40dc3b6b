#pragma once
// asn1c's own DER encoder, as the reference our DER writer is compared with, and a way for
// tests to encode structures they changed by hand (inputs a good encoder would not make).

#include <cstdint>
#include <vector>

#include "codec/asn1_types.hpp"

namespace illhub::codec::testing {

inline std::vector<std::uint8_t> asn1c_der(const ILL_APDU_t& apdu) {
  std::vector<std::uint8_t> out;
  der_encode(&asn_DEF_ILL_APDU, const_cast<ILL_APDU_t*>(&apdu),
             [](const void* p, size_t n, void* key) {
               auto* v = static_cast<std::vector<std::uint8_t>*>(key);
               v->insert(v->end(), static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n);
               return 0;
             },
             &out);
  return out;
}

}  // namespace illhub::codec::testing
