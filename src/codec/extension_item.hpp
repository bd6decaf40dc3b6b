#pragma once
// Recognises, inside an Extension's item, the extension payloads illhub compiles
// (asn1/apdu-delivery-info.asn, asn1/oclc-ill-request-extension.asn) and decodes them. The
// item's bytes are never changed: the relay sends them as they arrived, whatever happens here.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <APDU-Delivery-Info.h>
#include <External.h>
#include <OCLCILLRequestExtension.h>

#include "codec/asn1_types.hpp"

namespace illhub::codec::asn1 {

/// An extension payload type known by the object identifier registered for it.
struct KnownExtensionType {
  std::string_view oid;   // dotted, e.g. "1.0.10161.13.3"
  std::string_view name;  // the ASN.1 type name, e.g. "APDU-Delivery-Info"
  asn_TYPE_descriptor_t* type;
};

/// The payload types illhub decodes: APDU-Delivery-Info and OCLCILLRequestExtension.
std::span<const KnownExtensionType> known_extension_types();

/// Frees a decoded value with its type's own free routine.
struct FreeValue {
  asn_TYPE_descriptor_t* type = nullptr;
  void operator()(void* p) const {
    if (p) type->free_struct(type, p, 0);
  }
};

/// What illhub makes of one Extension's item.
struct ExtensionItem {
  /// The EXTERNAL's direct-reference, dotted; empty when the Extension's identifier is not 1
  /// ("implementor extension", whose item is an EXTERNAL: ISO 10161-1 Amendment 1) or the item
  /// is no EXTERNAL with a direct-reference.
  std::string direct_reference;
  /// The known type named by direct_reference, or nullptr.
  const KnownExtensionType* known = nullptr;
  /// The decoded value (a `known->type`), or null when it did not decode.
  std::unique_ptr<void, FreeValue> value;
  /// Why a known type did not decode, for a person ("3 bytes after the value", ...).
  std::string problem;

  bool decoded() const { return value != nullptr; }
  template <class T>
  const T* as(const asn_TYPE_descriptor_t* type) const {
    return decoded() && known->type == type ? static_cast<const T*>(value.get()) : nullptr;
  }
};

/// Recognises and decodes one Extension's item. Never fails: anything it cannot read is
/// reported in the result and the Extension stays what it was, bytes.
ExtensionItem read_extension_item(const Extension_t& extension);

/// Every Extension in the APDU's [49] extensions list, in order.
std::vector<const Extension_t*> extensions_of(const ILL_APDU_t& apdu);

/// Dotted form of an OBJECT IDENTIFIER ("1.0.10161.13.3"), or empty when it is malformed.
std::string dotted_oid(const OBJECT_IDENTIFIER_t& oid);

}  // namespace illhub::codec::asn1
