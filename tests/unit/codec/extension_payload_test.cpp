// The extension payloads illhub compiles (asn1/apdu-delivery-info.asn,
// asn1/oclc-ill-request-extension.asn), against BER vectors written out by hand from the
// registered definitions, TLV by TLV: YAZ has no APDU-Delivery-Info to compare with. (OCLC's
// extension is also checked against YAZ's own codec in tests/interop.) And the other side:
// what does not decode is shown as bytes with a note, never an error for the APDU.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/asn1_types.hpp"
#include "codec/extension_item.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/envelope.hpp"
#include "illhub/codec/render.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// APDU-Delivery-Info {
//   sender-info { { encoding {bER, bER-IN-MIME},
//                   transport {telecom-service-identifier "TCP/IP",
//                              telecom-service-address "ill.bor.example:499"},
//                   aliases { {person-or-institution-symbol institution-symbol "IRL:BOR"} } } },
//   recipient-info { { encoding {bER}, transport {telecom-service-address "ill.len.example:499"} } } }
const Bytes kDeliveryInfo = {
    0x30, 0x62,                                      // APDU-Delivery-Info SEQUENCE, 98 bytes
    0xa0, 0x3e,                                      //  sender-info [0] IMPLICIT SEQUENCE OF
    0x30, 0x3c,                                      //   APDU-Delivery-Parameters SEQUENCE
    0xa0, 0x06,                                      //    encoding [0] IMPLICIT SEQUENCE OF
    0x0a, 0x01, 0x03,                                //     ENUMERATED bER (3)
    0x0a, 0x01, 0x02,                                //     ENUMERATED bER-IN-MIME (2)
    0xa1, 0x21,                                      //    transport [1] IMPLICIT System-Address
    0xa0, 0x08, 0x1b, 0x06, 'T', 'C', 'P', '/', 'I', 'P',  // [0] ILL-String GeneralString
    0xa1, 0x15, 0x1b, 0x13,                          //     [1] ILL-String GeneralString
    'i', 'l', 'l', '.', 'b', 'o', 'r', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ':', '4', '9', '9',
    0xa2, 0x0f,                                      //    aliases [2] IMPLICIT SEQUENCE OF
    0x30, 0x0d,                                      //     System-Id SEQUENCE
    0xa0, 0x0b,                                      //      person-or-institution-symbol [0]
    0xa1, 0x09, 0x1b, 0x07, 'I', 'R', 'L', ':', 'B', 'O', 'R',  // institution-symbol [1]
    0xa1, 0x20,                                      //  recipient-info [1] IMPLICIT SEQUENCE OF
    0x30, 0x1e,                                      //   APDU-Delivery-Parameters SEQUENCE
    0xa0, 0x03, 0x0a, 0x01, 0x03,                    //    encoding {bER}
    0xa1, 0x17,                                      //    transport
    0xa1, 0x15, 0x1b, 0x13,                          //     telecom-service-address [1]
    'i', 'l', 'l', '.', 'l', 'e', 'n', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ':', '4', '9', '9',
};

// OBJECT IDENTIFIER 1.0.10161.13.3 (APDU-Delivery-Info) and .2 (OCLC's extension):
// 40*1+0 = 0x28; 10161 = 79*128 + 49 = 0xcf 0x31; 13 = 0x0d.
const Bytes kDeliveryInfoOid = {0x06, 0x05, 0x28, 0xcf, 0x31, 0x0d, 0x03};
const Bytes kOclcOid = {0x06, 0x05, 0x28, 0xcf, 0x31, 0x0d, 0x02};

Bytes tlv(std::uint8_t tag, const Bytes& content) {
  EXPECT_LT(content.size(), 128u);  // short lengths keep the vectors readable
  return cat({{tag, static_cast<std::uint8_t>(content.size())}, content});
}

// EXTERNAL ([UNIVERSAL 8]) {direct-reference, single-ASN1-type [0] value}.
Bytes external_single(const Bytes& oid, const Bytes& value) {
  return tlv(0x28, cat({oid, tlv(0xa0, value)}));
}

// EXTERNAL {direct-reference, octet-aligned [1] IMPLICIT OCTET STRING holding the value's BER}.
// The octets are opaque to the EXTERNAL, so a broken value still makes a well-formed EXTERNAL
// (inside single-ASN1-type, asn1c already refuses a broken TLV while reading the EXTERNAL).
Bytes external_octets(const Bytes& oid, const Bytes& value) {
  return tlv(0x28, cat({oid, tlv(0x81, value)}));
}

