#include "term/escape_sequences.h"

namespace ssm::term {

std::string_view EscapeProcessor::help_text() {
  return "\r\nSupported escape sequence commands:\r\n"
         "\r\n  ~?  - this message\r\n"
         "\r\n  ~~  - send the escape character by typing it twice\r\n"
         "\r\n  ~-  - disable escape sequences for the rest of the session\r\n"
         "\r\n  ~.  - disconnect and terminate the session\r\n"
         "\r\n(Escape sequences are only recognized immediately after a newline.)\r\n";
}

std::string_view EscapeProcessor::disabled_notice() { return "\r\nEscape sequences disabled for this session.\r\n"; }

EscapeProcessor::Result EscapeProcessor::process(std::span<const std::uint8_t> chunk) {
  Result r;
  if (!enabled_) {
    r.forward.assign(chunk.begin(), chunk.end());
    return r;
  }
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    const std::uint8_t b = chunk[i];
    if (escaped_) {
      switch (b) {
        case '?':
          r.action = Action::help;
          reset();
          continue;
        case '.':
          r.forward.clear();  // the whole chunk is discarded
          r.action = Action::terminate;
          reset();
          return r;
        case '-':
          enabled_ = false;
          reset();
          r.action = Action::disabled;
          r.forward.insert(r.forward.end(), chunk.begin() + static_cast<std::ptrdiff_t>(i) + 1, chunk.end());
          return r;
        case '~':
          r.forward.push_back('~');
          reset();
          continue;
        default:
          r.forward.push_back('~');
          r.forward.push_back(b);
          reset();
          continue;
      }
    }
    if (newline_ && b == '~') {
      escaped_ = true;  // held until the next byte says what it is
      continue;
    }
    if (b == '\n' || b == '\r') newline_ = true;
    else reset();
    r.forward.push_back(b);
  }
  return r;
}

}  // namespace ssm::term
