// CoalescingStream under a real Beast WebSocket on a loopback TCP pair, both ends on one
// io_context: frames written in bursts arrive whole and in order, control frames interleave
// without tearing data frames, the close handshake still reaches the peer, a dead peer
// turns into an error on a later write, and what one socket read brought is handled in one
// pass of the event loop.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "transport/coalescing_stream.h"

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Ws = websocket::stream<CoalescingStream<beast::tcp_stream>>;

// Message i: a size that crosses the 1536-byte read chunk and the 125/65535 header forms.
std::vector<std::uint8_t> message(int i) {
  std::vector<std::uint8_t> m(static_cast<std::size_t>((i * 397) % 3000 + 1));
  for (std::size_t k = 0; k < m.size(); ++k) m[k] = static_cast<std::uint8_t>(i * 31 + k);
  return m;
}

class CoalescingStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket server_socket(io_);
    client_.next_layer().next_layer().socket().connect(acceptor.local_endpoint());
    acceptor.accept(server_socket);
    server_.emplace(std::move(server_socket));
    server_->async_accept([](error_code ec) { ASSERT_FALSE(ec) << ec.message(); });
    client_.async_handshake("127.0.0.1", "/", [](error_code ec) { ASSERT_FALSE(ec) << ec.message(); });
    io_.run_for(std::chrono::seconds(10));
    io_.restart();
    client_.binary(true);
    server_->binary(true);
  }

  // Reads every message into `received` until the stream ends; returns how it ended.
  void read_all(Ws& ws, std::vector<std::vector<std::uint8_t>>& received, error_code& end) {
    ws.async_read(buffer_, [&](error_code ec, std::size_t) {
      if (ec) {
        end = ec;
        return;
      }
      const auto data = buffer_.cdata();
      const auto* p = static_cast<const std::uint8_t*>(data.data());
      received.emplace_back(p, p + data.size());
      buffer_.consume(buffer_.size());
      read_all(ws, received, end);
    });
  }

  asio::io_context io_;
  Ws client_{io_};
  std::optional<Ws> server_;
  beast::flat_buffer buffer_;
};

TEST_F(CoalescingStreamTest, BurstsArriveWholeAndInOrderAroundPingsAndClose) {
  constexpr int kMessages = 2000;
  std::vector<std::vector<std::uint8_t>> received;
  error_code end;
  read_all(*server_, received, end);

  std::size_t framed = 0;
  for (int i = 0; i < kMessages; ++i) {
    if (i == kMessages / 2) client_.async_ping({}, [](error_code ec) { EXPECT_FALSE(ec); });
    error_code ec;
    client_.write(asio::buffer(message(i)), ec);
    ASSERT_FALSE(ec) << ec.message();
    framed += message(i).size();
  }
  // Nothing has reached the socket yet: the whole burst waits for the event loop.
  EXPECT_GE(client_.next_layer().buffered_bytes(), framed);

  bool closed = false;
  client_.async_close(websocket::close_code::normal, [&](error_code ec) {
    EXPECT_FALSE(ec) << ec.message();
    closed = true;
  });
  io_.run_for(std::chrono::seconds(10));  // a hang fails instead of blocking the suite

  EXPECT_TRUE(closed);
  EXPECT_EQ(end, websocket::error::closed);
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(received[static_cast<std::size_t>(i)], message(i)) << "message " << i;
  EXPECT_EQ(client_.next_layer().buffered_bytes(), 0u);
}

TEST_F(CoalescingStreamTest, RepliesWrittenWhileHandlingReadsAllArrive) {
  // The server answers each message as it reads it (as acks are), the client counts.
  constexpr int kMessages = 500;
  std::vector<std::vector<std::uint8_t>> at_server, at_client;
  error_code server_end, client_end;
  beast::flat_buffer server_buffer;
  std::function<void()> serve = [&] {
    server_->async_read(server_buffer, [&](error_code ec, std::size_t) {
      if (ec) {
        server_end = ec;
        return;
      }
      at_server.emplace_back(static_cast<const std::uint8_t*>(server_buffer.cdata().data()),
                             static_cast<const std::uint8_t*>(server_buffer.cdata().data()) + server_buffer.size());
      server_buffer.consume(server_buffer.size());
      const std::string ack = "ack " + std::to_string(at_server.size());
      server_->write(asio::buffer(ack));
      serve();
    });
  };
  serve();
  read_all(client_, at_client, client_end);
  for (int i = 0; i < kMessages; ++i) client_.write(asio::buffer(message(i)));
  while (at_client.size() < static_cast<std::size_t>(kMessages) && io_.run_one() > 0) {
  }
  ASSERT_EQ(at_client.size(), static_cast<std::size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    const std::string expected = "ack " + std::to_string(i + 1);
    ASSERT_EQ(std::string(at_client[static_cast<std::size_t>(i)].begin(), at_client[static_cast<std::size_t>(i)].end()),
              expected);
  }
}

TEST_F(CoalescingStreamTest, EveryFrameOneSocketReadBroughtIsHandledInOnePass) {
  // 40 small messages leave the server in one socket write and arrive in one socket read.
  constexpr std::size_t kMessages = 40;
  std::vector<std::vector<std::uint8_t>> received;
  std::vector<std::size_t> received_at_idle;
  error_code end;
  client_.next_layer().on_read_idle([&] { received_at_idle.push_back(received.size()); });
  client_.next_layer().cut_reads_at_frame_ends();
  read_all(client_, received, end);
  for (std::size_t i = 0; i < kMessages; ++i) server_->write(asio::buffer(std::string(100, static_cast<char>('a' + i % 26))));
  int passes_with_messages = 0;
  while (received.size() < kMessages) {
    const std::size_t before = received.size();
    ASSERT_EQ(io_.run_one_for(std::chrono::seconds(10)), 1u) << "stalled after " << before << " messages";
    if (received.size() != before) ++passes_with_messages;
  }
  EXPECT_EQ(passes_with_messages, 1) << "frames already read waited for further trips through the event loop";
  ASSERT_FALSE(received_at_idle.empty());
  EXPECT_EQ(received_at_idle.back(), kMessages) << "the reader was told it is idle with frames still unhandled";
  for (std::size_t i = 0; i < kMessages; ++i)
    EXPECT_EQ(received[i], std::vector<std::uint8_t>(100, static_cast<std::uint8_t>('a' + i % 26)));
}

TEST_F(CoalescingStreamTest, ADeadPeerFailsALaterWrite) {
  server_->next_layer().next_layer().socket().close();
  server_.reset();
  error_code ec;
  // The first writes may still be taken by the kernel; the reset it answers with must
  // surface as an error on one of the writes after it, not be swallowed.
  for (int i = 0; i < 1000 && !ec; ++i) {
    client_.write(asio::buffer(message(i)), ec);
    io_.run_for(std::chrono::milliseconds(1));
    io_.restart();
  }
  EXPECT_TRUE(ec == asio::error::broken_pipe || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
}  // namespace ssm::transport
