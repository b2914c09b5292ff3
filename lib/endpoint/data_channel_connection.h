// lib/endpoint — one data-channel WebSocket (ws or wss) after the upgrade: checks the
// OpenDataChannel text frame (a wrong token closes with 1008 "invalid token"), then carries
// binary ClientMessage frames between the client and its AgentSession. Pings every 54 s and
// hangs up when pongs stop, as the agent does (agent-side.md §3.1). Header-only because it
// is a template over the plain and TLS streams; only connections.cpp includes it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "endpoint/agent_link.h"
#include "endpoint/endpoint_server.h"
#include "transport/coalescing_stream.h"
#include "wire/payloads.h"

namespace ssm::endpoint {

namespace dcc {
using namespace std::chrono_literals;
inline constexpr auto kHandshakeTimeout = 30s;
inline constexpr auto kPingInterval = 54s;
inline constexpr auto kFirstPongDeadline = 114s;  // before any pong
inline constexpr auto kPongDeadline = 60s;        // after each pong
inline constexpr std::size_t kMaxMessage = 1 << 20;
// After the last frame (channel_closed) the connection half-closes and drains what the client
// still sends (its acks) for at most this long. Closing with unread input would make the
// kernel answer with a reset, which can destroy the client's copy of channel_closed before
// the client has read it.
inline constexpr auto kLingerTimeout = 5s;

inline bool is_quiet(const boost::system::error_code& ec) {
  namespace beast = boost::beast;
  return ec == boost::asio::error::operation_aborted || ec == beast::websocket::error::closed ||
         ec == boost::asio::error::eof || ec == beast::http::error::end_of_stream ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe;
}
}  // namespace dcc

template <typename Stream>
class DataChannelConnection final : public AgentLink,
                                    public std::enable_shared_from_this<DataChannelConnection<Stream>> {
 public:
  using error_code = boost::system::error_code;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  DataChannelConnection(Stream&& stream, EndpointServer& server, std::string session_id)
      : ws_(std::move(stream)),
        server_(server),
        session_id_(std::move(session_id)),
        ping_timer_(ws_.get_executor()),
        pong_timer_(ws_.get_executor()) {}

  void run(Request request) {
    namespace websocket = boost::beast::websocket;
    boost::beast::get_lowest_layer(ws_).expires_never();  // the websocket keeps its own time
    websocket::stream_base::timeout t{};
    t.handshake_timeout = dcc::kHandshakeTimeout;
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;  // our own pings: unconditional, as the agent's
    ws_.set_option(t);
    ws_.read_message_max(dcc::kMaxMessage);
    ws_.auto_fragment(false);
    ws_.control_callback([this](websocket::frame_type kind, boost::beast::string_view) {
      if (kind == websocket::frame_type::pong) pong_deadline_ = std::chrono::steady_clock::now() + dcc::kPongDeadline;
    });
    ws_.async_accept(request, boost::beast::bind_front_handler(&DataChannelConnection::on_accept, self()));
  }

  // ---- AgentLink ----
  // The frame is framed into the coalescing layer at once; it reaches the socket, with
  // whatever else this turn of the event loop wrote, when the loop is free.
  void send(channel::Frame frame) override {
    if (closed_ || frozen_ || closing_ || !open_) return;
    error_code ec;
    ws_.write(boost::asio::buffer(*frame), ec);
    if (ec && !failing_) {
      failing_ = true;  // report from the event loop, not from inside the session's call
      boost::asio::post(ws_.get_executor(), [self = self(), ec] {
        if (!self->closed_) self->lost("writing", ec);
      });
    }
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    stop_timers();
    error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(ws_).socket();
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  void close_when_flushed() override {
    if (closed_ || closing_) return;
    if (frozen_) return close();
    closing_ = true;
    // Weak: the callback is stored in our own stream, so a strong reference would be a cycle
    // whenever the flush never completes (the loop stopped first). The pending read keeps us
    // alive meanwhile; if we are gone, so is the socket, and there is nothing to half-close.
    ws_.next_layer().when_flushed([weak = this->weak_from_this()](error_code ec) {
      if (auto self = weak.lock()) self->half_close(ec);
    });
  }

  std::size_t queued_bytes() const override { return ws_.next_layer().buffered_bytes(); }

  void freeze() override {
    if (closed_ || frozen_) return;
    frozen_ = true;
    stop_timers();
    // Cancelling the pending read stops Beast from answering pings; the socket stays open.
    boost::beast::get_lowest_layer(ws_).socket().cancel();
  }

 private:
  std::shared_ptr<DataChannelConnection> self() { return this->shared_from_this(); }

  void on_accept(error_code ec) {
    if (ec) return log_unless_quiet("WebSocket upgrade", ec);
    ws_.async_read(buffer_, boost::beast::bind_front_handler(&DataChannelConnection::on_open_message, self()));
  }

  // The first frame: OpenDataChannel (protocol.md §2.2).
  void on_open_message(error_code ec, std::size_t) {
    namespace websocket = boost::beast::websocket;
    if (ec) return log_unless_quiet("reading OpenDataChannel", ec);
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    wire::OpenDataChannel open;
    std::string error = "the first message is not an OpenDataChannel text frame";
    if (ws_.got_text() && !wire::parse(text, open)) session_ = server_.open_data_channel(session_id_, open.token_value, error);
    buffer_.consume(buffer_.size());
    if (!session_) {
      server_.out().log("refused a data channel: " + error);
      // What the service does with a bad token: close, policy violation.
      ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, "invalid token"),
                      boost::beast::bind_front_handler(&DataChannelConnection::on_refused, self()));
      return;
    }
    open_ = true;
    ws_.binary(true);
    // From here, frames: one per read, all of a socket read's in one pass (CoalescingStream).
    // The hooks run from this connection's own stream, so only while it exists.
    ws_.next_layer().cut_reads_at_frame_ends();
    ws_.next_layer().on_write_done([this] {
      if (session_ && !closed_) session_->on_link_write_progress(this);
    });
    pong_deadline_ = std::chrono::steady_clock::now() + dcc::kFirstPongDeadline;
    arm_ping();
    arm_pong_check();
    session_->attach(self(), open.client_id, open.client_version);
    read_next();
  }