// OCLCILLRequestExtension {clientDepartment [0] "Chemistry", volume [5] "12", source [7] "WorldCat"}.
const Bytes kOclcExtension = tlv(
    0x30, cat({tlv(0xa0, tlv(0x1b, {'C', 'h', 'e', 'm', 'i', 's', 't', 'r', 'y'})),
               tlv(0xa5, tlv(0x1b, {'1', '2'})),
               tlv(0xa7, tlv(0x1b, {'W', 'o', 'r', 'l', 'd', 'C', 'a', 't'}))}));

Apdu sample(const std::string& file) {
  auto apdu = decode(testing::read_data_file(file));
  EXPECT_TRUE(apdu);
  return std::move(*apdu);
}

template <class List>
void append_extension(List*& list, long identifier, const Bytes& item) {
  if (!list) list = asn1::make<List>();
  auto* ext = asn1::make<Extension_t>();
  ext->identifier = identifier;
  // asn1c frees an ANY's buffer through its allocation hooks: allocate it with them.
  ext->item.buf = static_cast<std::uint8_t*>(illhub_asn1_malloc(item.size()));
  ASSERT_NE(ext->item.buf, nullptr);
  std::memcpy(ext->item.buf, item.data(), item.size());
  ext->item.size = static_cast<int>(item.size());
  ASSERT_EQ(ASN_SEQUENCE_ADD(&list->list, ext), 0);
}

// An ILL-Request (YAZ's golden vector) with extensions {identifier, item} added, encoded and
// decoded again the way a peer's APDU would be.
Apdu request_with(const std::vector<std::pair<long, Bytes>>& extensions) {
  Apdu apdu = sample("yaz-ill-request.ber");
  for (const auto& [identifier, item] : extensions)
    append_extension(apdu.raw().choice.ill_request.iLL_request_extensions, identifier, item);
  auto bytes = encode(apdu);
  EXPECT_TRUE(bytes) << bytes.error().detail;
  auto back = decode(*bytes);
  EXPECT_TRUE(back) << back.error().detail;
  return std::move(*back);
}

nlohmann::json first_extension_item(const Apdu& apdu) {
  return nlohmann::json::parse(to_json(apdu)).at("ill-request").at("iLL-request-extensions").at(0).at("item");
}

TEST(ApduDeliveryInfo, HandBuiltVectorReachesTheEnvelope) {
  const Apdu apdu = request_with({{1, external_single(kDeliveryInfoOid, kDeliveryInfo)}});
  const Envelope e = read_envelope(apdu);
  ASSERT_TRUE(e.delivery_info);
  ApduDeliveryParameters sender;
  sender.encodings = {ApduEncoding::kBer, ApduEncoding::kBerInMime};
  sender.telecom_service_identifier = "TCP/IP";
  sender.telecom_service_address = "ill.bor.example:499";
  SystemId bor;
  bor.symbol = "IRL:BOR";
  sender.aliases = {bor};
  ApduDeliveryParameters recipient;
  recipient.encodings = {ApduEncoding::kBer};
  recipient.telecom_service_address = "ill.len.example:499";
  EXPECT_EQ(e.delivery_info->sender, std::vector{sender});
  EXPECT_EQ(e.delivery_info->recipient, std::vector{recipient});
  EXPECT_TRUE(e.delivery_info->transponder.empty());
  EXPECT_FALSE(e.oclc_request);
}

TEST(ApduDeliveryInfo, OurEncodingOfTheDecodedValueIsTheHandBuiltVectorByteForByte) {
  void* raw = nullptr;
  const asn_dec_rval_t rv = ber_decode(nullptr, &asn_DEF_APDU_Delivery_Info, &raw,
                                       kDeliveryInfo.data(), kDeliveryInfo.size());
  std::unique_ptr<void, asn1::FreeValue> owned(raw, asn1::FreeValue{&asn_DEF_APDU_Delivery_Info});
  ASSERT_EQ(rv.code, RC_OK);
  ASSERT_EQ(rv.consumed, kDeliveryInfo.size());
  Bytes out;
  const asn_enc_rval_t er = der_encode(
      &asn_DEF_APDU_Delivery_Info, owned.get(),
      [](const void* p, size_t n, void* key) {
        auto* v = static_cast<Bytes*>(key);
        v->insert(v->end(), static_cast<const std::uint8_t*>(p), static_cast<const std::uint8_t*>(p) + n);
        return 0;
      },
      &out);
  ASSERT_GE(er.encoded, 0);
  EXPECT_EQ(out, kDeliveryInfo);
}

