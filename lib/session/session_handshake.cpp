#include "session/session_handshake.h"

#include "crypto/session_cipher.h"
#include "log/log.h"

namespace ssm::session {

SessionHandshake::SessionHandshake(channel::HandshakeConfig config, std::string session_id, std::string target)
    : logic_(std::move(config)), session_id_(std::move(session_id)), target_(std::move(target)) {}

SessionHandshake::Step SessionHandshake::on_request(const wire::ClientMessage& m, channel::DataChannel& channel) {
  ++round_;
  refusal_.clear();
  wire::HandshakeRequest request;
  if (auto err = wire::parse(m.payload_text(), request)) {
    refusal_ = "the agent sent an unreadable handshake request (" + err.message() + ")";
    return Step::unreadable;
  }
  auto response = logic_.on_request(request);
  if (!response) {
    // The response waits for the data key (protocol-smux-kms-aws.md §2.2).
    SSM_LOG(info, "the agent requires KMS encryption; calling GenerateDataKey");
    return Step::awaiting_data_key;
  }
  send_response(*response, channel);
  return logic_.refusal().empty() ? Step::answered : Step::refused;
}

const std::string& SessionHandshake::data_key_id() const {
  static const std::string none;
  return logic_.kms_key_id() ? *logic_.kms_key_id() : none;
}

aws::EncryptionContext SessionHandshake::data_key_context() const {
  // What the agent decrypts the key with (agent-side.md §2.3): KMS refuses any other context.
  aws::EncryptionContext context{{"aws:ssm:SessionId", session_id_}, {"aws:ssm:TargetId", target_}};
  if (!logic_.kms_challenge().empty()) context.emplace_back("aws:ssm:RandomChallenge", logic_.kms_challenge());
  return context;
}

SessionHandshake::Step SessionHandshake::on_data_key(aws::DataKeyOutcome outcome, channel::DataChannel& channel) {
  channel::CompletedHandshake completed =
      outcome.key ? logic_.on_data_key({std::move(outcome.key->plaintext), std::move(outcome.key->ciphertext_blob)})
                  : logic_.on_data_key_failed(outcome.error);
  if (completed.cipher) {
    // §2.5: on from the successful result on, so before the response goes out.
    channel.set_cipher(std::move(completed.cipher));
    SSM_LOG(info, "KMS encryption is on");
  }
  // A failed action is reported to the agent, which ends the session once it has our answer.
  send_response(completed.response, channel);
  return logic_.refusal().empty() ? Step::answered : Step::refused;
}

void SessionHandshake::send_response(const wire::HandshakeResponse& response, channel::DataChannel& channel) {
  channel.send(wire::PayloadType::handshake_response, wire::as_bytes(wire::to_json(response)));
}

// §2.6: prove to the agent that both directions work with the data key.
std::string SessionHandshake::on_enc_challenge(const wire::ClientMessage& m, channel::DataChannel& channel) {
  crypto::SessionCipher* cipher = channel.cipher();
  if (!cipher) return "the agent sent an encryption challenge, but no KMS data key was agreed";
  wire::EncryptionChallenge challenge;
  if (auto err = wire::parse(m.payload_text(), challenge))
    return "the agent sent an unreadable encryption challenge (" + err.message() + ")";
  crypto::Opened answer = crypto::answer_challenge(*cipher, challenge.challenge);
  if (!answer)
    return "the agent's encryption challenge does not decrypt with the KMS data key: " +
           std::string(crypto::describe(answer.error));
  const std::string json = wire::to_json(wire::EncryptionChallenge{std::move(answer.plaintext)});
  channel.send(wire::PayloadType::enc_challenge_response, wire::as_bytes(json));
  return {};
}

std::string SessionHandshake::on_complete(const wire::ClientMessage& m, std::string& customer_message) {
  wire::HandshakeComplete complete;
  (void)wire::parse(m.payload_text(), complete);  // only the customer message is used
  if (!refusal().empty()) return refusal();
  if (!logic_.session_type()) return "the agent completed the handshake without a session type";
  customer_message = complete.customer_message;
  return {};
}

}  // namespace ssm::session
