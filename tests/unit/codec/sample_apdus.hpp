#pragma once
// APDUs for codec tests: built by the hub's own builders, and read from tests/data/apdu/
// (captured from YAZ's independent encoder by tests/support/gen_yaz_samples).

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "illhub/codec/builders.hpp"

namespace illhub::codec::testing {

inline ApduHeader sample_header() {
  ApduHeader h;
  h.transaction_id.initial_requester.symbol = "IRL:BOR";
  h.transaction_id.group_qualifier = "G1";
  h.transaction_id.qualifier = "T0001";
  h.service_date_time = {"20261124", "101500", "", ""};
  h.requester_id.symbol = "IRL:BOR";
  h.responder_id.symbol = "IRL:LEN";
  return h;
}

inline std::vector<std::uint8_t> read_data_file(const std::string& name) {
  std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace illhub::codec::testing
