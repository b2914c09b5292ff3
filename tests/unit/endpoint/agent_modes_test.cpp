// The agents the endpoint can play around the handshake (agent-side.md §2), driven by a
// scripted client over loopback: the KMS random challenge and what the agent decrypts with,
// --require-kms-challenge and --refuse-kms-challenge, each --pre-handshake-input mode, and
// --shell-handshake always / never.
#include <gtest/gtest.h>

#include "base/base64.h"
#include "crypto/session_cipher.h"
#include "loopback_server.h"

namespace ssm::endpoint {
namespace {

using namespace test;

const std::string kKey = "alias/session-key";
const std::string kTarget = "i-0123";  // start_session's Target
constexpr auto kQuiet = 300ms;         // how long "nothing more comes" is watched for

EndpointConfig with_kms(EndpointConfig c = {}) {
  c.kms_key_id = kKey;
  return c;
}

EndpointConfig with_input(PreHandshakeInput mode) {
  EndpointConfig c;
  c.pre_handshake_input = mode;
  return c;
}

EndpointConfig with_shells(ShellHandshake mode, EndpointConfig c = {}) {
  c.shell_handshake = mode;
  return c;
}

// One session as the plugin would run it, step by step: every data message it reads is
// acked, as the plugin does.
class ScriptedClient {
 public:
  ScriptedClient(Loopback& server, const std::string& document, const std::string& parameters = "{}")
      : api_(server.port()), ws_(server.port()) {
    EXPECT_TRUE(api_.connect());
    session_ = start_session(api_, document, parameters);
    EXPECT_TRUE(ws_.connect() && ws_.upgrade(session_.id));
    ws_.send_text(open_data_channel(session_.token));
  }

  const std::string& id() const { return session_.id; }

  // The next message that is not an ack (acks are kept in acked()).
  std::optional<wire::ClientMessage> next(std::chrono::steady_clock::duration limit = kDeadline) {
    while (auto m = ws_.read(limit)) {
      if (m->message_type == wire::message_type::acknowledge) {
        wire::Acknowledge ack;
        if (!wire::parse(m->payload_text(), ack)) acked_.push_back(ack.acknowledged_message_sequence_number);
        continue;
      }
      if (m->message_type == wire::message_type::output_stream_data) ws_.send(ClientSide::ack(*m));
      return m;
    }
    return std::nullopt;
  }

  // The next message, which must be of this payload type.
  std::optional<wire::ClientMessage> expect(wire::PayloadType type) {
    auto m = next();
    if (!m) ADD_FAILURE() << "nothing came: " << ws_.last_error().message();
    else if (m->payload_type != type) ADD_FAILURE() << "payload type " << static_cast<int>(m->payload_type) << ": " << m->payload_text();
    if (!m || m->payload_type != type) return std::nullopt;
    return m;
  }

  // Session data toward the agent, sealed once the handshake has set a cipher.
  void send(wire::PayloadType type, std::string_view payload) {
    if (cipher_ && channel::is_session_data(type)) {
      auto sealed = cipher_->seal(bytes(payload));
      ASSERT_TRUE(sealed);
      const std::string text(sealed->begin(), sealed->end());
      ws_.send(client_.data(type, text));
      return;
    }
    ws_.send(client_.data(type, payload));
  }

  // The plain text of an Output payload from the agent.
  std::string open(const wire::ClientMessage& m) {
    if (!cipher_) return std::string(m.payload_text());
    auto opened = cipher_->open(m.payload);
    EXPECT_TRUE(opened);
    return std::string(opened.plaintext.begin(), opened.plaintext.end());
  }

  // A HandshakeResponse to a SessionType-only request.
  void answer_session_type() {
    wire::HandshakeResponse r;
    r.client_version = "1.2.835.0";
    r.processed_client_actions.push_back({"SessionType", 1, nullptr, ""});
    send(wire::PayloadType::handshake_response, wire::to_json(r));
  }

