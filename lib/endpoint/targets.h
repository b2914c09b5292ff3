// lib/endpoint — the constructors of the stream target kinds, for make_target only; each
// kind lives in its own file.
#pragma once

#include <string>
#include <vector>

#include "endpoint/stream_target.h"

namespace ssm::endpoint {

// Every Output payload straight back.
std::shared_ptr<StreamTarget> make_echo_target(TargetHost& host);
// Takes everything, sends nothing (the session counts and hashes what arrives).
std::shared_ptr<StreamTarget> make_sink_target();
// `bytes` of pseudo-random output, then the end of the session.
std::shared_ptr<StreamTarget> make_source_target(boost::asio::any_io_executor ex, TargetHost& host, std::uint64_t bytes,
                                                 bool pacing);
// One TCP connection to host:port, bridged both ways.
std::shared_ptr<StreamTarget> make_dial_target(boost::asio::any_io_executor ex, TargetHost& host, std::string address,
                                               std::string port, bool pacing, bool redial = false);

// The agent's smux server for multiplexed port forwarding: each stream the client opens gets
// its own target made from `per_stream`.
std::shared_ptr<StreamTarget> make_smux_server_target(boost::asio::any_io_executor ex, TargetHost& host,
                                                      TargetSpec per_stream, bool pacing);

// `argv` on a new pty: a Standard_Stream shell or an InteractiveCommands command.
// `first_delay` is the agent's wait before its first read (with --pacing).
std::shared_ptr<StreamTarget> make_pty_target(boost::asio::any_io_executor ex, TargetHost& host,
                                              std::vector<std::string> argv, bool pacing);
// A NonInteractiveCommands command line, exec'd without a shell (agent-side.md §4.5).
// `separate_streams`: stdout and stderr streamed apart, then the exit code; otherwise both
// in one stream, sent once the command has exited.
std::shared_ptr<StreamTarget> make_command_target(boost::asio::any_io_executor ex, TargetHost& host,
                                                  std::string command_line, bool separate_streams);

}  // namespace ssm::endpoint
