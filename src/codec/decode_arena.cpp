#include "codec/decode_arena.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#if defined(ILLHUB_ARENA_ASAN)
#include <sanitizer/asan_interface.h>
#define ILLHUB_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ILLHUB_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ILLHUB_POISON(p, n) ((void)(p), (void)(n))
#define ILLHUB_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace illhub::codec {
namespace {

/// In front of every block the hooks hand out. 16 bytes, so the block keeps malloc's
/// alignment. The state words are unlikely values, so that FREEMEM of a pointer that did not
/// come from a hook (std::calloc by mistake) aborts instead of corrupting memory.
struct alignas(16) BlockHeader {
  std::uint32_t size;   // bytes the caller asked for
  std::uint32_t state;  // one of the k*Block values
  DecodeArena* arena;   // owner, nullptr for a heap block
};
static_assert(sizeof(BlockHeader) == 16);

constexpr std::uint32_t kHeapBlock = 0x48656170;        // "Heap"
constexpr std::uint32_t kArenaBlock = 0x4172656e;       // "Aren"
constexpr std::uint32_t kFreedArenaBlock = 0x46726565;  // "Free"

// Under ASan, a poisoned gap after each arena block catches overruns as a heap red zone would.
#if defined(ILLHUB_ARENA_ASAN)
constexpr std::size_t kRedZone = 16;
#else
constexpr std::size_t kRedZone = 0;
#endif

constexpr std::size_t kFirstExtraChunk = 8192;
constexpr std::size_t kLargestChunkStep = 64 * 1024;

/// The arena serving this thread's allocations, if a DecodeArenaScope is open.
constinit thread_local DecodeArena* t_current = nullptr;

std::size_t round16(std::size_t n) { return (n + 15) & ~std::size_t{15}; }

BlockHeader* header_of(void* block) {
  return reinterpret_cast<BlockHeader*>(static_cast<unsigned char*>(block) - sizeof(BlockHeader));
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "illhub asn1c allocator: %s\n", what);
  std::abort();
}

/// The header of a block a hook handed out; aborts on anything else.
BlockHeader* checked_header(void* block) {
  BlockHeader* h = header_of(block);
  if (h->state == kFreedArenaBlock) fail("a block was freed or resized after it was freed");
  if (h->state != kHeapBlock && h->state != kArenaBlock)
    fail("asked to free or resize memory that no allocation hook handed out");
  return h;
}

void* heap_allocate(std::size_t size, bool zero) {
  if (size > std::numeric_limits<std::uint32_t>::max() - sizeof(BlockHeader)) return nullptr;
  void* raw = zero ? std::calloc(1, sizeof(BlockHeader) + size) : std::malloc(sizeof(BlockHeader) + size);
  if (!raw) return nullptr;
  auto* h = static_cast<BlockHeader*>(raw);
  h->size = static_cast<std::uint32_t>(size);
  h->state = kHeapBlock;
  h->arena = nullptr;
  return h + 1;
}

}  // namespace

DecodeArena::~DecodeArena() {
#if defined(ILLHUB_ARENA_ASAN)
  // A block still live here was lost by whoever owned it: with the heap, LeakSanitizer
  // would report it; the arena must not make that disappear.
  if (live_blocks_ != 0) fail("arena released with blocks still in use (a leak)");
#endif
  if (first_chunk_)
    ILLHUB_UNPOISON(reinterpret_cast<unsigned char*>(this) + round16(sizeof(DecodeArena)), first_chunk_);
  while (extra_) {
    Chunk* next = extra_->next;
    ILLHUB_UNPOISON(extra_ + 1, extra_->capacity);
    std::free(extra_);
    extra_ = next;
  }
}

DecodeArenaPtr DecodeArena::create(std::size_t first_chunk) {
  const std::size_t object = round16(sizeof(DecodeArena));
  first_chunk = round16(first_chunk);
  void* raw = std::malloc(object + first_chunk);
  if (!raw) return nullptr;
  auto* arena = new (raw) DecodeArena();
  arena->first_chunk_ = first_chunk;
  arena->next_ = static_cast<unsigned char*>(raw) + object;
  arena->end_ = arena->next_ + first_chunk;
  arena->chunks_ = 1;
  ILLHUB_POISON(arena->next_, first_chunk);
  return DecodeArenaPtr(arena);
}

DecodeArenaPtr DecodeArena::for_apdu(std::size_t ber_bytes) {
  // Measured on the golden APDUs (tests/data/apdu): asn1c takes about 1.4 KiB for the
  // ILL-APDU union and its first nodes, then up to 13 bytes per byte of BER (a 340-byte
  // ILL-Request: 4.4 KiB in 63 blocks). Larger APDUs than ~4 KiB go on in further chunks.
  constexpr std::size_t kBase = 1024;
  constexpr std::size_t kPerByte = 14;
  constexpr std::size_t kLargestFirst = 64 * 1024;
  const std::size_t estimate =
      ber_bytes > (kLargestFirst - kBase) / kPerByte ? kLargestFirst : kBase + kPerByte * ber_bytes;
  return create(estimate);
}

void DecodeArenaDelete::operator()(DecodeArena* arena) const {
  arena->~DecodeArena();
  std::free(arena);
}

