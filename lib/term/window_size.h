// lib/term — the local window size as the agent wants it (protocol.md §7.3).
#pragma once

#include <cstdint>

namespace ssm::term {

struct WindowSize {
  std::uint32_t cols;
  std::uint32_t rows;
  friend bool operator==(const WindowSize&, const WindowSize&) = default;
};

// When stdout is not a terminal (output captured by a script) the reference's fallback:
// wide enough that the remote side does not wrap lines.
inline constexpr WindowSize kFallbackWindowSize{300, 100};

// TIOCGWINSZ on `fd`; the fallback when it is not a terminal or reports 0x0.
WindowSize query_window_size(int fd);

}  // namespace ssm::term
