#pragma once
// APDUs for the replay unit tests: YAZ-encoded samples (tests/data/apdu, transaction
// IRL:BOR/G1/T0001) and Status-Or-Error-Reports built as the hub builds them.

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "illhub/codec/builders.hpp"
#include "illhub/record/recording.hpp"

namespace illhub::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes sample(const std::string& name) {
  std::ifstream in(std::string(ILLHUB_TEST_DATA_DIR) + "/apdu/yaz-" + name + ".ber", std::ios::binary);
  return Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A refusal as the hub sends it (hub::Engine's correlation "group/qualifier"), stamped
/// `date` `time`, with `problem`.
inline Bytes refusal(const std::string& qualifier, const std::string& date, const std::string& time,
                     codec::StateTransitionProhibited problem = {codec::ApduKind::kReturned, 2}) {
  codec::ApduHeader h;
  h.transaction_id.initial_requester.symbol = "IRL:BOR";
  h.transaction_id.group_qualifier = "G1";
  h.transaction_id.qualifier = qualifier;
  h.service_date_time = {date, time, "", ""};
  h.requester_id.symbol = "IRL:BOR";
  h.responder_id.symbol = "IRL:LEN";
  codec::StatusOrErrorReportSpec spec;
  spec.error = codec::ErrorReportSpec{"G1/" + qualifier, problem};
  spec.note = "receipt: Returned recorded as event 17";
  auto apdu = codec::build_status_or_error_report(h, spec);
  return apdu ? Bytes(apdu->bytes().begin(), apdu->bytes().end()) : Bytes{};
}

inline record::Record rec(record::EventKind kind, std::int64_t t, std::uint64_t conn, Bytes bytes = {},
                          std::string peer = "") {
  record::Record r;
  r.kind = kind;
  r.offset_us = t;
  r.connection = conn;
  r.bytes = std::move(bytes);
  r.peer = std::move(peer);
  return r;
}

inline record::Record open_rec(std::int64_t t, std::uint64_t conn, bool dialled, std::string remote,
                               std::string peer = "") {
  record::Record r = rec(record::EventKind::kOpen, t, conn, {}, std::move(peer));
  r.dialled = dialled;
  r.remote = std::move(remote);
  r.local = "127.0.0.1:4999";
  return r;
}

inline record::Record close_rec(std::int64_t t, std::uint64_t conn, record::ClosedBy by) {
  record::Record r = rec(record::EventKind::kClose, t, conn);
  r.closed_by = by;
  r.reason = "test";
  return r;
}

}  // namespace illhub::test
