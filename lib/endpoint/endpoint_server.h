// lib/endpoint — the endpoint's one listening port and everything behind it: HTTP(S) requests
// go to the SSM API, WebSocket upgrades on /v1/data-channel/<id> become agent connections.
// Owns the TLS context, the session registry with its agents, and the totals printed when
// it stops. Runs on the caller's io_context; never blocks it.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "endpoint/agent_link.h"
#include "endpoint/agent_session.h"
#include "endpoint/api_handler.h"
#include "endpoint/sigv4_verifier.h"
#include "endpoint/config.h"
#include "endpoint/diagnostics.h"
#include "endpoint/issued_credentials.h"
#include "endpoint/identity_stand_ins.h"
#include "endpoint/kms_key_rules.h"
#include "endpoint/node_directory.h"
#include "endpoint/session_registry.h"

namespace ssm::endpoint {

class EndpointServer final : private SessionControl {
 public:
  // Binds at once (and with --tls makes the CA and writes --ca-out); throws
  // std::runtime_error with a readable message on failure.
  EndpointServer(boost::asio::io_context& io, EndpointConfig config, Diagnostics out);
  EndpointServer(const EndpointServer&) = delete;
  EndpointServer& operator=(const EndpointServer&) = delete;
  ~EndpointServer();

  void start();
  // Stops accepting and ends every session (channel_closed to connected clients).
  void stop();

  std::uint16_t port() const { return port_; }
  std::string url() const;  // http(s)://host:port of the API
  std::string ready_line() const;
  std::string summary_line() const;

  const EndpointStats& stats() const { return stats_; }
  const EndpointConfig& config() const { return config_; }
  const Diagnostics& out() const { return out_; }
  boost::asio::ssl::context* tls() { return tls_.get(); }

  ApiResponse handle_api(const ApiRequest& request) { return api_.handle(request); }
  // A data-channel upgrade: with --verify-sigv4 a signed one must verify; an unsigned one
  // passes (the token in OpenDataChannel authenticates it, as for SSM_PLUGIN_SKIP_CLIENT_CONFIGURE
  // and presigned URLs). Prints one event line saying which it was.
  std::optional<ApiResponse> check_upgrade(const std::string& session_id, const ApiRequest& request);
  // The agent for `session_id` if `token` is its current token; nullptr and `error` otherwise.
  std::shared_ptr<AgentSession> open_data_channel(const std::string& session_id, const std::string& token,
                                                  std::string& error);

 private:
  void on_resume(SessionRecord& session) override;
  void on_terminate(SessionRecord& session) override;
  void accept_next();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  EndpointConfig config_;
  Diagnostics out_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::string host_;  // how clients reach us: the bind address, or loopback for a wildcard
  SessionRegistry registry_;
  IssuedCredentials sts_credentials_;  // before sigv4_, which reads them
  KmsKeyRules kms_keys_;
  NodeDirectory nodes_;
  IdentityStandIns identity_;
  AcceptAnyRequest accept_any_;
  std::optional<SigV4Verifier> sigv4_;
  ApiHandler api_;
  EndpointStats stats_;
  bool stopped_ = false;
};

}  // namespace ssm::endpoint
