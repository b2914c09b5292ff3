// The SOCKS parser against the byte layouts of RFC 1928 (SOCKS5) and the SOCKS4/4a
// specifications, as curl and browsers send them: whole, split at every byte, pipelined, and
// malformed.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "socks/socks_request.h"

namespace ssm::socks {
namespace {

using Bytes = std::vector<std::uint8_t>;
using State = RequestParser::State;

Bytes bytes(std::initializer_list<int> list) {
  Bytes out;
  for (int b : list) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

const Bytes kGreeting = bytes({5, 1, 0});  // curl: one method, no authentication
const Bytes kChoseNoAuth = bytes({5, 0});

Bytes socks5_name(const std::string& name, int port) {
  return bytes({5, 1, 0, 3, static_cast<int>(name.size())}) + text(name) + bytes({port >> 8, port & 0xFF});
}

TEST(SocksRequest, Socks5WithANameIsResolvedOnTheNodesSide) {
  RequestParser p;
  const auto greeted = p.feed(kGreeting);
  EXPECT_EQ(greeted.state, State::greeted);
  EXPECT_EQ(greeted.answer, kChoseNoAuth);
  const auto request = p.feed(socks5_name("db.internal", 5432));
  EXPECT_EQ(request.state, State::request);
  EXPECT_TRUE(request.answer.empty()) << "the reply waits until the destination is reached";
  EXPECT_EQ(p.version(), Version::socks5);
  EXPECT_EQ(p.destination(), (Destination{"db.internal", 5432}));
}

TEST(SocksRequest, Socks5WithIpv4AndIpv6Addresses) {
  RequestParser v4;
  v4.feed(kGreeting);
  EXPECT_EQ(v4.feed(bytes({5, 1, 0, 1, 127, 0, 0, 2, 0x1F, 0x90})).state, State::request);
  EXPECT_EQ(v4.destination(), (Destination{"127.0.0.2", 8080}));

  RequestParser v6;
  v6.feed(kGreeting);
  EXPECT_EQ(v6.feed(bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80})).state, State::request);
  EXPECT_EQ(v6.destination(), (Destination{"::1", 80}));
}

TEST(SocksRequest, AnySplitOfTheBytesGivesTheSameResult) {
  const Bytes all = kGreeting + socks5_name("example.com", 443) + text("GET /");
  for (std::size_t cut = 0; cut <= all.size(); ++cut) {
    RequestParser p;
    Bytes answers;
    auto step = p.feed(Bytes(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cut)));
    answers = step.answer;
    Bytes stream;  // what the forwarder would pass on: the leftover, then later reads
    if (step.state == State::request) {
      stream = p.take_leftover() + Bytes(all.begin() + static_cast<std::ptrdiff_t>(cut), all.end());
    } else {
      step = p.feed(Bytes(all.begin() + static_cast<std::ptrdiff_t>(cut), all.end()));
      answers = answers + step.answer;
      stream = p.take_leftover();
    }
    EXPECT_EQ(step.state, State::request) << "cut at " << cut;
    EXPECT_EQ(answers, kChoseNoAuth) << "cut at " << cut;
    EXPECT_EQ(p.destination(), (Destination{"example.com", 443})) << "cut at " << cut;
    EXPECT_EQ(stream, text("GET /")) << "cut at " << cut << ": data sent early belongs to the stream";
  }
}

TEST(SocksRequest, OneByteAtATime) {
  const Bytes all = kGreeting + socks5_name("a.b", 22);
  RequestParser p;
  std::vector<State> states;
  for (std::uint8_t b : all) states.push_back(p.feed(Bytes{b}).state);
  EXPECT_EQ(states.back(), State::request);
  EXPECT_EQ(std::count(states.begin(), states.end(), State::greeted), 1);
}

TEST(SocksRequest, BindAndUdpAssociateAreRefusedWithCommandNotSupported) {
  for (int command : {2, 3}) {
    RequestParser p;
    p.feed(kGreeting);
    const auto step = p.feed(bytes({5, command, 0, 1, 127, 0, 0, 1, 0, 80}));
    EXPECT_EQ(step.state, State::failed);
    EXPECT_EQ(step.answer, encode_reply(Version::socks5, Reply::command_not_supported));
    EXPECT_EQ(step.answer[1], 0x07);
  }
}

