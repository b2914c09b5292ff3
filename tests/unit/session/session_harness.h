// Test support: a ClientSession with every part scripted and no socket, terminal or network.
// The WebSocket is a FakeSocket the test opens, feeds and drops; the agent is a script of
// frames (Agent); the control plane holds each call until the test answers it; the session
// kinds record what reaches them; status and error lines are captured.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "session/client_session.h"
#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::session::testing {

namespace asio = boost::asio;
using Frame = transport::Frame;

// What the session writes to the WebSocket, decoded; no callbacks once closed (as the real one).
class FakeSocket final : public transport::WebSocketClient {
 public:
  explicit FakeSocket(transport::ConnectionListener& listener) : listener(listener) {}
  void send(Frame frame) override {
    wire::ClientMessage m;
    EXPECT_FALSE(wire::decode(*frame, m)) << "the session wrote a frame it cannot decode";
    sent.push_back(std::move(m));
  }
  void close() override { closed = true; }
  bool opened = false;
  std::size_t queued_bytes() const override { return 0; }

  transport::ConnectionListener& listener;
  std::vector<wire::ClientMessage> sent;
  bool closed = false;
};

// The agent's side of the wire: numbered output_stream_data, acks, channel_closed.
class Agent {
 public:
  std::vector<std::uint8_t> data(wire::PayloadType type, std::string_view payload) {
    wire::ClientMessage m;
    m.message_type = std::string(wire::message_type::output_stream_data);
    m.created_date = 1;
    m.sequence_number = next_seq_++;
    m.flags = m.sequence_number == 0 ? wire::kFlagSyn : 0;
    m.message_id = wire::Uuid::random_v4();
    m.payload_type = type;
    m.payload.assign(payload.begin(), payload.end());
    return wire::encode(m);
  }
  std::vector<std::uint8_t> output(std::string_view text) { return data(wire::PayloadType::output, text); }
  std::vector<std::uint8_t> handshake_request(const wire::HandshakeRequest& r) {
    return data(wire::PayloadType::handshake_request, wire::to_json(r));
  }
  std::vector<std::uint8_t> handshake_complete(std::string customer_message = {}) {
    return data(wire::PayloadType::handshake_complete, wire::to_json(wire::HandshakeComplete{5, customer_message}));
  }
  static std::vector<std::uint8_t> ack(const wire::ClientMessage& of) {
    wire::ClientMessage m;
    m.message_type = std::string(wire::message_type::acknowledge);
    m.created_date = 1;
    m.flags = 3;
    m.message_id = wire::Uuid::random_v4();
    const std::string payload = wire::to_json(
        wire::Acknowledge{of.message_type, of.message_id.to_string(), of.sequence_number, true});
    m.payload.assign(payload.begin(), payload.end());
    return wire::encode(m);
  }
  static std::vector<std::uint8_t> channel_closed(std::string output) {
    wire::ClientMessage m;
    m.message_type = std::string(wire::message_type::channel_closed);
    m.created_date = 1;
    m.message_id = wire::Uuid::random_v4();
    wire::ChannelClosed c;
    c.message_id = m.message_id.to_string();
    c.session_id = "s-test";
    c.output = std::move(output);
    const std::string payload = wire::to_json(c);
    m.payload.assign(payload.begin(), payload.end());
    return wire::encode(m);
  }

  // A HandshakeRequest with a SessionType action, and a KMSEncryption action when `kms_key` is set.
  static wire::HandshakeRequest request(std::string session_type, wire::Json properties = nullptr,
                                        std::string kms_key = {}, std::string challenge = {}) {
    wire::HandshakeRequest r{"3.3.987.0", {}};
    r.requested_client_actions.push_back(
        {"SessionType", wire::Json{{"SessionType", session_type}, {"Properties", properties}}});
    if (!kms_key.empty()) {
      wire::Json kms{{"KMSKeyId", kms_key}};
      if (!challenge.empty()) kms["Challenge"] = challenge;
      r.requested_client_actions.push_back({"KMSEncryption", kms});
    }
    return r;
  }

