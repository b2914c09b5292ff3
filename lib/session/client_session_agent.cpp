// The coordinator's side of the agent's messages: the handshake (answered by SessionHandshake,
// with KMS through the control plane), the first data message of an agent that runs no
// handshake, data for the session kind, and the service's channel_closed.
#include "session/client_session.h"

#include <boost/asio/post.hpp>

#include "log/log.h"

namespace ssm::session {
namespace {

Event event_of(wire::PayloadType type) {
  switch (type) {
    case wire::PayloadType::handshake_request: return Event::handshake_request;
    case wire::PayloadType::handshake_complete: return Event::handshake_complete;
    case wire::PayloadType::enc_challenge_request: return Event::enc_challenge;
    default: return Event::agent_data;
  }
}

}  // namespace

channel::Delivery ClientSession::on_data(const wire::ClientMessage& m) {
  if (phase_ == Phase::awaiting_agent && kind_) status_.starting();  // the token was taken
  const Event event = event_of(m.payload_type);
  switch (consult(event)) {
    case Answer::ignore: return channel::Delivery::accepted;
    case Answer::defer: return channel::Delivery::not_ready;  // retried after HandshakeComplete
    case Answer::act: break;
  }
  switch (event) {
    case Event::handshake_request: return on_handshake_request(m);
    case Event::handshake_complete: return on_handshake_complete(m);
    case Event::enc_challenge: return on_enc_challenge(m);
    default: return on_agent_data(m);
  }
}

// ---- handshake ----------------------------------------------------------------------------

channel::Delivery ClientSession::on_handshake_request(const wire::ClientMessage& m) {
  // From here to HandshakeComplete the agent gets nothing but our answers (agent-side.md §2.5).
  if (phase_ == Phase::running) SSM_LOG(info, "the agent started the handshake again");
  enter(Phase::handshaking);
  connection_.channel().hold_input();
  after_handshake_step(handshake_.on_request(m, connection_.channel()));
  return channel::Delivery::accepted;
}

void ClientSession::after_handshake_step(SessionHandshake::Step step) {
  switch (step) {
    case SessionHandshake::Step::unreadable:
      return fail(handshake_.refusal());
    case SessionHandshake::Step::awaiting_data_key:
      control_plane_->generate_data_key(handshake_.data_key_id(), handshake_.data_key_context(),
                                        guarded([this, round = handshake_.round()](aws::DataKeyOutcome outcome) {
                                          on_data_key(round, std::move(outcome));
                                        }));
      break;
    case SessionHandshake::Step::refused:
      // The agent ends the session once it has read our answer; we end ours when it is
      // acknowledged (on_all_acknowledged), with our reason. Held input will never go.
      SSM_LOG(warn, handshake_.refusal());
      connection_.channel().forget_input();
      break;
    case SessionHandshake::Step::answered:
      break;
  }
  arm_phase_timer(spec_.handshake_step_timeout, Event::handshake_timeout);
}

void ClientSession::on_data_key(std::uint64_t round, aws::DataKeyOutcome outcome) {
  if (!acts_on(Event::data_key)) return;
  if (round != handshake_.round()) return;  // for a request the agent has since replaced
  after_handshake_step(handshake_.on_data_key(std::move(outcome), connection_.channel()));
}

channel::Delivery ClientSession::on_enc_challenge(const wire::ClientMessage& m) {
  if (const std::string error = handshake_.on_enc_challenge(m, connection_.channel()); !error.empty()) fail(error);
  else arm_phase_timer(spec_.handshake_step_timeout, Event::handshake_timeout);
  return channel::Delivery::accepted;
}

channel::Delivery ClientSession::on_handshake_complete(const wire::ClientMessage& m) {
  if (phase_ == Phase::awaiting_agent) {
    fail("the agent completed a handshake it never started");
    return channel::Delivery::accepted;
  }
  std::string customer_message;
  if (const std::string error = handshake_.on_complete(m, customer_message); !error.empty()) {
    fail(error);
    return channel::Delivery::accepted;
  }
  // A kind already runs (a shell document, or a handshake the agent restarted): it must be
  // the same kind the handshake named.
  if (kind_ && handshake_.session_type()->kind != kind_made_for_) {
    fail("the agent started a " + handshake_.session_type()->name + " session for the document " +
         (spec_.document_name.empty() ? std::string("SSM-SessionManagerRunShell") : spec_.document_name));
    return channel::Delivery::accepted;
  }
  enter(Phase::running);
  if (!kind_) start_kind();
  if (phase_ != Phase::running) return channel::Delivery::accepted;  // the kind failed to start
  status_.customer_message(customer_message);
  // What the agent discarded while hand-shaking goes again, now sealed if KMS is on.
  connection_.channel().replay_input();
  connection_.channel().retry_delivery();
  return channel::Delivery::accepted;
}

// ---- data ---------------------------------------------------------------------------------

channel::Delivery ClientSession::on_agent_data(const wire::ClientMessage& m) {
  if (phase_ == Phase::awaiting_agent) {
    // The agent started without a handshake (protocol.md §6.6): it runs a shell, and it has
    // whatever input was sent; what was held goes now.
    connection_.channel().release_input();
    connection_.channel().forget_input();
    enter(Phase::running);
    if (!kind_) {
      handshake_.assume_shell();
      start_kind();
      if (!kind_ || phase_ != Phase::running) return channel::Delivery::accepted;
    }
  }
  return kind_ ? kind_->on_output(m) : channel::Delivery::accepted;
}

void ClientSession::start_kind() {
  kind_made_for_ = handshake_.session_type()->kind;
  kind_ = kinds_->make(*handshake_.session_type(), {spec_.session_id, spec_.local_host, handshake_.agent_version(), spec_.listener},
                       connection_.channel(), *this, *this);
  // Printed once the session kind is known and its local side ready (a port's listener bound),
  // so that a failed start shows one line only and a stdio session never shows it (the AWS
  // plugin's copy vanishes in the ssh stream). A shell started before the agent spoke says
  // it once the service shows that it took the token (its first message, or the agent's
  // silence), not before a refusal.
  status_.set_stdout_is_data(kind_->stdout_is_data());
  if (const std::string error = kind_->prepare(); !error.empty()) return fail(error);
  if (phase_ != Phase::awaiting_agent) status_.starting();
  kind_->start();
  if (on_kind_started_) boost::asio::post(phase_timer_.get_executor(), std::move(on_kind_started_));
}

void ClientSession::on_channel_closed(const wire::ChannelClosed& closed) {
  if (!acts_on(Event::channel_closed)) return;
  SSM_LOG(info, "the service closed the channel");
  const std::string said = closed.output.empty() ? std::string() : ": " + closed.output;
  if (phase_ == Phase::awaiting_agent) return fail("the service closed the session before the agent started it" + said);
  if (phase_ == Phase::handshaking) {
    if (!handshake_.refusal().empty()) return fail(handshake_.refusal());
    return fail("the service closed the session during the handshake" + said);
  }
  enter(Phase::finishing);
  closed_output_ = closed.output;
  connection_.close();
  if (kind_) kind_->finish(kExitOk);
  else on_kind_done(kExitOk);
}

void ClientSession::on_delivery_end() {
  if (kind_) kind_->on_output_end();
}

void ClientSession::on_send_space() {
  if (kind_ && !over()) kind_->on_send_space();
}

void ClientSession::on_all_acknowledged() {
  if (!acts_on(Event::all_acknowledged)) return;
  if (phase_ == Phase::handshaking) {
    if (!handshake_.refusal().empty()) fail(handshake_.refusal());
    return;
  }
  if (kind_) kind_->on_all_acknowledged();
}

void ClientSession::on_channel_failed(std::error_code ec, std::string_view reason) {
  const bool budget_spent = ec == std::errc::timed_out;
  if (!acts_on(budget_spent ? Event::budget_spent : Event::channel_failed)) return;
  // The resend budget ran out: as the reference, TerminateSession before giving up, so that
  // the agent does not keep a session nobody can reach (protocol-smux-kms-aws.md §3.1).
  end(kExitConnectionFailure, std::string(reason), /*terminate=*/budget_spent);
}

}  // namespace ssm::session
