#include "session/console.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "term/raw_mode.h"

namespace ssm::session {

void write_fd(int fd, std::string_view text) {
  // A line printed while the terminal is raw (a shell session's status and error lines)
  // would otherwise start where the previous one ended, a staircase.
  std::string translated;
  if (term::RawMode::needs_carriage_returns(fd)) {
    translated = term::RawMode::with_carriage_returns(text);
    text = translated;
  }
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n > 0) {
      text.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

}  // namespace ssm::session
