#include "session/basic_port_session.h"

#include "channel/client_handshake.h"
#include "session/console.h"

namespace ssm::session {

BasicPortSession::BasicPortSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                                   PortSessionConfig config)
    : ListenerSession(ex, channel, events, std::move(config)) {}

BasicPortSession::~BasicPortSession() { close_connections(); }

bool BasicPortSession::agent_takes_terminate_flag() const {
  return channel::version_greater(config_.agent_version, channel::kTerminateFlagAfter);
}

void BasicPortSession::on_accepted(LocalSocket socket) {
  if (stopped_) return;
  if (!announced_) {
    announced_ = true;
    print_out("Connection accepted for session " + config_.session_id + ".\n");
  }
  peer_ = std::make_shared<LocalPeer>(std::move(socket), static_cast<PeerEvents&>(*this), 0);
  if (!channel_.has_send_space()) peer_->pause_reading();
  peer_->start();
  channel_.retry_delivery();  // agent data held while nobody was connected
}

void BasicPortSession::on_peer_data(LocalPeer& peer, std::span<const std::uint8_t> bytes) {
  channel_.send(wire::PayloadType::output, bytes);
  if (!channel_.has_send_space()) peer.pause_reading();
}

void BasicPortSession::on_peer_closed(LocalPeer&) {
  peer_.reset();
  if (stopped_) return;
  channel_.send(wire::PayloadType::flag, wire::encode_flag(wire::PortFlag::disconnect_to_port));
  listener_.accept_next();
}

void BasicPortSession::on_peer_drained(LocalPeer&) { channel_.retry_delivery(); }

void BasicPortSession::on_send_space() {
  if (peer_) peer_->resume_reading();
}

void BasicPortSession::close_connections() {
  if (peer_) peer_->detach();
  peer_.reset();
}

channel::Delivery BasicPortSession::on_output(const wire::ClientMessage& m) {
  if (m.payload_type != wire::PayloadType::output || stopped_) return channel::Delivery::accepted;
  // Nobody connected, or the connection is behind: unacked, so the agent keeps it.
  if (!peer_ || peer_->congested()) return channel::Delivery::not_ready;
  peer_->append(m.payload);  // written at on_output_end, with the rest of the batch
  return channel::Delivery::accepted;
}

void BasicPortSession::on_output_end() {
  if (peer_) peer_->flush();
}

}  // namespace ssm::session
