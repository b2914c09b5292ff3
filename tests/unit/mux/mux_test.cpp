// smux v1 against the worked examples of protocol-smux-kms-aws.md §1.11.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "mux/mux_client.h"

namespace ssm::mux {
namespace {

std::vector<std::uint8_t> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(SmuxFrame, WorkedExamples) {
  std::vector<std::uint8_t> out;
  append_frame(out, Command::syn, 3);
  EXPECT_EQ(out, hex("01 00 00 00 03 00 00 00"));
  out.clear();
  append_frame(out, Command::psh, 3, bytes("hello"));
  EXPECT_EQ(out, hex("01 02 05 00 03 00 00 00 68 65 6c 6c 6f"));
  out.clear();
  append_frame(out, Command::fin, 3);
  EXPECT_EQ(out, hex("01 01 00 00 03 00 00 00"));
  out.clear();
  append_frame(out, Command::nop, 0);
  EXPECT_EQ(out, hex("01 03 00 00 00 00 00 00"));
  out.clear();
  std::vector<std::uint8_t> data300(300), data4660(0x1234);
  append_frame(out, Command::psh, 5, data300);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 8), hex("01 02 2c 01 05 00 00 00"));
  out.clear();
  append_frame(out, Command::psh, 0x01020304, data4660);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 8), hex("01 02 34 12 04 03 02 01"));
}

struct Recorder : MuxEvents {
  std::map<std::uint32_t, std::string> data;
  std::vector<std::uint32_t> fins;
  std::error_code error;
  void on_stream_data(std::uint32_t sid, std::span<const std::uint8_t> d) override {
    data[sid].append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  void on_stream_fin(std::uint32_t sid) override { fins.push_back(sid); }
  void on_mux_error(std::error_code ec) override { error = ec; }
};

TEST(MuxClient, GetRequestExampleByteForByte) {
  Recorder r;
  MuxClient c(r);
  const auto sid = c.open();
  EXPECT_EQ(sid, 3u);
  c.write(sid, bytes("GET / HTTP/1.0\r\n\r\n"));
  c.close(sid);
  EXPECT_EQ(c.outbound(), hex("01 00 00 00 03 00 00 00 01 02 12 00 03 00 00 00 47 45 54 20 2f 20 48 54 54 50 "
                              "2f 31 2e 30 0d 0a 0d 0a 01 01 00 00 03 00 00 00"));
  EXPECT_EQ(c.open(), 5u);
  EXPECT_EQ(c.open(), 7u);
}

TEST(MuxClient, ReassemblesFramesFedOneByteAtATime) {
  Recorder r;
  MuxClient c(r);
  const auto a = c.open(), b = c.open();
  std::vector<std::uint8_t> in;
  append_frame(in, Command::psh, a, bytes("first"));
  append_frame(in, Command::nop, 0);
  append_frame(in, Command::psh, b, bytes("second"));
  append_frame(in, Command::psh, a, bytes(" more"));
  append_frame(in, Command::fin, a);
  for (auto byte : in) c.receive(std::span(&byte, 1));
  EXPECT_EQ(r.data[a], "first more");
  EXPECT_EQ(r.data[b], "second");
  EXPECT_EQ(r.fins, std::vector<std::uint32_t>{a});
  EXPECT_TRUE(c.take_activity());
  EXPECT_FALSE(c.take_activity());
}

TEST(MuxClient, LargeWritesAreCutAt32KiB) {
  Recorder r;
  MuxClient c(r);
  const auto sid = c.open();
  c.outbound().clear();
  std::vector<std::uint8_t> big(70000, 'x');
  c.write(sid, big);
  // 32768 + 32768 + 4464, each with an 8-byte header.
  EXPECT_EQ(c.outbound().size(), 70000u + 3 * 8);
  FrameParser p;
  p.feed(c.outbound());
  Frame f;
  std::error_code ec;
  std::vector<std::size_t> sizes;
  while (p.next(f, ec)) sizes.push_back(f.data.size());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{32768, 32768, 4464}));
}

TEST(MuxClient, ClosedAndUnknownStreamsAreDiscarded) {
  Recorder r;
  MuxClient c(r);
  const auto sid = c.open();
  c.close(sid);
  c.close(sid);  // FIN only once
  std::vector<std::uint8_t> in;
  append_frame(in, Command::psh, sid, bytes("late"));
  append_frame(in, Command::psh, 99, bytes("nobody"));
  append_frame(in, Command::fin, 99);
  c.receive(in);
  EXPECT_TRUE(r.data.empty());
  EXPECT_TRUE(r.fins.empty());
  EXPECT_EQ(c.outbound(), hex("01 00 00 00 03 00 00 00 01 01 00 00 03 00 00 00"));
}

TEST(MuxClient, ServerOpenedStreamsAreRefusedWithFin) {
  Recorder r;
  MuxClient c(r);
  std::vector<std::uint8_t> in;
  append_frame(in, Command::syn, 2);
  c.receive(in);
  EXPECT_EQ(c.outbound(), hex("01 01 00 00 02 00 00 00"));
}

TEST(MuxClient, ControlFramesIgnoreTheirLengthField) {
  Recorder r;
  MuxClient c(r);
  const auto sid = c.open();
  // A FIN whose length says 5: nothing is read after it, so the next frame still parses.
  auto in = hex("01 01 05 00 03 00 00 00");
  append_frame(in, Command::psh, sid, bytes("ok"));
  c.receive(in);
  EXPECT_EQ(r.fins.size(), 1u);
  EXPECT_EQ(r.data[sid], "ok");
}

TEST(MuxClient, ProtocolErrorsAreFinal) {
  for (auto bad : {hex("02 02 00 00 03 00 00 00"), hex("01 04 08 00 03 00 00 00"), hex("01 09 00 00 00 00 00 00")}) {
    Recorder r;
    MuxClient c(r);
    c.open();
    c.receive(bad);
    EXPECT_TRUE(r.error) << int(bad[0]) << " " << int(bad[1]);
    std::vector<std::uint8_t> more;
    append_frame(more, Command::psh, 3, bytes("x"));
    c.receive(more);
    EXPECT_TRUE(r.data.empty());
  }
}

}  // namespace
}  // namespace ssm::mux
