// lib/transport — finds where WebSocket frames end in a byte stream (RFC 6455 §5.2), so that
// CoalescingStream can hand Beast at most one frame per read.
//
// Why: Beast reads up to 1536 bytes at a time into a buffer of its own, and a frame that is
// already whole in that buffer completes by a trip through the event loop (Beast posts it),
// one trip per frame: five per 1.5 KiB of acknowledgements. Handed one frame per read, Beast
// always completes through our stream, which runs every frame of one socket read in one pass.
// Cutting in the wrong place would only cost speed, never correctness: Beast parses whatever
// it is given.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ssm::transport {

class FrameCutter {
 public:
  // How many of `ahead` (the stream's next bytes) to hand over, at most `want`: up to the end
  // of the current frame, or all of `ahead` when that end is beyond it. Then past them.
  std::size_t take(std::span<const std::uint8_t> ahead, std::size_t want) {
    ahead = ahead.first(std::min(ahead.size(), want));
    FrameCutter probe = *this;
    const std::size_t n = probe.advance_to_frame_end(ahead);
    *this = probe;
    return n;
  }

 private:
  // Consumes bytes until a frame ends (inclusive) or `bytes` run out; returns how many.
  std::size_t advance_to_frame_end(std::span<const std::uint8_t> bytes) {
    std::size_t used = 0;
    while (used < bytes.size()) {
      if (payload_left_ > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, bytes.size() - used));
        payload_left_ -= k;
        used += k;
        if (payload_left_ == 0) return used;
        continue;
      }
      head_[have_++] = bytes[used++];
      if (have_ < 2 || have_ < header_size()) continue;
      payload_left_ = payload_length();
      have_ = 0;
      if (payload_left_ == 0) return used;  // an empty frame ends with its header
    }
    return used;
  }

  std::size_t header_size() const {
    const std::uint8_t len7 = head_[1] & 0x7f;
    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t mask = (head_[1] & 0x80) ? 4 : 0;
    return 2 + extended + mask;
  }

  std::uint64_t payload_length() const {
    const std::uint8_t len7 = head_[1] & 0x7f;
    if (len7 < 126) return len7;
    const std::size_t bytes = len7 == 126 ? 2 : 8;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < bytes; ++i) n = (n << 8) | head_[2 + i];
    return n;
  }

  std::array<std::uint8_t, 14> head_{};  // the current header, while it arrives
  std::size_t have_ = 0;                 // bytes of it so far
  std::uint64_t payload_left_ = 0;       // of the current frame, after its header
};

}  // namespace ssm::transport