  void on_refused(error_code) {}  // closed either way

  // Everything is written: FIN to the client, then drain its input until it closes too.
  void half_close(error_code ec) {
    if (closed_) return;
    if (ec || frozen_) return close();
    stop_timers();
    boost::beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) return close();
    pong_timer_.expires_after(dcc::kLingerTimeout);
    pong_timer_.async_wait([self = self()](error_code timer_ec) {
      if (!timer_ec) self->close();
    });
  }

  void read_next() {
    ws_.async_read(buffer_, boost::beast::bind_front_handler(&DataChannelConnection::on_read, self()));
  }

  void on_read(error_code ec, std::size_t) {
    if (closed_ || frozen_) return;  // we hung up, or play dead
    if (ec && closing_) return close();  // the client is gone too: done draining
    if (ec) return lost("reading", ec);
    const auto data = buffer_.cdata();
    if (!closing_) session_->on_client_frame({static_cast<const std::uint8_t*>(data.data()), data.size()});
    buffer_.consume(buffer_.size());
    if (!closed_ && !frozen_) read_next();
  }

  // ---- keep-alive ----
  void arm_ping() {
    ping_timer_.expires_after(dcc::kPingInterval);
    ping_timer_.async_wait(boost::beast::bind_front_handler(&DataChannelConnection::on_ping_timer, self()));
  }

  void on_ping_timer(error_code ec) {
    if (ec || closed_ || frozen_) return;
    if (!pinging_) {
      pinging_ = true;  // Beast interleaves the ping with a pending write
      ws_.async_ping({}, boost::beast::bind_front_handler(&DataChannelConnection::on_ping, self()));
    }
    arm_ping();
  }

  void on_ping(error_code) { pinging_ = false; }  // a broken connection shows up in the read

  void arm_pong_check() {
    pong_timer_.expires_at(pong_deadline_);
    pong_timer_.async_wait(boost::beast::bind_front_handler(&DataChannelConnection::on_pong_check, self()));
  }

  void on_pong_check(error_code ec) {
    if (ec || closed_ || frozen_) return;
    if (std::chrono::steady_clock::now() < pong_deadline_) return arm_pong_check();  // a pong came meanwhile
    lost("waiting for a pong", boost::asio::error::timed_out);
  }

  void stop_timers() {
    ping_timer_.cancel();
    pong_timer_.cancel();
  }

  void lost(const char* what, error_code ec) {
    log_unless_quiet(what, ec);
    close();
    if (session_) session_->on_link_lost(this);
  }

  void log_unless_quiet(const char* what, error_code ec) {
    if (!dcc::is_quiet(ec)) server_.out().log("data channel " + session_id_ + ": " + what + ": " + ec.message());
  }

  boost::beast::websocket::stream<transport::CoalescingStream<Stream>> ws_;
  EndpointServer& server_;
  std::string session_id_;
  std::shared_ptr<AgentSession> session_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer ping_timer_, pong_timer_;
  std::chrono::steady_clock::time_point pong_deadline_{};
  bool open_ = false, failing_ = false, pinging_ = false, closing_ = false, closed_ = false, frozen_ = false;
};

}  // namespace ssm::endpoint
