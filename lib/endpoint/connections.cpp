#include "endpoint/connections.h"

#include <deque>
#include <iostream>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "endpoint/endpoint_server.h"
#include "wire/payloads.h"

namespace ssm::endpoint {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

constexpr auto kRequestTimeout = 30s;
constexpr std::string_view kDataChannelPath = "/v1/data-channel/";

// The session id in /v1/data-channel/<id>?role=publish_subscribe.
std::string session_id_of(std::string_view target) {
  if (target.substr(0, kDataChannelPath.size()) != kDataChannelPath) return {};
  target.remove_prefix(kDataChannelPath.size());
  return std::string(target.substr(0, target.find('?')));
}

template <typename Stream>
void set_timeout(Stream& s, std::chrono::seconds t) {
  beast::get_lowest_layer(s).expires_after(t);
}

// ---- the data channel ---------------------------------------------------------------------

template <typename Stream>
class DataChannelConnection final : public AgentLink, public std::enable_shared_from_this<DataChannelConnection<Stream>> {
 public:
  DataChannelConnection(Stream&& stream, EndpointServer& server) : ws_(std::move(stream)), server_(server) {}

  void run(http::request<http::string_body> request) {
    session_id_ = session_id_of(request.target());
    beast::get_lowest_layer(ws_).expires_never();
    // The agent pings every 54 s and gives up after 60 s more (agent-side.md §3.1).
    websocket::stream_base::timeout t{};
    t.handshake_timeout = kRequestTimeout;
    t.idle_timeout = 108s;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(1 << 20);
    ws_.async_accept(request, beast::bind_front_handler(&DataChannelConnection::on_accept, this->shared_from_this()));
  }

  void send(channel::Frame frame) override {
    if (closed_ || frozen_ || !open_) return;
    queue_.push_back(std::move(frame));
    write_next();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void freeze() override { frozen_ = true; }

 private:
  void on_accept(error_code ec) {
    if (ec) return;
    ws_.async_read(buffer_, beast::bind_front_handler(&DataChannelConnection::on_open_message, this->shared_from_this()));
  }

  void on_open_message(error_code ec, std::size_t) {
    if (ec) return;
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    wire::OpenDataChannel open;
    std::string error = "invalid OpenDataChannel message";
    if (ws_.got_text() && !wire::parse(text, open))
      session_ = server_.open_data_channel(session_id_, open.token_value, error);
    buffer_.consume(buffer_.size());
    if (!session_) {
      // What the service does for a bad token (protocol.md Q27): policy violation.
      ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, "invalid token"),
                      [self = this->shared_from_this()](error_code) {});
      if (server_.config().verbose) std::cerr << "ssm-local-endpoint: refused data channel: " << error << "\n";
      return;
    }
    open_ = true;
    ws_.binary(true);
    session_->attach(this->shared_from_this(), open.client_version);
    read_next();
  }

  void read_next() {
    ws_.async_read(buffer_, beast::bind_front_handler(&DataChannelConnection::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) {
      closed_ = true;
      if (session_) session_->on_link_lost(this);
      return;
    }
    if (!frozen_) {
      const auto data = buffer_.cdata();
      session_->on_client_frame({static_cast<const std::uint8_t*>(data.data()), data.size()});
    }
    buffer_.consume(buffer_.size());
    if (frozen_ || closed_) return;  // frozen: no reads, so no pongs either
    read_next();
  }

  void write_next() {
    if (writing_ || queue_.empty() || closed_) return;
    writing_ = true;
    ws_.async_write(asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&DataChannelConnection::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    writing_ = false;
    if (closed_) return;
    if (ec) {
      closed_ = true;
      if (session_) session_->on_link_lost(this);
      return;
    }
    queue_.pop_front();
    if (!frozen_) write_next();
  }

  websocket::stream<Stream> ws_;
  EndpointServer& server_;
  std::string session_id_;
  std::shared_ptr<AgentSession> session_;
  beast::flat_buffer buffer_;
  std::deque<channel::Frame> queue_;
  bool open_ = false, writing_ = false, closed_ = false, frozen_ = false;
};

// ---- HTTP ---------------------------------------------------------------------------------

template <typename Stream>
class HttpConnection final : public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  HttpConnection(Stream&& stream, EndpointServer& server) : stream_(std::move(stream)), server_(server) {}

  void run() { read_next(); }

 private:
  void read_next() {
    request_ = {};
    set_timeout(stream_, kRequestTimeout);
    http::async_read(stream_, buffer_, request_, beast::bind_front_handler(&HttpConnection::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) return;  // closed, timed out or garbage: nothing to answer
    if (websocket::is_upgrade(request_)) {
      if (session_id_of(request_.target()).empty()) return respond(404, R"({"message":"not found"})", {});
      std::make_shared<DataChannelConnection<Stream>>(std::move(stream_), server_)->run(std::move(request_));
      return;
    }
    if (request_.method() != http::verb::post) return respond(405, R"({"message":"use POST"})", {});
    const std::string amz_target(request_["X-Amz-Target"]);
    const ApiResponse r = server_.handle_api(amz_target, request_.body());
    respond(r.status, r.body, r.error_type);
  }

  void respond(unsigned status, std::string body, const std::string& error_type) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), request_.version());
    res->set(http::field::server, "ssm-local-endpoint");
    res->set(http::field::content_type, "application/x-amz-json-1.1");
    res->set("x-amzn-RequestId", wire::Uuid::random_v4().to_string());
    if (!error_type.empty()) res->set("x-amzn-ErrorType", error_type);
    res->keep_alive(request_.keep_alive());
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](error_code ec, std::size_t) {
      if (ec) return;
      if (res->keep_alive()) self->read_next();
      else self->shutdown();
    });
  }

  void shutdown() {
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  EndpointServer& server_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace

void serve_connection(tcp::socket socket, EndpointServer& server) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (!server.tls()) {
    std::make_shared<HttpConnection<PlainStream>>(PlainStream(std::move(socket)), server)->run();
    return;
  }
  auto stream = std::make_shared<TlsStream>(PlainStream(std::move(socket)), *server.tls());
  set_timeout(*stream, kRequestTimeout);
  stream->async_handshake(asio::ssl::stream_base::server, [stream, &server](error_code ec) {
    if (ec) return;  // e.g. a client that does not trust our CA: its problem to report
    std::make_shared<HttpConnection<TlsStream>>(std::move(*stream), server)->run();
  });
}

}  // namespace ssm::endpoint
