#include "aws/json_client.h"

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "transport/url.h"

namespace ssm::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// One call: resolve, connect, (TLS), write, read. The stream's deadline covers all of it.
template <typename Stream>
class Call : public std::enable_shared_from_this<Call<Stream>> {
 public:
  Call(asio::any_io_executor ex, JsonCall call, transport::Url url, std::unique_ptr<asio::ssl::context> tls,
       std::function<void(JsonResult)> done)
      : call_(std::move(call)),
        url_(std::move(url)),
        tls_(std::move(tls)),
        done_(std::move(done)),
        resolver_(ex),
        stream_(make_stream(ex)) {}

  void start() {
    beast::get_lowest_layer(stream_).expires_after(call_.timeout);
    resolver_.async_resolve(url_.host, url_.port, beast::bind_front_handler(&Call::on_resolve, this->shared_from_this()));
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Stream make_stream(asio::any_io_executor ex) {
    if constexpr (kTls) return Stream(ex, *tls_);
    else return Stream(ex);
  }

  void fail(const std::string& what, error_code ec) {
    const std::string why = ec == beast::error::timeout ? "timed out" : ec.message();
    finish({false, 0, {}, what + " " + url_.host + ":" + url_.port + ": " + why});
  }

  void finish(JsonResult r) {
    if (auto d = std::move(done_)) d(std::move(r));
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("cannot resolve", ec);
    beast::get_lowest_layer(stream_).async_connect(results,
                                                   beast::bind_front_handler(&Call::on_connect, this->shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint&) {
    if (ec) return fail("cannot connect to", ec);
    if constexpr (kTls) {
      SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str());
      stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
      stream_.async_handshake(asio::ssl::stream_base::client,
                              beast::bind_front_handler(&Call::on_handshake, this->shared_from_this()));
    } else {
      send();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) return fail("TLS handshake failed with", ec);
    send();
  }

  void send() {
    SignableRequest r;
    r.path = url_.target.substr(0, url_.target.find('?'));
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"Host", url_.host_header()},
                 {"X-Amz-Target", call_.target}};
    r.body = call_.body;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    sign(r, {call_.region, call_.service, amz_date(now.count())}, call_.credentials);
    request_ = {http::verb::post, r.path, 11};
    for (const auto& [name, value] : r.headers) request_.set(name, value);
    request_.body() = r.body;
    request_.prepare_payload();
    http::async_write(stream_, request_, beast::bind_front_handler(&Call::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return fail("cannot send the request to", ec);
    http::async_read(stream_, buffer_, response_, beast::bind_front_handler(&Call::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec) return fail("no response from", ec);
    const unsigned status = response_.result_int();
    if (status == 200) return finish({true, status, response_.body(), {}});
    finish({false, status, {}, describe_aws_error(status, response_.body())});
  }

  JsonCall call_;
  transport::Url url_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::function<void(JsonResult)> done_;
  tcp::resolver resolver_;
  Stream stream_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
};

}  // namespace

std::string describe_aws_error(unsigned status, const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  std::string code, message;
  if (j.is_object()) {
    code = j.value("__type", "");
    if (const auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
    for (const char* key : {"message", "Message"})
      if (j.contains(key) && j[key].is_string()) message = j[key].get<std::string>();
  }
  if (code.empty()) code = "HTTP error";
  return code + (message.empty() ? "" : ": " + message) + " (HTTP " + std::to_string(status) + ")";
}

void async_json_call(asio::any_io_executor ex, JsonCall call, std::function<void(JsonResult)> done) {
  auto url = transport::Url::parse(call.endpoint_url);
  if (!url) {
    asio::post(ex, [done, u = call.endpoint_url] { done({false, 0, {}, "the endpoint URL " + u + " is not http(s)"}); });
    return;
  }
  if (!url->tls) {
    std::make_shared<Call<beast::tcp_stream>>(ex, std::move(call), std::move(*url), nullptr, std::move(done))->start();
    return;
  }
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  tls->set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  if (!call.ca_bundle.empty()) tls->load_verify_file(call.ca_bundle, ec);
  else tls->set_default_verify_paths(ec);
  if (ec) {
    asio::post(ex, [done, b = call.ca_bundle, m = ec.message()] { done({false, 0, {}, "cannot load the CA bundle " + b + ": " + m}); });
    return;
  }
  std::make_shared<Call<beast::ssl_stream<beast::tcp_stream>>>(ex, std::move(call), std::move(*url), std::move(tls),
                                                               std::move(done))
      ->start();
}

}  // namespace ssm::aws