 private:
  std::int64_t next_seq_ = 0;
};

// Every control-plane call waits for the test's answer.
class FakeControlPlane final : public ControlPlane {
 public:
  struct DataKeyCall {
    std::string key_id;
    aws::EncryptionContext context;
    std::function<void(aws::DataKeyOutcome)> done;
  };
  void upgrade_credentials(std::function<void(aws::ResolvedCredentials)> done) override {
    done(aws::ResolvedCredentials{std::nullopt, "", "no credentials in tests"});
  }
  void resume_session(const std::string& id, std::function<void(aws::CallOutcome)> done) override {
    calls.push_back("ResumeSession " + id);
    resumes.push_back(std::move(done));
  }
  void terminate_session(const std::string& id, std::chrono::seconds, std::function<void(aws::CallOutcome)> done) override {
    calls.push_back("TerminateSession " + id);
    terminates.push_back(std::move(done));
  }
  void generate_data_key(const std::string& key_id, const aws::EncryptionContext& context,
                         std::function<void(aws::DataKeyOutcome)> done) override {
    calls.push_back("GenerateDataKey " + key_id);
    data_keys.push_back({key_id, context, std::move(done)});
  }

  std::vector<std::string> calls;
  std::deque<std::function<void(aws::CallOutcome)>> resumes, terminates;
  std::deque<DataKeyCall> data_keys;
};

// A session kind that records what reaches it.
class FakeKind final : public SessionKind {
 public:
  FakeKind(channel::SessionType type, channel::DataChannel& channel, KindEvents& events, ShellControl& control)
      : type(std::move(type)), channel(channel), events(events), control(control) {}
  std::string prepare() override { return prepare_error; }
  void start() override {
    ++started;
    // A shell sends the terminal size first thing, as ShellSession does.
    if (type.kind == channel::SessionKind::standard_stream)
      channel.send(wire::PayloadType::size, wire::as_bytes(R"({"cols":80,"rows":24})"));
  }
  channel::Delivery on_output(const wire::ClientMessage& m) override {
    outputs.emplace_back(m.payload_text());
    return channel::Delivery::accepted;
  }
  void on_send_space() override {}
  void finish(int exit_code) override {
    finished = exit_code;
    if (done_on_finish) events.on_kind_done(exit_code);
  }
  void abort() override { aborted = true; }
  bool stdout_is_data() const override { return data_on_stdout; }
  bool on_signal(int) override { return takes_signals; }
  void type_input(std::string_view text) { channel.send(wire::PayloadType::output, wire::as_bytes(text)); }

  channel::SessionType type;
  channel::DataChannel& channel;
  KindEvents& events;
  ShellControl& control;
  int started = 0;
  std::vector<std::string> outputs;
  std::optional<int> finished;
  bool aborted = false;
  bool done_on_finish = true;
  bool takes_signals = false;
  bool data_on_stdout = false;  // a stdio (ssh ProxyCommand) session
  std::string prepare_error;  // what prepare() answers (a busy port, say)
};

class FakeKinds final : public KindFactory {
 public:
  std::unique_ptr<SessionKind> make(const channel::SessionType& type, const KindContext&, channel::DataChannel& channel,
                                    KindEvents& events, ShellControl& control) override {
    auto kind = std::make_unique<FakeKind>(type, channel, events, control);
    kind->prepare_error = prepare_error;
    kind->data_on_stdout = data_on_stdout;
    made.push_back(kind.get());
    return kind;
  }
  std::string prepare_error;  // for every kind made from now on
  bool data_on_stdout = false;  // likewise
  FakeKind* last() const { return made.empty() ? nullptr : made.back(); }
  std::vector<FakeKind*> made;  // owned by the session
};

