// lib/session — basic port forwarding (protocol.md §8.3), for agents up to 3.0.196.0 that
// have no smux: one local connection at a time carried as raw Output payloads. When it
// closes, the DisconnectToPort flag tells the agent to drop its connection to the
// destination, and the next local connection (waiting in the listen backlog meanwhile)
// reuses the session; the agent redials on its first bytes.
#pragma once

#include <memory>

#include "session/listener_session.h"

namespace ssm::session {

class BasicPortSession final : public ListenerSession {
 public:
  BasicPortSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                   PortSessionConfig config);
  ~BasicPortSession() override;

  channel::Delivery on_output(const wire::ClientMessage& message) override;
  void on_output_end() override;
  void on_send_space() override;

 private:
  bool agent_takes_terminate_flag() const override;
  void close_connections() override;
  std::size_t open_connections() const override { return peer_ ? 1 : 0; }
  void on_accepted(LocalSocket socket) override;
  void on_peer_data(LocalPeer& peer, std::span<const std::uint8_t> bytes) override;
  void on_peer_closed(LocalPeer& peer) override;
  void on_peer_drained(LocalPeer& peer) override;

  std::shared_ptr<LocalPeer> peer_;
  bool announced_ = false;  // "Connection accepted" is printed for the first one only
};

}  // namespace ssm::session
