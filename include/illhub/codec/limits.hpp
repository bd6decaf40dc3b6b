#pragma once
#include <cstddef>

namespace illhub::codec {

/// Bounds on what one APDU may cost. Real APDUs are under 1 KiB; these leave ample room while
/// keeping a hostile peer from buying memory or time (a 1 MB APDU can expand ~15x in memory).
struct CodecLimits {
  /// Largest APDU accepted, in bytes, tags and lengths included.
  std::size_t max_apdu_bytes = 256 * 1024;
  /// Deepest nesting of constructed values; the ISO 10161 module needs fewer than 20 levels.
  int max_depth = 32;
  /// Stack the asn1c decoder may use (asn_codec_ctx_t.max_stack_size); 0 would disable the
  /// check. The ILL module needs ~1.5 KB; sanitizer builds need far more.
  std::size_t max_decoder_stack =
#if defined(__SANITIZE_ADDRESS__)
      1024 * 1024;
#else
      64 * 1024;
#endif
};

}  // namespace illhub::codec
