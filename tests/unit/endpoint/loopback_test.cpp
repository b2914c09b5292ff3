// The endpoint server in-process on its own io_context thread, driven by a Beast client as the
// plugin would drive it: API calls, OpenDataChannel, handshake, echo, resume, refusal, TLS.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "base/text.h"
#include "loopback_server.h"
#include "wire/digest.h"

namespace ssm::endpoint {
namespace {

using namespace test;

std::string sha256_hex(std::string_view s) { return base::hex_lower(wire::sha256(bytes(s))); }

EndpointConfig config(std::string target) {
  EndpointConfig c;
  c.stream_target = std::move(target);
  return c;
}

// The stream target right away, without a handshake in front: a Port session with an agent
// from before the handshake (shell documents get a real shell on a pty instead).
EndpointConfig bare_stream(std::string target) {
  EndpointConfig c = config(std::move(target));
  c.predates_handshake = true;
  return c;
}
constexpr const char* kBareDocument = "AWS-StartSSHSession";

TEST(Loopback, HandshakeThenEcho) {
  Loopback server(config("echo"));
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, "AWS-StartSSHSession", R"({"portNumber":["2222"]})");

  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(s.token));
  ClientSide client;

  // Port session: the agent's first message is its HandshakeRequest, seq 0 with SYN.
  auto request = next_data(ws);
  ASSERT_TRUE(request) << ws.last_error().message();
  EXPECT_EQ(request->message_type, "output_stream_data");
  EXPECT_EQ(request->payload_type, wire::PayloadType::handshake_request);
  EXPECT_EQ(request->sequence_number, 0);
  EXPECT_EQ(request->flags, wire::kFlagSyn);
  wire::HandshakeRequest hr;
  ASSERT_FALSE(wire::parse(request->payload_text(), hr));
  EXPECT_EQ(hr.agent_version, "3.3.987.0");
  ASSERT_EQ(hr.requested_client_actions.size(), 1u);
  wire::SessionTypeRequest type;
  ASSERT_FALSE(wire::parse(hr.requested_client_actions[0].action_parameters, type));
  EXPECT_EQ(type.session_type, "Port");
  EXPECT_EQ(type.properties.dump(), R"({"portNumber":"2222"})");
  ws.send(ClientSide::ack(*request));

  wire::HandshakeResponse response;
  response.client_version = "1.2.835.0";
  response.processed_client_actions.push_back({"SessionType", 1, nullptr, ""});
  ws.send(client.data(wire::PayloadType::handshake_response, wire::to_json(response)));

  auto complete = next_data(ws);
  ASSERT_TRUE(complete);
  EXPECT_EQ(complete->payload_type, wire::PayloadType::handshake_complete);
  EXPECT_EQ(complete->sequence_number, 1);
  EXPECT_EQ(complete->flags, 0u);
  ws.send(ClientSide::ack(*complete));

  ws.send(client.data(wire::PayloadType::output, "hello"));
  auto echo = next_data(ws);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload_type, wire::PayloadType::output);
  EXPECT_EQ(echo->sequence_number, 2);
  EXPECT_EQ(echo->payload_text(), "hello");
  ws.send(ClientSide::ack(*echo));

  // TerminateSession: channel_closed to the connected client.
  const auto [status, body] = api.api("TerminateSession", R"({"SessionId":")" + s.id + R"("})");
  EXPECT_EQ(status, 200u) << body;
  auto closed = next_data(ws);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->message_type, "channel_closed");
  EXPECT_EQ(closed->sequence_number, 0);
  EXPECT_EQ(closed->flags, 3u);
  wire::ChannelClosed cc;
  ASSERT_FALSE(wire::parse(closed->payload_text(), cc));
  EXPECT_EQ(cc.session_id, s.id);
  EXPECT_EQ(cc.output, "");

  server.stop();
  const std::string h = sha256_hex("hello");
  EXPECT_NE(server.events().find("session " + s.id + " ended: in=5 out=5 in_sha256=" + h + " out_sha256=" + h +
                                 " sent=3 resent="),
            std::string::npos)
      << server.events();
  // HandshakeRequest, HandshakeComplete and the echo out; HandshakeResponse and "hello" in.
  EXPECT_NE(server.events().find(" received=2 dup_in=0 drop_in=0 drop_out=0 drop_ack_in=0 drop_ack_out=0 copy_in=0 "
                                 "copy_out=0 srtt_us="),
            std::string::npos)
      << server.events();
}

