// lib/endpoint — one accepted connection (plain or TLS) before it is a data channel: the TLS
// handshake, then HTTP requests to the SSM API (keep-alive) until one asks for a WebSocket
// upgrade on /v1/data-channel/<id>, which hands the stream to a DataChannelConnection.
// Header-only because it is a template over the two stream types; only connections.cpp
// includes it.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "endpoint/data_channel_connection.h"
#include "endpoint/endpoint_server.h"

namespace ssm::endpoint {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

namespace httpc {
using namespace std::chrono_literals;
inline constexpr auto kRequestTimeout = 30s;
inline constexpr std::string_view kDataChannelPath = "/v1/data-channel/";

// The session id in /v1/data-channel/<id>?role=publish_subscribe; "" for any other path.
inline std::string session_id_of(std::string_view target) {
  if (target.substr(0, kDataChannelPath.size()) != kDataChannelPath) return {};
  target.remove_prefix(kDataChannelPath.size());
  return std::string(target.substr(0, target.find('?')));
}
}  // namespace httpc

template <typename Stream>
class HttpConnection final : public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  using error_code = boost::system::error_code;

  HttpConnection(Stream&& stream, EndpointServer& server) : stream_(std::move(stream)), server_(server) {}

  void run() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      boost::beast::get_lowest_layer(stream_).expires_after(httpc::kRequestTimeout);
      stream_.async_handshake(boost::asio::ssl::stream_base::server,
                              boost::beast::bind_front_handler(&HttpConnection::on_handshake, self()));
    } else {
      read_next();
    }
  }

 private:
  std::shared_ptr<HttpConnection> self() { return this->shared_from_this(); }

  // A client that does not trust our CA fails here; it reports that itself.
  void on_handshake(error_code ec) {
    if (ec) return server_.out().log("TLS handshake: " + ec.message());
    read_next();
  }

  void read_next() {
    request_ = {};
    boost::beast::get_lowest_layer(stream_).expires_after(httpc::kRequestTimeout);
    boost::beast::http::async_read(stream_, buffer_, request_,
                                   boost::beast::bind_front_handler(&HttpConnection::on_read, self()));
  }

  void on_read(error_code ec, std::size_t) {
    namespace http = boost::beast::http;
    if (ec == http::error::end_of_stream) return shutdown();
    if (ec) {
      if (!dcc::is_quiet(ec) && ec != boost::beast::error::timeout) server_.out().log("HTTP request: " + ec.message());
      return;
    }
    if (boost::beast::websocket::is_upgrade(request_)) return upgrade();
    const ApiRequest api{.method = request_.method_string(),
                         .target = request_["X-Amz-Target"],
                         .authorization = request_[http::field::authorization],
                         .amz_date = request_["X-Amz-Date"],
                         .host = request_[http::field::host],
                         .content_type = request_[http::field::content_type],
                         .security_token = request_["X-Amz-Security-Token"],
                         .path = request_.target(),
                         .body = request_.body(),
                         .sso_bearer_token = request_["x-amz-sso_bearer_token"],
                         .dpop = request_["DPoP"]};
    respond(server_.handle_api(api));
  }

  void upgrade() {
    std::string id = httpc::session_id_of(request_.target());
    if (id.empty()) return respond(api_error("ResourceNotFoundException", "no data channel at this path", 404));
    namespace http = boost::beast::http;
    const ApiRequest signed_parts{.authorization = request_[http::field::authorization],
                                  .amz_date = request_["X-Amz-Date"],
                                  .host = request_[http::field::host],
                                  .security_token = request_["X-Amz-Security-Token"],
                                  .path = request_.target()};
    if (auto refused = server_.check_upgrade(id, signed_parts)) {
      request_.keep_alive(false);
      return respond(std::move(*refused));
    }
    std::make_shared<DataChannelConnection<Stream>>(std::move(stream_), server_, std::move(id))->run(std::move(request_));
  }

  void respond(ApiResponse r) {
    namespace http = boost::beast::http;
    response_ = {static_cast<http::status>(r.status), request_.version()};
    response_.set(http::field::server, "ssm-local-endpoint");
    response_.set(http::field::content_type, r.content_type);
    response_.set("x-amzn-RequestId", wire::Uuid::random_v4().to_string());
    if (!r.error_type.empty()) response_.set("x-amzn-ErrorType", r.error_type);
    response_.keep_alive(request_.keep_alive());
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    http::async_write(stream_, response_, boost::beast::bind_front_handler(&HttpConnection::on_write, self()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return;
    if (response_.keep_alive()) read_next();
    else shutdown();
  }

  void shutdown() {
    error_code ignored;
    boost::beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  }

  Stream stream_;
  EndpointServer& server_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
};

}  // namespace ssm::endpoint
