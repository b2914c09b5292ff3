// The emulated agent's half of KMS encryption (protocol-smux-kms-aws.md §2, agent-side.md
// §2.2–2.4): the random challenge in its KMSEncryption action; the data key out of the
// client's HandshakeResponse, decrypted by the KMS stand-in with this session's encryption
// context (the random challenge in it when the client acknowledged it); the encryption
// challenge; and the session cipher on the channel (the agent seals with K[0..31] and opens
// with K[32..63]).
#include <array>

#include <boost/asio/post.hpp>
#include <openssl/crypto.h>

#include "base/base64.h"
#include "crypto/random.h"
#include "crypto/session_cipher.h"
#include "endpoint/agent_session.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// agent-side.md §2.4: the agent waits this long for the EncChallengeResponse.
constexpr auto kChallengeTimeout = 15s;
// agent-side.md §2.2: the random challenge is 16 bytes.
constexpr std::size_t kRandomChallengeSize = 16;

}  // namespace

std::optional<wire::KmsEncryptionRequest> AgentSession::kms_encryption_request() {
  std::array<std::uint8_t, kRandomChallengeSize> random{};
  if (!crypto::random_bytes(random)) return std::nullopt;
  kms_challenge_ = base::base64_encode(random);
  return wire::KmsEncryptionRequest{ctx_.config.agent_kms_key_id(), kms_challenge_};
}

bool AgentSession::install_data_key(const wire::HandshakeResponse& response) {
  const wire::ProcessedClientAction* kms_action = nullptr;
  for (const auto& action : response.processed_client_actions)
    if (action.action_type == wire::action_type::kms_encryption) kms_action = &action;
  const auto fail = [&](const std::string& why) {
    cancel_after_ack(std::string(kHandshakeError) + "KMSEncryption: " + why);
    return false;
  };
  if (!kms_action) return fail("the client did not answer the KMSEncryption action");
  wire::KmsEncryptionResponse result;
  if (auto err = wire::parse(kms_action->action_result, result)) return fail(err.message());
  const auto blob = base::base64_decode(result.kms_cipher_text_key);
  if (!blob) return fail("KMSCipherTextKey is not base64");
  // What the agent passes to kms:Decrypt: its own session id and instance id, and the random
  // challenge if the client says it asked KMS with it (§2.3).
  EncryptionContext context{{"aws:ssm:SessionId", id_}, {"aws:ssm:TargetId", target_id_}};
  if (result.challenge_acknowledgement) {
    context["aws:ssm:RandomChallenge"] = kms_challenge_;
    if (ctx_.config.refuse_kms_challenge) {
      // Another challenge than the client's: KMS refuses, as for a wrong one (so the error
      // line shows both contexts).
      ++ctx_.stats.faults;
      ctx_.out.log("session " + id_ + ": decrypting with a wrong random challenge (--refuse-kms-challenge)");
      context["aws:ssm:RandomChallenge"] = "refused-" + kms_challenge_;
    }
  } else if (ctx_.config.require_kms_challenge) {
    return fail("the client did not acknowledge the random challenge, which this agent requires");
  }
  std::string error;
  auto key = kms_->decrypt(*blob, context, error);
  if (!key) return fail("kms:Decrypt failed: " + error);
  auto cipher = crypto::SessionCipher::make(crypto::CipherSide::agent, *key);
  const std::size_t key_size = key->size();
  OPENSSL_cleanse(key->data(), key->size());
  if (!cipher) return fail("the data key has " + std::to_string(key_size) + " bytes, not 64");
  channel_.set_cipher(std::move(cipher));
  return true;
}

void AgentSession::send_challenge() {
  if (phase_ != Phase::challenge) return;  // ended meanwhile
  challenge_.assign(crypto::kChallengeSize, 0);
  std::optional<std::vector<std::uint8_t>> sealed;
  if (crypto::random_bytes(challenge_)) sealed = channel_.cipher()->seal(challenge_);
  if (!sealed) return cancel(std::string(kHandshakeError) + "cannot make an encryption challenge");
  channel_.send(wire::PayloadType::enc_challenge_request,
                wire::as_bytes(wire::to_json(wire::EncryptionChallenge{std::move(*sealed)})));
  handshake_timer_.expires_after(kChallengeTimeout);
  handshake_timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_challenge_timeout(ec); });
}

void AgentSession::on_challenge_timeout(const boost::system::error_code& ec) {
  if (ec || phase_ != Phase::challenge) return;
  cancel(std::string(kHandshakeError) + "Timed out waiting for encryption challenge.");
}

channel::Delivery AgentSession::on_challenge_response(const wire::ClientMessage& m) {
  wire::EncryptionChallenge response;
  std::string why;
  if (auto err = wire::parse(m.payload_text(), response)) {
    why = err.message();
  } else {
    const crypto::Opened opened = channel_.cipher()->open(response.challenge);
    if (!opened) why = std::string(crypto::describe(opened.error));
    else if (opened.plaintext != challenge_) why = "the answer is not the challenge";
  }
  if (!why.empty()) {
    // The agent leaves a wrong answer unacked until its 15 s run out; saying so at once
    // serves a test better and ends the same way.
    cancel_after_ack(std::string(kHandshakeError) + "The encryption challenge failed: " + why);
    return channel::Delivery::accepted;
  }
  handshake_timer_.cancel();
  phase_ = Phase::starting;
  const auto took = std::chrono::steady_clock::now() - handshake_sent_;
  // Posted, so that the channel acks the response before HandshakeComplete goes out.
  boost::asio::post(executor_, [self = shared_from_this(), took] { self->complete_handshake(took); });
  return channel::Delivery::accepted;
}

void AgentSession::cancel_after_ack(const std::string& why) {
  boost::asio::post(executor_, [self = shared_from_this(), why] { self->cancel(why); });
}

void AgentSession::cancel(const std::string& why) {
  if (ended()) return;
  ctx_.out.event("session " + id_ + " cancelled: " + why);
  end(why);
}

}  // namespace ssm::endpoint
