// Rule 0 of peer identity (TLS): which peer a client certificate speaks for. No sockets.
#include "illhub/net/peer_identity.hpp"

#include <gtest/gtest.h>

namespace illhub::net {
namespace {

const std::string kSha(64, 'a');

PeerInfo peer(const std::string& symbol, bool enabled) {
  PeerInfo p;
  p.symbol = symbol;
  p.enabled = enabled;
  return p;
}

TEST(IdentifyByCertificate, TheOneEnabledPeerHoldingTheCertificate) {
  auto r = identify_by_certificate({peer("IRL:BOR", true)}, kSha);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, "IRL:BOR");
}

TEST(IdentifyByCertificate, RefusesACertificateRegisteredForNoPeer) {
  auto r = identify_by_certificate({}, kSha);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "certificate sha256 " + kSha + " is registered for no peer");
}

TEST(IdentifyByCertificate, RefusesADisabledPeersCertificate) {
  auto r = identify_by_certificate({peer("IRL:BOR", false)}, kSha);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("belongs to IRL:BOR, which is disabled"), std::string::npos) << r.error();
}

TEST(IdentifyByCertificate, RefusesACertificateRegisteredForSeveralPeers) {
  auto r = identify_by_certificate({peer("IRL:A", true), peer("IRL:B", true)}, kSha);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("several peers (IRL:A, IRL:B)"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace illhub::net