bool DecodeArena::add_chunk(std::size_t at_least) {
  const std::size_t previous = extra_ ? extra_->capacity : kFirstExtraChunk / 2;
  const std::size_t capacity = std::max(at_least, std::min(previous * 2, kLargestChunkStep));
  auto* chunk = static_cast<Chunk*>(std::malloc(sizeof(Chunk) + capacity));
  if (!chunk) return false;
  static_assert(sizeof(Chunk) % 16 == 0, "chunk data must stay 16-byte aligned");
  chunk->next = extra_;
  chunk->capacity = capacity;
  extra_ = chunk;
  ++chunks_;
  next_ = reinterpret_cast<unsigned char*>(chunk + 1);
  end_ = next_ + capacity;
  last_block_ = nullptr;
  ILLHUB_POISON(next_, capacity);
  return true;
}

void* DecodeArena::allocate(std::size_t size, bool zero) {
  if (size > std::numeric_limits<std::uint32_t>::max() - sizeof(BlockHeader) - kRedZone)
    return nullptr;
  const std::size_t need = sizeof(BlockHeader) + round16(size) + kRedZone;
  if (static_cast<std::size_t>(end_ - next_) < need && !add_chunk(need)) return nullptr;
  unsigned char* at = next_;
  next_ += need;
  bytes_used_ += need;
  ++live_blocks_;
  last_block_ = at;
  ILLHUB_UNPOISON(at, sizeof(BlockHeader) + size);
  auto* h = reinterpret_cast<BlockHeader*>(at);
  h->size = static_cast<std::uint32_t>(size);
  h->state = kArenaBlock;
  h->arena = this;
  if (zero) std::memset(h + 1, 0, size);
  return h + 1;
}

void DecodeArena::release(void* block) {
  BlockHeader* h = header_of(block);
  if (h->state != kArenaBlock || h->arena != this) fail("an arena block was freed twice or by the wrong arena");
  h->state = kFreedArenaBlock;
  --live_blocks_;
  ILLHUB_POISON(block, h->size);
}

bool DecodeArena::grow_in_place(void* block, std::size_t size) {
  BlockHeader* h = header_of(block);
  if (reinterpret_cast<unsigned char*>(h) != last_block_) return false;
  if (size > std::numeric_limits<std::uint32_t>::max() - sizeof(BlockHeader) - kRedZone) return false;
  const std::size_t old_need = sizeof(BlockHeader) + round16(h->size) + kRedZone;
  const std::size_t new_need = sizeof(BlockHeader) + round16(size) + kRedZone;
  unsigned char* start = last_block_;
  if (new_need > static_cast<std::size_t>(end_ - start)) return false;
  next_ = start + new_need;
  bytes_used_ = bytes_used_ - old_need + new_need;
  if (size > h->size) {
    ILLHUB_UNPOISON(static_cast<unsigned char*>(block) + h->size, size - h->size);
  } else {
    ILLHUB_POISON(static_cast<unsigned char*>(block) + size, h->size - size);
  }
  h->size = static_cast<std::uint32_t>(size);
  return true;
}

DecodeArenaScope::DecodeArenaScope(DecodeArena& arena) : previous_(t_current) { t_current = &arena; }

DecodeArenaScope::~DecodeArenaScope() { t_current = previous_; }

bool is_arena_block(const void* block) {
  const BlockHeader* h = header_of(const_cast<void*>(block));
  return h->state == kArenaBlock;
}

}  // namespace illhub::codec

using illhub::codec::BlockHeader;
using illhub::codec::checked_header;
using illhub::codec::heap_allocate;
using illhub::codec::t_current;

extern "C" void* illhub_asn1_malloc(std::size_t size) {
  if (illhub::codec::DecodeArena* arena = t_current) return arena->allocate(size, false);
  return heap_allocate(size, false);
}

extern "C" void* illhub_asn1_calloc(std::size_t count, std::size_t size) {
  std::size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) return nullptr;  // no division on this path
  if (illhub::codec::DecodeArena* arena = t_current) return arena->allocate(bytes);
  return heap_allocate(bytes, true);
}

extern "C" void* illhub_asn1_realloc(void* ptr, std::size_t size) {
  if (!ptr) return illhub_asn1_malloc(size);
  BlockHeader* h = checked_header(ptr);
  if (h->state == illhub::codec::kHeapBlock) {
    if (size > std::numeric_limits<std::uint32_t>::max() - sizeof(BlockHeader)) return nullptr;
    auto* moved = static_cast<BlockHeader*>(std::realloc(h, sizeof(BlockHeader) + size));
    if (!moved) return nullptr;
    moved->size = static_cast<std::uint32_t>(size);
    return moved + 1;
  }
  // An arena block stays in its arena only while that arena is the current one: a block of
  // an APDU decoded earlier and changed now moves to the heap, so it can never end up in an
  // arena that dies before the structure holding it.
  illhub::codec::DecodeArena* owner = h->arena;
  if (owner == t_current && owner->grow_in_place(ptr, size)) return ptr;
  void* moved = owner == t_current ? owner->allocate(size, false) : heap_allocate(size, false);
  if (!moved) return nullptr;
  std::memcpy(moved, ptr, std::min<std::size_t>(h->size, size));
  owner->release(ptr);
  return moved;
}

extern "C" void illhub_asn1_free(void* ptr) {
  if (!ptr) return;
  BlockHeader* h = checked_header(ptr);
  if (h->state == illhub::codec::kHeapBlock) {
    std::free(h);
    return;
  }
  h->arena->release(ptr);
}
