// tests/unit/endpoint — a minimal client of the endpoint for loopback tests: JSON API calls
// over HTTP(S) and one data-channel WebSocket (ws or wss), speaking ClientMessage frames as
// the plugin would. Every operation runs on the client's own io_context with a deadline, so
// that a broken server fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::endpoint::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

inline constexpr auto kDeadline = 10s;

// Runs `io` until `done` or the deadline; false on timeout.
inline bool run_until(asio::io_context& io, const bool& done, std::chrono::steady_clock::duration limit = kDeadline) {
  const auto until = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done && std::chrono::steady_clock::now() < until) io.run_one_until(until);
  return done;
}

inline std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

inline std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Plain: beast::tcp_stream; TLS: beast::ssl_stream<beast::tcp_stream> (needs `tls`).
template <typename Stream>
class Connection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(std::uint16_t port, asio::ssl::context* tls = nullptr) : port_(port) {
    if constexpr (kTls) stream_.emplace(beast::tcp_stream(io_), *tls);
    else stream_.emplace(io_);
  }

  bool connect() {
    bool done = false;
    error_code err;
    beast::get_lowest_layer(*stream_).async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                                                    [&](error_code ec) { err = ec, done = true; });
    if (!run_until(io_, done) || err) return false;
    if constexpr (kTls) {
      done = false;
      stream_->set_verify_mode(asio::ssl::verify_peer);
      stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
      stream_->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { err = ec, done = true; });
      if (!run_until(io_, done) || err) return false;
    }
    return true;
  }

  // One SSM API call; status 0 on a transport failure.
  std::pair<unsigned, std::string> api(const std::string& action, const std::string& body) {
    return call("AmazonSSM." + action, body);
  }

  // One JSON 1.1 call of any service the endpoint stands in for ("TrentService.GenerateDataKey").
  std::pair<unsigned, std::string> call(const std::string& target, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set("X-Amz-Target", target);
    req.set(http::field::content_type, "application/x-amz-json-1.1");
    req.body() = body;
    req.prepare_payload();
    bool done = false;
    error_code err;
    http::async_write(*stream_, req, [&](error_code ec, std::size_t) { err = ec, done = true; });
    if (!run_until(io_, done) || err) return {0, err.message()};
    http::response<http::string_body> res;
    done = false;
    http::async_read(*stream_, buffer_, res, [&](error_code ec, std::size_t) { err = ec, done = true; });
    if (!run_until(io_, done) || err) return {0, err.message()};
    return {res.result_int(), res.body()};
  }

  // The WebSocket upgrade on this connection.
  bool upgrade(const std::string& session_id) {
    ws_.emplace(std::move(*stream_));
    stream_.reset();
    bool done = false;
    error_code err;
    ws_->async_handshake("127.0.0.1", "/v1/data-channel/" + session_id + "?role=publish_subscribe",
                         [&](error_code ec) { err = ec, done = true; });
    return run_until(io_, done) && !err;
  }

  void send_text(const std::string& text) { write(asio::buffer(text), true); }

  void send(const wire::ClientMessage& m) {
    const auto frame = wire::encode(m);
    write(asio::buffer(frame), false);
  }

  // The next binary frame, decoded; nullopt on error or timeout (see last_error()). After a
  // timeout the read is still pending on this connection: do not read it again.
  std::optional<wire::ClientMessage> read(std::chrono::steady_clock::duration limit = kDeadline) {
    bool done = false;
    error_code err;
    beast::flat_buffer buffer;
    ws_->async_read(buffer, [&](error_code ec, std::size_t) { err = ec, done = true; });
    if (!run_until(io_, done, limit)) {
      last_error_ = asio::error::timed_out;
      return std::nullopt;
    }
    last_error_ = err;
    if (err) return std::nullopt;
    wire::ClientMessage m;
    const auto data = buffer.cdata();
    if (wire::decode({static_cast<const std::uint8_t*>(data.data()), data.size()}, m)) return std::nullopt;
    return m;
  }

  error_code last_error() const { return last_error_; }
  websocket::close_reason close_reason() const { return ws_->reason(); }

  // Drops the connection without a close frame, as the plugin does.
  void drop() {
    error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
  }

 private:
  void write(asio::const_buffer b, bool text) {
    ws_->text(text);
    bool done = false;
    error_code err;
    ws_->async_write(b, [&](error_code ec, std::size_t) { err = ec, done = true; });
    run_until(io_, done);
  }

  std::uint16_t port_;
  asio::io_context io_;
  std::optional<Stream> stream_;
  std::optional<websocket::stream<Stream>> ws_;
  beast::flat_buffer buffer_;
  error_code last_error_;
};

// What the plugin sends: data messages numbered from 0, and acks.
class ClientSide {
 public:
  wire::ClientMessage data(wire::PayloadType type, std::string_view payload) {
    wire::ClientMessage m;
    m.message_type = std::string(wire::message_type::input_stream_data);
    m.created_date = now_ms();
    m.sequence_number = next_seq_++;
    m.message_id = wire::Uuid::random_v4();
    m.payload_type = type;
    m.payload = bytes(payload);
    return m;
  }

  static wire::ClientMessage ack(const wire::ClientMessage& of) {
    const std::string json = wire::to_json(
        wire::Acknowledge{of.message_type, of.message_id.to_string(), of.sequence_number, true});
    wire::ClientMessage m;
    m.message_type = std::string(wire::message_type::acknowledge);
    m.created_date = now_ms();
    m.flags = wire::kFlagSyn | wire::kFlagFin;
    m.message_id = wire::Uuid::random_v4();
    m.payload = bytes(json);
    return m;
  }

 private:
  std::int64_t next_seq_ = 0;
};

inline std::string open_data_channel(const std::string& token) {
  wire::OpenDataChannel open;
  open.request_id = wire::Uuid::random_v4().to_string();
  open.token_value = token;
  open.client_id = wire::Uuid::random_v4().to_string();
  open.client_version = "1.2.835.0";
  return wire::to_json(open);
}

}  // namespace ssm::endpoint::test
