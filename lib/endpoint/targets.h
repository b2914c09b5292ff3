// lib/endpoint — the constructors of the stream target kinds, for make_target only; each
// kind lives in its own file.
#pragma once

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
                                               std::string port, bool pacing);

}  // namespace ssm::endpoint