struct Harness {
  explicit Harness(std::string document = {}) {
    spec.session_id = "s-test";
    spec.stream_url = "ws://127.0.0.1:1/data";
    spec.token_value = "token";
    spec.target = "i-0123456789abcdef0";
    spec.region = "us-east-1";
    spec.client_version = "1.2.835.0";
    spec.document_name = std::move(document);
  }

  void start() {
    SessionParts parts;
    parts.control_plane = plane;
    parts.kinds = kinds;
    parts.dial = [this](asio::any_io_executor, transport::ConnectOptions options, transport::ConnectionListener& l) {
      dialed.push_back(options.url);
      sockets.push_back(std::make_shared<FakeSocket>(l));
      return sockets.back();
    };
    parts.out = [this](std::string_view t) { out += t; };
    parts.err = [this](std::string_view t) { err += t; };
    session = std::make_unique<ClientSession>(io.get_executor(), spec, nullptr, std::move(parts));
    session->start();
    settle();
  }
  FakeSocket& socket() { return *sockets.back(); }
  // A socket that is open and not closed: frames can arrive on it.
  bool live() const { return dialing() && sockets.back()->opened; }
  // A socket that has not failed or been closed (it may still be connecting).
  bool dialing() const { return !sockets.empty() && !sockets.back()->closed; }
  void open() {
    if (dialing() && !socket().opened) {
      socket().opened = true;
      socket().listener.on_open();
    }
    settle();
  }
  // The connection fails; like the real socket, this one makes no callback afterwards.
  void lose() {
    if (dialing()) {
      socket().closed = true;
      socket().listener.on_closed(transport::CloseReason::peer_closed, "the peer went away");
    }
    settle();
  }
  // One frame, as one read of the real socket brings it (the batch ends after it).
  void from_agent(const std::vector<std::uint8_t>& frame) {
    if (live()) socket().listener.on_frame(frame);
    if (live()) socket().listener.on_receive_idle();
    settle();
  }
  // Acknowledges every data message the session sent on the current socket (one batch).
  void ack_all() {
    for (const auto& m : data_sent())
      if (live()) socket().listener.on_frame(Agent::ack(m));
    if (live()) socket().listener.on_receive_idle();
    settle();
  }
  // Runs what is ready (posted handlers), not timers that have not expired.
  void settle() {
    io.restart();
    io.poll();
  }
  // Runs the loop, timers included, for this long.
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
  // The data messages (input_stream_data) written on the current socket, in sequence order,
  // each once (retransmissions left out).
  std::vector<wire::ClientMessage> data_sent() {
    std::map<std::int64_t, wire::ClientMessage> data;
    if (sockets.empty()) return {};
    for (const auto& m : socket().sent)
      if (m.message_type == wire::message_type::input_stream_data) data.emplace(m.sequence_number, m);
    std::vector<wire::ClientMessage> ordered;
    for (auto& [seq, m] : data) ordered.push_back(std::move(m));
    return ordered;
  }
  std::vector<wire::PayloadType> types_sent() {
    std::vector<wire::PayloadType> types;
    for (const auto& m : data_sent()) types.push_back(m.payload_type);
    return types;
  }
  // Answers the oldest ResumeSession call with a fresh StreamUrl, as the service does.
  void resume_to(const std::string& url) {
    plane->resumes.front()({true, 200, R"({"StreamUrl":")" + url + R"(","TokenValue":"t2"})", {},
                            aws::Credentials{"AK", "SK", ""}});
    plane->resumes.pop_front();
    settle();
  }
  FakeKind* kind() const { return kinds->last(); }
  Phase phase() const { return session->phase(); }

  asio::io_context io;
  SessionSpec spec;
  std::shared_ptr<FakeControlPlane> plane = std::make_shared<FakeControlPlane>();
  std::shared_ptr<FakeKinds> kinds = std::make_shared<FakeKinds>();
  std::vector<std::shared_ptr<FakeSocket>> sockets;
  std::vector<std::string> dialed;
  std::string out, err;
  Agent agent;
  std::unique_ptr<ClientSession> session;
};

}  // namespace ssm::session::testing
