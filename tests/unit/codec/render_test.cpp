#include "illhub/codec/render.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "illhub/codec/codec.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

Apdu sample(const std::string& file) {
  auto apdu = decode(testing::read_data_file(file));
  EXPECT_TRUE(apdu);
  return std::move(*apdu);
}

TEST(RenderJson, NamesComponentsEnumsAndStrings) {
  const auto json = nlohmann::json::parse(to_json(sample("yaz-ill-request.ber")));
  const auto& r = json.at("ill-request");
  EXPECT_EQ(r.at("protocol-version-num"), 2);
  EXPECT_EQ(r.at("transaction-id").at("transaction-qualifier"), "T0001");
  EXPECT_EQ(r.at("iLL-service-type").at(0), "loan");
  EXPECT_EQ(r.at("item-id").at("title"), "Interlibrary loan in practice");
  EXPECT_EQ(r.at("retry-flag"), false);
  EXPECT_EQ(r.at("place-on-hold"), "according-to-responder-policy");
}

TEST(RenderJson, ShowsExternalsAsOidAndHex) {
  const auto json = nlohmann::json::parse(to_json(sample("yaz-extension.ber")));
  const auto& ext = json.at("ill-request").at("iLL-request-extensions").at(0);
  EXPECT_EQ(ext.at("identifier"), 1);
  EXPECT_TRUE(ext.at("item").contains("hex"));
}

TEST(RenderJson, KeepsUtf8Text) {
  const auto json = nlohmann::json::parse(to_json(sample("yaz-utf8-note.ber")));
  EXPECT_EQ(json.at("message").at("note"), "Prêt entre bibliothèques — 日本語");
}

TEST(RenderText, IndentsNestedComponents) {
  const std::string text = to_text(sample("yaz-shipped.ber"));
  EXPECT_NE(text.find("shipped:\n"), std::string::npos);
  EXPECT_NE(text.find("  supply-details:\n"), std::string::npos);
  EXPECT_NE(text.find("      date-due-field: 20261225\n"), std::string::npos);
}

TEST(Xer, RoundTripsEveryKind) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    const Apdu apdu = sample(file);
    auto xer = to_xer(apdu);
    ASSERT_TRUE(xer) << file;
    auto back = from_xer(*xer);
    ASSERT_TRUE(back) << file << ": " << back.error().detail << "\n" << *xer;
    EXPECT_EQ(*encode(apdu), std::vector<std::uint8_t>(back->bytes().begin(), back->bytes().end()))
        << file;
  }
}

TEST(Xer, RefusesTextThatIsNotAnApdu) {
  auto r = from_xer("<ILL-APDU><nonsense/></ILL-APDU>");
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().detail.empty());
}

}  // namespace
}  // namespace illhub::codec
