#include "term/window_size.h"

#include <sys/ioctl.h>

namespace ssm::term {

WindowSize query_window_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return kFallbackWindowSize;
  return {ws.ws_col, ws.ws_row};
}

}  // namespace ssm::term
