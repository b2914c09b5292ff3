// Host names to endpoints: numeric hosts (IPv4, IPv6) are converted without Asio's resolver
// and its thread; names still go through it; the answer never comes from inside the call.
#include "transport/resolve.h"

#include <dirent.h>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace ssm::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int thread_count() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

struct Answer {
  bool called = false;
  boost::system::error_code ec;
  Endpoints endpoints;
};

Answer resolve(asio::io_context& io, tcp::resolver& resolver, const std::string& host, const std::string& port) {
  Answer a;
  async_resolve(resolver, host, port, [&](boost::system::error_code ec, Endpoints e) {
    a.called = true;
    a.ec = ec;
    a.endpoints = std::move(e);
  });
  EXPECT_FALSE(a.called) << "answered from inside the call";
  io.run();
  io.restart();
  return a;
}

TEST(NumericEndpoint, AddressesAreConvertedAndNamesAreNot) {
  EXPECT_EQ(numeric_endpoint("127.0.0.1", "8080"), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 8080));
  EXPECT_EQ(numeric_endpoint("::1", "443"), tcp::endpoint(asio::ip::make_address("::1"), 443));
  EXPECT_EQ(numeric_endpoint("169.254.169.254", "80"), tcp::endpoint(asio::ip::make_address("169.254.169.254"), 80));
  EXPECT_FALSE(numeric_endpoint("localhost", "80"));
  EXPECT_FALSE(numeric_endpoint("ssmmessages.us-east-1.amazonaws.com", "443"));
  EXPECT_FALSE(numeric_endpoint("127.0.0.1", "http"));
  EXPECT_FALSE(numeric_endpoint("127.0.0.1", "70000"));
  EXPECT_FALSE(numeric_endpoint("[::1]", "80")) << "brackets belong to URLs, not to hosts";
}

TEST(AsyncResolve, ANumericHostStartsNoResolverThread) {
  asio::io_context io;
  tcp::resolver resolver(io);
  const int before = thread_count();
  const Answer a = resolve(io, resolver, "127.0.0.1", "4242");
  EXPECT_FALSE(a.ec);
  ASSERT_EQ(a.endpoints.size(), 1u);
  EXPECT_EQ(a.endpoints[0], tcp::endpoint(asio::ip::make_address("127.0.0.1"), 4242));
  const Answer v6 = resolve(io, resolver, "::1", "4243");
  ASSERT_EQ(v6.endpoints.size(), 1u);
  EXPECT_EQ(v6.endpoints[0].port(), 4243);
  EXPECT_EQ(thread_count(), before);
}

TEST(AsyncResolve, ANameGoesThroughTheResolver) {
  asio::io_context io;
  tcp::resolver resolver(io);
  const Answer a = resolve(io, resolver, "localhost", "4242");
  EXPECT_FALSE(a.ec) << a.ec.message();
  ASSERT_FALSE(a.endpoints.empty());
  for (const auto& e : a.endpoints) {
    EXPECT_TRUE(e.address().is_loopback()) << e;
    EXPECT_EQ(e.port(), 4242);
  }
}

}  // namespace
}  // namespace ssm::transport
