#pragma once
#include <nlohmann/json.hpp>

#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

/// The APDU as a JSON value (see to_json in illhub/codec/render.hpp for the conventions).
nlohmann::ordered_json to_json_tree(const ILL_APDU_t& apdu);

}  // namespace illhub::codec::asn1
