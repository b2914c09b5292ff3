#include "standalone/dynamic_forward.h"

#include <algorithm>
#include <csignal>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "base/text.h"
#include "log/log.h"
#include "session/console.h"
#include "session/listener_session.h"

namespace ssm::standalone {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

std::string key_of(const socks::Destination& d) { return base::host_port(d.host, d.port); }

// StartSession's refusal, as a SOCKS client can understand it (RFC 1928 §6).
socks::Reply reply_for(const std::string& failure) {
  const auto has = [&](std::string_view word) { return failure.find(word) != std::string::npos; };
  if (has("AccessDenied") || has("UnrecognizedClient") || has("HTTP 403")) return socks::Reply::not_allowed;
  if (has("InvalidTarget") || has("TargetNotConnected") || has("InvalidDocument") || has("cannot resolve"))
    return socks::Reply::host_unreachable;
  return socks::Reply::general_failure;
}

}  // namespace

// ---- DynamicForward -----------------------------------------------------------------------

DynamicForward::DynamicForward(asio::any_io_executor ex, session::SessionSpec base, cli::DynamicSpec where,
                               std::string target, std::string reason,
                               std::shared_ptr<aws::CredentialProvider> credentials, Limits limits)
    : executor_(ex),
      base_(std::move(base)),
      where_(std::move(where)),
      target_(std::move(target)),
      reason_(std::move(reason)),
      credentials_(std::move(credentials)),
      limits_(limits),
      listener_(ex, static_cast<session::ListenerEvents&>(*this)) {
  // Each destination's session speaks through the proxy's lines, not its own.
  quiet_ = base_.quiet;
  base_.quiet = true;
  base_.listener.connections_handed_in = true;
  if (!where_.bind_address.empty()) base_.local_host = cli::listen_host(where_.bind_address);
}

DynamicForward::~DynamicForward() = default;

std::string DynamicForward::bind() {
  session::ListeningSocket socket(executor_);
  if (std::string problem = session::listen_tcp(socket, base_.local_host, where_.port); !problem.empty()) {
    exit_code_ = session::kExitConnectionFailure;
    stopped_ = true;
    return problem;
  }
  listener_.adopt(std::move(socket));
  return {};
}

std::string DynamicForward::label() const {
  return base::host_port(base_.local_host, listener_.port());
}

void DynamicForward::start() {
  if (stopped_) return;
  if (!quiet_)
    session::print_out("SOCKS proxy on " + label() + " for " + target_ + ": one session per destination\n");
  listener_.accept_next();
}

void DynamicForward::abandon() {
  stopped_ = true;
  listener_.close();
  exit_code_ = session::kExitConnectionFailure;
}

void DynamicForward::on_accepted(session::LocalSocket socket) {
  listener_.accept_next();
  if (stopped_) return;
  std::make_shared<SocksClient>(std::move(socket), *this)->start();
}

void DynamicForward::connect(const std::shared_ptr<SocksClient>& client) {
  if (stopped_) return client->refuse(socks::Reply::general_failure);
  const std::string key = key_of(client->destination());
  auto it = destinations_.find(key);
  if (it != destinations_.end() && it->second.session->done()) {
    // Over, with the news on its way (on_session_over): a new session for the new connection.
    retire(it, "it is over", /*end_it=*/false);
    it = destinations_.end();
  }
  if (it == destinations_.end()) {
    if (!make_room()) {
      SSM_LOG(warn, "SOCKS " + label() + ": " + std::to_string(limits_.max_sessions) +
                        " sessions, all in use: refusing a connection to " + key);
      if (!quiet_)
        session::print_err("session-manager-plugin: " + label() + ": " + std::to_string(limits_.max_sessions) +
                           " sessions, all in use (--max-sessions): " + key + " refused\n");
      return client->refuse(socks::Reply::general_failure);
    }
    const socks::Destination& d = client->destination();
    SSM_LOG(info, "SOCKS " + label() + ": opening a session for " + key);
    cli::StartSessionRequest request = cli::destination_request(target_, reason_, d.host, d.port, /*exact_address=*/true);
    it = destinations_.emplace(key, Destination{}).first;
    it->second.session = std::make_unique<StandaloneSession>(executor_, base_, std::move(request), credentials_,
                                                             static_cast<SessionObserver*>(this));
    it->second.waiting.push_back(client);
    if (it->second.session->prepare()) it->second.session->start();
    return;
  }
  if (!it->second.ready) return it->second.waiting.push_back(client);
  it->second.last_used = std::chrono::steady_clock::now();
  if (client->hand_to(*it->second.session)) return;
  // The session no longer takes connections: it is ending (the service closed it, and the
  // news is on its way). The client gets a new one rather than a refusal.
  retire(it, "it is ending", /*end_it=*/false);
  connect(client);
}

