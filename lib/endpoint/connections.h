// lib/endpoint — one accepted TCP connection: HTTP requests to the API until it asks for a
// WebSocket upgrade, then the data channel of one session. Templates over the plain and TLS
// stream types; the definitions live in connections.cpp.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace ssm::endpoint {

class EndpointServer;

// Starts serving `socket` (TLS handshake first when the server has a TLS context).
void serve_connection(boost::asio::ip::tcp::socket socket, EndpointServer& server);

}  // namespace ssm::endpoint
