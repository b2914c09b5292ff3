// Upgrade headers that come late (a signature waiting for credentials): the connection is made
// at once, the upgrade request waits until they are handed over and then carries them; a
// client closed meanwhile sends nothing.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <gtest/gtest.h>

#include "transport/websocket_client.h"

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Listener final : ConnectionListener {
  void on_open() override { opened = true; }
  void on_frame(std::span<const std::uint8_t>) override {}
  void on_closed(CloseReason, std::string_view message) override { closed = std::string(message); }
  bool opened = false;
  std::optional<std::string> closed;
};

class LateHeaders : public ::testing::Test {
 protected:
  // Runs the loop until `done` holds (or a few seconds pass).
  bool run_until(const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) {
      io.restart();
      io.run_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  ConnectOptions options() {
    ConnectOptions o;
    o.url = "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1/data-channel/s?role=x";
    o.open_message = "{}";
    o.headers = {{"User-Agent", "test"}};
    o.late_headers = [this](std::function<void(HeaderList)> r) { ready = std::move(r); };
    return o;
  }

  // Accepts the client's connection.
  void serve() {
    acceptor.async_accept(peer, [this](boost::system::error_code ec) { accepted = !ec; });
  }
  // Reads the client's request head.
  void read_request() {
    asio::async_read_until(peer, asio::dynamic_buffer(request), "\r\n\r\n",
                           [this](boost::system::error_code e, std::size_t) { request_done = !e; });
  }

  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket peer{io};
  std::string request;
  bool accepted = false, request_done = false;
  std::function<void(HeaderList)> ready;
  Listener listener;
};

TEST_F(LateHeaders, TheConnectionIsMadeAtOnceAndTheUpgradeWaitsForThem) {
  serve();
  auto client = connect_websocket(io.get_executor(), options(), listener);
  ASSERT_TRUE(run_until([&] { return accepted && ready; })) << "no connection, or the headers were never asked for";
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(peer.available(), 0u) << "the upgrade went out before its headers";
  ready({{"Authorization", "AWS4-HMAC-SHA256 late"}});
  read_request();
  ASSERT_TRUE(run_until([&] { return request_done; }));
  EXPECT_NE(request.find("GET /v1/data-channel/s?role=x HTTP/1.1\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("User-Agent: test\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("Authorization: AWS4-HMAC-SHA256 late\r\n"), std::string::npos) << request;
  client->close();
}

TEST_F(LateHeaders, AClientClosedWhileWaitingSendsNothingWhenTheyCome) {
  serve();
  auto client = connect_websocket(io.get_executor(), options(), listener);
  ASSERT_TRUE(run_until([&] { return accepted && ready; }));
  client->close();
  ready({{"Authorization", "too late"}});
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(peer.available(), 0u) << "a closed client sent its upgrade";
  EXPECT_FALSE(listener.closed) << "a closed client reported " << *listener.closed;
  EXPECT_FALSE(listener.opened);
}

}  // namespace
}  // namespace ssm::transport
