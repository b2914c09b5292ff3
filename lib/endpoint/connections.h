// lib/endpoint — the entry point for one accepted TCP connection: TLS or not, it becomes an
// HttpConnection, and maybe later a DataChannelConnection.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace ssm::endpoint {

class EndpointServer;

void serve_connection(boost::asio::ip::tcp::socket socket, EndpointServer& server);

}  // namespace ssm::endpoint
