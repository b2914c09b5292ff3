// lib/transport — host names to TCP endpoints, for the WebSocket and for lib/aws's HTTP calls.
// A numeric host (an IPv4 or IPv6 literal: the local endpoint, instance metadata, a proxy
// given by address) is converted, not resolved: Asio's resolver runs getaddrinfo on a thread
// it starts on first use, which costs a thread and its memory arena for nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace ssm::transport {

using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;

// The endpoint for a numeric host and a decimal port; nullopt for a name (or a bad port).
std::optional<boost::asio::ip::tcp::endpoint> numeric_endpoint(const std::string& host, const std::string& port);

// The endpoints to try, in order, for host:port. `done` runs once on the resolver's executor,
// never from inside this call (after resolver.cancel() too: check for that in `done`).
void async_resolve(boost::asio::ip::tcp::resolver& resolver, const std::string& host, const std::string& port,
                   std::function<void(boost::system::error_code, Endpoints)> done);

}  // namespace ssm::transport
