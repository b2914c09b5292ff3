#include "endpoint/endpoint_server.h"

#include <fstream>
#include <set>
#include <stdexcept>

#include "endpoint/connections.h"
#include "endpoint/stream_target.h"
#include "endpoint/tls_identity.h"

namespace ssm::endpoint {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A fresh test CA and server certificate; the CA goes to --ca-out for AWS_CA_BUNDLE.
std::unique_ptr<asio::ssl::context> make_tls(const EndpointConfig& config) {
  if (!config.tls) return nullptr;
  const TlsIdentity identity = make_test_identity();
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  ctx->use_certificate_chain(asio::buffer(identity.server_certificate_pem));
  ctx->use_private_key(asio::buffer(identity.server_key_pem), asio::ssl::context::pem);
  if (!config.ca_out.empty()) {
    std::ofstream out(config.ca_out, std::ios::trunc);
    out << identity.ca_certificate_pem;
    out.close();
    if (!out) throw std::runtime_error("cannot write the CA certificate to " + config.ca_out);
  }
  return ctx;
}

// The KMS stand-in knows the key sessions are encrypted with and the extra --kms-known-key
// ones; not --kms-agent-key-id, which stands for a key that no longer exists.
std::set<std::string> known_kms_keys(const EndpointConfig& config) {
  std::set<std::string> keys(config.kms_known_keys.begin(), config.kms_known_keys.end());
  keys.insert(config.kms_key_id);
  return keys;
}

IdentityTokens identity_tokens(const EndpointConfig& c) {
  if (c.identity_tokens_file.empty()) return {};
  std::string error;
  auto tokens = load_identity_tokens(c.identity_tokens_file, error);
  if (!tokens) throw std::runtime_error(error);
  return std::move(*tokens);
}

std::string host_for_clients(const asio::ip::address& bound) {
  if (bound.is_unspecified()) return bound.is_v6() ? "[::1]" : "127.0.0.1";
  return bound.is_v6() ? "[" + bound.to_string() + "]" : bound.to_string();
}

}  // namespace

EndpointServer::EndpointServer(asio::io_context& io, EndpointConfig config, Diagnostics out)
    : io_(io),
      config_(std::move(config)),
      out_(out),
      tls_(make_tls(config_)),
      acceptor_(io),
      kms_keys_(known_kms_keys(config_), config_.kms_throttle),
      nodes_(config_.nodes, config_.describe_instances_allowed, config_.agent_version),
      identity_(identity_tokens(config_), config_.credentials_duration, sts_credentials_, out_, config_.tls),
      sigv4_(config_.expected_credentials
                 ? std::optional<SigV4Verifier>(std::in_place, *config_.expected_credentials, &sts_credentials_,
                                                           config_.assume_role_only)
                 : std::nullopt),
      api_(registry_, *this, sigv4_ ? static_cast<const RequestVerifier&>(*sigv4_) : accept_any_,
           AwsStandIns{sts_credentials_, kms_keys_, nodes_, identity_, out_}, "") {
  if (!parse_target_spec(config_.stream_target)) throw std::runtime_error("unknown stream target " + config_.stream_target);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind, ec);
  if (ec) throw std::runtime_error("invalid bind address " + config_.bind);
  const tcp::endpoint where(address, config_.port);
  acceptor_.open(where.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(where, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + config_.bind + " port " + std::to_string(config_.port) + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  host_ = host_for_clients(address);
  api_.set_stream_base(std::string(tls_ ? "wss://" : "ws://") + host_ + ":" + std::to_string(port_));
}

EndpointServer::~EndpointServer() {
  // Agents and their connections hold each other until one side closes: break every cycle.
  for (auto& [id, record] : registry_.all())
    if (record.agent) record.agent->shutdown();
}

std::string EndpointServer::url() const { return std::string(tls_ ? "https://" : "http://") + host_ + ":" + std::to_string(port_); }

std::string EndpointServer::ready_line() const {
  return "ssm-local-endpoint ready port=" + std::to_string(port_) + " url=" + url();
}

std::string EndpointServer::summary_line() const {
  return "ssm-local-endpoint stopped: sessions=" + std::to_string(stats_.sessions) +
         " messages_in=" + std::to_string(stats_.messages_in) + " messages_out=" + std::to_string(stats_.messages_out) +
         " retransmissions=" + std::to_string(stats_.retransmissions) + " faults=" + std::to_string(stats_.faults);
}

void EndpointServer::start() { accept_next(); }

void EndpointServer::accept_next() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void EndpointServer::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) out_.log("accept: " + ec.message());  // e.g. out of descriptors: keep serving the others
  else serve_connection(std::move(socket), *this);
  accept_next();
}

void EndpointServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& [id, record] : registry_.all())
    if (record.agent) record.agent->shutdown();
}

std::optional<ApiResponse> EndpointServer::check_upgrade(const std::string& session_id, const ApiRequest& request) {
  const bool is_signed = !request.authorization.empty();
  std::optional<ApiResponse> refused;
  if (sigv4_ && is_signed) refused = sigv4_->verify_upgrade(request);
  out_.event("upgrade session=" + session_id + " signed=" + (is_signed ? "yes" : "no") +
             (refused ? " refused=" + refused->error_type : ""));
  return refused;
}

std::shared_ptr<AgentSession> EndpointServer::open_data_channel(const std::string& session_id, const std::string& token,
                                                                std::string& error) {
  SessionRecord* r = registry_.find(session_id);
  if (!r) {
    error = "unknown session " + session_id;
    return nullptr;
  }
  if (!r->live()) {
    error = "session " + session_id + " is over";
    return nullptr;
  }
  if (token.empty() || token != r->token) {
    error = "wrong or stale token for session " + session_id;
    return nullptr;
  }
  if (!r->agent) {
    r->agent = std::make_shared<AgentSession>(io_.get_executor(), *r, AgentContext{config_, stats_, out_},
                                              [this, id = r->id] {
                                                if (SessionRecord* ended = registry_.find(id)) ended->ended = true;
                                              });
  }
  return r->agent;
}

void EndpointServer::on_resume(SessionRecord& session) {
  if (session.agent) session.agent->expect_resume();
}

void EndpointServer::on_terminate(SessionRecord& session) {
  out_.event("terminate session=" + session.id);
  if (session.agent) session.agent->terminate();
}

}  // namespace ssm::endpoint
