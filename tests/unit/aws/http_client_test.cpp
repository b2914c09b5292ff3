// The generic HTTP client and the JSON 1.1 client on top of it, against a loopback server:
// method, target, headers and body as sent; errors as one line; the deadline.
#include <gtest/gtest.h>

#include "aws/http_client.h"
#include "aws/json_client.h"
#include "loopback_http_server.h"

namespace ssm::aws {
namespace {

using namespace ssm::aws::testing;
using namespace std::chrono_literals;

class HttpClient : public ::testing::Test {
 protected:
  HttpResponse request(HttpRequest r) {
    std::optional<HttpResponse> result;
    async_http_request(io.get_executor(), std::move(r), [&](HttpResponse response) { result = std::move(response); });
    EXPECT_FALSE(result) << "ran inline";
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or(HttpResponse{});
  }

  asio::io_context io;
  CannedReply reply{201, "created"};
  LoopbackHttpServer server{io, [this](const SeenRequest&) { return reply; }};
};

TEST_F(HttpClient, SendsTheRequestAndReturnsAnyStatus) {
  const auto r = request({"PUT", server.url() + "/a/b?c=d", {{"X-Thing", "1"}}, "payload", {}, 2s});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.body, "created");
  ASSERT_EQ(server.requests().size(), 1u);
  const auto& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/a/b?c=d");
  EXPECT_EQ(seen.header("x-thing"), "1");
  EXPECT_EQ(seen.header("host"), server.url().substr(7));
  EXPECT_EQ(seen.body, "payload");
}

TEST_F(HttpClient, RefusesWhatCannotBeSentWithoutEchoingIt) {
  auto r = request({"GET", "ftp://x/", {}, {}, {}, 2s});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("is not http(s)"), std::string::npos);
  r = request({"GET", server.url(), {{"Authorization", "secret\r\nX-Evil: 1"}}, {}, {}, 2s});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.find("secret"), std::string::npos) << r.error;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClient, ConnectionRefusedAndDeadline) {
  const auto port = std::to_string(closed_port(io));
  auto r = request({"GET", "http://127.0.0.1:" + port + "/", {}, {}, {}, 2s});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.rfind("cannot connect to 127.0.0.1:" + port + ": ", 0), 0u) << r.error;

  // A listener that never answers: the deadline ends the exchange.
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(io);
  silent.async_accept(held, [](boost::system::error_code) {});
  const auto started = std::chrono::steady_clock::now();
  r = request({"GET", "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/", {}, {}, {}, 200ms});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(HttpClient, JsonCallsAreSignedAndErrorsDescribed) {
  reply = {400, R"({"__type":"com.amazon#InvalidTarget","message":"no such target"})"};
  JsonCall call{server.url(), "us-east-1", "ssm", "AmazonSSM.TerminateSession", R"({"SessionId":"s"})",
                Credentials{"AKJSON", "json-secret", ""}, {}, 2s};
  std::optional<JsonResult> result;
  async_json_call(io.get_executor(), call, [&](JsonResult r) { result = std::move(r); });
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->status, 400u);
  EXPECT_EQ(result->error, "InvalidTarget: no such target (HTTP 400)");
  ASSERT_EQ(server.requests().size(), 1u);
  const auto& seen = server.requests()[0];
  EXPECT_EQ(seen.header("x-amz-target"), "AmazonSSM.TerminateSession");
  EXPECT_EQ(seen.header("content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(seen.header("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKJSON/", 0), 0u);
  EXPECT_EQ(seen.body, R"({"SessionId":"s"})");
}

}  // namespace
}  // namespace ssm::aws
