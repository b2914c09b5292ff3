// lib/term — full raw mode on the local terminal through termios (not stty, not cbreak):
// no line editing, no echo, no signals from Ctrl-C/Ctrl-\/Ctrl-Z (they travel as bytes),
// no flow control, no CR/NL translation either way. The saved state is restored by the
// destructor and by suspend() (SIGTSTP), and raw mode re-entered by resume() (SIGCONT).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <termios.h>

namespace ssm::term {

class RawMode {
 public:
  // Does nothing when `fd` is not a terminal.
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

  bool active() const { return saved_.has_value(); }
  void suspend();  // restore the saved state (before stopping, or before exiting)
  void resume();   // back to raw

  // The settings raw mode applies to `t` (exposed for tests).
  static termios make_raw(termios t);

  // True when `fd` is a terminal that does not turn "\n" into "\r\n" itself (raw mode, ours
  // or another program's): text written there needs its own carriage returns.
  static bool needs_carriage_returns(int fd);
  // `text` with every "\n" not already preceded by "\r" made "\r\n".
  static std::string with_carriage_returns(std::string_view text);

 private:
  int fd_;
  std::optional<termios> saved_;
  bool raw_ = false;
};

}  // namespace ssm::term