TEST(Loopback, WrongTokenIsClosedWithPolicyViolation) {
  Loopback server(config("echo"));
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, "AWS-StartSSHSession");
  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel("not-" + s.token));
  EXPECT_FALSE(ws.read());
  EXPECT_EQ(ws.last_error(), websocket::error::closed);
  EXPECT_EQ(ws.close_reason().code, 1008);
  EXPECT_EQ(ws.close_reason().reason, "invalid token");
}

TEST(Loopback, PlainShellHasNoHandshakeAndSourceEndsWithChannelClosed) {
  // The "shell": 3000 bytes without a newline (the pty would add carriage returns), then exit.
  char script[] = "/tmp/endpoint-shell-XXXXXX";
  const int fd = mkstemp(script);
  ASSERT_GE(fd, 0);
  const std::string text = "#!/bin/sh\nhead -c 3000 /dev/zero | tr '\\0' x\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  fchmod(fd, 0700);
  close(fd);
  EndpointConfig c = config("echo");
  c.shell = script;
  Loopback server(c);
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, "");
  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(s.token));

  std::string received;
  std::int64_t expected_seq = 0;
  while (auto m = next_data(ws)) {
    if (m->message_type == "channel_closed") break;
    EXPECT_EQ(m->payload_type, wire::PayloadType::output);
    EXPECT_EQ(m->sequence_number, expected_seq);
    EXPECT_EQ(m->flags, expected_seq == 0 ? wire::kFlagSyn : 0u);
    EXPECT_LE(m->payload.size(), 1024u);
    ++expected_seq;
    received += m->payload_text();
    ws.send(ClientSide::ack(*m));
  }
  EXPECT_EQ(received, std::string(3000, 'x'));
  std::remove(script);
  server.stop();
  EXPECT_NE(server.events().find("session " + s.id + " ended: in=0 out=3000 in_sha256=" + sha256_hex("") +
                                 " out_sha256=" + sha256_hex(received)),
            std::string::npos)
      << server.events();
}

TEST(Loopback, ResumeReattachesTheSameChannelWithANewToken) {
  Loopback server(bare_stream("echo"));
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, kBareDocument);
  ClientSide client;
  {
    Plain ws(server.port());
    ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
    ws.send_text(open_data_channel(s.token));
    ws.send(client.data(wire::PayloadType::output, "a"));
    auto echo = next_data(ws);
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->sequence_number, 0);
    ws.drop();  // without acking the echo
  }
  const auto [status, body] = api.api("ResumeSession", R"({"SessionId":")" + s.id + R"("})");
  ASSERT_EQ(status, 200u) << body;
  const std::string token = wire::Json::parse(body).value("TokenValue", "");
  EXPECT_NE(token, s.token);

  Plain stale(server.port());
  ASSERT_TRUE(stale.connect() && stale.upgrade(s.id));
  stale.send_text(open_data_channel(s.token));
  EXPECT_FALSE(stale.read());
  EXPECT_EQ(stale.close_reason().code, 1008);

  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(token));
  auto again = next_data(ws);  // the unacknowledged echo, resent on the new connection
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sequence_number, 0);
  EXPECT_EQ(again->payload_text(), "a");
  ws.send(ClientSide::ack(*again));
  ws.send(client.data(wire::PayloadType::output, "b"));
  auto echo = next_data(ws);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->sequence_number, 1);
  EXPECT_EQ(echo->payload_text(), "b");
}

TEST(Loopback, TlsServesHttpsAndWssWithItsOwnCa) {
  char path[] = "/tmp/endpoint-ca-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  EndpointConfig c = bare_stream("echo");
  c.tls = true;
  c.ca_out = path;
  Loopback server(c);
  asio::ssl::context trust(asio::ssl::context::tls_client);
  trust.load_verify_file(path);
  std::remove(path);

  Tls api(server.port(), &trust);
  ASSERT_TRUE(api.connect());
  const auto [status, body] = api.api("StartSession", R"({"Target":"i-0123","DocumentName":"AWS-StartSSHSession"})");
  ASSERT_EQ(status, 200u) << body;
  const auto j = wire::Json::parse(body);
  EXPECT_EQ(j.value("StreamUrl", "").rfind("wss://127.0.0.1:", 0), 0u);

  Tls ws(server.port(), &trust);
  ASSERT_TRUE(ws.connect() && ws.upgrade(j["SessionId"]));
  ws.send_text(open_data_channel(j["TokenValue"]));
  ClientSide client;
  ws.send(client.data(wire::PayloadType::output, "over tls"));
  auto echo = next_data(ws);
  ASSERT_TRUE(echo) << ws.last_error().message();
  EXPECT_EQ(echo->payload_text(), "over tls");
}

