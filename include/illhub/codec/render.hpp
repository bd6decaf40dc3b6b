#pragma once
// Renderings of a decoded APDU: for people (indented text), for machines (JSON, and XER, the
// XML encoding of ASN.1 values), and back from XER to an APDU.

#include <string>
#include <string_view>

#include "illhub/codec/apdu.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::codec {

/// JSON object {"<APDU name>": {...}} with ASN.1 component names as keys. ENUMERATED values
/// are their names, ILL-String GeneralString values plain strings, binary values {"hex": ..}.
std::string to_json(const Apdu& apdu, int indent = 2);

/// Indented "name: value" lines of every component present, for a person.
std::string to_text(const Apdu& apdu);

/// BASIC-XER rendering (X.693) of the APDU.
Result<std::string, EncodeError> to_xer(const Apdu& apdu);

/// The extension payloads illhub compiles (APDU-Delivery-Info, OCLC's ILL-Request extension)
/// found in the APDU's extensions, each as an XML comment holding its BASIC-XER, numbered by
/// its place in the extensions list; a payload that does not decode gets a comment saying why.
/// Empty when there are none. Comments, so that to_xer's output followed by them is still one
/// APDU that from_xer reads back (which keeps the item as its bytes).
std::string extensions_as_xer_comments(const Apdu& apdu);

/// Parses BASIC-XER (as written by to_xer) into an APDU, fills DEFAULT fields, checks
/// constraints, and encodes it; the Apdu's bytes() are that BER.
Result<Apdu, DecodeError> from_xer(std::string_view xer);

}  // namespace illhub::codec
