#include "codec/json_tree.hpp"
#include "illhub/codec/render.hpp"

namespace illhub::codec {
namespace {

std::string scalar(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("hex")) return "0x" + v["hex"].get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

bool is_scalar(const nlohmann::ordered_json& v) {
  return !v.is_structured() || (v.is_object() && v.size() == 1 && v.contains("hex"));
}

void lines(const nlohmann::ordered_json& v, int depth, std::string& out) {
  const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (v.is_object()) {
    for (const auto& [key, item] : v.items()) {
      if (is_scalar(item)) {
        out += pad + key + ": " + scalar(item) + "\n";
      } else {
        out += pad + key + ":\n";
        lines(item, depth + 1, out);
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      if (is_scalar(item)) {
        out += pad + "- " + scalar(item) + "\n";
      } else {
        out += pad + "-\n";
        lines(item, depth + 1, out);
      }
    }
  }
}

}  // namespace

std::string to_text(const Apdu& apdu) {
  std::string out;
  lines(asn1::to_json_tree(apdu.raw()), 0, out);
  return out;
}

}  // namespace illhub::codec
