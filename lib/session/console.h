// lib/session — writing short status and error lines for the user, synchronously (what is
// printed, and when, is StatusLines'). Data never goes through here.
#pragma once

#include <string_view>

namespace ssm::session {

// Writes everything, waiting out EAGAIN (stdout may share a non-blocking file description
// with a LocalWriter), with "\r\n" for "\n" on a terminal in raw mode. Errors are ignored:
// there is nowhere left to report them.
void write_fd(int fd, std::string_view text);
inline void print_out(std::string_view text) { write_fd(1, text); }
inline void print_err(std::string_view text) { write_fd(2, text); }

}  // namespace ssm::session