bool DynamicForward::make_room() {
  if (destinations_.size() < limits_.max_sessions) return true;
  auto lru = destinations_.end();
  for (auto it = destinations_.begin(); it != destinations_.end(); ++it) {
    const Destination& d = it->second;
    if (!d.ready || d.session->local_connections() > 0) continue;
    if (lru == destinations_.end() || d.last_used < lru->second.last_used) lru = it;
  }
  if (lru == destinations_.end()) return false;
  retire(lru, "the least recently used, to make room (--max-sessions)");
  return true;
}

void DynamicForward::retire(std::map<std::string, Destination>::iterator it, const char* why, bool end_it) {
  SSM_LOG(info, "SOCKS " + label() + ": ending the session for " + it->first + ": " + why);
  StandaloneSession& s = *it->second.session;
  for (const auto& client : std::exchange(it->second.waiting, {})) client->refuse(socks::Reply::general_failure);
  if (end_it && !s.done()) s.on_signal(SIGTERM);  // TerminateSession to the agent; on_session_over follows
  retired_.push_back(std::move(it->second.session));
  destinations_.erase(it);
}

// A timer per destination, re-armed while connections are open: idle means no connection
// for the whole period, and nothing tells us when a stream of a session closes.
void DynamicForward::arm_idle_timer(const std::string& key, Destination& d, std::chrono::steady_clock::duration after) {
  d.idle_timer->expires_after(after);
  d.idle_timer->async_wait([this, key](const boost::system::error_code& ec) { on_idle_timer(key, ec); });
}

void DynamicForward::on_idle_timer(const std::string& key, const boost::system::error_code& ec) {
  if (ec || stopped_) return;
  const auto it = destinations_.find(key);
  if (it == destinations_.end() || !it->second.ready) return;
  Destination& d = it->second;
  const auto idle_until = d.last_used + limits_.idle_session;
  const auto now = std::chrono::steady_clock::now();
  if (d.session->local_connections() > 0) {
    d.last_used = now;  // in use: idle starts again once its connections are gone
    return arm_idle_timer(key, d, limits_.idle_session);
  }
  if (now < idle_until) return arm_idle_timer(key, d, idle_until - now);
  retire(it, "no connection for --idle-session");
}

std::map<std::string, DynamicForward::Destination>::iterator DynamicForward::find(const StandaloneSession& session) {
  return std::find_if(destinations_.begin(), destinations_.end(),
                      [&](const auto& entry) { return entry.second.session.get() == &session; });
}

void DynamicForward::on_session_ready(StandaloneSession& session) {
  const auto it = find(session);
  if (it == destinations_.end()) return;
  it->second.ready = true;
  it->second.last_used = std::chrono::steady_clock::now();
  it->second.idle_timer = std::make_unique<asio::steady_timer>(executor_);
  arm_idle_timer(it->first, it->second, limits_.idle_session);
  if (!quiet_)
    session::print_err("session-manager-plugin: " + label() + " -> " + it->first + " (session " + session.session_id() +
                       ")\n");
  for (const auto& client : std::exchange(it->second.waiting, {}))
    if (!client->hand_to(session)) client->refuse(socks::Reply::general_failure);
}

void DynamicForward::on_session_over(StandaloneSession& session) {
  if (const auto it = find(session); it != destinations_.end()) {
    // Clients still waiting learn why it never ran; a session that ran has none waiting.
    const socks::Reply reply = it->second.ready ? socks::Reply::general_failure : reply_for(session.failure());
    SSM_LOG(info, "SOCKS " + label() + ": the session for " + it->first + " is over" +
                      (session.failure().empty() ? "" : ": " + session.failure()));
    for (const auto& client : std::exchange(it->second.waiting, {})) client->refuse(reply);
    retired_.push_back(std::move(it->second.session));
    destinations_.erase(it);
  }
  const auto r = std::find_if(retired_.begin(), retired_.end(), [&](const auto& s) { return s.get() == &session; });
  if (r == retired_.end()) return;
  // Not destroyed from inside its own callbacks: after them.
  asio::post(executor_, [doomed = std::shared_ptr<StandaloneSession>(std::move(*r))] {});
  retired_.erase(r);
}

