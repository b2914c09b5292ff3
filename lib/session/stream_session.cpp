#include "session/stream_session.h"

#include <unistd.h>

namespace ssm::session {

StreamSession::StreamSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                             StreamOptions options)
    : channel_(channel),
      events_(events),
      options_(options),
      stdin_(ex, STDIN_FILENO, *this),
      stdout_(ex, STDOUT_FILENO, *this) {}

void StreamSession::start() { stdin_.start(); }

bool StreamSession::on_input(std::span<const std::uint8_t> bytes) {
  channel_.send(wire::PayloadType::output, bytes);
  return channel_.has_send_space();  // a full window pauses stdin: back-pressure, not loss
}

void StreamSession::on_send_space() { stdin_.resume(); }

void StreamSession::on_input_end(std::error_code ec) {
  input_ended_ = true;
  if (ec) {
    events_.on_kind_failed("cannot read standard input: " + ec.message());
    return;
  }
  // In stdio mode, the local side is done once the agent has everything; a shell keeps
  // running until the agent closes the channel.
  if (options_.end_on_input_eof && channel_.all_acknowledged()) finish(0);
}

void StreamSession::on_all_acknowledged() {
  if (options_.end_on_input_eof && input_ended_) finish(0);
}

channel::Delivery StreamSession::on_output(const wire::ClientMessage& m) {
  switch (m.payload_type) {
    case wire::PayloadType::output:
    case wire::PayloadType::stderr_data:
    case wire::PayloadType::exit_code:
      break;
    default:
      return channel::Delivery::accepted;  // flags and unknown payloads are not data
  }
  if (stdout_.full()) {
    stdout_.notify_when_drained();
    return channel::Delivery::not_ready;  // held unacked until stdout catches up
  }
  stdout_.append(m.payload);  // written at on_output_end, with the rest of the batch
  return channel::Delivery::accepted;
}

void StreamSession::on_output_drained() { channel_.retry_delivery(); }

void StreamSession::on_output_error(std::error_code ec) {
  events_.on_kind_failed("cannot write standard output: " + ec.message());
}

void StreamSession::finish(int exit_code) {
  if (finishing_) return;
  finishing_ = exit_code;
  stdin_.stop();
  // Whatever the agent sent before channel_closed was acknowledged: deliver it first.
  channel_.retry_delivery();
  stdout_.flush();
  maybe_done();
}

void StreamSession::on_output_flushed() { maybe_done(); }

void StreamSession::maybe_done() {
  if (!finishing_ || done_ || channel_.has_deliverable() || !stdout_.idle()) return;
  done_ = true;
  events_.on_kind_done(*finishing_);
}

void StreamSession::abort() {
  done_ = true;
  stdin_.stop();
  stdout_.stop();
}

}  // namespace ssm::session
