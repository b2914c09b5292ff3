// lib/session — the client's half of the handshake as a running session performs it
// (protocol.md §6, protocol-smux-kms-aws.md §2, agent-side.md §2): reads the agent's
// HandshakeRequest, EncChallengeRequest and HandshakeComplete, answers them (the answers are
// the only messages it sends), names the KMS call the answer waits for — the agent's key, in an
// encryption context that binds the session, the target and the agent's random challenge — and
// installs the session cipher once KMS answered. The pure decisions are channel::ClientHandshake's;
// what the session does next (run, fail, wait) is the coordinator's. Every failure is one line.
#pragma once

#include <cstdint>
#include <string>

#include "aws/ssm_client.h"
#include "channel/client_handshake.h"
#include "channel/data_channel.h"

namespace ssm::session {

class SessionHandshake {
 public:
  enum class Step {
    answered,           // the HandshakeResponse is on its way: wait for HandshakeComplete
    awaiting_data_key,  // call KMS (data_key_id, data_key_context), then on_data_key
    refused,            // we told the agent what we could not do (refusal()): it ends the session
    unreadable,         // the agent's message did not parse: refusal() says so; nothing was sent
  };

  SessionHandshake(channel::HandshakeConfig config, std::string session_id, std::string target);

  // A HandshakeRequest. A second one (the agent restarted its handshake) starts afresh: a KMS
  // answer for the earlier one is then stale (see round()).
  Step on_request(const wire::ClientMessage& m, channel::DataChannel& channel);
  const std::string& data_key_id() const;
  aws::EncryptionContext data_key_context() const;
  Step on_data_key(aws::DataKeyOutcome outcome, channel::DataChannel& channel);
  bool awaiting_data_key() const { return logic_.kms_key_id().has_value(); }
  // Which request a KMS answer belongs to: incremented by every on_request.
  std::uint64_t round() const { return round_; }

  // Answers the encryption challenge; "" when done, else why not.
  std::string on_enc_challenge(const wire::ClientMessage& m, channel::DataChannel& channel);
  // HandshakeComplete: "" when the session may run (its customer message in `customer_message`).
  std::string on_complete(const wire::ClientMessage& m, std::string& customer_message);

  // The agent sent no handshake: its first data message says it runs a shell (§6.6).
  void assume_shell() { logic_.assume_shell(); }
  const std::optional<channel::SessionType>& session_type() const { return logic_.session_type(); }
  const std::string& agent_version() const { return logic_.agent_version(); }
  const std::string& refusal() const { return refusal_.empty() ? logic_.refusal() : refusal_; }

 private:
  void send_response(const wire::HandshakeResponse& response, channel::DataChannel& channel);

  channel::ClientHandshake logic_;
  std::string session_id_, target_;
  std::string refusal_;  // an unreadable message (logic_ keeps its own refusals)
  std::uint64_t round_ = 0;
};

}  // namespace ssm::session
