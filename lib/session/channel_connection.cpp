#include "session/channel_connection.h"

namespace ssm::session {

ChannelConnection::ChannelConnection(boost::asio::any_io_executor ex, channel::ChannelConfig config,
                                     channel::ChannelHandler& handler, ConnectionEvents& events, Dialer dial)
    : executor_(ex),
      events_(events),
      dial_(dial ? std::move(dial) : Dialer(transport::connect_websocket)),
      channel_(ex, config, *this, handler) {
  channel_.detach();
}

ChannelConnection::~ChannelConnection() { close(); }

void ChannelConnection::connect(transport::ConnectOptions options) {
  if (socket_) socket_->close();
  socket_ = dial_(executor_, std::move(options), *this);
}

void ChannelConnection::close() {
  channel_.close();
  if (socket_) socket_->close();
  connected_ = false;
}

void ChannelConnection::write_frame(channel::Frame frame) {
  if (socket_ && connected_) socket_->send(std::move(frame));
}

bool ChannelConnection::congested() const {
  return socket_ && socket_->queued_bytes() >= kTransportQueueBytes;
}

void ChannelConnection::on_write_progress() {
  if (connected_) channel_.on_writer_ready();  // which writes only while not congested()
}

void ChannelConnection::on_open() {
  connected_ = true;
  channel_.attach();
  events_.on_connected();
}

void ChannelConnection::on_frame(std::span<const std::uint8_t> frame) { channel_.on_frame(frame); }

void ChannelConnection::on_receive_idle() { channel_.end_of_received_batch(); }

void ChannelConnection::on_closed(transport::CloseReason reason, std::string_view message) {
  connected_ = false;
  channel_.detach();
  events_.on_connection_lost(reason, message);
}

}  // namespace ssm::session