TEST(Loopback, ClientThatHangsUpEndsTheSessionAfterTheGrace) {
  EndpointConfig c = bare_stream("sink");
  c.resume_grace = std::chrono::milliseconds(50);
  Loopback server(c);
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, kBareDocument);
  {
    Plain ws(server.port());
    ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
    ws.send_text(open_data_channel(s.token));
    ClientSide client;
    ws.send(client.data(wire::PayloadType::output, "up"));
    ASSERT_TRUE(ws.read());  // the ack: "up" has been taken
    ws.drop();
  }
  // After the grace the session is over: resuming it is refused. (A ResumeSession call within
  // the grace would stretch it: the client is coming back.)
  std::this_thread::sleep_for(500ms);
  const unsigned status = api.api("ResumeSession", R"({"SessionId":")" + s.id + R"("})").first;
  EXPECT_EQ(status, 400u);
  server.stop();
  EXPECT_NE(server.events().find("session " + s.id + " ended: in=2 out=0"), std::string::npos) << server.events();
}

TEST(Loopback, PauseAfterHoldsTheAgentsOutputUntilStartPublication) {
  EndpointConfig c = bare_stream("source:5000");
  c.faults.pause_after = 2;
  c.faults.pause_ms = 100;
  Loopback server(c);
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, kBareDocument);
  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(s.token));

  std::vector<std::string> seen;  // "data", "pause_publication", "start_publication"
  std::size_t bytes = 0;
  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration paused_for{};
  std::chrono::steady_clock::time_point pause_seen;
  while (auto m = next_data(ws)) {
    if (m->message_type == "channel_closed") break;
    if (m->message_type == "output_stream_data") {
      // A retransmission of an unacked message may come again: count each sequence once.
      if (m->sequence_number == static_cast<std::int64_t>(std::count(seen.begin(), seen.end(), "data"))) {
        seen.push_back("data");
        bytes += m->payload.size();
      }
      ws.send(ClientSide::ack(*m));
    } else {
      seen.push_back(m->message_type);
      EXPECT_EQ(m->sequence_number, 0);
      if (m->message_type == "pause_publication") pause_seen = std::chrono::steady_clock::now();
      if (m->message_type == "start_publication") paused_for = std::chrono::steady_clock::now() - pause_seen;
    }
  }
  EXPECT_EQ(bytes, 5000u);
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 4),
            (std::vector<std::string>{"data", "data", "pause_publication", "start_publication"}));
  EXPECT_GE(paused_for, 90ms);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(Loopback, DropNthOutLosesOneDataFrameAndTheEndLineTimesItsRepair) {
  EndpointConfig c = bare_stream("source:5000");
  c.faults.drop_nth_out = 2;
  Loopback server(c);
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, kBareDocument);
  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(s.token));

  std::vector<std::int64_t> arrived;  // sequence numbers in arrival order, copies included
  while (auto m = next_data(ws)) {
    if (m->message_type == "channel_closed") break;
    if (m->message_type != "output_stream_data") continue;
    arrived.push_back(m->sequence_number);
    ws.send(ClientSide::ack(*m));
  }
  ASSERT_FALSE(arrived.empty());
  EXPECT_EQ(arrived[0], 0);
  EXPECT_NE(arrived[1], 1);  // lost ...
  EXPECT_GE(std::count(arrived.begin(), arrived.end(), 1), 1);  // ... and resent
  server.stop();
  const std::string events = server.events();
  EXPECT_NE(events.find(" drop_out=1 drop_ack_in=0 drop_ack_out=0 copy_in=0 copy_out=0 nth_out_seq=1 nth_out_repair_us="),
            std::string::npos)
      << events;
  const auto at = events.find("nth_out_repair_us=");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stol(events.substr(at + 18)), 0) << events;
}

TEST(Loopback, DisconnectAfterDropsTheConnection) {
  EndpointConfig c = bare_stream("source:100000");
  c.faults.disconnect_after = 3;
  Loopback server(c);
  Plain api(server.port());
  ASSERT_TRUE(api.connect());
  const Session s = start_session(api, kBareDocument);
  Plain ws(server.port());
  ASSERT_TRUE(ws.connect() && ws.upgrade(s.id));
  ws.send_text(open_data_channel(s.token));
  int data = 0;
  while (auto m = ws.read()) data += m->message_type == "output_stream_data";
  EXPECT_LE(data, 3);
  EXPECT_NE(ws.last_error(), asio::error::timed_out);  // a broken connection, not silence
}

}  // namespace
}  // namespace ssm::endpoint
