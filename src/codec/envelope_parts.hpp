#pragma once
// Pieces of read_envelope shared between envelope.cpp and envelope_extensions.cpp.

#include "codec/asn1_types.hpp"
#include "illhub/codec/envelope.hpp"

namespace illhub::codec {

SystemId read_system_id(const System_Id_t* id);       // empty for nullptr
std::string read_ill_string(const ILL_String_t* s);  // empty for nullptr

/// Fills e.delivery_info and e.oclc_request from the APDU's extensions that decode as them.
void read_extension_payloads(const ILL_APDU_t& apdu, Envelope& e);

}  // namespace illhub::codec