  // The KMS half of the plugin's HandshakeResponse: a data key from the endpoint's KMS, asked
  // for with `context`, answered with `acknowledge` as ChallengeAcknowledgement.
  void answer_kms(const EncryptionContext& context, bool acknowledge) {
    wire::Json ctx = wire::Json::object();
    for (const auto& [k, v] : context) ctx[k] = v;
    wire::Json request = {{"KeyId", kKey}, {"NumberOfBytes", 64}, {"EncryptionContext", ctx}};
    const auto [status, body] = api_.call("TrentService.GenerateDataKey", request.dump());
    ASSERT_EQ(status, 200u) << body;
    const auto j = wire::Json::parse(body);
    const auto key = base::base64_decode(j["Plaintext"].get<std::string>());
    ASSERT_TRUE(key);
    cipher_ = crypto::SessionCipher::make(crypto::CipherSide::plugin, *key);
    ASSERT_TRUE(cipher_);
    wire::HandshakeResponse r;
    r.client_version = "1.2.835.0";
    r.processed_client_actions.push_back({"SessionType", 1, nullptr, ""});
    r.processed_client_actions.push_back(
        {"KMSEncryption", 1, wire::to_json_value(wire::KmsEncryptionResponse{j["CiphertextBlob"].get<std::string>(), acknowledge}), ""});
    ws_.send(client_.data(wire::PayloadType::handshake_response, wire::to_json(r)));
  }

  // The context the agent decrypts with, the random challenge in it or not.
  EncryptionContext context(const std::string& challenge = "") const {
    EncryptionContext c{{"aws:ssm:SessionId", session_.id}, {"aws:ssm:TargetId", kTarget}};
    if (!challenge.empty()) c["aws:ssm:RandomChallenge"] = challenge;
    return c;
  }

  // EncChallengeRequest answered, then HandshakeComplete: the encrypted session is on.
  void finish_encrypted_handshake() {
    auto request = expect(wire::PayloadType::enc_challenge_request);
    ASSERT_TRUE(request);
    wire::EncryptionChallenge challenge;
    ASSERT_FALSE(wire::parse(request->payload_text(), challenge));
    const crypto::Opened answer = crypto::answer_challenge(*cipher_, challenge.challenge);
    ASSERT_TRUE(answer);
    ws_.send(client_.data(wire::PayloadType::enc_challenge_response,
                          wire::to_json(wire::EncryptionChallenge{answer.plaintext})));
    auto complete = expect(wire::PayloadType::handshake_complete);
    ASSERT_TRUE(complete);
    wire::HandshakeComplete hc;
    ASSERT_FALSE(wire::parse(complete->payload_text(), hc));
    EXPECT_EQ(hc.customer_message, "This session is encrypted using AWS KMS.");
  }

  // Output until channel_closed, opened and joined.
  std::string output_until_closed() {
    std::string out;
    while (auto m = next()) {
      if (m->message_type == wire::message_type::channel_closed) return out;
      if (m->payload_type == wire::PayloadType::output) out += open(*m);
    }
    ADD_FAILURE() << "no channel_closed; output so far: " << out;
    return out;
  }

  const std::vector<std::int64_t>& acked() const { return acked_; }
  error_code last_error() const { return ws_.last_error(); }

