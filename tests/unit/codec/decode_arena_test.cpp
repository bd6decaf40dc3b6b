// The allocator behind asn1c's CALLOC/MALLOC/REALLOC/FREEMEM (src/codec/decode_arena.hpp):
// arena and heap blocks, realloc in both, and decoded APDUs changed by our own code.
// The sanitizer build runs these too, where the arena poisons what is not in use.
#include "codec/decode_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>

#include "codec/asn1_types.hpp"
#include "illhub/codec/builders.hpp"
#include "illhub/codec/codec.hpp"
#include "illhub/codec/ber_scan.hpp"
#include "illhub/codec/qualifier_rename.hpp"
#include "sample_apdus.hpp"
#include "sample_files.hpp"

namespace illhub::codec {
namespace {

using Bytes = std::vector<std::uint8_t>;

bool all_zero(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i] != 0) return false;
  return true;
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

TEST(DecodeArena, ServesAllocationsWhileAScopeIsOpen) {
  DecodeArena arena;
  void* a = nullptr;
  void* b = nullptr;
  {
    const DecodeArenaScope scope(arena);
    a = illhub_asn1_calloc(3, 7);
    b = illhub_asn1_malloc(40);
  }
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(is_arena_block(a));
  EXPECT_TRUE(is_arena_block(b));
  EXPECT_TRUE(aligned16(a));
  EXPECT_TRUE(aligned16(b));
  EXPECT_TRUE(all_zero(a, 21));
  EXPECT_EQ(arena.live_blocks(), 2u);
  EXPECT_EQ(arena.chunks(), 1u);  // small blocks fit in the arena's own first chunk
  std::memset(a, 0xAB, 21);        // the whole block is usable
  std::memset(b, 0xCD, 40);
  illhub_asn1_free(a);
  illhub_asn1_free(b);
  EXPECT_EQ(arena.live_blocks(), 0u);
}

TEST(DecodeArena, UsesTheHeapWithoutAScope) {
  void* p = illhub_asn1_calloc(1, 24);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(is_arena_block(p));
  EXPECT_TRUE(aligned16(p));
  EXPECT_TRUE(all_zero(p, 24));
  illhub_asn1_free(p);
  illhub_asn1_free(nullptr);  // like free(NULL)
}

TEST(DecodeArena, ScopesNestAndRestoreThePreviousArena) {
  DecodeArena outer;
  DecodeArena inner;
  const DecodeArenaScope a(outer);
  void* p = illhub_asn1_malloc(8);
  {
    const DecodeArenaScope b(inner);
    void* q = illhub_asn1_malloc(8);
    EXPECT_EQ(inner.live_blocks(), 1u);
    illhub_asn1_free(q);
  }
  void* r = illhub_asn1_malloc(8);
  EXPECT_EQ(outer.live_blocks(), 2u);
  EXPECT_EQ(inner.live_blocks(), 0u);
  illhub_asn1_free(p);
  illhub_asn1_free(r);
}

TEST(DecodeArena, ReallocGrowsTheLastBlockInPlaceAndMovesAnyOther) {
  DecodeArena arena;
  const DecodeArenaScope scope(arena);
  auto* p = static_cast<unsigned char*>(illhub_asn1_malloc(10));
  std::memset(p, 'x', 10);
  auto* grown = static_cast<unsigned char*>(illhub_asn1_realloc(p, 100));
  EXPECT_EQ(grown, p);  // nothing after it yet: grown where it is
  EXPECT_EQ(std::memcmp(grown, "xxxxxxxxxx", 10), 0);
  grown[99] = 'z';  // all of the grown block is usable
  void* other = illhub_asn1_malloc(16);
  auto* moved = static_cast<unsigned char*>(illhub_asn1_realloc(grown, 300));
  EXPECT_NE(moved, grown);
  EXPECT_TRUE(is_arena_block(moved));
  EXPECT_EQ(std::memcmp(moved, "xxxxxxxxxx", 10), 0);
  EXPECT_EQ(arena.live_blocks(), 2u);  // the old block was released by the move
  auto* shrunk = static_cast<unsigned char*>(illhub_asn1_realloc(moved, 4));
  EXPECT_EQ(std::memcmp(shrunk, "xxxx", 4), 0);
  illhub_asn1_free(shrunk);
  illhub_asn1_free(other);
  EXPECT_EQ(arena.live_blocks(), 0u);
}

TEST(DecodeArena, ReallocOfAnArenaBlockOutsideItsScopeMovesItToTheHeap) {
  // A decoded APDU changed later (a builder adding to one of its lists) must not put memory
  // into whichever arena happens to be current then, nor into its own arena behind its back.
  DecodeArena arena;
  void* p = nullptr;
  {
    const DecodeArenaScope scope(arena);
    p = illhub_asn1_malloc(32);
  }
  std::memset(p, 'y', 32);
  DecodeArena unrelated;
  const DecodeArenaScope other(unrelated);
  auto* q = static_cast<unsigned char*>(illhub_asn1_realloc(p, 64));
  ASSERT_NE(q, nullptr);
  EXPECT_FALSE(is_arena_block(q));
  EXPECT_EQ(q[0], 'y');
  EXPECT_EQ(q[31], 'y');
  EXPECT_EQ(arena.live_blocks(), 0u);
  EXPECT_EQ(unrelated.live_blocks(), 0u);
  illhub_asn1_free(q);
}

TEST(DecodeArena, ReallocOfAHeapBlockKeepsItsContents) {
  auto* p = static_cast<unsigned char*>(illhub_asn1_malloc(5));
  std::memcpy(p, "hello", 5);
  auto* q = static_cast<unsigned char*>(illhub_asn1_realloc(p, 5000));
  ASSERT_NE(q, nullptr);
  EXPECT_FALSE(is_arena_block(q));
  EXPECT_EQ(std::memcmp(q, "hello", 5), 0);
  auto* r = static_cast<unsigned char*>(illhub_asn1_realloc(nullptr, 3));  // realloc(NULL) = malloc
  ASSERT_NE(r, nullptr);
  illhub_asn1_free(q);
  illhub_asn1_free(r);
}

TEST(DecodeArena, AddsChunksForLargeAndManyBlocks) {
  DecodeArena arena;
  const DecodeArenaScope scope(arena);
  std::vector<void*> blocks;
  for (int i = 0; i < 500; ++i) blocks.push_back(illhub_asn1_calloc(1, 48));
  void* big = illhub_asn1_calloc(1, 200 * 1024);  // larger than any chunk step
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(all_zero(big, 200 * 1024));
  EXPECT_GT(arena.chunks(), 2u);
  EXPECT_GE(arena.bytes_used(), 500u * 64u + 200u * 1024u);
  for (void* b : blocks) illhub_asn1_free(b);
  illhub_asn1_free(big);
  EXPECT_EQ(arena.live_blocks(), 0u);
}

TEST(DecodeArena, RefusesSizesThatOverflow) {
  EXPECT_EQ(illhub_asn1_calloc(std::numeric_limits<std::size_t>::max() / 2, 4), nullptr);
  EXPECT_EQ(illhub_asn1_malloc(std::numeric_limits<std::size_t>::max() - 8), nullptr);
  DecodeArena arena;
  const DecodeArenaScope scope(arena);
  EXPECT_EQ(illhub_asn1_malloc(std::numeric_limits<std::size_t>::max() - 8), nullptr);
  EXPECT_EQ(arena.live_blocks(), 0u);
}

TEST(DecodeArenaDeathTest, AbortsOnMemoryNoHookHandedOut) {
  alignas(16) static unsigned char not_a_block[64] = {};
  EXPECT_DEATH(illhub_asn1_free(not_a_block + 16), "no allocation hook handed out");
}

TEST(DecodeArenaDeathTest, AbortsOnAnArenaBlockFreedTwice) {
  EXPECT_DEATH(
      {
        DecodeArena arena;
        const DecodeArenaScope scope(arena);
        void* p = illhub_asn1_malloc(8);
        illhub_asn1_free(p);
        illhub_asn1_free(p);
      },
      "freed or resized after it was freed");
}

#if defined(ILLHUB_ARENA_ASAN)  // decode_arena.hpp: gcc and clang alike
TEST(DecodeArenaDeathTest, ReportsABlockNeverFreedUnderAddressSanitizer) {
  // What LeakSanitizer reports for the heap, the arena reports for itself.
  EXPECT_DEATH(
      {
        DecodeArena arena;
        const DecodeArenaScope scope(arena);
        illhub_asn1_malloc(8);
      },
      "still in use");
}

TEST(DecodeArenaDeathTest, PoisonsFreedBlocksUnderAddressSanitizer) {
  EXPECT_DEATH(
      {
        DecodeArena arena;
        const DecodeArenaScope scope(arena);
        auto* p = static_cast<volatile unsigned char*>(illhub_asn1_malloc(8));
        illhub_asn1_free(const_cast<unsigned char*>(p));
        p[0] = 1;
      },
      "use-after-poison");
}

TEST(DecodeArenaDeathTest, PoisonsTheBytesAfterABlockUnderAddressSanitizer) {
  EXPECT_DEATH(
      {
        DecodeArena arena;
        const DecodeArenaScope scope(arena);
        auto* p = static_cast<volatile unsigned char*>(illhub_asn1_malloc(8));
        p[8] = 1;
      },
      "use-after-poison");
}
#endif

// ------------------------------------------------------------------ decoded APDUs

Bytes sample(const char* file) { return testing::read_data_file(file); }

SystemId symbol(const char* text) {
  SystemId id;
  id.symbol = text;
  return id;
}

TEST(DecodedApduMemory, LivesInTheArenaOfItsApdu) {
  auto apdu = decode(sample("yaz-ill-request.ber"));
  ASSERT_TRUE(apdu.has_value()) << apdu.error().detail;
  EXPECT_TRUE(is_arena_block(&apdu->raw()));
  const ILL_Request_t& r = apdu->raw().choice.ill_request;
  EXPECT_TRUE(is_arena_block(r.transaction_id.transaction_qualifier.choice.generalstring.buf));
  ASSERT_NE(r.retry_flag, nullptr);  // a DEFAULT filled in after decoding: in the arena too
  EXPECT_TRUE(is_arena_block(r.retry_flag));
}

TEST(DecodedApduMemory, AQualifierRenamedAfterDecodingMovesToTheHeapAndIsFreed) {
  const Bytes ber = sample("yaz-ill-request.ber");
  auto apdu = decode(ber);
  ASSERT_TRUE(apdu.has_value());
  auto renamed = rename_transaction_qualifier(*apdu, [](std::string_view) { return std::string("renamed-q"); });
  ASSERT_TRUE(renamed.has_value()) << renamed.error().detail;
  ASSERT_TRUE(renamed->has_value());
  const OCTET_STRING_t& q = apdu->raw().choice.ill_request.transaction_id.transaction_qualifier.choice.generalstring;
  EXPECT_EQ(asn1::text_of(q), "renamed-q");
  EXPECT_FALSE(is_arena_block(q.buf));  // set after decode: a heap block in an arena structure
  auto again = decode(**renamed);
  ASSERT_TRUE(again.has_value()) << again.error().detail;
  EXPECT_EQ(asn1::text_of(again->raw().choice.ill_request.transaction_id.transaction_qualifier.choice.generalstring),
            "renamed-q");
  // Destroying `apdu` frees the heap block through FREEMEM and drops the arena: leaks and
  // double frees show in the sanitizer build.
}

TEST(DecodedApduMemory, ListsGrownAfterDecodingMoveToTheHeap) {
  auto apdu = decode(sample("yaz-ill-request.ber"));
  ASSERT_TRUE(apdu.has_value());
  ILL_Request_t& r = apdu->raw().choice.ill_request;
  const int before = r.iLL_service_type.list.count;
  // asn1c gave the list room for 4; the module allows 5: the fifth reallocates the array.
  ASSERT_GT(before, 0);
  ASSERT_LT(before, 5);
  ASSERT_EQ(r.iLL_service_type.list.size, 4);
  const int added = 5 - before;
  for (int i = 0; i < added; ++i) {
    auto* t = asn1::make<ILL_Service_Type_t>();
    *t = ILL_Service_Type_copy_non_returnable;
    ASSERT_EQ(ASN_SEQUENCE_ADD(&r.iLL_service_type.list, t), 0);
    EXPECT_FALSE(is_arena_block(t));
  }
  EXPECT_FALSE(is_arena_block(r.iLL_service_type.list.array));
  EXPECT_EQ(r.iLL_service_type.list.count, 5);
  auto bytes = encode(*apdu);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().detail;
  auto again = decode(*bytes);
  ASSERT_TRUE(again.has_value()) << again.error().detail;
  EXPECT_EQ(again->raw().choice.ill_request.iLL_service_type.list.count, 5);
}

TEST(DecodedApduMemory, ARewrittenRequestIsBuiltFromAnArenaCopy) {
  auto request = decode(sample("yaz-ill-request.ber"));
  ASSERT_TRUE(request.has_value());
  RequestRewrite rewrite;
  rewrite.service_date_time.date = "20261125";
  rewrite.service_date_time.time = "101500";
  rewrite.responder_id = symbol("ARENA:LEN");
  rewrite.already_tried = {symbol("ARENA:ONE"), symbol("ARENA:TWO")};
  rewrite.send_to = {symbol("ARENA:THREE")};
  auto out = build_rewritten_request(*request, rewrite);
  ASSERT_TRUE(out.has_value()) << out.error().detail;
  const ILL_Request_t& r = out->raw().choice.ill_request;
  ASSERT_NE(r.third_party_info_type, nullptr);
  ASSERT_NE(r.third_party_info_type->already_tried_list, nullptr);
  EXPECT_EQ(r.third_party_info_type->already_tried_list->list.count, 2);
}

TEST(DecodedApduMemory, MoveAssignmentFreesTheOldStructureBeforeItsArena) {
  auto a = decode(sample("yaz-ill-request.ber"));
  auto b = decode(sample("yaz-shipped.ber"));
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  Apdu kept = std::move(*a);
  kept = std::move(*b);  // frees the ILL-Request's structure, then its arena (ASan checks)
  EXPECT_EQ(kept.kind(), ApduKind::kShipped);
  Apdu moved(std::move(kept));
  EXPECT_EQ(moved.kind(), ApduKind::kShipped);
}

TEST(DecodedApduMemory, AnArenaSizedForTheApduTakesOneMallocForEveryGoldenApdu) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    const Bytes definite = to_definite(testing::read_data_file(file));
    DecodeArenaPtr arena = DecodeArena::for_apdu(definite.size());
    ASSERT_NE(arena, nullptr);
    ILL_APDU_t* raw = nullptr;
    asn_dec_rval_t rv;
    {
      const DecodeArenaScope scope(*arena);
      rv = ber_decode(nullptr, &asn_DEF_ILL_APDU, reinterpret_cast<void**>(&raw), definite.data(),
                      definite.size());
    }
    asn1::ApduPtr owned(raw);
    ASSERT_EQ(rv.code, RC_OK) << file;
    EXPECT_GT(arena->live_blocks(), 0u);
    if (!kArenaChecksBlocks) {  // red zones make the sanitizer build's blocks larger
      EXPECT_EQ(arena->chunks(), 1u) << file << ": " << arena->bytes_used() << " bytes";
    }
    owned.reset();  // asn1c's free routine marks every block freed
    EXPECT_EQ(arena->live_blocks(), 0u) << file;
  }
}

TEST(DecodedApduMemory, EveryGoldenApduDecodesIntoOneArenaAndFreesEveryBlock) {
  for (const std::string& file : testing::all_yaz_sample_files()) {
    const Bytes ber = testing::read_data_file(file);
    auto apdu = decode(ber);
    ASSERT_TRUE(apdu.has_value()) << file << ": " << apdu.error().detail;
    EXPECT_TRUE(is_arena_block(&apdu->raw())) << file;
  }
}

}  // namespace
}  // namespace illhub::codec
