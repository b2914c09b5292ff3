// lib/session — the shell kind (Standard_Stream, InteractiveCommands, NonInteractiveCommands):
// the local terminal in raw mode, keystrokes through the ~ escape processor to the agent,
// the window size at start and on every SIGWINCH, stdout/stderr payloads to our stdout and
// stderr, and the remote exit code (payload type 12) as our exit status. SIGTSTP restores
// the terminal and stops us; SIGCONT re-enters raw mode, as ssh does.
#pragma once

#include <optional>

#include <boost/asio/signal_set.hpp>

#include "session/local_stream.h"
#include "session/session_kind.h"
#include "term/escape_sequences.h"
#include "term/raw_mode.h"
#include "term/window_size.h"

namespace ssm::session {

class ShellControl {
 public:
  // `~.`: end the session at the user's request (TerminateSession where available).
  virtual void on_user_terminate() = 0;

 protected:
  ~ShellControl() = default;
};

struct ShellOptions {
  bool interactive = true;  // false for NonInteractiveCommands: no raw mode, no escapes
};

class ShellSession final : public SessionKind, private InputSink, private OutputListener {
 public:
  ShellSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
               ShellControl& control, ShellOptions options);
  ~ShellSession() override;

  void start() override;
  channel::Delivery on_output(const wire::ClientMessage& message) override;
  void on_output_end() override;
  void on_send_space() override;
  void finish(int exit_code) override;
  void abort() override;
  bool stdout_is_data() const override { return !options_.interactive; }
  bool on_signal(int signo) override;

  // Parses "EXIT_CODE: <n>" (agent-side.md §4.5); nullopt for anything else.
  static std::optional<int> parse_exit_code(std::string_view payload);

 private:
  bool on_input(std::span<const std::uint8_t> bytes) override;
  void on_input_end(std::error_code ec) override;
  void on_output_drained() override;
  void on_output_error(std::error_code ec) override;
  void on_output_flushed() override;
  void wait_signals();
  void send_window_size(bool force);
  void send_bytes(std::span<const std::uint8_t> bytes);
  void maybe_done();

  channel::DataChannel& channel_;
  KindEvents& events_;
  ShellControl& control_;
  ShellOptions options_;
  term::RawMode raw_;
  term::EscapeProcessor escapes_;
  LocalReader stdin_;
  LocalWriter stdout_;
  LocalWriter stderr_;
  boost::asio::signal_set terminal_signals_;
  std::optional<term::WindowSize> sent_size_;
  std::optional<int> remote_exit_code_;
  std::optional<int> finishing_;
  // Standard input is not a terminal (a pipe, a file, /dev/null): its end is passed on as the
  // end of input to the remote shell (see on_input_end), as ssh does.
  bool stdin_is_terminal_;
  bool at_line_start_ = true;  // the last byte sent ended a line (or nothing was sent)
  bool done_ = false;
};

}  // namespace ssm::session