TEST(SocksRequest, AGreetingWithoutNoAuthenticationIsAnsweredNoAcceptableMethod) {
  RequestParser p;
  const auto step = p.feed(bytes({5, 1, 2}));  // username/password only
  EXPECT_EQ(step.state, State::failed);
  EXPECT_EQ(step.answer, bytes({5, 0xFF}));
}

TEST(SocksRequest, AnUnknownAddressTypeIsRefused) {
  RequestParser p;
  p.feed(kGreeting);
  const auto step = p.feed(bytes({5, 1, 0, 9, 1, 2, 3, 4}));
  EXPECT_EQ(step.state, State::failed);
  EXPECT_EQ(step.answer, encode_reply(Version::socks5, Reply::address_type_not_supported));
}

TEST(SocksRequest, NotSocksAtAllIsClosedWithoutAReply) {
  RequestParser p;
  const auto step = p.feed(text("GET / HTTP/1.1\r\n"));
  EXPECT_EQ(step.state, State::failed);
  EXPECT_TRUE(step.answer.empty());
}

TEST(SocksRequest, NamesWithControlCharactersOrEmptyAreRefused) {
  for (const std::string& name : {std::string(), std::string("a\nb"), std::string("a b"), std::string("a\0b", 3)}) {
    RequestParser p;
    p.feed(kGreeting);
    const auto step = p.feed(socks5_name(name, 80));
    EXPECT_EQ(step.state, State::failed) << name;
    EXPECT_EQ(step.answer, encode_reply(Version::socks5, Reply::host_unreachable)) << name;
  }
}

TEST(SocksRequest, Socks4WithAnAddress) {
  RequestParser p;
  const auto step = p.feed(bytes({4, 1, 0x1F, 0x90, 127, 0, 0, 3}) + text("user") + bytes({0}));
  EXPECT_EQ(step.state, State::request);
  EXPECT_EQ(p.version(), Version::socks4);
  EXPECT_EQ(p.destination(), (Destination{"127.0.0.3", 8080}));
}

TEST(SocksRequest, Socks4aWithAName) {
  RequestParser p;
  const auto step = p.feed(bytes({4, 1, 0, 80, 0, 0, 0, 1, 0}) + text("web.internal") + bytes({0}));
  EXPECT_EQ(step.state, State::request);
  EXPECT_EQ(p.destination(), (Destination{"web.internal", 80}));
}

TEST(SocksRequest, Socks4BindIsRejected) {
  RequestParser p;
  const auto step = p.feed(bytes({4, 2, 0, 80, 127, 0, 0, 1, 0}));
  EXPECT_EQ(step.state, State::failed);
  EXPECT_EQ(step.answer, bytes({0, 91, 0, 0, 0, 0, 0, 0}));
}

TEST(SocksRequest, AnEndlessUserIdOrNameFailsInsteadOfGrowing) {
  RequestParser user;
  State s = user.feed(bytes({4, 1, 0, 80, 127, 0, 0, 1})).state;
  for (int i = 0; i < 600 && s == State::need_more; ++i) s = user.feed(Bytes{'u'}).state;
  EXPECT_EQ(s, State::failed);

  RequestParser name;
  s = name.feed(bytes({4, 1, 0, 80, 0, 0, 0, 1, 0})).state;
  for (int i = 0; i < 600 && s == State::need_more; ++i) s = name.feed(Bytes{'n'}).state;
  EXPECT_EQ(s, State::failed);
}

TEST(SocksRequest, RepliesAreTheProtocolsLayouts) {
  EXPECT_EQ(encode_reply(Version::socks5, Reply::succeeded), bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(encode_reply(Version::socks5, Reply::host_unreachable), bytes({5, 4, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(encode_reply(Version::socks4, Reply::succeeded), bytes({0, 90, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(encode_reply(Version::socks4, Reply::not_allowed), bytes({0, 91, 0, 0, 0, 0, 0, 0}));
}

TEST(SocksRequest, NothingIsParsedAfterTheRequest) {
  RequestParser p;
  p.feed(kGreeting);
  ASSERT_EQ(p.feed(socks5_name("x.y", 1)).state, State::request);
  EXPECT_EQ(p.feed(text("more")).state, State::failed) << "the stream's bytes are not the parser's";
}

}  // namespace
}  // namespace ssm::socks
