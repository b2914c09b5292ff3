// lib/endpoint — a process the emulated agent runs for a session (agent-side.md §4.1): a
// shell or command on a new pty, or a command on pipes. Each child leads its own session and
// process group, so that signals reach everything it started; it is reaped through SIGCHLD,
// never by blocking, except after SIGKILL when the session ends before it does.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/signal_set.hpp>

namespace ssm::endpoint {

// The parent's ends of a child's standard streams; -1 where there is none. A pty child has
// one descriptor, `terminal`, for both directions.
struct ChildStreams {
  int terminal = -1;
  int input = -1, output = -1, errors = -1;
};

class ChildProcess {
 public:
  // argv[0] is looked up on PATH. The environment is ours plus TERM=xterm-256color and, when
  // LANG is unset, LANG=C.UTF-8, as the agent's. Returns null with `error` set on failure,
  // including an argv[0] that cannot be executed.
  static std::unique_ptr<ChildProcess> start_on_pty(boost::asio::any_io_executor ex, const std::vector<std::string>& argv,
                                                    ChildStreams& streams, std::string& error);
  // With `merge_errors`, stderr goes to the same pipe as stdout.
  static std::unique_ptr<ChildProcess> start_with_pipes(boost::asio::any_io_executor ex,
                                                        const std::vector<std::string>& argv, bool merge_errors,
                                                        ChildStreams& streams, std::string& error);

  // Kills the process group if the child still runs, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // `done(status)` once the child has exited: its exit code, or 128 + the signal that killed
  // it (as a shell reports it). Called at most once, never after destruction.
  void async_wait_exit(std::function<void(int status)> done);
  // To the child's whole process group.
  void signal(int signo);

 private:
  ChildProcess(boost::asio::any_io_executor ex, pid_t pid);
  static std::unique_ptr<ChildProcess> start(boost::asio::any_io_executor ex, const std::vector<std::string>& argv,
                                             bool pty, bool merge_errors, ChildStreams& streams, std::string& error);
  void wait_sigchld();
  bool reap_if_exited();  // true once the status is known

  pid_t pid_;
  std::optional<int> status_;
  std::function<void(int)> done_;
  boost::asio::signal_set sigchld_;
};

// A command line split the way the agent splits NonInteractiveCommands (shell-style words:
// blanks separate, quotes and backslashes group; no expansion). Empty on unbalanced quotes.
std::vector<std::string> split_command_line(const std::string& line);

}  // namespace ssm::endpoint