 private:
  Plain api_, ws_;
  Session session_;
  ClientSide client_;
  std::unique_ptr<crypto::SessionCipher> cipher_;
  std::vector<std::int64_t> acked_;
};

// The KMSEncryption action's parameters in a HandshakeRequest.
wire::KmsEncryptionRequest kms_action(const wire::ClientMessage& request) {
  wire::HandshakeRequest hr;
  EXPECT_FALSE(wire::parse(request.payload_text(), hr));
  wire::KmsEncryptionRequest kms;
  EXPECT_EQ(hr.requested_client_actions.size(), 2u);
  if (hr.requested_client_actions.size() == 2) {
    EXPECT_FALSE(wire::parse(hr.requested_client_actions[1].action_parameters, kms));
  }
  return kms;
}

constexpr const char* kPort = "AWS-StartSSHSession";  // --stream-target echo behind it

// ---- the KMS random challenge -------------------------------------------------------------

TEST(KmsChallenge, EverySessionGetsSixteenFreshRandomBytes) {
  Loopback server(with_kms());
  ScriptedClient a(server, kPort), b(server, kPort);
  auto ra = a.expect(wire::PayloadType::handshake_request), rb = b.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(ra && rb);
  const auto ka = kms_action(*ra), kb = kms_action(*rb);
  EXPECT_EQ(ka.kms_key_id, kKey);
  const auto bytes = base::base64_decode(ka.challenge);
  ASSERT_TRUE(bytes) << ka.challenge;
  EXPECT_EQ(bytes->size(), 16u);
  EXPECT_EQ(base::base64_encode(*bytes), ka.challenge);  // standard alphabet, padded
  EXPECT_EQ(ka.challenge.size(), 24u);
  EXPECT_NE(ka.challenge, kb.challenge);
}

// An acknowledged challenge is part of the context, under --require-kms-challenge too; the
// session is then encrypted both ways.
TEST(KmsChallenge, AcknowledgedChallengeIsDecryptedWith) {
  EndpointConfig c = with_kms();
  c.require_kms_challenge = true;
  Loopback server(c);
  ScriptedClient client(server, kPort);
  auto request = client.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(request);
  client.answer_kms(client.context(kms_action(*request).challenge), true);
  client.finish_encrypted_handshake();
  client.send(wire::PayloadType::output, "sealed both ways");
  auto echo = client.expect(wire::PayloadType::output);
  ASSERT_TRUE(echo);
  EXPECT_NE(echo->payload_text(), "sealed both ways");
  EXPECT_EQ(client.open(*echo), "sealed both ways");
}

// A client from before the challenge: the agent decrypts without it (RequireKMSChallengeResponse off).
TEST(KmsChallenge, WithoutAcknowledgementTheContextHasNoChallenge) {
  Loopback server(with_kms());
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.answer_kms(client.context(), false);
  client.finish_encrypted_handshake();
}

// The handshake fails: nothing but the ack of the HandshakeResponse reaches the client, then
// the connection closes (agent-side.md §2.3), and the endpoint says why.
void expect_cancelled(Loopback& server, ScriptedClient& client, const std::string& why) {
  EXPECT_FALSE(client.next()) << "the agent sent more after the failed handshake";
  EXPECT_NE(client.last_error(), asio::error::timed_out) << "the agent did not close the connection";
  EXPECT_EQ(client.acked(), std::vector<std::int64_t>{0});
  server.stop();
  EXPECT_NE(server.events().find("session " + client.id() +
                                 " cancelled: Encountered error while initiating handshake. KMSEncryption: " + why),
            std::string::npos)
      << server.events();
}

TEST(KmsChallenge, RequiredAcknowledgementMissingFailsTheHandshake) {
  EndpointConfig c = with_kms();
  c.require_kms_challenge = true;
  Loopback server(c);
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.answer_kms(client.context(), false);
  expect_cancelled(server, client, "the client did not acknowledge the random challenge");
}

TEST(KmsChallenge, AcknowledgementWithoutTheChallengeInTheContextFails) {
  Loopback server(with_kms());
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.answer_kms(client.context(), true);  // says it put the challenge in, but did not
  expect_cancelled(server, client, "kms:Decrypt failed: InvalidCiphertextException: the encryption context");
}

TEST(KmsChallenge, ChallengeInTheContextWithoutAcknowledgementFails) {
  Loopback server(with_kms());
  ScriptedClient client(server, kPort);
  auto request = client.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(request);
  client.answer_kms(client.context(kms_action(*request).challenge), false);
  expect_cancelled(server, client, "kms:Decrypt failed: InvalidCiphertextException: the encryption context");
}

TEST(KmsChallenge, RefusedChallengeFailsTheHandshakeOfACorrectClient) {
  EndpointConfig c = with_kms();
  c.refuse_kms_challenge = true;
  Loopback server(c);
  ScriptedClient client(server, kPort);
  auto request = client.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(request);
  client.answer_kms(client.context(kms_action(*request).challenge), true);
  expect_cancelled(server, client, "kms:Decrypt failed: InvalidCiphertextException: the encryption context");
  EXPECT_NE(server.errors().find("--refuse-kms-challenge"), std::string::npos) << server.errors();
}

// ---- --pre-handshake-input ----------------------------------------------------------------

// Output sent before the HandshakeResponse (seq 0, the response seq 1), then "late" once the
// handshake is complete: what comes back from the echo target.
TEST(PreHandshakeInput, AckAndDropAcksAndDiscards) {
  Loopback server(with_input(PreHandshakeInput::ack_and_drop));
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.send(wire::PayloadType::output, "early");
  client.answer_session_type();
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_complete));
  EXPECT_EQ(client.acked(), (std::vector<std::int64_t>{0, 1}));
  client.send(wire::PayloadType::output, "late");
  auto echo = client.expect(wire::PayloadType::output);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload_text(), "late");
}

TEST(PreHandshakeInput, ProcessKeepsItForTheTarget) {
  Loopback server(with_input(PreHandshakeInput::process));
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.send(wire::PayloadType::output, "early");
  client.answer_session_type();
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_complete));
  EXPECT_EQ(client.acked(), (std::vector<std::int64_t>{0, 1}));
  auto first = client.expect(wire::PayloadType::output);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload_text(), "early");
  client.send(wire::PayloadType::output, "late");
  auto second = client.expect(wire::PayloadType::output);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->payload_text(), "late");
}

