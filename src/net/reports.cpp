// Status-Or-Error-Reports the network layer sends on its own account.
#include "illhub/net/reports.hpp"

#include <ctime>

namespace illhub::net {

namespace {

Result<Bytes, std::string> build(const codec::ApduHeader& header, codec::StatusOrErrorReportSpec spec) {
  auto apdu = codec::build_status_or_error_report(header, spec);
  if (!apdu) return unexpected("cannot build Status-Or-Error-Report: " + apdu.error().detail);
  return Bytes(apdu->bytes().begin(), apdu->bytes().end());
}

codec::ApduHeader header_about(const codec::Envelope& about) {
  codec::ApduHeader h;
  h.protocol_version = about.protocol_version;
  h.transaction_id = about.transaction_id;
  h.service_date_time = service_date_time_now();
  h.requester_id = about.requester_id;
  h.responder_id = about.responder_id;
  return h;
}

codec::ApduHeader header_for_unknown(const std::string& peer) {
  codec::ApduHeader h;
  h.transaction_id.qualifier = "unknown";
  h.service_date_time = service_date_time_now();
  h.requester_id.symbol = peer;
  return h;
}

}  // namespace

Result<Bytes, std::string> report_about(const codec::Envelope& about, const codec::ErrorReportSpec& error,
                                        const std::string& note) {
  codec::StatusOrErrorReportSpec spec;
  spec.error = error;
  spec.note = note;
  return build(header_about(about), std::move(spec));
}

Result<Bytes, std::string> decode_failure_report(std::uint64_t frame_no, const codec::DecodeError& error,
                                                 const std::string& peer) {
  codec::StatusOrErrorReportSpec spec;
  spec.error = codec::ErrorReportSpec{"frame " + std::to_string(frame_no), codec::general_problem(error)};
  spec.note = error.detail;
  return build(header_for_unknown(peer), std::move(spec));
}

codec::GeneralProblem framing_general_problem(const codec::FramingError& error) {
  return error.problem == codec::BerProblem::kTooLarge ? codec::GeneralProblem::kOther
                                                       : codec::GeneralProblem::kBadlyStructuredApdu;
}

Result<Bytes, std::string> framing_failure_report(std::uint64_t frame_no, const codec::FramingError& error,
                                                  const std::string& peer) {
  codec::StatusOrErrorReportSpec spec;
  spec.error = codec::ErrorReportSpec{"frame " + std::to_string(frame_no), framing_general_problem(error)};
  spec.note = std::string("cannot find APDU boundaries any more (") + codec::describe(error.problem) +
              " at stream offset " + std::to_string(error.stream_offset) + "); closing the connection";
  return build(header_for_unknown(peer), std::move(spec));
}

Result<Bytes, std::string> status_report_about(const codec::Envelope& about, codec::StatusOrErrorReportSpec spec) {
  return build(header_about(about), std::move(spec));
}

Result<Bytes, std::string> store_failure_report(const codec::Envelope& about) {
  return report_about(about,
                      codec::ErrorReportSpec{std::string(codec::to_string(about.kind)), codec::UnableToPerform::kResourceLimitation},
                      "temporary: the hub could not record this APDU (database unavailable); "
                      "nothing was recorded or relayed; please send it again later");
}

Result<Bytes, std::string> unstorable_text_report(const codec::Envelope& about, const std::string& problem) {
  return report_about(about,
                      codec::ErrorReportSpec{std::string(codec::to_string(about.kind)), codec::UnableToPerform::kOther},
                      "refused: " + problem + "; the hub keeps this field as text and cannot store it unchanged; "
                      "nothing was recorded or relayed; sending it again will not help");
}

Result<Bytes, std::string> peer_connection_limit_report(const codec::Envelope& about, std::size_t limit) {
  return report_about(about,
                      codec::ErrorReportSpec{std::string(codec::to_string(about.kind)), codec::UnableToPerform::kResourceLimitation},
                      "too many connections: your library already has " + std::to_string(limit) +
                          " connection(s) open to the hub (the most allowed); nothing was recorded or relayed; "
                          "this connection is closed; send it on one of the open ones");
}

}  // namespace illhub::net
