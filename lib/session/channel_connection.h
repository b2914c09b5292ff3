// lib/session — joins one WebSocket (lib/transport) to the reliable channel (lib/channel):
// frames from the socket go to the channel, frames from the channel go to the socket, and
// the end of the socket is reported once to the session, which decides what follows.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "channel/data_channel.h"
#include "transport/websocket_client.h"

namespace ssm::session {

class ConnectionEvents {
 public:
  virtual void on_connected() = 0;
  virtual void on_connection_lost(transport::CloseReason reason, std::string_view message) = 0;

 protected:
  ~ConnectionEvents() = default;
};

// Opens one WebSocket: transport::connect_websocket, or a scripted one in tests.
using Dialer = std::function<std::shared_ptr<transport::WebSocketClient>(
    boost::asio::any_io_executor, transport::ConnectOptions, transport::ConnectionListener&)>;

// What the WebSocket may hold unwritten before the channel stops handing it data messages
// (FrameWriter::congested): a few socket writes' worth, enough to keep the socket busy, while
// the rest of the send window waits in the channel rather than in a second copy here.
inline constexpr std::size_t kTransportQueueBytes = 256 * 1024;

class ChannelConnection final : public channel::FrameWriter, public transport::ConnectionListener {
 public:
  ChannelConnection(boost::asio::any_io_executor ex, channel::ChannelConfig config, channel::ChannelHandler& handler,
                    ConnectionEvents& events, Dialer dial = {});
  ~ChannelConnection();
  ChannelConnection(const ChannelConnection&) = delete;
  ChannelConnection& operator=(const ChannelConnection&) = delete;

  // Dials; the channel stays detached until the upgrade completes.
  void connect(transport::ConnectOptions options);
  void close();

  channel::DataChannel& channel() { return channel_; }
  bool connected() const { return connected_; }

 private:
  void write_frame(channel::Frame frame) override;
  bool congested() const override;
  void on_write_progress() override;
  void on_open() override;
  void on_frame(std::span<const std::uint8_t> frame) override;
  void on_receive_idle() override;
  void on_closed(transport::CloseReason reason, std::string_view message) override;

  boost::asio::any_io_executor executor_;
  ConnectionEvents& events_;
  Dialer dial_;
  channel::DataChannel channel_;
  std::shared_ptr<transport::WebSocketClient> socket_;
  bool connected_ = false;
};

}  // namespace ssm::session
