// make_dissector_recording DATA_DIR OUT_DIR: writes the recording the tshark tests read
// (OUT_DIR/dissector.illrec) and what tshark must find in it once `illctl record to-pcap`
// has converted it:
//   expected-apdus.txt    one line per APDU in wire order: "<ISO name>\t<transaction id>",
//                         as the codec reads them (the dissector is checked against the codec)
//   expected-streams.txt  one line per TCP stream and direction: "<stream> <source port>
//                         <byte count> <hex of all its payload>"
// The recording holds every APDU type (the YAZ-encoded vectors in tests/data/apdu), an APDU of
// 3000 bytes (split across TCP segments), two APDUs back to back in one record (one TCP
// segment), a hub-dialled IPv6 connection to ISO ILL's port 499, and, last on connection 1,
// bytes that are no APDU at all (the dissector must mark them malformed, not stop).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "app/illctl/apdu_summary.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/record/recording.hpp"

namespace {

using illhub::record::EventKind;
using illhub::record::Record;
using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "make_dissector_recording: cannot read " << path << "\n";
    std::exit(1);
  }
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One BER element with a definite length (long form when needed).
Bytes tlv(Bytes tag, const Bytes& content) {
  const std::size_t n = content.size();
  if (n < 128) {
    tag.push_back(static_cast<std::uint8_t>(n));
  } else {
    tag.push_back(0x82);
    tag.push_back(static_cast<std::uint8_t>(n >> 8));
    tag.push_back(static_cast<std::uint8_t>(n));
  }
  tag.insert(tag.end(), content.begin(), content.end());
  return tag;
}
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A Message [APPLICATION 17] with a 3000-byte note, definite lengths throughout: more than
// two TCP segments of 1460 bytes.
Bytes big_message() {
  const Bytes tid = tlv({0xA1}, cat({tlv({0xA1}, tlv({0x1B}, text("G9"))), tlv({0xA2}, tlv({0x1B}, text("BIG1")))}));
  const Bytes sdt = tlv({0xA2}, tlv({0xA0}, cat({tlv({0x80}, text("20261125")), tlv({0x81}, text("120000"))})));
  const Bytes note = tlv({0xBF, 0x2E}, tlv({0x1B}, Bytes(3000, 'x')));
  return tlv({0x71}, tlv({0x30}, cat({tlv({0x80}, {2}), tid, sdt, note})));
}

std::string hex(const Bytes& b) {
  std::string out;
  char buf[3];
  for (auto c : b) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_dissector_recording DATA_DIR OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path data = argv[1];
  const std::filesystem::path out = argv[2];
  std::filesystem::create_directories(out);

  std::vector<Record> records;
  std::int64_t t = 0;
  auto add = [&](Record r) {
    r.offset_us = t += 1000;
    records.push_back(std::move(r));
  };
  auto open = [&](std::uint64_t conn, bool dialled, std::string remote, std::string local) {
    Record r;
    r.kind = EventKind::kOpen;
    r.connection = conn;
    r.dialled = dialled;
    r.remote = std::move(remote);
    r.local = std::move(local);
    add(std::move(r));
  };
  auto data_record = [&](std::uint64_t conn, EventKind kind, Bytes bytes) {
    Record r;
    r.kind = kind;
    r.connection = conn;
    r.peer = "IRL:BOR";
    r.bytes = std::move(bytes);
    add(std::move(r));
  };
  auto close = [&](std::uint64_t conn, illhub::record::ClosedBy by) {
    Record r;
    r.kind = EventKind::kClose;
    r.connection = conn;
    r.closed_by = by;
    r.reason = "test";
    add(std::move(r));
  };

  std::vector<std::string> expected_apdus;
  auto expect = [&](const Bytes& apdu_bytes) {
    auto apdu = illhub::codec::decode(apdu_bytes);
    if (!apdu) {
      std::cerr << "make_dissector_recording: a test APDU does not decode: " << apdu.error().detail << "\n";
      std::exit(1);
    }
    expected_apdus.push_back(std::string(illhub::codec::to_string(apdu->kind())) + "\t" +
                             illhub::app::transaction_label(*apdu));
  };

  // Connection 1: a peer connected to illd's port 4990; every vector, alternately in and out.
  open(1, false, "127.0.0.1:40001", "127.0.0.1:4990");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(data / "apdu"))
    if (entry.path().extension() == ".ber") files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  bool in = true;
  for (const auto& name : files) {
    Bytes b = read_file(data / "apdu" / name);
    expect(b);
    data_record(1, in ? EventKind::kIn : EventKind::kOut, std::move(b));
    in = !in;
  }
  // Two APDUs in one record, so in one TCP segment. (illd records one APDU per record; the
  // dissector must handle what TCP delivers, which may be several.)
  const Bytes query = read_file(data / "apdu" / "yaz-status-query.ber");
  const Bytes message = read_file(data / "apdu" / "yaz-message.ber");
  expect(query);
  expect(message);
  data_record(1, EventKind::kIn, cat({query, message}));
  const Bytes big = big_message();
  expect(big);
  data_record(1, EventKind::kOut, big);
  // Not an APDU (a UNIVERSAL SEQUENCE): marked malformed by the dissector, listed by nobody.
  data_record(1, EventKind::kUnframed, {0x30, 0x03, 0x02, 0x01, 0x05});
  close(1, illhub::record::ClosedBy::kHub);

  // Connection 2: the hub dialled a peer on ISO ILL's registered port 499, over IPv6.
  open(2, true, "[::1]:499", "[::1]:40002");
  const Bytes request = read_file(data / "apdu" / "yaz-ill-request.ber");
  const Bytes answer = read_file(data / "apdu" / "yaz-ill-answer.ber");
  expect(request);
  data_record(2, EventKind::kOut, request);
  expect(answer);
  data_record(2, EventKind::kIn, answer);
  close(2, illhub::record::ClosedBy::kPeer);

  illhub::record::Header header;
  header.started_unix_us = 1795568523000000;
  header.node = "test/1";
  header.listen = "127.0.0.1:4990";
  {
    std::ofstream rec(out / "dissector.illrec", std::ios::binary | std::ios::trunc);
    rec << illhub::record::header_line(header) << "\n";
    for (const auto& r : records) rec << illhub::record::record_line(r) << "\n";
  }
  {
    std::ofstream f(out / "expected-apdus.txt", std::ios::trunc);
    for (const auto& line : expected_apdus) f << line << "\n";
  }
  {
    // TCP streams are numbered in the order their connections open; each direction is named
    // by its source port.
    std::map<std::pair<int, int>, Bytes> streams;
    const std::map<std::uint64_t, std::pair<int, std::pair<int, int>>> conn = {
        {1, {0, {40001, 4990}}}, {2, {1, {499, 40002}}}};  // stream, {peer port, hub port}
    for (const auto& r : records) {
      if (r.bytes.empty()) continue;
      const auto& [stream, ports] = conn.at(r.connection);
      const int port = r.kind == EventKind::kOut ? ports.second : ports.first;
      auto& b = streams[{stream, port}];
      b.insert(b.end(), r.bytes.begin(), r.bytes.end());
    }
    std::ofstream f(out / "expected-streams.txt", std::ios::trunc);
    for (const auto& [key, bytes] : streams)
      f << key.first << " " << key.second << " " << bytes.size() << " " << hex(bytes) << "\n";
  }
  return 0;
}
