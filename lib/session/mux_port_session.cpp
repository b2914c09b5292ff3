#include "session/mux_port_session.h"

#include <cstdio>

#include "channel/client_handshake.h"
#include "log/log.h"
#include "session/console.h"

namespace ssm::session {

MuxPortSession::MuxPortSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                               PortSessionConfig config)
    : ListenerSession(ex, channel, events, std::move(config)),
      mux_(static_cast<mux::MuxEvents&>(*this)),
      keepalive_timer_(ex) {}

MuxPortSession::~MuxPortSession() { close_connections(); }

void MuxPortSession::on_listening() {
  ListenerSession::on_listening();
  // Newer agents switch smux keep-alive off so that Session Manager's idle timeout works.
  if (!channel::version_greater(config_.agent_version, channel::kSmuxKeepAliveOffAfter)) {
    keepalive_timer_.expires_after(kKeepAlivePeriod);
    keepalive_timer_.async_wait([this](const boost::system::error_code& ec) { keepalive_tick(ec); });
  }
}

void MuxPortSession::keepalive_tick(const boost::system::error_code& ec) {
  if (ec || stopped_) return;
  mux_.send_keepalive();
  send_mux_output();
  keepalive_timer_.expires_after(kKeepAlivePeriod);
  keepalive_timer_.async_wait([this](const boost::system::error_code& e) { keepalive_tick(e); });
}

// ---- local side ---------------------------------------------------------------------------

void MuxPortSession::on_accepted(LocalSocket socket) {
  if (stopped_) return;
  listener_.accept_next();
  if (!announced_) {
    announced_ = true;
    print_out("\nConnection accepted for session [" + config_.session_id + "]\n");
  }
  open_stream(socket, {}, {});  // when stream ids are exhausted, the connection is dropped
}

void MuxPortSession::log_opened(const LocalPeer& peer) const {
  SSM_LOG(debug, "connection " + std::to_string(peer.id()) + " from " + peer.remote_text() + " opened (session " +
                     config_.session_id + ")");
}

void MuxPortSession::log_closed(const LocalPeer& peer, std::string_view by) const {
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - peer.opened_at()).count();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", took);
  SSM_LOG(debug, "connection " + std::to_string(peer.id()) + " closed by " + std::string(by) + ": " +
                     std::to_string(peer.bytes_from_client()) + " bytes up, " + std::to_string(peer.bytes_to_client()) +
                     " down, in " + seconds + " s");
}

bool MuxPortSession::take_connection(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                                     std::span<const std::uint8_t> from_client_first) {
  return !stopped_ && open_stream(socket, to_client_first, from_client_first);
}

bool MuxPortSession::open_stream(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                                 std::span<const std::uint8_t> from_client_first) {
  const std::uint32_t id = mux_.open();
  if (id == 0) return false;  // stream ids exhausted
  auto peer = std::make_shared<LocalPeer>(std::move(socket), static_cast<PeerEvents&>(*this), id);
  peers_[id] = peer;
  log_opened(*peer);
  if (!to_client_first.empty()) peer->write(to_client_first);  // before anything the destination sends
  if (!from_client_first.empty()) mux_.write(id, from_client_first);
  if (!channel_.has_send_space()) peer->pause_reading();
  peer->start();
  send_mux_output();
  return true;
}

void MuxPortSession::on_peer_data(LocalPeer& peer, std::span<const std::uint8_t> bytes) {
  mux_.write(peer.id(), bytes);
  send_mux_output();
  if (!channel_.has_send_space()) peer.pause_reading();  // the others pause at their next read
}

void MuxPortSession::on_peer_closed(LocalPeer& peer) {
  const std::uint32_t id = peer.id();
  log_closed(peer, "the client");
  if (mux_.is_open(id)) {
    mux_.close(id);  // FIN: the agent closes its connection to the destination
    send_mux_output();
  }
  peers_.erase(id);
  on_peer_drained(peer);
}

void MuxPortSession::on_peer_drained(LocalPeer&) {
  if (holding_ && !any_congested()) {
    holding_ = false;
    channel_.retry_delivery();
  }
}

void MuxPortSession::on_send_space() {
  for (auto& [id, peer] : peers_) peer->resume_reading();
}

void MuxPortSession::send_mux_output() {
  auto& out = mux_.outbound();
  if (out.empty()) return;
  channel_.send(wire::PayloadType::output, out);  // cut into 1 KiB messages by the channel
  out.clear();
}

bool MuxPortSession::any_congested() const {
  for (const auto& [id, peer] : peers_)
    if (peer->congested()) return true;
  return false;
}

void MuxPortSession::close_connections() {
  keepalive_timer_.cancel();
  for (auto& [id, peer] : peers_) peer->detach();
  peers_.clear();
}

// ---- agent side ---------------------------------------------------------------------------

channel::Delivery MuxPortSession::on_output(const wire::ClientMessage& m) {
  if (m.payload_type == wire::PayloadType::flag) {
    std::uint32_t flag = 0;
    if (!wire::decode_flag(m.payload, flag) && flag == static_cast<std::uint32_t>(wire::PortFlag::connect_to_port_error))
      print_err("\nConnection to destination port failed, check SSM Agent logs.\n");
    return channel::Delivery::accepted;
  }
  if (m.payload_type != wire::PayloadType::output || stopped_) return channel::Delivery::accepted;
  if (any_congested()) {
    holding_ = true;
    return channel::Delivery::not_ready;
  }
  mux_.receive(m.payload);
  send_mux_output();
  return channel::Delivery::accepted;
}

void MuxPortSession::on_stream_data(std::uint32_t id, std::span<const std::uint8_t> data) {
  if (auto it = peers_.find(id); it != peers_.end()) it->second->append(data);  // see on_output_end
}

void MuxPortSession::on_output_end() {
  for (auto& [id, peer] : peers_) peer->flush();
}

void MuxPortSession::on_stream_fin(std::uint32_t id) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  log_closed(*it->second, "the destination");
  it->second->close_after_writes();  // what the destination sent still reaches the client
  peers_.erase(it);
  mux_.close(id);
  send_mux_output();
}

void MuxPortSession::on_mux_error(std::error_code ec) {
  events_.on_kind_failed("the agent's multiplexed stream is corrupt (" + ec.message() + ")");
}

}  // namespace ssm::session
