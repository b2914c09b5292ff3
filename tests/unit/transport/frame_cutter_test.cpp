// FrameCutter: reads end exactly at WebSocket frame ends, whatever the length form (7, 16 or
// 64 bits), a mask, an empty frame, or a header split across socket reads.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "transport/frame_cutter.h"

namespace ssm::transport {
namespace {

using Bytes = std::vector<std::uint8_t>;

// One frame: FIN + binary, the payload length in its shortest form, masked if asked.
Bytes frame(std::size_t payload, bool masked = false) {
  Bytes f{0x82};
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload < 126) {
    f.push_back(static_cast<std::uint8_t>(mask_bit | payload));
  } else if (payload <= 0xffff) {
    f.push_back(mask_bit | 126);
    for (int shift : {8, 0}) f.push_back(static_cast<std::uint8_t>(payload >> shift));
  } else {
    f.push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(payload) >> shift));
  }
  if (masked) f.insert(f.end(), {1, 2, 3, 4});
  f.insert(f.end(), payload, 0xab);
  return f;
}

// Cuts `stream` by reads of at most `want` bytes; returns the sizes handed over.
std::vector<std::size_t> cut(const Bytes& stream, std::size_t want) {
  FrameCutter cutter;
  std::vector<std::size_t> reads;
  std::size_t at = 0;
  while (at < stream.size()) {
    const std::size_t n = cutter.take({stream.data() + at, stream.size() - at}, want);
    EXPECT_GT(n, 0u);
    if (n == 0) break;
    reads.push_back(n);
    at += n;
  }
  return reads;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

TEST(FrameCutter, EachReadEndsAtAFrameEnd) {
  const Bytes a = frame(100), b = frame(0), c = frame(300), d = frame(70000, true), e = frame(5, true);
  const auto reads = cut(concat({a, b, c, d, e}), 1 << 20);
  EXPECT_EQ(reads, (std::vector<std::size_t>{a.size(), b.size(), c.size(), d.size(), e.size()}));
}

TEST(FrameCutter, SmallReadsNeverCrossAFrameEnd) {
  const Bytes a = frame(1100), b = frame(20), c = frame(200, true);
  const auto reads = cut(concat({a, b, c}), 512);
  EXPECT_EQ(reads, (std::vector<std::size_t>{512, 512, a.size() - 1024, b.size(), c.size()}));
}

TEST(FrameCutter, AHeaderSplitAcrossReadsStaysInStep) {
  const Bytes a = frame(70000), b = frame(3);
  const Bytes stream = concat({a, b});
  FrameCutter cutter;
  std::size_t at = 0;
  // The 10-byte header arrives one byte per socket read, then the rest.
  for (int i = 0; i < 10; ++i) at += cutter.take({stream.data() + at, 1}, 4096);
  EXPECT_EQ(at, 10u);
  at += cutter.take({stream.data() + at, stream.size() - at}, 1 << 20);
  EXPECT_EQ(at, a.size()) << "the first read after the header did not stop at the frame's end";
  EXPECT_EQ(cutter.take({stream.data() + at, stream.size() - at}, 1 << 20), b.size());
}

}  // namespace
}  // namespace ssm::transport
