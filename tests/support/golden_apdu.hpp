#pragma once
// The YAZ-encoded golden APDUs in tests/data/apdu, moved to another transaction: for tests that
// need real APDUs applied to a real database. The including target defines
// ILLHUB_TEST_DATA_DIR and sees src/ (the codec's asn1c internals).

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec/asn1_types.hpp"
#include "illhub/codec/codec.hpp"

namespace illhub::test {

/// "yaz-ill-request.ber" for ILL-Request, and so on.
inline std::string golden_file(codec::ApduKind kind) {
  std::string file = "yaz-";
  for (char c : codec::to_string(kind)) file += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return file + ".ber";
}

/// The YAZ sample of `kind`, moved to transaction `qualifier` with service time `time`
/// (HHMMSS), so each APDU of a test is distinct.
inline codec::Apdu golden_apdu(codec::ApduKind kind, const std::string& qualifier, const std::string& time) {
  std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/" + golden_file(kind), std::ios::binary);
  const std::vector<std::uint8_t> ber{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto apdu = codec::decode(ber);
  EXPECT_TRUE(apdu) << golden_file(kind);
  codec::asn1::visit_apdu(apdu->raw(), [&](auto& a) {
    codec::asn1::set_text(a.transaction_id.transaction_qualifier.choice.generalstring, qualifier);
    codec::asn1::set_text(*a.service_date_time.date_time_of_this_service.time, time);
  });
  auto bytes = codec::encode(*apdu);
  EXPECT_TRUE(bytes);
  auto rekeyed = codec::decode(*bytes);
  EXPECT_TRUE(rekeyed);
  return std::move(*rekeyed);
}

}  // namespace illhub::test
