// HTTP proxy support: the environment rules of proxy_for as tables, and async_connect_tunnel
// against a real CONNECT proxy on loopback (written here, one io_context, no threads) that
// checks credentials, answers, and pipes the tunnel to a loopback echo server.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "transport/http_proxy.h"

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

base::GetEnv env_of(std::map<std::string, std::string> variables) { return base::Environment::of(std::move(variables)).get; }

// ---- proxy_for --------------------------------------------------------------------------------

TEST(ProxyFor, NoVariablesMeansDirect) {
  std::string error = "stale";
  EXPECT_FALSE(proxy_for("https", "ssm.us-east-1.amazonaws.com", "443", env_of({}), error));
  EXPECT_EQ(error, "");
}

TEST(ProxyFor, SchemePicksTheVariable) {
  const auto env = env_of({{"https_proxy", "secure-proxy:1"}, {"http_proxy", "plain-proxy:2"}});
  struct Case {
    const char* scheme;
    const char* proxy_host;
  };
  for (const Case& c : {Case{"https", "secure-proxy"}, Case{"wss", "secure-proxy"}, Case{"WSS", "secure-proxy"},
                        Case{"http", "plain-proxy"}, Case{"ws", "plain-proxy"}}) {
    std::string error;
    const auto proxy = proxy_for(c.scheme, "h", "1", env, error);
    ASSERT_TRUE(proxy) << c.scheme << ": " << error;
    EXPECT_EQ(proxy->host, c.proxy_host) << c.scheme;
  }
  std::string error;
  EXPECT_FALSE(proxy_for("https", "h", "443", env_of({{"http_proxy", "p:1"}, {"HTTP_PROXY", "p:1"}}), error));
  EXPECT_FALSE(proxy_for("http", "h", "80", env_of({{"https_proxy", "p:1"}, {"HTTPS_PROXY", "p:1"}}), error));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(proxy_for("ftp", "h", "21", env, error));
  EXPECT_NE(error, "");
}

TEST(ProxyFor, LowercaseBeforeUppercaseAndEmptyIsUnset) {
  struct Case {
    std::map<std::string, std::string> env;
    const char* scheme;
    std::optional<std::string> proxy_host;
  };
  const std::vector<Case> cases = {
      {{{"https_proxy", "lower"}, {"HTTPS_PROXY", "upper"}}, "https", "lower"},
      {{{"HTTPS_PROXY", "upper"}}, "https", "upper"},
      {{{"https_proxy", ""}, {"HTTPS_PROXY", "upper"}}, "https", "upper"},
      {{{"https_proxy", "  "}}, "https", std::nullopt},
      {{{"http_proxy", "lower"}, {"HTTP_PROXY", "upper"}}, "http", "lower"},
      {{{"HTTP_PROXY", "upper"}}, "ws", "upper"},
      {{{"http_proxy", ""}, {"HTTP_PROXY", "upper"}}, "http", "upper"},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto proxy = proxy_for(c.scheme, "target", "443", env_of(c.env), error);
    EXPECT_EQ(error, "");
    EXPECT_EQ(proxy ? std::optional(proxy->host) : std::nullopt, c.proxy_host) << c.scheme;
  }
}

TEST(ProxyFor, ProxyUrlForms) {
  struct Case {
    const char* url;
    const char* host;
    const char* port;
    const char* authorization;
    const char* display;
  };
  const std::vector<Case> cases = {
      {"proxy.corp", "proxy.corp", "80", "", "proxy.corp:80"},
      {"proxy.corp:3128", "proxy.corp", "3128", "", "proxy.corp:3128"},
      {"http://proxy.corp:3128/", "proxy.corp", "3128", "", "proxy.corp:3128"},
      {"HTTP://Proxy.Corp", "Proxy.Corp", "80", "", "Proxy.Corp:80"},
      {"  http://10.0.0.1:8080  ", "10.0.0.1", "8080", "", "10.0.0.1:8080"},
      {"http://[::1]:3128", "::1", "3128", "", "[::1]:3128"},
      {"[fd00::2]", "fd00::2", "80", "", "[fd00::2]:80"},
      // base64("user:pass"), base64("user:"), base64("us er:p@ss:w"), base64("user:p@ss")
      {"http://user:pass@proxy:1", "proxy", "1", "Basic dXNlcjpwYXNz", "proxy:1"},
      {"user@proxy", "proxy", "80", "Basic dXNlcjo=", "proxy:80"},
      {"http://us%20er:p%40ss%3aw@proxy:2", "proxy", "2", "Basic dXMgZXI6cEBzczp3", "proxy:2"},
      {"http://user:p@ss@proxy:3", "proxy", "3", "Basic dXNlcjpwQHNz", "proxy:3"},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto proxy = proxy_for("https", "target", "443", env_of({{"HTTPS_PROXY", c.url}}), error);
    ASSERT_TRUE(proxy) << c.url << ": " << error;
    EXPECT_EQ(proxy->host, c.host) << c.url;
    EXPECT_EQ(proxy->port, c.port) << c.url;
    EXPECT_EQ(proxy->authorization, c.authorization) << c.url;
    EXPECT_EQ(proxy->display, c.display) << c.url;
  }
}

