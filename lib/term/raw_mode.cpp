#include "term/raw_mode.h"

#include <unistd.h>

namespace ssm::term {

termios RawMode::make_raw(termios t) {
  // As OpenSSH's enter_raw_mode: everything the remote terminal will do itself is off here.
  t.c_iflag |= IGNPAR;
  t.c_iflag &= ~static_cast<tcflag_t>(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF);
#ifdef IUCLC
  t.c_iflag &= ~static_cast<tcflag_t>(IUCLC);
#endif
  t.c_lflag &= ~static_cast<tcflag_t>(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
  t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  return t;
}

RawMode::RawMode(int fd) : fd_(fd) {
  termios t{};
  if (!::isatty(fd) || ::tcgetattr(fd, &t) != 0) return;
  saved_ = t;
  resume();
}

RawMode::~RawMode() { suspend(); }

void RawMode::suspend() {
  if (!saved_ || !raw_) return;
  ::tcsetattr(fd_, TCSADRAIN, &*saved_);
  raw_ = false;
}

void RawMode::resume() {
  if (!saved_ || raw_) return;
  const termios raw = make_raw(*saved_);
  if (::tcsetattr(fd_, TCSADRAIN, &raw) == 0) raw_ = true;
}

bool RawMode::needs_carriage_returns(int fd) {
  termios t{};
  if (::tcgetattr(fd, &t) != 0) return false;  // not a terminal
  return (t.c_oflag & OPOST) == 0 || (t.c_oflag & ONLCR) == 0;
}

std::string RawMode::with_carriage_returns(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace ssm::term
