// After a KMS handshake the data channel carries session data sealed (protocol-smux-kms-aws.md
// §2.5): a client and an agent channel with their halves of one data key, frames handed over
// by hand so that the test can look at them, reorder them, or give the client the wrong key.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "channel/data_channel.h"

namespace ssm::channel {
namespace {

namespace asio = boost::asio;

// Keeps what a channel writes; the test decides when, and in which order, the peer gets it.
struct Recorder final : FrameWriter {
  std::vector<Frame> frames;
  void write_frame(Frame f) override { frames.push_back(std::move(f)); }
  // Data messages only (acks left out), in the order written.
  std::vector<Frame> data(std::string_view type) const {
    std::vector<Frame> out;
    for (const auto& f : frames) {
      wire::ClientMessage m;
      if (!wire::decode(*f, m) && m.message_type == type) out.push_back(f);
    }
    return out;
  }
};

struct Handler final : ChannelHandler {
  std::vector<std::pair<wire::PayloadType, std::string>> received;
  std::optional<std::string> failure;
  Delivery on_data(const wire::ClientMessage& m) override {
    received.emplace_back(m.payload_type, std::string(m.payload.begin(), m.payload.end()));
    return Delivery::accepted;
  }
  void on_channel_closed(const wire::ChannelClosed&) override {}
  void on_send_space() override {}
  void on_channel_failed(std::error_code, std::string_view reason) override { failure = std::string(reason); }
};

ChannelConfig config(ChannelRole role) {
  ChannelConfig c;
  c.role = role;
  return c;
}

std::vector<std::uint8_t> data_key(std::uint8_t first) {
  std::vector<std::uint8_t> key(crypto::kDataKeySize);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

struct Pair {
  asio::io_context io;
  Recorder client_wire, agent_wire;
  Handler client_handler, agent_handler;
  DataChannel client{io.get_executor(), config(kClient), client_wire, client_handler};
  DataChannel agent{io.get_executor(), config(kAgent), agent_wire, agent_handler};

  Pair(std::uint8_t client_key = 0, std::uint8_t agent_key = 0) {
    client.set_cipher(crypto::SessionCipher::make(crypto::CipherSide::plugin, data_key(client_key)));
    agent.set_cipher(crypto::SessionCipher::make(crypto::CipherSide::agent, data_key(agent_key)));
  }
  ~Pair() {
    client.close();
    agent.close();
  }
};

wire::ClientMessage decoded(const Frame& f) {
  wire::ClientMessage m;
  EXPECT_FALSE(wire::decode(*f, m));
  return m;
}

TEST(EncryptedChannel, ClientOutputIsSealedOnTheWireAndOpenedByTheAgent) {
  Pair p;
  const std::string hello = "hello";
  p.client.send(wire::PayloadType::output, wire::as_bytes(hello));
  p.client.send(wire::PayloadType::size, wire::as_bytes(R"({"cols":80,"rows":24})"));
  const auto frames = p.client_wire.data(wire::message_type::input_stream_data);
  ASSERT_EQ(frames.size(), 2u);
  const auto output = decoded(frames[0]);
  EXPECT_EQ(output.payload.size(), hello.size() + crypto::kSealOverhead);
  EXPECT_EQ(decoded(frames[1]).payload_text(), R"({"cols":80,"rows":24})") << "Size is never encrypted";
  for (const auto& f : frames) p.agent.on_frame(*f);
  ASSERT_EQ(p.agent_handler.received.size(), 2u);
  EXPECT_EQ(p.agent_handler.received[0].second, "hello");
  EXPECT_EQ(p.agent_handler.received[1].second, R"({"cols":80,"rows":24})");
  EXPECT_FALSE(p.agent_handler.failure);
}

TEST(EncryptedChannel, AgentOutputStdErrAndExitCodeAreOpenedEvenOutOfOrder) {
  Pair p;
  p.agent.send(wire::PayloadType::handshake_complete, wire::as_bytes(R"({"HandshakeTimeToComplete":1,"CustomerMessage":""})"));
  p.agent.send(wire::PayloadType::output, wire::as_bytes("out"));
  p.agent.send(wire::PayloadType::stderr_data, wire::as_bytes("err"));
  p.agent.send(wire::PayloadType::exit_code, wire::as_bytes("EXIT_CODE: 3"));
  auto frames = p.agent_wire.data(wire::message_type::output_stream_data);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(decoded(frames[0]).payload_text(), R"({"HandshakeTimeToComplete":1,"CustomerMessage":""})");
  // Newest first: all but the last wait in the receive buffer, still sealed, until seq 0 comes.
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) p.client.on_frame(**it);
  ASSERT_EQ(p.client_handler.received.size(), 4u);
  EXPECT_EQ(p.client_handler.received[1], std::make_pair(wire::PayloadType::output, std::string("out")));
  EXPECT_EQ(p.client_handler.received[2], std::make_pair(wire::PayloadType::stderr_data, std::string("err")));
  EXPECT_EQ(p.client_handler.received[3], std::make_pair(wire::PayloadType::exit_code, std::string("EXIT_CODE: 3")));
  EXPECT_FALSE(p.client_handler.failure);
}

TEST(EncryptedChannel, LongOutputIsSplitBeforeItIsSealed) {
  Pair p;
  const std::string big(2 * kMaxPayload + 10, 'x');
  p.client.send(wire::PayloadType::output, wire::as_bytes(big));
  const auto frames = p.client_wire.data(wire::message_type::input_stream_data);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(decoded(frames[0]).payload.size(), kMaxPayload + crypto::kSealOverhead);
  for (const auto& f : frames) p.agent.on_frame(*f);
  std::string joined;
  for (const auto& [type, text] : p.agent_handler.received) joined += text;
  EXPECT_EQ(joined, big);
}

TEST(EncryptedChannel, AnotherKeyFailsTheChannelWithOneLine) {
  Pair p(/*client_key=*/0, /*agent_key=*/1);
  p.agent.send(wire::PayloadType::output, wire::as_bytes("secret"));
  for (const auto& f : p.agent_wire.data(wire::message_type::output_stream_data)) p.client.on_frame(*f);
  EXPECT_TRUE(p.client_handler.received.empty());
  ASSERT_TRUE(p.client_handler.failure);
  EXPECT_EQ(*p.client_handler.failure,
            "cannot decrypt session data from the peer (sequence number 0): the encrypted payload failed authentication");
  // Nothing of it is acknowledged, nothing more is delivered.
  EXPECT_TRUE(p.client_wire.data(wire::message_type::acknowledge).empty());
}

}  // namespace
}  // namespace ssm::channel
