// Input sent before the agent's handshake is known (InputJournal inside DataChannel): nothing
// sent while holding, held input sent on release with copies kept, everything sent again as
// new messages on replay, nothing on forget, back-pressure when the journal is full.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "channel/data_channel.h"

namespace ssm::channel {
namespace {

// Keeps every frame the channel writes, decoded.
class Wire final : public FrameWriter {
 public:
  std::vector<wire::ClientMessage> sent;
  void write_frame(Frame f) override {
    wire::ClientMessage m;
    ASSERT_FALSE(wire::decode(*f, m));
    sent.push_back(std::move(m));
  }
  std::string payloads() const {
    std::string all;
    for (const auto& m : sent) all.append(m.payload.begin(), m.payload.end()).append("|");
    return all;
  }
};

class Handler final : public ChannelHandler {
 public:
  int space_events = 0;
  Delivery on_data(const wire::ClientMessage&) override { return Delivery::accepted; }
  void on_channel_closed(const wire::ChannelClosed&) override {}
  void on_send_space() override { ++space_events; }
  void on_channel_failed(std::error_code, std::string_view) override {}
};

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct ClientChannel {
  boost::asio::io_context io;
  Wire wire;
  Handler handler;
  DataChannel channel{io.get_executor(), ChannelConfig{}, wire, handler};
  void send(std::string_view s, wire::PayloadType type = wire::PayloadType::output) { channel.send(type, bytes(s)); }
};

TEST(InputJournal, HeldInputIsNotSentUntilReleased) {
  ClientChannel c;
  c.channel.hold_input();
  c.send("size", wire::PayloadType::size);
  c.send("ls\r");
  c.send("answer", wire::PayloadType::handshake_response);  // the handshake's own: never held
  EXPECT_EQ(c.wire.payloads(), "answer|");
  EXPECT_FALSE(c.channel.all_acknowledged());
  c.channel.release_input();
  EXPECT_EQ(c.wire.payloads(), "answer|size|ls\r|");
  ASSERT_EQ(c.wire.sent.size(), 3u);
  EXPECT_EQ(c.wire.sent[1].payload_type, wire::PayloadType::size);
  for (std::size_t i = 0; i < c.wire.sent.size(); ++i) EXPECT_EQ(c.wire.sent[i].sequence_number, static_cast<std::int64_t>(i));
}

TEST(InputJournal, ReleasedAndRecordedInputIsSentAgainOnReplay) {
  ClientChannel c;
  c.channel.hold_input();
  c.send("a");
  c.channel.release_input();
  c.send("b");  // recording: sent at once, a copy kept
  EXPECT_EQ(c.wire.payloads(), "a|b|");
  c.channel.hold_input();  // a handshake began after all
  c.send("c");
  EXPECT_EQ(c.wire.payloads(), "a|b|");
  c.channel.replay_input();
  EXPECT_EQ(c.wire.payloads(), "a|b|a|b|c|");
  c.send("after");  // the journal has stopped
  c.channel.replay_input();
  EXPECT_EQ(c.wire.payloads(), "a|b|a|b|c|after|");
}

TEST(InputJournal, ForgetKeepsWhatWasSentAndStopsTheJournal) {
  ClientChannel c;
  c.channel.hold_input();
  c.send("a");
  c.channel.release_input();
  c.channel.forget_input();  // the agent started without a handshake: it has "a"
  c.send("b");
  c.channel.replay_input();
  EXPECT_EQ(c.wire.payloads(), "a|b|");
  EXPECT_FALSE(c.channel.holding_input());
}

TEST(InputJournal, WithoutAJournalNothingIsKept) {
  ClientChannel c;
  c.send("a");
  c.channel.replay_input();
  EXPECT_EQ(c.wire.payloads(), "a|");
}

TEST(InputJournal, AFullJournalPushesBackAndWakesTheSourceWhenDone) {
  ClientChannel c;
  c.channel.hold_input();
  const std::string chunk(4096, 'x');
  int given = 0;
  while (c.channel.has_send_space()) {
    c.send(chunk);
    ++given;
  }
  EXPECT_EQ(given, static_cast<int>(InputJournal::kLimit / chunk.size()));
  EXPECT_TRUE(c.wire.sent.empty());
  EXPECT_EQ(c.handler.space_events, 0);
  c.channel.replay_input();
  EXPECT_EQ(c.wire.sent.size(), InputJournal::kLimit / kMaxPayload);  // split into 1 KiB messages
  EXPECT_TRUE(c.channel.has_send_space());
  EXPECT_EQ(c.handler.space_events, 1);
}

}  // namespace
}  // namespace ssm::channel
