#pragma once
#include <nlohmann/json.hpp>

#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

/// The APDU as a JSON value (see to_json in illhub/codec/render.hpp for the conventions).
nlohmann::ordered_json to_json_tree(const ILL_APDU_t& apdu);

/// Any asn1c value of type td as a JSON value, with the same conventions.
nlohmann::ordered_json to_json_value(asn_TYPE_descriptor_t* td, void* p);

/// An Extension {identifier, critical, item}. An item whose EXTERNAL names a payload type
/// illhub compiles becomes {"direct-reference": OID, "<type name>": value}; one that should
/// decode but does not stays {"hex": ...} with a "note" saying why; any other stays {"hex"}.
nlohmann::ordered_json extension_json(const Extension_t& extension);

}  // namespace illhub::codec::asn1
