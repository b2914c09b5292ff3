#include <gtest/gtest.h>

#include "transport/url.h"

namespace ssm::transport {
namespace {

TEST(Url, StreamUrlOfTheService) {
  auto u = Url::parse("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/user-012345?role=publish_subscribe");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "ssmmessages.us-east-1.amazonaws.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/v1/data-channel/user-012345?role=publish_subscribe");
  EXPECT_EQ(u->host_header(), "ssmmessages.us-east-1.amazonaws.com");
}

TEST(Url, LoopbackWithPortAndIpv6) {
  auto u = Url::parse("ws://127.0.0.1:8080/x");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
  auto v6 = Url::parse("WSS://[::1]:9443?q=1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/?q=1");
  EXPECT_EQ(v6->host_header(), "[::1]:9443");
  EXPECT_EQ(Url::parse("http://h")->target, "/");
}

TEST(Url, RejectsWhatCannotBeDialled) {
  for (const char* bad : {"", "ftp://h/", "ws://", "ws://:80/", "ws://h:0/", "ws://h:65536/", "ws://h:8x/",
                          "ws://[::1/", "ws://user:pw@h/", "h:80", "ws://[::1]x/"})
    EXPECT_FALSE(Url::parse(bad)) << bad;
}

}  // namespace
}  // namespace ssm::transport
