#include "illhub/codec/framer.hpp"

namespace illhub::codec {

void StreamFramer::feed(std::span<const std::uint8_t> bytes) {
  if (error_) return;
  // Drop what earlier frames used before growing, so a long-lived connection's buffer stays
  // the size of one APDU.
  if (start_ > 0 && (start_ == buffer_.size() || start_ >= 4096)) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::optional<std::vector<std::uint8_t>> StreamFramer::next() {
  if (error_) return std::nullopt;
  const std::size_t available = buffer_.size() - start_;
  // Rescanning from the frame's start is only worth it once the last scan's wish is met;
  // this keeps a peer that sends one byte at a time from costing quadratic time.
  if (available == 0 || available < need_) return std::nullopt;
  const std::span<const std::uint8_t> pending(buffer_.data() + start_, available);
  const TlvScan scan = scan_tlv(pending, limits_);
  switch (scan.status) {
    case TlvScan::Status::kNeedMore:
      need_ = scan.size;
      return std::nullopt;
    case TlvScan::Status::kError:
      error_ = FramingError{scan.problem, consumed_ + scan.offset};
      return std::nullopt;
    case TlvScan::Status::kComplete:
      break;
  }
  std::vector<std::uint8_t> frame(pending.begin(),
                                  pending.begin() + static_cast<std::ptrdiff_t>(scan.size));
  start_ += scan.size;
  consumed_ += scan.size;
  need_ = 1;
  return frame;
}

}  // namespace illhub::codec
