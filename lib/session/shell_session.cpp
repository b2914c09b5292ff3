#include "session/shell_session.h"

#include <charconv>
#include <csignal>
#include <string>
#include <unistd.h>

#include "wire/payloads.h"

namespace ssm::session {

ShellSession::ShellSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                           ShellControl& control, ShellOptions options)
    : channel_(channel),
      events_(events),
      control_(control),
      options_(options),
      raw_(options.interactive ? STDIN_FILENO : -1),
      stdin_(ex, STDIN_FILENO, *this),
      stdout_(ex, STDOUT_FILENO, *this),
      stderr_(ex, STDERR_FILENO, *this),
      terminal_signals_(ex, SIGWINCH, SIGTSTP, SIGCONT),
      stdin_is_terminal_(::isatty(STDIN_FILENO) == 1) {}

ShellSession::~ShellSession() { abort(); }

void ShellSession::start() {
  send_window_size(/*force=*/true);
  wait_signals();
  stdin_.start();
}

std::optional<int> ShellSession::parse_exit_code(std::string_view payload) {
  constexpr std::string_view prefix = "EXIT_CODE: ";
  if (payload.substr(0, prefix.size()) != prefix) return std::nullopt;
  payload.remove_prefix(prefix.size());
  int code = 0;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), code);
  if (ec != std::errc() || end != payload.data() + payload.size()) return std::nullopt;
  return code & 0xff;  // what a process exit status can carry
}

// ---- keyboard -----------------------------------------------------------------------------

bool ShellSession::on_input(std::span<const std::uint8_t> bytes) {
  // Escapes are for a person at a terminal, as with ssh: piped input is data, and a "~." in
  // a file fed to the shell must not end the session.
  if (!options_.interactive || !stdin_is_terminal_) {
    send_bytes(bytes);
    return channel_.has_send_space();
  }
  term::EscapeProcessor::Result r = escapes_.process(bytes);
  switch (r.action) {
    case term::EscapeProcessor::Action::help:
      stdout_.write(wire::as_bytes(term::EscapeProcessor::help_text()));
      break;
    case term::EscapeProcessor::Action::disabled:
      stdout_.write(wire::as_bytes(term::EscapeProcessor::disabled_notice()));
      break;
    case term::EscapeProcessor::Action::terminate:
      stdin_.stop();
      control_.on_user_terminate();
      return false;
    case term::EscapeProcessor::Action::none:
      break;
  }
  send_bytes(r.forward);
  return channel_.has_send_space();
}

void ShellSession::send_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  // The reference turns a lone LF into CR, for keyboards in cbreak mode (protocol.md §5.1).
  static constexpr std::uint8_t kCarriageReturn[] = {0x0d};
  if (bytes.size() == 1 && bytes[0] == 0x0a) bytes = kCarriageReturn;
  at_line_start_ = bytes.back() == 0x0d || bytes.back() == 0x0a;
  channel_.send(wire::PayloadType::output, bytes);
}

void ShellSession::on_send_space() { stdin_.resume(); }

void ShellSession::on_input_end(std::error_code ec) {
  if (ec) return events_.on_kind_failed("cannot read standard input: " + ec.message());
  // EOF. From a terminal that cannot happen (Ctrl-D is a byte in raw mode). From a pipe or a
  // file (`echo uptime | session-manager-plugin shell ...`) it is the end of what there is to
  // say: the remote pty gets Ctrl-D at the start of a line (an unfinished last line is ended
  // first, so that it runs, as a shell reading a file would), and the remote shell sees end
  // of input and exits, ending the session, as with ssh. The remote side still decides when.
  if (!options_.interactive || stdin_is_terminal_) return;
  static constexpr std::uint8_t kEndOfInput[] = {0x0d, 0x04};
  channel_.send(wire::PayloadType::output, at_line_start_ ? std::span(kEndOfInput).last(1) : std::span(kEndOfInput));
}

// ---- terminal signals ---------------------------------------------------------------------

void ShellSession::wait_signals() {
  terminal_signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec || done_) return;
    if (signo == SIGTSTP) {
      // As ssh: give the terminal back, stop, and take it again once continued.
      raw_.suspend();
      ::raise(SIGSTOP);
      raw_.resume();
      send_window_size(false);
    } else if (signo == SIGCONT) {
      raw_.resume();
      send_window_size(false);
    } else {
      send_window_size(false);
    }
    wait_signals();
  });
}

void ShellSession::send_window_size(bool force) {
  const term::WindowSize size = term::query_window_size(STDOUT_FILENO);
  if (!force && sent_size_ == size) return;
  sent_size_ = size;
  const std::string json = wire::to_json(wire::TerminalSize{size.cols, size.rows});
  channel_.send(wire::PayloadType::size, wire::as_bytes(json));
}

bool ShellSession::on_signal(int signo) {
  // Ctrl-C and Ctrl-\ arrive as bytes in raw mode; signals sent by `kill` (or typed while
  // stdin is not a terminal) are forwarded the same way, as the reference does.
  static constexpr std::uint8_t kInterrupt[] = {0x03};
  static constexpr std::uint8_t kQuit[] = {0x1c};
  if (signo == SIGINT) channel_.send(wire::PayloadType::output, kInterrupt);
  else if (signo == SIGQUIT) channel_.send(wire::PayloadType::output, kQuit);
  else return false;
  return true;
}

// ---- agent output -------------------------------------------------------------------------

channel::Delivery ShellSession::on_output(const wire::ClientMessage& m) {
  LocalWriter* out = nullptr;
  switch (m.payload_type) {
    case wire::PayloadType::output:
      out = &stdout_;
      break;
    case wire::PayloadType::stderr_data:
      out = &stderr_;
      break;
    case wire::PayloadType::exit_code:
      if (auto code = parse_exit_code(m.payload_text())) remote_exit_code_ = code;
      return channel::Delivery::accepted;
    default:
      return channel::Delivery::accepted;
  }
  if (out->full()) {
    out->notify_when_drained();
    return channel::Delivery::not_ready;
  }
  out->append(m.payload);  // written at on_output_end, with the rest of the batch
  return channel::Delivery::accepted;
}

void ShellSession::on_output_end() {
  stdout_.flush();
  stderr_.flush();
}

void ShellSession::on_output_drained() { channel_.retry_delivery(); }

void ShellSession::on_output_error(std::error_code ec) {
  events_.on_kind_failed("cannot write the session output: " + ec.message());
}

// ---- ending -------------------------------------------------------------------------------

void ShellSession::finish(int exit_code) {
  if (finishing_) return;
  finishing_ = remote_exit_code_.value_or(exit_code);
  stdin_.stop();
  // Whatever the agent sent before channel_closed was acknowledged: deliver it first.
  channel_.retry_delivery();
  on_output_end();
  maybe_done();
}

void ShellSession::on_output_flushed() { maybe_done(); }

void ShellSession::maybe_done() {
  if (!finishing_ || done_ || channel_.has_deliverable() || !stdout_.idle() || !stderr_.idle()) return;
  done_ = true;
  terminal_signals_.cancel();
  raw_.suspend();  // before the closing text, so it prints as the user's terminal expects
  events_.on_kind_done(*finishing_);
}

void ShellSession::abort() {
  done_ = true;
  stdin_.stop();
  stdout_.stop();
  stderr_.stop();
  boost::system::error_code ignored;
  terminal_signals_.cancel(ignored);
  raw_.suspend();
}

}  // namespace ssm::session
