// The emulated agent's handshake (agent-side.md §2): whether it runs (handshake_for), the
// HandshakeRequest, the client's HandshakeResponse, HandshakeComplete, and what becomes of
// other input that arrives meanwhile (--pre-handshake-input, §2.5). KMS's part is in
// agent_session_kms.cpp.
#include <boost/asio/post.hpp>

#include "endpoint/agent_session.h"
#include "endpoint/session_properties.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

// agent-side.md §2.3: the agent waits this long for the HandshakeResponse.
constexpr auto kHandshakeTimeout = 15s;

}  // namespace

void AgentSession::begin() {
  ++ctx_.stats.sessions;
  session_type_ = session_type_for(document_, parameters_);
  handshake_ = handshake_for(session_type_, ctx_.config);
  if (handshake_ == SessionHandshake::none) {
    // No handshake: the first message is output (agent-side.md §2.1).
    start_target();
    return;
  }
  send_handshake_request();
}

void AgentSession::send_handshake_request() {
  phase_ = Phase::handshake;
  const wire::SessionTypeRequest type{
      session_type_, session_type_ == "Port" ? port_properties(document_, parameters_) : wire::Json()};
  wire::HandshakeRequest request;
  request.agent_version = ctx_.config.agent_version;
  request.requested_client_actions.push_back({std::string(wire::action_type::session_type), wire::to_json_value(type)});
  if (kms_on()) {
    const auto kms = kms_encryption_request();
    if (!kms) return cancel(std::string(kHandshakeError) + "no randomness for the KMS challenge");
    request.requested_client_actions.push_back({std::string(wire::action_type::kms_encryption), wire::to_json_value(*kms)});
  }
  handshake_sent_ = std::chrono::steady_clock::now();
  channel_.send(wire::PayloadType::handshake_request, wire::as_bytes(wire::to_json(request)));
  handshake_timer_.expires_after(kHandshakeTimeout);
  handshake_timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_handshake_timeout(ec); });
}

void AgentSession::on_handshake_timeout(const boost::system::error_code& ec) {
  if (ec || phase_ != Phase::handshake) return;
  cancel("Handshake timed out. Please ensure that you have the latest version of the session manager plugin.");
}

channel::Delivery AgentSession::on_handshake_response(const wire::ClientMessage& m) {
  wire::HandshakeResponse response;
  if (auto err = wire::parse(m.payload_text(), response)) {
    cancel_after_ack(std::string(kHandshakeError) + err.message());
    return channel::Delivery::accepted;
  }
  client_version_ = response.client_version;
  for (const auto& action : response.processed_client_actions) {
    if (action.action_status != static_cast<int>(wire::ActionStatus::success)) {
      cancel_after_ack(std::string(kHandshakeError) + action.action_type + " failed on client with status " +
                       std::to_string(action.action_status) + " error: " + action.error);
      return channel::Delivery::accepted;
    }
  }
  handshake_timer_.cancel();
  if (kms_on()) {
    if (!install_data_key(response)) return channel::Delivery::accepted;  // cancelled
    phase_ = Phase::challenge;
    // Posted, so that the channel acks the response before the challenge goes out.
    boost::asio::post(executor_, [self = shared_from_this()] { self->send_challenge(); });
    return channel::Delivery::accepted;
  }
  phase_ = Phase::starting;
  const auto took = std::chrono::steady_clock::now() - handshake_sent_;
  // Posted, so that the channel acks the response before HandshakeComplete goes out.
  boost::asio::post(executor_, [self = shared_from_this(), took] { self->complete_handshake(took); });
  return channel::Delivery::accepted;
}

void AgentSession::complete_handshake(std::chrono::nanoseconds took) {
  if (phase_ != Phase::starting) return;  // ended meanwhile
  wire::HandshakeComplete complete;
  complete.handshake_time_to_complete = took.count();
  if (kms_on()) complete.customer_message = "This session is encrypted using AWS KMS.";
  channel_.send(wire::PayloadType::handshake_complete, wire::as_bytes(wire::to_json(complete)));
  start_target();
}

// ---- input while the handshake runs (agent-side.md §2.5) ----------------------------------

channel::Delivery AgentSession::on_pre_handshake_input(const wire::ClientMessage& m) {
  switch (ctx_.config.pre_handshake_input) {
    case PreHandshakeInput::ack_and_drop:
      return channel::Delivery::accepted;  // the real agent: acked, and gone
    case PreHandshakeInput::drop:
      // Unacked, and the expected sequence number stays: what the client sent after it,
      // its HandshakeResponse too, is acked and buffered but never reached, so the
      // handshake times out unless the client sent nothing before its answer.
      return channel::Delivery::not_ready;
    case PreHandshakeInput::process:
      early_input_.push_back(m);
      return channel::Delivery::accepted;
  }
  return channel::Delivery::accepted;
}

bool AgentSession::deliver_early_input() {
  while (!early_input_.empty()) {
    if (phase_ != Phase::running) {  // a TerminateSession flag among it ended the session
      early_input_.clear();
      break;
    }
    if (on_running_data(early_input_.front()) == channel::Delivery::not_ready) return false;
    early_input_.pop_front();
  }
  return true;
}

// TargetHost: the target is ready again, and start_target() after the handshake.
void AgentSession::retry_delivery() {
  if (phase_ == Phase::running && !deliver_early_input()) return;  // what came later waits behind it
  channel_.retry_delivery();
}

}  // namespace ssm::endpoint
