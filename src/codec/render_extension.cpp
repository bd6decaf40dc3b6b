// Extensions in the renderings of an APDU: the payload types illhub compiles are shown by
// field (JSON and text through extension_json, XER as comments after the APDU); anything else,
// and a payload that does not decode as its type, as the bytes it is.
#include "codec/extension_item.hpp"
#include "codec/json_tree.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::codec {
namespace asn1 {

nlohmann::ordered_json extension_json(const Extension_t& extension) {
  auto* self = const_cast<Extension_t*>(&extension);
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();
  obj["identifier"] = extension.identifier;
  if (extension.critical) obj["critical"] = *extension.critical != 0;
  const ExtensionItem item = read_extension_item(extension);
  if (item.decoded()) {
    nlohmann::ordered_json shown = nlohmann::ordered_json::object();
    shown["direct-reference"] = item.direct_reference;
    shown[std::string(item.known->name)] = to_json_value(item.known->type, item.value.get());
    obj["item"] = std::move(shown);
    return obj;
  }
  // asn_DEF_Extension.elements[2] is `item`, an ANY: shown as hex.
  nlohmann::ordered_json raw = to_json_value(asn_DEF_Extension.elements[2].type, &self->item);
  if (item.known)
    raw["note"] = "EXTERNAL " + item.direct_reference + " names " + std::string(item.known->name) +
                  ", but the value does not decode as one: " + item.problem +
                  " (kept and relayed as received)";
  obj["item"] = std::move(raw);
  return obj;
}

}  // namespace asn1

namespace {

int append(const void* buffer, size_t size, void* app_key) {
  static_cast<std::string*>(app_key)->append(static_cast<const char*>(buffer), size);
  return 0;
}

// "--" may not appear inside an XML comment.
std::string comment_safe(std::string s) {
  for (std::size_t at = s.find("--"); at != std::string::npos; at = s.find("--", at))
    s.replace(at, 2, "- -");
  return s;
}

}  // namespace

std::string extensions_as_xer_comments(const Apdu& apdu) {
  std::string out;
  int number = 0;
  for (const Extension_t* ext : asn1::extensions_of(apdu.raw())) {
    ++number;
    const asn1::ExtensionItem item = asn1::read_extension_item(*ext);
    if (!item.known) continue;
    const std::string head = "extension " + std::to_string(number) + ": EXTERNAL " +
                             item.direct_reference + ", " + std::string(item.known->name);
    std::string xer;
    if (item.decoded() && xer_encode(item.known->type, item.value.get(), XER_F_BASIC, append,
                                     &xer).encoded >= 0) {
      out += "<!-- " + head + ", decoded from the item's bytes:\n" + comment_safe(xer) + "\n-->\n";
    } else {
      out += "<!-- " + head + ", but the value does not decode as one: " +
             comment_safe(item.problem) + " (kept and relayed as received) -->\n";
    }
  }
  return out;
}

}  // namespace illhub::codec
