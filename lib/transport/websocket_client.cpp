#include "transport/websocket_client.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "base/environment.h"
#include "transport/coalescing_stream.h"
#include "transport/http_proxy.h"
#include "transport/resolve.h"

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

using PlainWs = websocket::stream<CoalescingStream<beast::tcp_stream>>;
using TlsWs = websocket::stream<CoalescingStream<beast::ssl_stream<beast::tcp_stream>>>;

// Policy violation: what the service (and our endpoint) send for a bad token.
constexpr std::uint16_t kClosePolicyViolation = 1008;

template <typename Ws>
class Session final : public WebSocketClient, public std::enable_shared_from_this<Session<Ws>> {
  static constexpr bool kTls = std::is_same_v<Ws, TlsWs>;

 public:
  // `tls_context` is null for ws://; it lives as long as the stream that refers to it.
  Session(asio::any_io_executor ex, ConnectOptions options, Url url, ConnectionListener& listener,
          std::unique_ptr<ssl::context> tls_context)
      : options_(std::move(options)),
        url_(std::move(url)),
        listener_(&listener),
        resolver_(ex),
        tls_context_(std::move(tls_context)),
        ws_(make_stream(ex, tls_context_.get())),
        keepalive_timer_(ex) {}

  void start() {
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as the AWS SDKs and curl read them: the WebSocket
    // then runs inside a CONNECT tunnel.
    std::string proxy_error;
    proxy_ = proxy_for(kTls ? "wss" : "ws", url_.host, url_.port, base::Environment::process().get, proxy_error);
    if (!proxy_error.empty()) {
      asio::post(ws_.get_executor(), [self = this->shared_from_this(), proxy_error] {
        self->finish(CloseReason::connect_failed, proxy_error);
      });
      return;
    }
    const std::string& host = proxy_ ? proxy_->host : url_.host;
    const std::string& port = proxy_ ? proxy_->port : url_.port;
    async_resolve(resolver_, host, port, beast::bind_front_handler(&Session::on_resolve, this->shared_from_this()));
  }

  void send(Frame frame) override {
    if (closed_) return;
    if (!open_) return early_.push_back(std::move(frame));
    write(*frame);
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    listener_ = nullptr;
    keepalive_timer_.cancel();
    shutdown_socket();
  }

  std::size_t queued_bytes() const override { return ws_.next_layer().buffered_bytes(); }

 private:
  static Ws make_stream(asio::any_io_executor ex, ssl::context* ctx) {
    if constexpr (kTls) return Ws(ex, *ctx);
    else return Ws(ex);
  }

  tcp::socket& socket() { return beast::get_lowest_layer(ws_).socket(); }
  auto& tls_stream() { return ws_.next_layer().next_layer(); }

