#include "aws/http_client.h"

#include <memory>
#include <optional>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "base/environment.h"
#include "base/text.h"
#include "transport/http_proxy.h"
#include "transport/resolve.h"
#include "transport/url.h"

namespace ssm::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// Credential documents and API answers are small; anything larger is not what we asked for.
constexpr std::uint64_t kMaxResponseBodyBytes = 1024 * 1024;

// One request: open the connection, (TLS), write, read. The stream's deadline covers all of it.
template <typename Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(asio::any_io_executor ex, http::request<http::string_body> request, transport::Url url,
           std::chrono::milliseconds timeout, std::unique_ptr<asio::ssl::context> tls,
           std::function<void(HttpResponse)> done)
      : request_(std::move(request)),
        url_(std::move(url)),
        timeout_(timeout),
        tls_(std::move(tls)),
        done_(std::move(done)),
        resolver_(ex),
        stream_(make_stream(ex)) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(timeout_);
    open_connection();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Stream make_stream(asio::any_io_executor ex) {
    if constexpr (kTls) return Stream(ex, *tls_);
    else return Stream(ex);
  }

  std::string where() const { return proxy_ ? "proxy " + proxy_->display : url_.host + ":" + url_.port; }

  void fail(const std::string& what, error_code ec) {
    const std::string why = ec == beast::error::timeout ? "timed out" : ec.message();
    finish({false, 0, {}, what + " " + where() + ": " + why});
  }

  void finish(HttpResponse r) {
    if (auto d = std::move(done_)) d(std::move(r));
  }

  // The one place the TCP connection is established; everything after on_connection_open
  // runs over whatever socket it leaves open: direct, or a CONNECT tunnel through the proxy
  // HTTPS_PROXY / HTTP_PROXY name (unless NO_PROXY exempts the host).
  void open_connection() {
    std::string proxy_error;
    proxy_ = transport::proxy_for(kTls ? "https" : "http", url_.host, url_.port, base::Environment::process().get,
                                  proxy_error);
    if (!proxy_error.empty()) {
      asio::post(resolver_.get_executor(), [self = this->shared_from_this(), proxy_error] {
        self->finish({false, 0, {}, proxy_error});
      });
      return;
    }
    transport::async_resolve(resolver_, proxy_ ? proxy_->host : url_.host, proxy_ ? proxy_->port : url_.port,
                             beast::bind_front_handler(&Exchange::on_resolve, this->shared_from_this()));
  }

  void on_resolve(error_code ec, const transport::Endpoints& endpoints) {
    if (ec) return fail("cannot resolve", ec);
    beast::get_lowest_layer(stream_).async_connect(
        endpoints, [self = this->shared_from_this()](error_code ec, const tcp::endpoint&) {
          if (ec) return self->fail("cannot connect to", ec);
          if (!self->proxy_) return self->on_connection_open();
          self->tunnel();
        });
  }

  void tunnel() {
    auto& tcp = beast::get_lowest_layer(stream_);
    tcp.expires_never();  // the tunnel keeps its own deadline; the request's starts again after it
    transport::async_connect_tunnel(tcp.socket(), *proxy_, url_.host, url_.port, timeout_,
                                    [self = this->shared_from_this()](error_code ec, std::string message) {
                                      if (ec) return self->finish({false, 0, {}, message});
                                      beast::get_lowest_layer(self->stream_).expires_after(self->timeout_);
                                      self->on_connection_open();
                                    });
  }

  void on_connection_open() {
    if constexpr (kTls) {
      SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str());
      stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      stream_.async_handshake(asio::ssl::stream_base::client,
                              beast::bind_front_handler(&Exchange::on_handshake, this->shared_from_this()));
    } else {
      send();
    }
  }

  void on_handshake(error_code ec) {
    if constexpr (kTls) {
      const long verify = ec ? SSL_get_verify_result(stream_.native_handle()) : X509_V_OK;
      if (verify != X509_V_OK)
        return finish({false, 0, {},
                       "TLS certificate verification failed for " + where() + ": " + X509_verify_cert_error_string(verify),
                       /*permanent=*/true});
    }
    if (ec) return fail("TLS handshake failed with", ec);
    send();
  }

  void send() {
    http::async_write(stream_, request_, beast::bind_front_handler(&Exchange::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return fail("cannot send the request to", ec);
    parser_.body_limit(kMaxResponseBodyBytes);
    http::async_read(stream_, buffer_, parser_, beast::bind_front_handler(&Exchange::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) return fail("no response from", ec);
    auto& response = parser_.get();
    finish({true, response.result_int(), std::move(response.body()), {}});
  }

  http::request<http::string_body> request_;
  transport::Url url_;
  std::optional<transport::ProxyServer> proxy_;  // set when the request goes through a CONNECT proxy
  std::chrono::milliseconds timeout_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::function<void(HttpResponse)> done_;
  tcp::resolver resolver_;
  Stream stream_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
};

bool has_line_break(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

// The request as it goes on the wire, or why it cannot.
std::optional<http::request<http::string_body>> build(const HttpRequest& r, const transport::Url& url,
                                                      std::string& error) {
  const http::verb verb = http::string_to_verb(r.method);
  if (verb == http::verb::unknown) {
    error = "unknown HTTP method " + r.method;
    return std::nullopt;
  }
  http::request<http::string_body> request{verb, url.target, 11};
  bool has_host = false;
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || has_line_break(name) || has_line_break(value)) {
      error = "a header of the request to " + url.host + " contains a line break";  // never the value
      return std::nullopt;
    }
    has_host = has_host || base::iequals(name, "host");
    request.set(name, value);
  }
  if (!has_host) request.set(http::field::host, url.host_header());
  request.body() = r.body;
  if (!r.body.empty() || verb == http::verb::post || verb == http::verb::put) request.prepare_payload();
  return request;
}

void post_failure(asio::any_io_executor ex, std::function<void(HttpResponse)> done, std::string error) {
  asio::post(ex, [done = std::move(done), error = std::move(error)] { done({false, 0, {}, error}); });
}

}  // namespace

void async_http_request(asio::any_io_executor ex, HttpRequest r, std::function<void(HttpResponse)> done) {
  auto url = transport::Url::parse(r.url);
  if (!url) return post_failure(ex, std::move(done), "the URL " + r.url + " is not http(s)");
  std::string error;
  auto request = build(r, *url, error);
  if (!request) return post_failure(ex, std::move(done), error);

  if (!url->tls) {
    std::make_shared<Exchange<beast::tcp_stream>>(ex, std::move(*request), std::move(*url), r.timeout, nullptr,
                                                  std::move(done))
        ->start();
    return;
  }
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  tls->set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  if (!r.ca_bundle.empty()) tls->load_verify_file(r.ca_bundle, ec);
  else tls->set_default_verify_paths(ec);
  if (ec) return post_failure(ex, std::move(done), "cannot load the CA bundle " + r.ca_bundle + ": " + ec.message());
  std::make_shared<Exchange<beast::ssl_stream<beast::tcp_stream>>>(ex, std::move(*request), std::move(*url),
                                                                   r.timeout, std::move(tls), std::move(done))
      ->start();
}

}  // namespace ssm::aws