TEST(ApduDeliveryInfo, RelayedBytesStayAsTheyArrived) {
  const Bytes item = external_single(kDeliveryInfoOid, kDeliveryInfo);
  const Apdu apdu = request_with({{1, item}});
  const Bytes bytes(apdu.bytes().begin(), apdu.bytes().end());
  auto again = decode(bytes);
  ASSERT_TRUE(again);
  EXPECT_TRUE(std::equal(again->bytes().begin(), again->bytes().end(), bytes.begin(), bytes.end()));
  // The item inside is the EXTERNAL exactly as built, byte for byte.
  const auto* list = apdu.raw().choice.ill_request.iLL_request_extensions;
  ASSERT_NE(list, nullptr);
  const ANY_t& any = list->list.array[0]->item;
  EXPECT_EQ(Bytes(any.buf, any.buf + any.size), item);
}

TEST(ApduDeliveryInfo, OctetAlignedEncodingDecodesToo) {
  const Bytes item = external_octets(kDeliveryInfoOid, kDeliveryInfo);
  const Envelope e = read_envelope(request_with({{1, item}}));
  ASSERT_TRUE(e.delivery_info);
  EXPECT_EQ(e.delivery_info->recipient.at(0).telecom_service_address, "ill.len.example:499");
}

TEST(ApduDeliveryInfo, JsonTextAndXerShowItsFields) {
  const Apdu apdu = request_with({{1, external_single(kDeliveryInfoOid, kDeliveryInfo)}});
  const auto item = first_extension_item(apdu);
  EXPECT_EQ(item.at("direct-reference"), "1.0.10161.13.3");
  const auto& sender = item.at("APDU-Delivery-Info").at("sender-info").at(0);
  EXPECT_EQ(sender.at("encoding"), nlohmann::json::parse(R"(["bER", "bER-IN-MIME"])"));
  EXPECT_EQ(sender.at("transport").at("telecom-service-address"), "ill.bor.example:499");
  EXPECT_FALSE(item.contains("hex"));

  const std::string text = to_text(apdu);
  EXPECT_NE(text.find("direct-reference: 1.0.10161.13.3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("telecom-service-address: ill.len.example:499\n"), std::string::npos) << text;

  const std::string comments = extensions_as_xer_comments(apdu);
  EXPECT_NE(comments.find("extension 1: EXTERNAL 1.0.10161.13.3, APDU-Delivery-Info"),
            std::string::npos) << comments;
  // asn1c writes GeneralString in XER as hex octets, here as in the APDU's own XER.
  EXPECT_NE(comments.find("<encoding><bER/><bER-IN-MIME/>"), std::string::npos) << comments;
  EXPECT_NE(comments.find("<generalstring>54 43 50 2F 49 50</generalstring>"),  // "TCP/IP"
            std::string::npos) << comments;
  // The APDU's XER followed by the comments still reads back as the same APDU.
  auto xer = to_xer(apdu);
  ASSERT_TRUE(xer);
  auto back = from_xer(*xer + "\n" + comments);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(*encode(apdu), Bytes(back->bytes().begin(), back->bytes().end()));
}

TEST(ApduDeliveryInfo, FoundInAnyApduKindsExtensions) {
  Apdu apdu = sample("yaz-shipped.ber");
  append_extension(apdu.raw().choice.shipped.shipped_extensions, 1,
                   external_single(kDeliveryInfoOid, kDeliveryInfo));
  auto back = decode(*encode(apdu));
  ASSERT_TRUE(back);
  const Envelope e = read_envelope(*back);
  ASSERT_TRUE(e.delivery_info);
  EXPECT_EQ(e.delivery_info->sender.at(0).aliases.at(0).symbol, "IRL:BOR");
}

TEST(OclcIllRequest, HandBuiltVectorReachesTheEnvelopeAndTheJson) {
  const Apdu apdu = request_with({{1, external_single(kOclcOid, kOclcExtension)}});
  const Envelope e = read_envelope(apdu);
  ASSERT_TRUE(e.oclc_request);
  OclcIllRequest expected;
  expected.client_department = "Chemistry";
  expected.volume = "12";
  expected.source = "WorldCat";
  EXPECT_EQ(*e.oclc_request, expected);
  const auto item = first_extension_item(apdu);
  EXPECT_EQ(item.at("direct-reference"), "1.0.10161.13.2");
  EXPECT_EQ(item.at("OCLCILLRequestExtension").at("clientDepartment"), "Chemistry");
}

TEST(ExtensionPayload, BothKindsInOneRequestAreEachDecoded) {
  const Envelope e = read_envelope(request_with({{1, external_single(kOclcOid, kOclcExtension)},
                                                 {1, external_single(kDeliveryInfoOid, kDeliveryInfo)}}));
  EXPECT_TRUE(e.oclc_request);
  EXPECT_TRUE(e.delivery_info);
}

// Each of these items names APDU-Delivery-Info but is not one: the APDU still decodes, the
// Envelope leaves delivery_info out, and the renderings show the bytes with the reason.
struct BadItem {
  std::string name;
  Bytes item;
  std::string reason;  // a piece of the note
};

void PrintTo(const BadItem& b, std::ostream* os) { *os << b.name; }

Bytes with_byte(Bytes b, std::size_t at, std::uint8_t value) {
  b.at(at) = value;
  return b;
}

class BadDeliveryInfo : public ::testing::TestWithParam<BadItem> {};

TEST_P(BadDeliveryInfo, FallsBackToHexWithANoteAndTheApduStaysValid) {
  const BadItem& bad = GetParam();
  const Apdu apdu = request_with({{1, bad.item}});
  EXPECT_FALSE(read_envelope(apdu).delivery_info);
  const auto item = first_extension_item(apdu);
  ASSERT_TRUE(item.contains("hex")) << item.dump();
  const std::string note = item.at("note");
  EXPECT_NE(note.find("APDU-Delivery-Info"), std::string::npos) << note;
  EXPECT_NE(note.find(bad.reason), std::string::npos) << note;
  EXPECT_NE(to_text(apdu).find("note: EXTERNAL 1.0.10161.13.3"), std::string::npos);
  EXPECT_NE(extensions_as_xer_comments(apdu).find("does not decode"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Items, BadDeliveryInfo,
    ::testing::Values(
        // sender-info's tag [0] changed to [5]: the SEQUENCE no longer matches.
        BadItem{"wrong-tag", external_single(kDeliveryInfoOid, with_byte(kDeliveryInfo, 2, 0xa5)),
                "not a valid BER APDU-Delivery-Info"},
        // One byte more after the value in the EXTERNAL's octets.
        BadItem{"trailing-byte", external_octets(kDeliveryInfoOid, cat({kDeliveryInfo, {0x00}})),
                "1 bytes after the APDU-Delivery-Info value"},
        // The value cut short: its SEQUENCE claims more bytes than there are.
        BadItem{"truncated",
                external_octets(kDeliveryInfoOid, Bytes(kDeliveryInfo.begin(), kDeliveryInfo.end() - 10)),
                "not a valid BER"},
        // An EXTERNAL encoded as arbitrary [2] BIT STRING, which no profile uses.
        BadItem{"arbitrary", tlv(0x28, cat({kDeliveryInfoOid, {0x82, 0x02, 0x00, 0xff}})),
                "BIT STRING"}),
    [](const auto& test_info) {
      std::string n = test_info.param.name;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

TEST(ExtensionPayload, EdifactStringOutsideItsAlphabetIsAConstraintFailureNotAnError) {
  // OCLCILLRequestExtension {volume [5] EDIFACTString "12#"}: '#' is not in the alphabet.
  const Bytes value = tlv(0x30, tlv(0xa5, tlv(0x1a, {'1', '2', '#'})));
  const Apdu apdu = request_with({{1, external_single(kOclcOid, value)}});
  EXPECT_FALSE(read_envelope(apdu).oclc_request);
  const auto item = first_extension_item(apdu);
  EXPECT_TRUE(item.contains("hex"));
  EXPECT_NE(item.at("note").get<std::string>().find("OCLCILLRequestExtension"), std::string::npos);
}

TEST(ExtensionPayload, OnlyIdentifierOneIsReadAsAnExternal) {
  // Same bytes under identifier 2: ISO 10161 defines no other identifier, so nothing is guessed.
  const Apdu apdu = request_with({{2, external_single(kDeliveryInfoOid, kDeliveryInfo)}});
  EXPECT_FALSE(read_envelope(apdu).delivery_info);
  const auto item = first_extension_item(apdu);
  EXPECT_TRUE(item.contains("hex"));
  EXPECT_FALSE(item.contains("note"));
  EXPECT_TRUE(extensions_as_xer_comments(apdu).empty());
}

TEST(ExtensionPayload, UnknownObjectIdentifierStaysHexWithoutANote) {
  const Bytes other_oid = {0x06, 0x05, 0x28, 0xcf, 0x31, 0x0d, 0x01};  // 1.0.10161.13.1
  const Apdu apdu = request_with({{1, external_single(other_oid, kDeliveryInfo)}});
  EXPECT_FALSE(read_envelope(apdu).delivery_info);
  const auto item = first_extension_item(apdu);
  EXPECT_EQ(item.size(), 1u) << item.dump();
  EXPECT_TRUE(item.contains("hex"));
}

TEST(ExtensionPayload, ItemThatIsNoExternalStaysHex) {
  const Apdu apdu = request_with({{1, tlv(0x1b, {'x'})}});  // a GeneralString
  const auto item = first_extension_item(apdu);
  EXPECT_EQ(item.size(), 1u) << item.dump();
  EXPECT_EQ(item.at("hex"), "1b0178");
}

}  // namespace
}  // namespace illhub::codec
