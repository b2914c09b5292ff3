// lib/session — the lines a session prints about itself, in one place: "Starting session
// with SessionId", the exit texts of channel_closed (protocol.md §2, as the AWS plugin prints
// them), the agent's customer message, and the one error line every failure ends with.
// Status lines go to stdout unless -q or unless stdout carries session data (ssh's
// ProxyCommand, a command's output): then they are left out, as ssh prints none. Error lines
// always go to stderr, prefixed with the program's name.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace ssm::session {

class StatusLines {
 public:
  using Writer = std::function<void(std::string_view)>;

  // `out`/`err` default to the process's stdout and stderr (console.h).
  StatusLines(std::string session_id, bool quiet, Writer out = {}, Writer err = {});

  // Whether stdout is the session's data stream from now on (the kind tells).
  void set_stdout_is_data(bool data) { stdout_is_data_ = data; }

  // "Starting session with SessionId: ..." (once, however often called).
  void starting();
  void customer_message(std::string_view text);
  // channel_closed's exit text: its Output, or the plain "Exiting session" line.
  void closed_by_service(std::string_view output);
  // "session-manager-plugin: <message>": the one line a failure prints.
  void error(std::string_view message);
  // The connection dropped and the session is being resumed, for up to `timeout` (stderr:
  // stdout may carry data; not with -q). resumed(): it is back.
  void resuming(std::string_view why, std::chrono::milliseconds timeout);
  void resumed();
  // "60 s", "0.5 s".
  static std::string seconds(std::chrono::milliseconds d);
  // ssh's line after its `~.` escape: "Connection to <target> closed." (stderr, even with -q).
  void connection_closed_by_user(std::string_view target);

 private:
  void status(std::string_view text);

  std::string session_id_;
  bool quiet_;
  bool stdout_is_data_ = false;
  bool started_ = false;  // the starting line was printed
  Writer out_, err_;
};

}  // namespace ssm::session
