// lib/session — multiplexed port forwarding (protocol.md §8.4, protocol-smux-kms-aws.md §1):
// every local connection is one smux stream, and the smux byte stream travels in the data
// channel's Output payloads, bridged in memory (no internal socket file as the reference
// has). FIN both ways, ConnectToPortError reported, NOP keep-alive for agents that need it.
// Back-pressure: a full send window pauses every local reader; a local client that does not
// read holds the channel (smux v1 has no per-stream window).
#pragma once

#include <map>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "mux/mux_client.h"
#include "session/listener_session.h"

namespace ssm::session {

class MuxPortSession final : public ListenerSession, private mux::MuxEvents {
 public:
  MuxPortSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                 PortSessionConfig config);
  ~MuxPortSession() override;

  channel::Delivery on_output(const wire::ClientMessage& message) override;
  void on_output_end() override;
  void on_send_space() override;
  bool take_connection(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                       std::span<const std::uint8_t> from_client_first) override;

 private:
  // ListenerSession
  bool agent_takes_terminate_flag() const override { return true; }
  void close_connections() override;
  std::size_t open_connections() const override { return peers_.size(); }
  void on_listening() override;
  // ListenerEvents
  void on_accepted(LocalSocket socket) override;
  // PeerEvents
  void on_peer_data(LocalPeer& peer, std::span<const std::uint8_t> bytes) override;
  void on_peer_closed(LocalPeer& peer) override;
  void on_peer_drained(LocalPeer& peer) override;
  // mux::MuxEvents
  void on_stream_data(std::uint32_t id, std::span<const std::uint8_t> data) override;
  void on_stream_fin(std::uint32_t id) override;
  void on_mux_error(std::error_code ec) override;

  // A smux stream for one local connection, with what to write to its client first and what
  // its client sent already; false when stream ids are exhausted.
  bool open_stream(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                   std::span<const std::uint8_t> from_client_first);
  void send_mux_output();
  // -v: a line per connection as it opens, and as it closes (bytes each way, how long).
  void log_opened(const LocalPeer& peer) const;
  void log_closed(const LocalPeer& peer, std::string_view by) const;
  bool any_congested() const;
  void keepalive_tick(const boost::system::error_code& ec);

  // The smux client's keep-alive period (agents up to 3.1.1511.0 close idle sessions).
  static constexpr std::chrono::seconds kKeepAlivePeriod{10};

  mux::MuxClient mux_;
  std::map<std::uint32_t, std::shared_ptr<LocalPeer>> peers_;
  boost::asio::steady_timer keepalive_timer_;
  bool announced_ = false;  // "Connection accepted" is printed once
  bool holding_ = false;    // agent data held unacked until a local client catches up
};

}  // namespace ssm::session
