// lib/term — owns the local terminal: raw mode (restored on every exit path), the window
// size, and the ~ escape sequences of shell sessions. It knows nothing of WebSockets.
//
// This file: the escape-sequence processor of protocol-updates.md §5: `~.` terminates,
// `~?` prints help, `~-` disables escapes, `~~` sends one `~`, each recognised only right
// after a newline. State persists across reads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ssm::term {

class EscapeProcessor {
 public:
  enum class Action { none, help, terminate, disabled };

  struct Result {
    std::vector<std::uint8_t> forward;  // bytes to send to the agent (may be empty)
    Action action = Action::none;
  };

  Result process(std::span<const std::uint8_t> chunk);
  bool enabled() const { return enabled_; }

  static std::string_view help_text();
  static std::string_view disabled_notice();

 private:
  void reset() { newline_ = escaped_ = false; }

  bool enabled_ = true;
  bool newline_ = false;  // initially false: a `~` as the very first key is not an escape
  bool escaped_ = false;
};

}  // namespace ssm::term