TEST(PreHandshakeInput, ProcessKeepsInputThatCameDuringTheEncryptionChallenge) {
  EndpointConfig c = with_kms(with_input(PreHandshakeInput::process));
  Loopback server(c);
  ScriptedClient client(server, kPort);
  auto request = client.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(request);
  client.send(wire::PayloadType::output, "in the clear, before the key");
  client.answer_kms(client.context(kms_action(*request).challenge), true);
  client.send(wire::PayloadType::output, "sealed, before the challenge");
  client.finish_encrypted_handshake();
  std::string echoed;
  while (echoed.size() < std::string("in the clear, before the keysealed, before the challenge").size()) {
    auto m = client.expect(wire::PayloadType::output);
    ASSERT_TRUE(m);
    echoed += client.open(*m);
  }
  EXPECT_EQ(echoed, "in the clear, before the keysealed, before the challenge");
}

// A stricter agent: the early input is never acked, so the HandshakeResponse behind it is
// acked and buffered but never reached, and the handshake stalls.
TEST(PreHandshakeInput, DropStallsAClientThatSentInputBeforeItsResponse) {
  Loopback server(with_input(PreHandshakeInput::drop));
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.send(wire::PayloadType::output, "early");
  client.answer_session_type();
  client.send(wire::PayloadType::output, "after the response");
  EXPECT_FALSE(client.next(kQuiet)) << "the handshake went on";  // last read of this connection
  EXPECT_EQ(client.acked(), (std::vector<std::int64_t>{1, 2}));
}

// The same agent serves a client that sends nothing before its HandshakeResponse.
TEST(PreHandshakeInput, DropServesAClientThatWaitsForHandshakeComplete) {
  Loopback server(with_input(PreHandshakeInput::drop));
  ScriptedClient client(server, kPort);
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_request));
  client.answer_session_type();
  ASSERT_TRUE(client.expect(wire::PayloadType::handshake_complete));
  client.send(wire::PayloadType::output, "after");
  auto echo = client.expect(wire::PayloadType::output);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload_text(), "after");
}

// ---- --shell-handshake ----------------------------------------------------------------------

TEST(ShellHandshake, AlwaysHandShakesWithoutKmsForShellsAndCommands) {
  Loopback server(with_shells(ShellHandshake::always));
  for (const std::string document : {"SSM-SessionManagerRunShell", "AWS-StartInteractiveCommand"}) {
    SCOPED_TRACE(document);
    const bool shell = document == "SSM-SessionManagerRunShell";
    ScriptedClient client(server, document, shell ? "{}" : R"j({"command":["echo started-$((6*7))"]})j");
    auto request = client.expect(wire::PayloadType::handshake_request);
    ASSERT_TRUE(request);
    wire::HandshakeRequest hr;
    ASSERT_FALSE(wire::parse(request->payload_text(), hr));
    ASSERT_EQ(hr.requested_client_actions.size(), 1u);  // SessionType only
    wire::SessionTypeRequest type;
    ASSERT_FALSE(wire::parse(hr.requested_client_actions[0].action_parameters, type));
    EXPECT_EQ(type.session_type, shell ? "Standard_Stream" : "InteractiveCommands");
    EXPECT_TRUE(type.properties.is_null());
    client.answer_session_type();
    auto complete = client.expect(wire::PayloadType::handshake_complete);
    ASSERT_TRUE(complete);
    wire::HandshakeComplete hc;
    ASSERT_FALSE(wire::parse(complete->payload_text(), hc));
    EXPECT_EQ(hc.customer_message, "");
    if (shell) client.send(wire::PayloadType::output, "echo started-$((6*7)); exit\n");
    EXPECT_NE(client.output_until_closed().find("started-42"), std::string::npos);
  }
}

TEST(ShellHandshake, NeverLeavesShellsUnencryptedEvenWithKms) {
  Loopback server(with_shells(ShellHandshake::never, with_kms()));
  ScriptedClient command(server, "AWS-StartInteractiveCommand", R"j({"command":["echo plain-$((6*7))"]})j");
  auto first = command.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload_type, wire::PayloadType::output);  // no handshake: output first
  EXPECT_EQ(first->sequence_number, 0);
  EXPECT_EQ(first->flags, wire::kFlagSyn);
  const std::string out = std::string(first->payload_text()) + command.output_until_closed();
  EXPECT_NE(out.find("plain-42"), std::string::npos) << out;
  // Port sessions still hand-shake, with KMS.
  ScriptedClient port(server, kPort);
  auto request = port.expect(wire::PayloadType::handshake_request);
  ASSERT_TRUE(request);
  EXPECT_EQ(kms_action(*request).kms_key_id, kKey);
}

}  // namespace
}  // namespace ssm::endpoint
