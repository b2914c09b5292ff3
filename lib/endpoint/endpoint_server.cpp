#include "endpoint/endpoint_server.h"

#include <fstream>
#include <stdexcept>

#include "endpoint/connections.h"
#include "endpoint/tls_identity.h"

namespace ssm::endpoint {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::unique_ptr<asio::ssl::context> make_tls(const EndpointConfig& config) {
  if (!config.tls) return nullptr;
  const TlsIdentity identity = make_test_identity();
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3);
  ctx->use_certificate_chain(asio::buffer(identity.server_certificate_pem));
  ctx->use_private_key(asio::buffer(identity.server_key_pem), asio::ssl::context::pem);
  if (!config.ca_out.empty()) {
    std::ofstream out(config.ca_out, std::ios::trunc);
    out << identity.ca_certificate_pem;
    if (!out) throw std::runtime_error("cannot write the CA certificate to " + config.ca_out);
  }
  return ctx;
}

}  // namespace

EndpointServer::EndpointServer(asio::io_context& io, EndpointConfig config)
    : io_(io),
      config_(std::move(config)),
      tls_(make_tls(config_)),
      acceptor_(io),
      api_(registry_, "", [](SessionRecord& r) {
        if (r.agent) r.agent->terminate();
      }) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind, ec);
  if (ec) throw std::runtime_error("invalid bind address " + config_.bind);
  const tcp::endpoint where(address, config_.port);
  acceptor_.open(where.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(where, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + config_.bind + ":" + std::to_string(config_.port) + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  const std::string host = where.address().is_v6() ? "[" + config_.bind + "]" : config_.bind;
  api_.set_stream_base(std::string(tls_ ? "wss://" : "ws://") + host + ":" + std::to_string(port_));
}

std::string EndpointServer::url() const {
  const bool v6 = config_.bind.find(':') != std::string::npos;
  return std::string(tls_ ? "https://" : "http://") + (v6 ? "[" + config_.bind + "]" : config_.bind) + ":" +
         std::to_string(port_);
}

void EndpointServer::start() { accept_next(); }

void EndpointServer::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) serve_connection(std::move(socket), *this);
    accept_next();
  });
}

void EndpointServer::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, record] : registry_.all())
    if (record.agent) record.agent->terminate();
}

std::shared_ptr<AgentSession> EndpointServer::open_data_channel(const std::string& session_id, const std::string& token,
                                                                std::string& error) {
  SessionRecord* r = registry_.find(session_id);
  if (!r) {
    error = "unknown session " + session_id;
    return nullptr;
  }
  if (r->terminated) {
    error = "session " + session_id + " is terminated";
    return nullptr;
  }
  if (token.empty() || token != r->token) {
    error = "wrong token for session " + session_id;
    return nullptr;
  }
  if (!r->agent) r->agent = std::make_shared<AgentSession>(io_.get_executor(), *r, config_, stats_);
  if (r->agent->ended()) {
    error = "session " + session_id + " has ended";
    return nullptr;
  }
  return r->agent;
}

}  // namespace ssm::endpoint
