// lib/endpoint — the endpoint's one listening port: HTTP(S) requests go to the SSM API,
// WebSocket upgrades on /v1/data-channel/<id> become agent connections. Owns the session
// registry and the agents, and the totals printed when it stops.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "endpoint/agent_session.h"
#include "endpoint/api_handler.h"
#include "endpoint/config.h"
#include "endpoint/session_registry.h"

namespace ssm::endpoint {

class EndpointServer {
 public:
  // Binds at once; throws std::runtime_error with a readable message on failure.
  EndpointServer(boost::asio::io_context& io, EndpointConfig config);

  void start();
  // Ends every session (channel_closed to connected clients) and stops accepting.
  void stop();

  std::uint16_t port() const { return port_; }
  std::string url() const;
  const EndpointStats& stats() const { return stats_; }
  const EndpointConfig& config() const { return config_; }
  boost::asio::ssl::context* tls() { return tls_.get(); }

  ApiResponse handle_api(std::string_view target, std::string_view body) { return api_.handle(target, body); }
  // The agent for `session_id` if `token` is its current token; nullptr and `error` otherwise.
  std::shared_ptr<AgentSession> open_data_channel(const std::string& session_id, const std::string& token,
                                                  std::string& error);

 private:
  void accept_next();

  boost::asio::io_context& io_;
  EndpointConfig config_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  SessionRegistry registry_;
  ApiHandler api_;
  EndpointStats stats_;
  bool stopped_ = false;
};

}  // namespace ssm::endpoint
