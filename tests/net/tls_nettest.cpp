// illd over TLS with client certificates, end to end: a throwaway CA (the `openssl` command),
// a real illd with tls.listen on 127.0.0.1:0, member libraries speaking TLS through OpenSSL
// (and plain TCP for the other side). The identity rule under test (docs/NET.md, "Peer
// identity"): over TLS, the peer is the enabled one whose tls_cert_sha256 is the client
// certificate's; the source address plays no part. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "net/illd_fixture.hpp"
#include "net/tls_test_peer.hpp"

namespace illhub::test {
namespace {

/// A loopback address no peer's allowed_networks contain: over TLS that must not matter.
constexpr const char* kTlsClientAddress = "127.0.0.7";

class TlsTest : public IlldFixture {
 protected:
  static void SetUpTestSuite() {
    pki_ = std::make_unique<TestPki>();
    ASSERT_TRUE(pki_->create()) << pki_->error();
    ASSERT_TRUE(pki_->client("bor")) << pki_->error();
    ASSERT_TRUE(pki_->client("stranger")) << pki_->error();
    ASSERT_TRUE(pki_->client("rogue", /*untrusted=*/true)) << pki_->error();
  }
  static void TearDownTestSuite() { pki_.reset(); }

  void SetUp() override {
    IlldFixture::SetUp();
    // Each test may overwrite the hub's files (the reload test): a fresh copy per test.
    dir_ = pki_->path("run-" + std::to_string(++runs_));
    std::filesystem::create_directory(dir_);
    for (const char* f : {"hub.pem", "hub.key", "ca.pem"})
      std::filesystem::copy_file(pki_->path(f), dir_ + "/" + f);
  }

  void start_tls_illd(std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"--set", "tls.listen=127.0.0.1:0",
                                     "--set", "tls.certificate=" + dir_ + "/hub.pem",
                                     "--set", "tls.private_key=" + dir_ + "/hub.key",
                                     "--set", "tls.client_ca=" + dir_ + "/ca.pem"};
    args.insert(args.end(), more.begin(), more.end());
    ASSERT_TRUE(illd_.start(conninfo_, IlldLaunch{args, {}})) << illd_.error();
    ASSERT_NE(illd_.tls_port(), 0) << "no 'illd tls on' line";
  }

  void register_certificate(const std::string& symbol, const std::string& client) {
    const std::string sha256 = pki_->sha256(client);
    ASSERT_EQ(sha256.size(), 64u);
    auto r = conn_->exec("UPDATE peers SET tls_cert_sha256 = $2 WHERE symbol = $1", {symbol, sha256});
    ASSERT_TRUE(r) << r.error().describe();
  }

  bool connect_as(TlsTestPeer& peer, const std::string& client, const char* from = kTlsClientAddress) {
    const std::string cert = client.empty() ? "" : pki_->path(client + ".pem");
    const std::string key = client.empty() ? "" : pki_->path(client + ".key");
    return peer.connect(illd_.tls_port(), from, pki_->path("ca.pem"), cert, key);
  }

