// tests/unit/endpoint — the endpoint server in-process on its own thread, and the few steps
// every loopback test takes with it: StartSession, then the data messages a client reads.
// Shared by loopback_test.cpp and agent_modes_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/post.hpp>

#include "endpoint/endpoint_server.h"
#include "test_client.h"

namespace ssm::endpoint::test {

using Plain = Connection<beast::tcp_stream>;
using Tls = Connection<beast::ssl_stream<beast::tcp_stream>>;

// The server runs on `io` in a thread; the test talks to it only through sockets. Its output
// is read once the thread has stopped.
class Loopback {
 public:
  explicit Loopback(EndpointConfig config)
      : server_(io_, std::move(config), Diagnostics(events_, errors_, true)), thread_([this] {
          server_.start();
          io_.run();
        }) {}

  ~Loopback() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    std::promise<void> stopped;
    asio::post(io_, [&] {
      server_.stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return server_.port(); }
  std::string events() const { return events_.str(); }
  std::string errors() const { return errors_.str(); }

 private:
  std::ostringstream events_, errors_;
  asio::io_context io_;
  EndpointServer server_;
  std::thread thread_;
};

struct Session {
  std::string id, token;
};

template <typename C>
inline Session start_session(C& api, const std::string& document, const std::string& parameters = "{}") {
  const auto [status, body] =
      api.api("StartSession", R"({"Target":"i-0123","DocumentName":")" + document + R"(","Parameters":)" + parameters + "}");
  EXPECT_EQ(status, 200u) << body;
  const auto j = wire::Json::parse(body, nullptr, false);
  if (!j.is_object()) return {};
  return {j.value("SessionId", ""), j.value("TokenValue", "")};
}

template <typename C>
std::optional<wire::ClientMessage> next_data(C& ws) {
  while (auto m = ws.read()) {
    if (m->message_type != wire::message_type::acknowledge) return m;
  }
  return std::nullopt;
}


}  // namespace ssm::endpoint::test
