// Transaction-qualifier renaming. See include/illhub/codec/qualifier_rename.hpp.
#include "illhub/codec/qualifier_rename.hpp"

#include "codec/asn1_types.hpp"

namespace illhub::codec {
namespace {

/// The text of either arm of an ILL-String (GeneralString or EDIFACTString).
OCTET_STRING_t& ill_string_text(ILL_String_t& s) {
  return s.present == ILL_String_PR_edifactstring ? s.choice.edifactstring : s.choice.generalstring;
}

/// The hub's correlation-information names a transaction as group/qualifier[/sub]
/// (hub::Engine); rewrite that prefix, leave any other text alone.
void rename_in_correlation(ILL_String_t& correlation, const std::string& group, std::string_view from,
                           const std::string& to) {
  OCTET_STRING_t& text = ill_string_text(correlation);
  const std::string old = asn1::text_of(text);
  const std::string prefix = group + "/" + std::string(from);
  if (old != prefix && old.rfind(prefix + "/", 0) != 0) return;
  asn1::set_text(text, group + "/" + to + old.substr(prefix.size()));
}

}  // namespace

Result<std::optional<std::vector<std::uint8_t>>, EncodeError> rename_transaction_qualifier(
    Apdu& apdu, const QualifierRenamer& rename) {
  ILL_APDU_t& raw = apdu.raw();
  Transaction_Id_t& id = asn1::visit_apdu(raw, [](auto& a) -> Transaction_Id_t& { return a.transaction_id; });
  OCTET_STRING_t& qualifier = ill_string_text(id.transaction_qualifier);
  const std::string from = asn1::text_of(qualifier);
  const std::optional<std::string> to = rename(from);
  if (!to) return std::optional<std::vector<std::uint8_t>>();
  asn1::set_text(qualifier, *to);
  if (raw.present == ILL_APDU_PR_status_or_error_report) {
    if (Error_Report_t* report = raw.choice.status_or_error_report.error_report)
      rename_in_correlation(report->correlation_information,
                            asn1::text_of(ill_string_text(id.transaction_group_qualifier)), from, *to);
  }
  auto bytes = encode(apdu);
  if (!bytes) return unexpected(bytes.error());
  return std::optional<std::vector<std::uint8_t>>(std::move(bytes).value());
}

}  // namespace illhub::codec
