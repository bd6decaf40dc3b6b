#pragma once
// Where asn1c's structures get their memory. Every allocation asn1c makes goes through its
// CALLOC/MALLOC/REALLOC/FREEMEM macros, which asn1/skeleton-fixes.patch points at the four
// illhub_asn1_* hooks below; our own code allocates asn1c-owned memory through them too
// (asn1::make, and OCTET_STRING_fromBuf / ASN_SEQUENCE_ADD, which use the macros).
//
// Each block starts with a small header saying whom it belongs to:
// - while a DecodeArenaScope is open on a thread, new blocks come from its DecodeArena: a
//   bump pointer in a few large chunks, so a decode costs a handful of mallocs instead of
//   one per node, and freeing a block is a no-op until the arena itself goes;
// - otherwise a block is an ordinary malloc with the header in front (builders, XER
//   decode, anything that changes a decoded APDU later).
// FREEMEM and REALLOC read the header, so a decoded APDU may hold blocks of both kinds:
// asn1c's free routine still walks the structure (it frees the heap blocks a builder put
// there) and then the arena is dropped whole. An asn1c structure decoded into an arena
// must be freed before that arena: Apdu keeps the two together in that order.
//
// Under AddressSanitizer the arena hides nothing the heap would show: blocks are separated
// by poisoned red zones, unused and freed space is poisoned, a block freed twice aborts, and
// an arena destroyed while blocks of it are still live aborts as a leak.

#include <cstddef>
#include <cstdint>

#include "illhub/codec/apdu.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define ILLHUB_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ILLHUB_ARENA_ASAN 1
#endif
#endif

extern "C" {
void* illhub_asn1_calloc(std::size_t count, std::size_t size);
void* illhub_asn1_malloc(std::size_t size);
void* illhub_asn1_realloc(void* ptr, std::size_t size);
void illhub_asn1_free(void* ptr);
}

namespace illhub::codec {

/// Whether arenas poison their free space and check, when released, that every block was
/// freed (AddressSanitizer builds).
#if defined(ILLHUB_ARENA_ASAN)
inline constexpr bool kArenaChecksBlocks = true;
#else
inline constexpr bool kArenaChecksBlocks = false;
#endif

/// Memory for one decoded APDU. Not thread-safe (a decode uses it on one thread); movable
/// only by pointer (Apdu holds it in a unique_ptr).
class DecodeArena {
 public:
  /// An arena without memory yet: its first allocation adds a chunk.
  DecodeArena() = default;
  /// An arena and a first chunk of `first_chunk` bytes in one malloc (decode() sizes it from
  /// the APDU, so a whole decode usually costs this one malloc). Null when out of memory.
  static DecodeArenaPtr create(std::size_t first_chunk);
  /// create() with a first chunk large enough for an APDU of `ber_bytes` bytes as asn1c
  /// decodes the ISO 10161 module (measured on the golden APDUs).
  static DecodeArenaPtr for_apdu(std::size_t ber_bytes);
  DecodeArena(const DecodeArena&) = delete;
  DecodeArena& operator=(const DecodeArena&) = delete;
  /// Releases every chunk. Under sanitizers, aborts if a block is still live (a leak).
  ~DecodeArena();

  /// A block of `size` bytes (zero-filled if `zero`), 16-byte aligned, with its header;
  /// nullptr if the system is out of memory. Used by the hooks while a scope is open.
  void* allocate(std::size_t size, bool zero = true);
  /// Marks a block of this arena as freed (poisons it under ASan; aborts on a double free).
  void release(void* block);
  /// Tries to resize the block in place (possible for the block allocated last); true if done.
  bool grow_in_place(void* block, std::size_t size);

  /// Blocks handed out and not freed yet.
  std::size_t live_blocks() const { return live_blocks_; }
  /// Bytes taken from the chunks, headers and padding included.
  std::size_t bytes_used() const { return bytes_used_; }
  /// Chunks allocated from the system (the first lives inside the arena object itself).
  std::size_t chunks() const { return chunks_; }

 private:
  struct Chunk {
    Chunk* next;
    std::size_t capacity;  // bytes of data after this header
  };
  bool add_chunk(std::size_t at_least);

  unsigned char* next_ = nullptr;        // first free byte of the current chunk
  unsigned char* end_ = nullptr;         // end of the current chunk
  unsigned char* last_block_ = nullptr;  // header of the block allocated last
  Chunk* extra_ = nullptr;               // chunks malloc'ed on their own, newest first
  std::size_t first_chunk_ = 0;          // bytes after the object itself (create())
  std::size_t live_blocks_ = 0;
  std::size_t bytes_used_ = 0;
  std::size_t chunks_ = 0;
};

/// Routes this thread's asn1c allocations to `arena` until the scope ends (then to whatever
/// was current before: scopes nest).
class DecodeArenaScope {
 public:
  explicit DecodeArenaScope(DecodeArena& arena);
  ~DecodeArenaScope();
  DecodeArenaScope(const DecodeArenaScope&) = delete;
  DecodeArenaScope& operator=(const DecodeArenaScope&) = delete;

 private:
  DecodeArena* previous_;
};

/// Whether `block` (returned by a hook) lives in an arena rather than on the heap. For tests.
bool is_arena_block(const void* block);

}  // namespace illhub::codec