void DynamicForward::on_signal(int signo) {
  if (stopped_) {  // a second signal: leave now
    exit_code_ = 128 + signo;
    destinations_.clear();
    retired_.clear();
    return;
  }
  stopped_ = true;
  listener_.close();
  for (auto& [key, d] : destinations_) {
    for (const auto& client : std::exchange(d.waiting, {})) client->refuse(socks::Reply::general_failure);
    if (!d.session->done()) d.session->on_signal(signo);
  }
  for (const auto& s : retired_)
    if (!s->done()) s->on_signal(signo);
  // As ssh and the -L forwards: Ctrl-C or SIGTERM ends the proxy with status 0.
  exit_code_ = signo == SIGINT || signo == SIGTERM ? 0 : 128 + signo;
}

bool DynamicForward::done() const {
  return stopped_ &&
         std::all_of(destinations_.begin(), destinations_.end(), [](const auto& e) { return e.second.session->done(); }) &&
         std::all_of(retired_.begin(), retired_.end(), [](const auto& s) { return s->done(); });
}

// ---- SocksClient --------------------------------------------------------------------------

SocksClient::SocksClient(session::LocalSocket socket, DynamicForward& forward)
    : socket_(std::move(socket)), forward_(forward), deadline_(socket_.get_executor()) {}

void SocksClient::start() {
  deadline_.expires_after(kRequestTimeout);
  deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
    const auto self = weak.lock();
    if (ec || !self || self->requested_) return;
    error_code ignored;
    self->socket_.close(ignored);  // the read completes with an error and ends it
  });
  read_next();
}

void SocksClient::read_next() {
  socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void SocksClient::on_read(const error_code& ec, std::size_t n) {
  if (ec) {
    deadline_.cancel();
    return;  // the client left (or took too long) before its request was complete
  }
  const auto step = parser_.feed(std::span(buffer_.data(), n));
  switch (step.state) {
    case socks::RequestParser::State::need_more:
      return read_next();
    case socks::RequestParser::State::greeted:
      outgoing_ = step.answer;
      asio::async_write(socket_, asio::buffer(outgoing_), [self = shared_from_this()](const error_code& e, std::size_t) {
        if (!e) self->read_next();
      });
      return;
    case socks::RequestParser::State::failed:
      SSM_LOG(info, "SOCKS: a malformed or unsupported request, refused");
      return write_then_close(step.answer);
    case socks::RequestParser::State::request:
      requested_ = true;
      leftover_ = parser_.take_leftover();
      deadline_.cancel();
      if (!step.answer.empty()) {  // the method choice, when the request came with the greeting
        outgoing_ = step.answer;
        asio::async_write(socket_, asio::buffer(outgoing_), [self = shared_from_this()](const error_code& e, std::size_t) {
          if (!e) self->forward_.connect(self);
        });
        return;
      }
      return forward_.connect(shared_from_this());
  }
}

bool SocksClient::hand_to(StandaloneSession& session) {
  const auto reply = socks::encode_reply(parser_.version(), socks::Reply::succeeded);
  if (!session.take_connection(socket_, reply, leftover_)) return false;
  leftover_.clear();
  return true;
}

void SocksClient::refuse(socks::Reply code) { write_then_close(socks::encode_reply(parser_.version(), code)); }

void SocksClient::write_then_close(std::vector<std::uint8_t> bytes) {
  if (!socket_.is_open()) return;
  if (bytes.empty()) {
    error_code ignored;
    socket_.close(ignored);
    return;
  }
  outgoing_ = std::move(bytes);
  asio::async_write(socket_, asio::buffer(outgoing_), [self = shared_from_this()](const error_code&, std::size_t) {
    error_code ignored;
    self->socket_.shutdown(asio::socket_base::shutdown_both, ignored);
    self->socket_.close(ignored);
  });
}

}  // namespace ssm::standalone
