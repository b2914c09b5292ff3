// Test support: a tiny HTTP/1.1 server on 127.0.0.1 and an environment and a temporary
// directory a test builds, for the credential sources. The server runs on the test's
// io_context, answers each request with what the test's handler returns, remembers every
// request, and closes the connection after each answer.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "aws/credential_provider.h"
#include "aws/shared_config.h"
#include "base/text.h"

namespace ssm::aws::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& lowercase_name) const {
    const auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct CannedReply {
  unsigned status = 200;
  std::string body;
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<CannedReply(const SeenRequest&)>;

  LoopbackHttpServer(asio::io_context& io, Handler handler)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}), handler_(std::move(handler)) {
    accept();
  }
  ~LoopbackHttpServer() { acceptor_.close(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  const std::vector<SeenRequest>& requests() const { return requests_; }
  std::size_t replies() const { return replies_; }

 private:
  struct Connection {
    explicit Connection(asio::ip::tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<Connection>(std::move(socket)));
      accept();
    });
  }

  void serve(std::shared_ptr<Connection> c) {
    http::async_read(c->stream, c->buffer, c->request, [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      SeenRequest seen{std::string(c->request.method_string()), std::string(c->request.target()), {}, c->request.body()};
      for (const auto& field : c->request) {
        seen.headers[base::ascii_lower(field.name_string())] = std::string(field.value());
      }
      requests_.push_back(seen);
      const CannedReply reply = handler_(seen);
      c->response = {static_cast<http::status>(reply.status), 11};
      c->response.body() = reply.body;
      c->response.set(http::field::connection, "close");
      c->response.prepare_payload();
      http::async_write(c->stream, c->response, [this, c](boost::system::error_code, std::size_t) {
        ++replies_;
        c->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both);
      });
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  std::vector<SeenRequest> requests_;
  std::size_t replies_ = 0;
};

// Runs the loop until `done()` or a generous deadline (so a broken test fails, not hangs).
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(50));
  return done();
}

// A temporary directory with the two shared files' variables pointing into it, and an
// environment made of nothing else.
class TestEnvironment {
 public:
  TestEnvironment() {
    char tmpl[] = "/tmp/aws-creds-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    vars["HOME"] = dir_;
    vars["AWS_SHARED_CREDENTIALS_FILE"] = dir_ + "/credentials";
    vars["AWS_CONFIG_FILE"] = dir_ + "/config";
  }
  ~TestEnvironment() { std::system(("rm -rf " + dir_).c_str()); }
  TestEnvironment(const TestEnvironment&) = delete;
  TestEnvironment& operator=(const TestEnvironment&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  base::GetEnv env() const {
    return [this](const std::string& n) -> std::optional<std::string> {
      auto it = vars.find(n);
      return it == vars.end() ? std::nullopt : std::optional(it->second);
    };
  }
  const std::string& dir() const { return dir_; }

  std::map<std::string, std::string> vars;

 private:
  std::string dir_;
};

// Name -> value of an application/x-www-form-urlencoded body.
inline std::map<std::string, std::string> parse_form(const std::string& body) {
  const auto decode = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i] == '+' ? ' ' : s[i]);
      }
    }
    return out;
  };
  std::map<std::string, std::string> form;
  std::size_t start = 0;
  while (start <= body.size()) {
    const auto end = std::min(body.find('&', start), body.size());
    const std::string pair = body.substr(start, end - start);
    const auto eq = pair.find('=');
    if (!pair.empty()) form[decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : decode(pair.substr(eq + 1));
    start = end + 1;
  }
  return form;
}

// A port on 127.0.0.1 where nothing listens (bound, then released).
inline unsigned short closed_port(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// One async_get on a fresh provider, run to completion.
inline ResolvedCredentials resolve_once(asio::io_context& io, CredentialOptions options) {
  CredentialProvider provider(io.get_executor(), std::move(options));
  std::optional<ResolvedCredentials> result;
  provider.async_get([&](ResolvedCredentials r) { result = std::move(r); });
  run_until(io, [&] { return result.has_value(); });
  return result.value_or(ResolvedCredentials{std::nullopt, "", "the test's deadline passed"});
}

}  // namespace ssm::aws::testing