TEST(ProxyFor, MalformedProxyUrlIsAnErrorNamingTheVariableButNotItsSecrets) {
  struct Case {
    const char* url;
    const char* reason_part;
  };
  const std::vector<Case> cases = {
      {"https://alice:s3cret@proxy:443", "https://"},
      {"socks5://alice:s3cret@proxy:1080", "socks5://"},
      {"http://alice:s3cret@:3128", "no host"},
      {"http://alice:s3cret@proxy:0", "port"},
      {"http://alice:s3cret@proxy:65536", "port"},
      {"http://alice:s3cret@proxy:80x", "port"},
      {"http://alice:s3cret@proxy:", "port"},
      {"http://alice:s3cret@[::1:3128", "']'"},
      {"http://alice:s3cret@[proxy]:3128", "IPv6"},
      {"http://al%zzice:s3cret@proxy", "%-escape"},
      {"http://alice:s3cret%4@proxy", "%-escape"},
      {"http://alice:s3cret@pro xy", "host"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(proxy_for("wss", "target", "443", env_of({{"https_proxy", c.url}}), error)) << c.url;
    EXPECT_TRUE(error.starts_with("https_proxy is not a usable proxy URL: ")) << error;
    EXPECT_NE(error.find(c.reason_part), std::string::npos) << c.url << " -> " << error;
    EXPECT_EQ(error.find("s3cret"), std::string::npos) << error;
    EXPECT_EQ(error.find("alice"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::string error;
  EXPECT_FALSE(proxy_for("http", "target", "80", env_of({{"HTTP_PROXY", "ftp://p"}}), error));
  EXPECT_TRUE(error.starts_with("HTTP_PROXY ")) << error;
}

TEST(ProxyFor, NoProxyForms) {
  struct Case {
    const char* no_proxy;
    const char* host;
    const char* port;
    bool direct;
  };
  const std::vector<Case> cases = {
      {"*", "anything.example", "443", true},
      {"foo.test, *", "anything.example", "443", true},
      {"*.example.com", "a.example.com", "443", true},  // Go's spelling, accepted too
      {"*.example.com", "example.com", "443", true},
      {"example.com", "example.com", "443", true},
      {"example.com", "a.b.example.com", "443", true},
      {"example.com", "A.EXAMPLE.COM", "443", true},
      {"EXAMPLE.com", "a.example.com", "443", true},
      {"example.com", "badexample.com", "443", false},
      {"example.com", "example.com.evil", "443", false},
      {".example.com", "example.com", "443", true},
      {".example.com", "a.example.com", "443", true},
      {"example.com.", "a.example.com.", "443", true},
      {"example.com:443", "a.example.com", "443", true},
      {"example.com:443", "a.example.com", "8443", false},
      {"other.test,example.com", "example.com", "443", true},
      {"other.test example.com", "example.com", "443", true},
      {" other.test ,, example.com ", "example.com", "443", true},
      {"other.test", "example.com", "443", false},
      {"10.0.0.1", "10.0.0.1", "443", true},
      {"10.0.0.1", "10.0.0.10", "443", false},
      {"10.0.0.0/8", "10.200.3.4", "443", true},
      {"10.0.0.0/8", "11.0.0.1", "443", false},
      {"10.0.0.0/8", "ten.example", "443", false},
      {"fd00::/8", "fd12::1", "443", true},
      {"::1", "::1", "443", true},
      {"::1", "[::1]", "443", true},
      {"::1", "0:0::1", "443", true},
      {"[::1]", "::1", "443", true},
      {"[::1]:443", "::1", "443", true},
      {"[::1]:443", "::1", "80", false},
      {"169.254.169.254:80", "169.254.169.254", "80", true},
      // Loopback goes through the proxy unless listed, as in curl.
      {"", "localhost", "443", false},
      {"other.test", "127.0.0.1", "443", false},
      {"other.test", "::1", "443", false},
      {"localhost", "localhost", "443", true},
      // Entries that cannot be understood match nothing.
      {"[::1", "::1", "443", false},
      {"example.com:http", "example.com", "80", false},
      {"10.0.0.0/x", "10.0.0.1", "443", false},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto proxy = proxy_for("https", c.host, c.port, env_of({{"HTTPS_PROXY", "proxy:3128"}, {"NO_PROXY", c.no_proxy}}), error);
    EXPECT_EQ(error, "");
    EXPECT_EQ(!proxy, c.direct) << "NO_PROXY=\"" << c.no_proxy << "\" host " << c.host << ":" << c.port;
  }
}

TEST(ProxyFor, NoProxyLowercaseFirstAndExemptsEvenFromABadProxyUrl) {
  std::string error;
  EXPECT_TRUE(proxy_for("https", "a.test", "443",
                        env_of({{"https_proxy", "p:1"}, {"no_proxy", "b.test"}, {"NO_PROXY", "a.test"}}), error));
  EXPECT_FALSE(proxy_for("https", "a.test", "443", env_of({{"https_proxy", "p:1"}, {"no_proxy", ""}, {"NO_PROXY", "a.test"}}),
                         error));
  EXPECT_FALSE(proxy_for("https", "a.test", "443", env_of({{"https_proxy", "https://p"}, {"no_proxy", "a.test"}}), error));
  EXPECT_EQ(error, "");
}

// ---- async_connect_tunnel against a loopback proxy --------------------------------------------

// What the test proxy does with one CONNECT.
struct ProxyScript {
  std::string required_authorization{};  // when set and missing from the request: 407
  std::vector<std::string> answer{};     // written in order, as separate writes
  bool tunnel_to_target = false;       // then connect to 127.0.0.1:<requested port> and pipe
  bool close_after_answer = false;
  bool read_request = true;            // false: accept and never read nor answer
};

// One connection each way, one io_context; every member outlives io_.run_*.
class HttpProxyTunnelTest : public ::testing::Test {
 protected:
  std::string proxy_port() const { return std::to_string(proxy_acceptor_.local_endpoint().port()); }
  std::string echo_port() const { return std::to_string(echo_acceptor_.local_endpoint().port()); }
  ProxyServer proxy_server(std::string authorization = "") const {
    return {"127.0.0.1", proxy_port(), std::move(authorization), "127.0.0.1:" + proxy_port()};
  }

  // Connects client_ to the proxy and starts the proxy on `script`.
  void start_proxy(ProxyScript script) {
    script_ = std::move(script);
    client_.connect(proxy_acceptor_.local_endpoint());
    proxy_acceptor_.accept(proxy_side_);
    if (!script_.read_request) return;
    asio::async_read_until(proxy_side_, request_buffer_, "\r\n\r\n", [this](error_code ec, std::size_t size) {
      if (ec) return;
      request_head_.assign(asio::buffers_begin(request_buffer_.data()), asio::buffers_begin(request_buffer_.data()) + size);
      request_buffer_.consume(size);
      if (!script_.required_authorization.empty() &&
          request_head_.find("\r\nProxy-Authorization: " + script_.required_authorization + "\r\n") == std::string::npos) {
        script_.answer = {"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                          "Content-Length: 0\r\n\r\n"};
        script_.tunnel_to_target = false;
      }
      write_answer(0);
    });
  }

  // Each chunk after the first goes out once the client has taken every byte before it, so
  // the client sees the head split exactly where the script splits it.
  void write_answer(std::size_t index, int polls = 0) {
    if (index == script_.answer.size()) {
      if (script_.close_after_answer) proxy_side_.close();
      if (script_.tunnel_to_target) connect_upstream();
      return;
    }
    error_code ec;
    if (index > 0 && client_.available(ec) > 0 && !ec && polls < 100000)
      return asio::post(io_, [this, index, polls] { write_answer(index, polls + 1); });
    asio::async_write(proxy_side_, asio::buffer(script_.answer[index]),
                      [this, index](error_code ec, std::size_t) {
                        if (!ec) write_answer(index + 1);
                      });
  }

  void connect_upstream() {
    // "CONNECT 127.0.0.1:<port> HTTP/1.1": the test only tunnels to loopback.
    const auto colon = request_head_.find(':');
    const auto port = static_cast<unsigned short>(std::stoi(request_head_.substr(colon + 1)));
    upstream_.async_connect({asio::ip::make_address("127.0.0.1"), port}, [this](error_code ec) {
      if (ec) return;
      pipe(proxy_side_, upstream_, client_to_target_);
      pipe(upstream_, proxy_side_, target_to_client_);
    });
  }

  static void pipe(tcp::socket& from, tcp::socket& to, std::array<char, 4096>& buffer) {
    from.async_read_some(asio::buffer(buffer), [&from, &to, &buffer](error_code ec, std::size_t size) {
      if (ec) return;
      asio::async_write(to, asio::buffer(buffer.data(), size), [&from, &to, &buffer](error_code ec, std::size_t) {
        if (!ec) pipe(from, to, buffer);
      });
    });
  }

  void start_echo_server() {
    echo_acceptor_.async_accept(echo_side_, [this](error_code ec) {
      if (!ec) echo();
    });
  }

  void echo() {
    echo_side_.async_read_some(asio::buffer(echo_buffer_), [this](error_code ec, std::size_t size) {
      if (ec) return;
      asio::async_write(echo_side_, asio::buffer(echo_buffer_.data(), size), [this](error_code ec, std::size_t) {
        if (!ec) echo();
      });
    });
  }

  // Runs the tunnel operation to completion; the callback must not come from inside the call.
  void tunnel(const ProxyServer& proxy, std::string host, std::string port,
              std::chrono::steady_clock::duration timeout = std::chrono::seconds(10)) {
    async_connect_tunnel(client_, proxy, std::move(host), std::move(port), timeout, [this](error_code ec, std::string message) {
      done_ = true;
      result_ = ec;
      message_ = std::move(message);
    });
    EXPECT_FALSE(done_) << "completion ran inside the initiating call";
    run_until(done_);
    ASSERT_TRUE(done_);
  }

  void run_until(const bool& flag) {
    while (!flag && io_.run_one_for(std::chrono::seconds(10)) != 0) {
    }
  }

  asio::io_context io_;
  tcp::acceptor proxy_acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
  tcp::acceptor echo_acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
  tcp::socket client_{io_};
  tcp::socket proxy_side_{io_};
  tcp::socket upstream_{io_};
  tcp::socket echo_side_{io_};
  ProxyScript script_;
  asio::streambuf request_buffer_;
  std::string request_head_;
  std::array<char, 4096> client_to_target_{};
  std::array<char, 4096> target_to_client_{};
  std::array<char, 4096> echo_buffer_{};
  bool done_ = false;
  error_code result_;
  std::string message_;
};

TEST_F(HttpProxyTunnelTest, BytesFlowThroughTheTunnelWithCredentialsFromTheEnvironment) {
  start_echo_server();
  start_proxy({.required_authorization = "Basic dXNlcjpwYXNz",
               .answer = {"HTTP/1.1 200 Connection established\r\nVia: 1.1 test\r\n\r\n"},
               .tunnel_to_target = true});
  std::string error;
  const auto proxy = proxy_for("wss", "127.0.0.1", echo_port(),
                               env_of({{"HTTPS_PROXY", "http://user:pass@127.0.0.1:" + proxy_port()}}), error);
  ASSERT_TRUE(proxy) << error;

  tunnel(*proxy, "127.0.0.1", echo_port());
  ASSERT_FALSE(result_) << message_;
  EXPECT_EQ(message_, "");
  EXPECT_EQ(request_head_, "CONNECT 127.0.0.1:" + echo_port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + echo_port() +
                               "\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");

  const std::string payload = "through the proxy and back";
  std::string echoed(payload.size(), '\0');
  bool echoed_back = false;
  asio::async_write(client_, asio::buffer(payload), [](error_code ec, std::size_t) { EXPECT_FALSE(ec); });
  asio::async_read(client_, asio::buffer(echoed), [&](error_code ec, std::size_t) {
    EXPECT_FALSE(ec) << ec.message();
    echoed_back = true;
  });
  run_until(echoed_back);
  EXPECT_EQ(echoed, payload);
}

TEST_F(HttpProxyTunnelTest, MissingCredentialsAreRefusedWithTheStatus) {
  start_proxy({.required_authorization = "Basic dXNlcjpwYXNz"});
  tunnel(proxy_server(), "ssm.example", "443");
  EXPECT_EQ(result_, ProxyErrc::refused);
  EXPECT_EQ(message_, "proxy 127.0.0.1:" + proxy_port() +
                          " refused CONNECT to ssm.example:443: HTTP 407 Proxy Authentication Required");
  EXPECT_EQ(request_head_.find("Proxy-Authorization"), std::string::npos);
}

TEST_F(HttpProxyTunnelTest, ForbiddenIpv6TargetIsBracketed) {
  start_proxy({.answer = {"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden"}});
  tunnel(proxy_server(), "[::1]", "443");
  EXPECT_EQ(result_, ProxyErrc::refused);
  EXPECT_EQ(message_, "proxy 127.0.0.1:" + proxy_port() + " refused CONNECT to [::1]:443: HTTP 403 Forbidden");
  EXPECT_TRUE(request_head_.starts_with("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n")) << request_head_;
}

TEST_F(HttpProxyTunnelTest, ReasonPhraseIsOptionalAndSanitised) {
  start_proxy({.answer = {"HTTP/1.0 502 Bad\x1b[31mGateway\r\n\r\n"}});
  tunnel(proxy_server(), "h", "443");
  EXPECT_EQ(message_, "proxy 127.0.0.1:" + proxy_port() + " refused CONNECT to h:443: HTTP 502 Bad?[31mGateway");
}

TEST_F(HttpProxyTunnelTest, BytesAfterTheHeadStayInTheSocket) {
  // A proxy that forwards the target's first bytes in the same segment as its 200.
  start_proxy({.answer = {"HTTP/1.1 200 OK\r\n\r\nTARGET-SPOKE-FIRST"}});
  tunnel(proxy_server(), "h", "22");
  ASSERT_FALSE(result_) << message_;
  std::string first(18, '\0');
  asio::read(client_, asio::buffer(first));
  EXPECT_EQ(first, "TARGET-SPOKE-FIRST");
}

TEST_F(HttpProxyTunnelTest, InterimHeadsAreSkippedAndSplitHeadsJoined) {
  start_proxy({.answer = {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection", " established\r\nX: y\r\n\r",
                          "\nAFTER"}});
  tunnel(proxy_server(), "h", "443");
  ASSERT_FALSE(result_) << message_;
  std::string after(5, '\0');
  asio::read(client_, asio::buffer(after));
  EXPECT_EQ(after, "AFTER");
}

TEST_F(HttpProxyTunnelTest, ProxyClosingMidHeadIsAnError) {
  start_proxy({.answer = {"HTTP/1.1 200 Conn"}, .close_after_answer = true});
  tunnel(proxy_server(), "h", "443");
  EXPECT_EQ(result_, ProxyErrc::closed);
  EXPECT_EQ(message_, "proxy 127.0.0.1:" + proxy_port() + " closed the connection before answering CONNECT to h:443");
}

TEST_F(HttpProxyTunnelTest, OversizedHeadIsAnError) {
  start_proxy({.answer = {"HTTP/1.1 200 OK\r\nX-Filler: " + std::string(kMaxProxyResponseHead + 100, 'a') + "\r\n\r\n"}});
  tunnel(proxy_server(), "h", "443");
  EXPECT_EQ(result_, ProxyErrc::response_too_large);
  EXPECT_NE(message_.find("longer than 16 KiB"), std::string::npos) << message_;
}

TEST_F(HttpProxyTunnelTest, NonHttpAnswerIsAnError) {
  start_proxy({.answer = {"SSH-2.0-OpenSSH_9.2\r\n\r\n"}});
  tunnel(proxy_server(), "h", "443");
  EXPECT_EQ(result_, ProxyErrc::malformed_response);
  EXPECT_EQ(message_, "proxy 127.0.0.1:" + proxy_port() + " sent a malformed answer to CONNECT");
}

TEST_F(HttpProxyTunnelTest, SilentProxyTimesOutAndLeavesTheSocketToTheCaller) {
  start_proxy({.read_request = false});
  tunnel(proxy_server(), "h", "443", std::chrono::milliseconds(50));
  EXPECT_EQ(result_, ProxyErrc::timed_out);
  EXPECT_EQ(message_, "timed out waiting for proxy 127.0.0.1:" + proxy_port() + " to answer CONNECT to h:443");
  EXPECT_TRUE(client_.is_open());
}

TEST_F(HttpProxyTunnelTest, TargetsThatWouldSplitTheRequestAreRefusedBeforeSending) {
  start_proxy({.answer = {"HTTP/1.1 200 OK\r\n\r\n"}});
  for (const auto& [host, port] : std::vector<std::pair<std::string, std::string>>{
           {"h\r\nX-Injected: 1", "443"}, {"", "443"}, {"h", "0"}, {"h", "443 "}, {"h:80", "443"}, {"a b", "1"}}) {
    done_ = false;
    tunnel(proxy_server(), host, port);
    EXPECT_EQ(result_, ProxyErrc::bad_target) << host;
  }
  EXPECT_EQ(request_head_, "");
}

}  // namespace
}  // namespace ssm::transport