  void shutdown_socket() {
    error_code ignored;
    resolver_.cancel();
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  // Reports the end once and stops every further callback.
  void finish(CloseReason reason, const std::string& message) {
    if (closed_) return;
    ConnectionListener* listener = listener_;
    close();
    if (listener) listener->on_closed(reason, message);
  }

  std::string where() const { return proxy_ ? "proxy " + proxy_->display : url_.host + ":" + url_.port; }

  void on_resolve(error_code ec, const Endpoints& endpoints) {
    if (closed_) return;
    if (ec)
      return finish(CloseReason::connect_failed,
                    "cannot resolve " + (proxy_ ? "proxy " + proxy_->host : url_.host) + ": " + ec.message());
    beast::get_lowest_layer(ws_).expires_after(options_.handshake_timeout);
    beast::get_lowest_layer(ws_).async_connect(endpoints, beast::bind_front_handler(&Session::on_connect, this->shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint&) {
    if (closed_) return;
    if (ec == beast::error::timeout) return finish(CloseReason::connect_failed, "timed out connecting to " + where());
    if (ec) return finish(CloseReason::connect_failed, "cannot connect to " + where() + ": " + ec.message());
    socket().set_option(tcp::no_delay(true), ec);  // keystrokes and acks must not wait for Nagle
    if (!proxy_) return secure_then_upgrade();
    beast::get_lowest_layer(ws_).expires_never();  // the tunnel keeps its own deadline
    async_connect_tunnel(socket(), *proxy_, url_.host, url_.port, options_.handshake_timeout,
                         [self = this->shared_from_this()](error_code ec, std::string message) {
                           if (self->closed_) return;
                           if (ec) return self->finish(CloseReason::connect_failed, message);
                           beast::get_lowest_layer(self->ws_).expires_after(self->options_.handshake_timeout);
                           self->secure_then_upgrade();
                         });
  }

  void secure_then_upgrade() {
    if constexpr (kTls) {
      auto* ssl_handle = tls_stream().native_handle();
      if (!SSL_set_tlsext_host_name(ssl_handle, url_.host.c_str()))
        return finish(CloseReason::connect_failed, "cannot set TLS server name for " + url_.host);
      tls_stream().set_verify_callback(ssl::host_name_verification(url_.host));
      tls_stream().async_handshake(ssl::stream_base::client,
                                       beast::bind_front_handler(&Session::on_tls_handshake, this->shared_from_this()));
    } else {
      upgrade();
    }
  }

  void on_tls_handshake(error_code ec) {
    if (closed_) return;
    if constexpr (kTls) {
      if (ec) {
        const long verify = SSL_get_verify_result(tls_stream().native_handle());
        if (verify != X509_V_OK)
          return finish(CloseReason::certificate_rejected, "TLS certificate verification failed for " + url_.host + ": " +
                                                         X509_verify_cert_error_string(verify));
        if (ec == beast::error::timeout) return finish(CloseReason::connect_failed, "timed out in the TLS handshake with " + where());
        return finish(CloseReason::connect_failed, "TLS handshake with " + where() + " failed: " + ec.message());
      }
    }
    upgrade();
  }

  void upgrade() {
    beast::get_lowest_layer(ws_).expires_never();
    if (!options_.late_headers) return send_upgrade();
    // The connection is ready; the request waits for the rest of its headers.
    options_.late_headers([weak = this->weak_from_this()](HeaderList headers) {
      const auto self = weak.lock();
      if (!self || self->closed_ || self->upgrading_) return;
      for (auto& header : headers) self->options_.headers.push_back(std::move(header));
      self->send_upgrade();
    });
  }

  void send_upgrade() {
    upgrading_ = true;
    // From here the WebSocket's handshake limit applies, then our own keep-alive (see
    // on_keepalive_tick). Beast's idle timeout would do the same but re-arms a timer for
    // every message read, which costs more than the message itself.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { last_heard_ = Clock::now(); });
    ws_.set_option(websocket::stream_base::decorator([headers = options_.headers](websocket::request_type& req) {
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws_.async_handshake(response_, url_.host_header(), url_.target,
                        beast::bind_front_handler(&Session::on_upgrade, this->shared_from_this()));
  }

  void on_upgrade(error_code ec) {
    if (closed_) return;
    if (ec) {
      const unsigned status = response_.result_int();
      if (status != 0 && status != 101)
        return finish(CloseReason::upgrade_rejected, "the service refused the WebSocket upgrade: HTTP " +
                                                         std::to_string(status) + " " + std::string(response_.reason()));
      if (ec == beast::error::timeout) return finish(CloseReason::connect_failed, "timed out upgrading the connection to " + where());
      return finish(CloseReason::connect_failed, "WebSocket upgrade with " + where() + " failed: " + ec.message());
    }
    open_ = true;
    ws_.next_layer().on_read_idle([this] { on_read_idle(); });  // called from reads on the stream, part of `this`
    ws_.next_layer().cut_reads_at_frame_ends();
    ws_.next_layer().on_write_done([this] {  // called only while the stream, part of `this`, exists
      if (!closed_ && listener_) listener_->on_write_progress();
    });
    // OpenDataChannel goes first, as the only text frame.
    ws_.text(true);
    write(asio::buffer(options_.open_message));
    ws_.binary(true);
    for (const Frame& frame : early_) write(*frame);
    early_.clear();
    last_heard_ = Clock::now();
    arm_keepalive();
    read_next();
    if (listener_) listener_->on_open();
  }

  void read_next() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) return on_read_error(ec);
    last_heard_ = Clock::now();
    frames_unsettled_ = true;
    const auto data = buffer_.cdata();
    listener_->on_frame({static_cast<const std::uint8_t*>(data.data()), data.size()});
    if (closed_) return;  // the listener closed us
    buffer_.consume(buffer_.size());
    read_next();
  }

  void on_read_idle() {
    if (!frames_unsettled_ || closed_ || !listener_) return;
    frames_unsettled_ = false;
    listener_->on_receive_idle();
  }

  void on_read_error(error_code ec) {
    if (ec == websocket::error::closed) {
      const auto& r = ws_.reason();
      const std::string detail = std::to_string(r.code) + (r.reason.empty() ? "" : " " + std::string(r.reason.c_str()));
      if (r.code == kClosePolicyViolation)
        return finish(CloseReason::token_rejected, "the service rejected the session token (close " + detail + ")");
      return finish(CloseReason::peer_closed, "the service closed the data channel (close " + detail + ")");
    }
    return finish(CloseReason::peer_closed, "the connection to the service was lost: " + ec.message());
  }

  // Keep-alive: a ping after `keepalive` of silence from the peer (no data, no pong), a dead
  // peer after twice that. Checked every half period, so death is declared within 2.5x.
  void arm_keepalive() {
    keepalive_timer_.expires_after(options_.keepalive / 2);
    keepalive_timer_.async_wait(beast::bind_front_handler(&Session::on_keepalive_tick, this->shared_from_this()));
  }

  void on_keepalive_tick(error_code ec) {
    if (ec || closed_) return;
    const auto silence = Clock::now() - last_heard_;
    if (silence >= options_.keepalive * 2)
      return finish(CloseReason::peer_unresponsive, "the data channel stopped responding: no answer to a keep-alive ping within " +
                                                        std::to_string(options_.keepalive.count() * 2) + " s");
    if (silence >= options_.keepalive && !pinging_) {
      pinging_ = true;
      ws_.async_ping({}, [self = this->shared_from_this()](error_code) { self->pinging_ = false; });
    }
    arm_keepalive();
  }

  // Frames the whole message into the coalescing layer at once; the socket write follows
  // when the event loop is free. A broken socket shows up here as the error of the last
  // write, reported from the event loop rather than from inside the caller's send().
  template <typename Buffer>
  void write(const Buffer& message) {
    error_code ec;
    ws_.write(asio::buffer(message), ec);
    if (ec && !failing_) {
      failing_ = true;
      asio::post(ws_.get_executor(), [self = this->shared_from_this(), ec] {
        self->finish(CloseReason::io_error, "cannot send to the service: " + ec.message());
      });
    }
  }

  ConnectOptions options_;
  Url url_;
  std::optional<ProxyServer> proxy_;  // set when the connection goes through a CONNECT proxy
  ConnectionListener* listener_;
  tcp::resolver resolver_;
  std::unique_ptr<ssl::context> tls_context_;
  Ws ws_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  asio::steady_timer keepalive_timer_;
  Clock::time_point last_heard_{};
  bool pinging_ = false;
  bool frames_unsettled_ = false;  // frames went to the listener since its last on_receive_idle
  std::vector<Frame> early_;  // sent before the upgrade finished
  bool upgrading_ = false;  // the upgrade request is on its way (late headers come once)
  bool open_ = false;
  bool failing_ = false;
  bool closed_ = false;
};

// Closes with the listener told why, before any I/O: used for configuration errors.
class FailedClient final : public WebSocketClient {
 public:
  void send(Frame) override {}
  void close() override {}
  std::size_t queued_bytes() const override { return 0; }
};

}  // namespace

std::shared_ptr<WebSocketClient> connect_websocket(asio::any_io_executor ex, ConnectOptions options,
                                                   ConnectionListener& listener) {
  auto url = Url::parse(options.url);
  if (!url) {
    listener.on_closed(CloseReason::connect_failed, "the StreamUrl is not a ws:// or wss:// URL");
    return std::make_shared<FailedClient>();
  }
  if (!url->tls) {
    auto s = std::make_shared<Session<PlainWs>>(ex, std::move(options), std::move(*url), listener, nullptr);
    s->start();
    return s;
  }
  // One TLS context per connection: connections are rare (start and resume only).
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_verify_mode(ssl::verify_peer);
  error_code ec;
  if (!options.ca_bundle.empty()) {
    ctx->load_verify_file(options.ca_bundle, ec);
    if (ec) {
      listener.on_closed(CloseReason::connect_failed, "cannot load the CA bundle " + options.ca_bundle + ": " + ec.message());
      return std::make_shared<FailedClient>();
    }
  } else {
    ctx->set_default_verify_paths(ec);
  }
  auto s = std::make_shared<Session<TlsWs>>(ex, std::move(options), std::move(*url), listener, std::move(ctx));
  s->start();
  return s;
}

}  // namespace ssm::transport