  /// Polls illd's log until it contains `text` (bounded).
  bool log_says(const std::string& text, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (illd_.log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  static std::unique_ptr<TestPki> pki_;
  static int runs_;
  std::string dir_;
};

std::unique_ptr<TestPki> TlsTest::pki_;
int TlsTest::runs_ = 0;

TEST_F(TlsTest, RelaysARequestFromACertifiedClientByteForByteToAPlainTcpLenderAndBack) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  register_certificate("IRL:BOR", "bor");
  start_tls_illd();
  TlsTestPeer borrower;
  ASSERT_TRUE(connect_as(borrower, "bor")) << borrower.error() << "\n" << illd_.log();
  TestPeer lender;
  ASSERT_TRUE(lender.connect(illd_.port(), kLenderAddress)) << lender.error();

  const Bytes request = apdu(kIllRequest, "TLS1", "150001");
  ASSERT_TRUE(borrower.send(request)) << borrower.error();
  const auto got = lender.receive();
  ASSERT_TRUE(got) << "the ILL-Request did not arrive";
  EXPECT_EQ(*got, request) << "changed on the way";
  // And back: the TLS connection is bound to IRL:BOR, so deliveries for it go there.
  const Bytes answer = apdu(kIllAnswer, "TLS1", "150002");
  ASSERT_TRUE(lender.send(answer));
  const auto back = borrower.receive();
  ASSERT_TRUE(back) << borrower.error();
  EXPECT_EQ(*back, answer);
  EXPECT_TRUE(eventually("SELECT count(*) FROM events WHERE accepted AND peer_symbol = 'IRL:BOR'", "1"));
  EXPECT_TRUE(log_says("(tls) IRL:BOR"));
}

TEST_F(TlsTest, ACertificateRegisteredForNoPeerIsRefusedEvenFromAnAllowedAddress) {
  add_peer("IRL:BOR", "127.0.0.2/32");  // over plain TCP, 127.0.0.2 would be IRL:BOR
  add_peer("IRL:LEN", "127.0.0.3/32");
  register_certificate("IRL:BOR", "bor");
  start_tls_illd();
  TlsTestPeer stranger;
  // Signed by the CA, so the handshake itself may complete (TLS 1.3 tells the client before
  // the hub has looked the certificate up); the hub closes right after.
  if (connect_as(stranger, "stranger", kBorrowerAddress)) {
    stranger.send(apdu(kIllRequest, "STRANGER", "160001"));  // may fail: the hub has closed
    EXPECT_TRUE(stranger.wait_closed()) << "got an answer: " << stranger.error();
  }
  EXPECT_TRUE(log_says("registered for no peer"));
  EXPECT_TRUE(log_says("TLS connection from 127.0.0.2:"));
  EXPECT_EQ(text("SELECT count(*) FROM transactions"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "0");
}

TEST_F(TlsTest, ADisabledPeersCertificateIsRefused) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  register_certificate("IRL:BOR", "bor");
  ASSERT_TRUE(conn_->exec("UPDATE peers SET enabled = false WHERE symbol = 'IRL:BOR'"));
  start_tls_illd();
  TlsTestPeer borrower;
  if (connect_as(borrower, "bor")) {
    borrower.send(apdu(kIllRequest, "DISABLED", "160101"));
    EXPECT_TRUE(borrower.wait_closed());
  }
  EXPECT_TRUE(log_says("belongs to IRL:BOR, which is disabled"));
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
}

TEST_F(TlsTest, AClientWithoutACertificateOrWithAnUnknownCaFailsTheHandshake) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  start_tls_illd();
  {
    TlsTestPeer anonymous;
    // Under TLS 1.3 the client may finish first and meet the hub's alert at its first read.
    if (connect_as(anonymous, "")) {
      EXPECT_TRUE(anonymous.wait_closed());
    }
    EXPECT_TRUE(log_says("TLS connection from 127.0.0.7:"));
    EXPECT_TRUE(log_says("TLS handshake failed: peer did not return a certificate"));
  }
  {
    TlsTestPeer rogue;
    if (connect_as(rogue, "rogue")) {
      EXPECT_TRUE(rogue.wait_closed());
    }
    EXPECT_TRUE(log_says("certificate verify failed"));
  }
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
  // The plain listener is not affected.
  TestPeer plain;
  EXPECT_TRUE(plain.connect(illd_.port(), kBorrowerAddress));
}

TEST_F(TlsTest, ACertifiedBorrowerSendingAsTheLenderGetsASecurityProblem) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  register_certificate("IRL:BOR", "bor");
  start_tls_illd();
  TlsTestPeer borrower;
  ASSERT_TRUE(connect_as(borrower, "bor")) << borrower.error();
  // ILL-Answer is sent by the responder: this one names IRL:LEN.
  ASSERT_TRUE(borrower.send(apdu(kIllAnswer, "IMPOSTOR", "170001")));
  const auto report = borrower.receive();
  const std::string dump = report_dump(report);
  EXPECT_NE(dump.find("IRL:LEN"), std::string::npos) << dump;
  EXPECT_NE(illd_.log().find("security problem: this connection speaks for IRL:BOR"), std::string::npos);
  EXPECT_EQ(text("SELECT count(*) FROM events"), "0");
  EXPECT_EQ(text("SELECT count(*) FROM outbox"), "0");
}

TEST_F(TlsTest, AHandshakeThatNeverStartsIsCutAfterTheApduTimeout) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  start_tls_illd({"--set", "limits.apdu_timeout=1s"});
  TestPeer silent;  // plain TCP to the TLS port, never says hello
  ASSERT_TRUE(silent.connect(illd_.tls_port(), kBorrowerAddress)) << silent.error();
  EXPECT_TRUE(silent.wait_closed(10s));
  EXPECT_TRUE(log_says("TLS handshake did not complete within 1000 ms"));
}

TEST_F(TlsTest, SighupReadsTheCertificateFilesAgainForNewConnections) {
  add_peer("IRL:BOR", "127.0.0.2/32");
  add_peer("IRL:LEN", "127.0.0.3/32");
  register_certificate("IRL:BOR", "bor");
  ASSERT_TRUE(pki_->second_server()) << pki_->error();
  start_tls_illd();
  TlsTestPeer before;
  ASSERT_TRUE(connect_as(before, "bor")) << before.error();
  EXPECT_NE(before.server_subject().find("CN=hub"), std::string::npos);
  EXPECT_EQ(before.server_subject().find("renewed"), std::string::npos);

  // A renewal: new files under the same names, then SIGHUP.
  std::filesystem::copy_file(pki_->path("hub2.pem"), dir_ + "/hub.pem", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(pki_->path("hub2.key"), dir_ + "/hub.key", std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(illd_.pid(), SIGHUP), 0);
  ASSERT_TRUE(log_says("TLS certificate, key and client CA read again"));
  TlsTestPeer after;
  ASSERT_TRUE(connect_as(after, "bor")) << after.error();
  EXPECT_NE(after.server_subject().find("CN=hub renewed"), std::string::npos) << after.server_subject();

  // A broken key on the next reload: logged, and the hub keeps serving the last good files.
  { std::ofstream(dir_ + "/hub.key") << "not a key\n"; }
  ASSERT_EQ(::kill(illd_.pid(), SIGHUP), 0);
  ASSERT_TRUE(log_says("handshakes keep using the files read before"));
  TlsTestPeer third;
  ASSERT_TRUE(connect_as(third, "bor")) << third.error();
  EXPECT_NE(third.server_subject().find("CN=hub renewed"), std::string::npos);

  // The connection opened before the reloads still works.
  ASSERT_TRUE(before.send(apdu(kIllRequest, "RELOADED", "180001")));
  EXPECT_TRUE(eventually("SELECT count(*) FROM events WHERE accepted", "1"));
}

}  // namespace
}  // namespace illhub::test
