#include "standalone/standalone_session.h"

#include <csignal>

#include <boost/asio/post.hpp>

#include "base/text.h"
#include "cli/plugin_args.h"
#include "log/log.h"
#include "session/console.h"
#include "session/listener_session.h"

namespace ssm::standalone {
namespace {

// The first value of a StartSession parameter ({"portNumber": ["22"]}), or "".
std::string first_parameter(const wire::Json& parameters, const char* name) {
  const auto it = parameters.find(name);
  if (it == parameters.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) return {};
  return (*it)[0].get<std::string>();
}

}  // namespace

StandaloneSession::StandaloneSession(boost::asio::any_io_executor ex, session::SessionSpec base,
                                     cli::StartSessionRequest request,
                                     std::shared_ptr<aws::CredentialProvider> credentials, SessionObserver* observer)
    : executor_(ex),
      spec_(std::move(base)),
      request_(std::move(request)),
      credentials_(std::move(credentials)),
      ssm_(ex, aws::ServiceSettings{spec_.region, spec_.ssm_endpoint, spec_.ca_bundle}, credentials_),
      observer_(observer),
      interrupted_wait_(ex) {
  spec_.target = request_.target;
  spec_.document_name = request_.document_name;
  if (!request_.local_host.empty()) spec_.local_host = request_.local_host;
  spec_.terminate_at_end = true;
  // A -L forward: its ready line names the destination.
  if (request_.labelled && request_.parameters.contains("portNumber")) {
    const std::string host = request_.parameters.contains("host") ? first_parameter(request_.parameters, "host") : "localhost";
    spec_.listener.forward_label = base::host_port(host, first_parameter(request_.parameters, "portNumber"));
  }
}

int StandaloneSession::exit_code() const {
  if (exit_code_) return *exit_code_;
  return session_ && stage_ == Stage::running ? session_->exit_code() : session::kExitConnectionFailure;
}

bool StandaloneSession::prepare() {
  if (const std::string problem = bind_listener(); !problem.empty()) fail(problem);
  return !done();
}

void StandaloneSession::abandon() {
  if (!exit_code_) exit_code_ = session::kExitConnectionFailure;
}

void StandaloneSession::start() {
  if (done()) return;
  start_session();
}

void StandaloneSession::start_session() {
  stage_ = Stage::starting;
  credentials_->async_get([this](aws::ResolvedCredentials found) { on_credentials(std::move(found)); });
}

std::string StandaloneSession::bind_listener() {
  // The parameters a port document's listener is chosen by (protocol.md §8.1); the agent
  // echoes them back in the handshake, too late to keep a busy port from starting a session.
  wire::PortParameters port;
  port.local_port_number = first_parameter(request_.parameters, "localPortNumber");
  port.local_unix_socket = first_parameter(request_.parameters, "localUnixSocket");
  port.local_connection_type = first_parameter(request_.parameters, "localConnectionType");
  const bool unix_socket = port.local_connection_type == "unix" && !port.local_unix_socket.empty();
  if (port.local_port_number.empty() && !unix_socket) return {};  // not a listener's session
  auto socket = std::make_shared<session::ListeningSocket>(executor_);
  if (std::string problem = session::listen_for(*socket, port, spec_.local_host); !problem.empty()) return problem;
  spec_.listener.bound = std::move(socket);
  return {};
}

void StandaloneSession::on_credentials(aws::ResolvedCredentials found) {
  if (done()) return;
  if (!found.credentials) return fail("no AWS credentials to call StartSession with: " + found.error);
  signer_ = *found.credentials;
  SSM_LOG(info, "StartSession target=" + request_.target + " document=" + request_.document_name +
                    " endpoint=" + ssm_.endpoint_url() + " region=" + spec_.region);
  ssm_.start_session(cli::to_json(request_), kStartSessionTimeout,
                     [this](aws::CallOutcome r) { on_started(std::move(r)); });
}

void StandaloneSession::on_started(aws::CallOutcome result) {
  if (done()) return;
  if (interrupted_by_ && !result.ok) {
    exit_code_ = 128 + *interrupted_by_;
    return;
  }
  if (!result.ok) return fail("StartSession failed: " + result.error);
  cli::SessionRequest response;
  if (const std::string problem = cli::read_start_session_response(result.body, response); !problem.empty()) {
    if (!interrupted_by_) return fail(problem);
    exit_code_ = 128 + *interrupted_by_;  // nothing started that could be terminated
    return;
  }
  spec_.session_id = response.session_id;
  if (interrupted_by_) return terminate_unwanted();
  spec_.stream_url = response.stream_url;
  spec_.token_value = response.token_value;
  SSM_LOG(info, "started session " + spec_.session_id + " target=" + spec_.target);
  launch_session();
}

void StandaloneSession::start_started() {
  if (done()) return;
  launch_session();
}

void StandaloneSession::launch_session() {
  session::SessionParts parts;
  parts.on_closed = [this] { on_session_closed(); };
  if (observer_) parts.on_kind_started = [this] { observer_->on_session_ready(*this); };
  session_ = std::make_unique<session::ClientSession>(executor_, spec_, credentials_, std::move(parts));
  stage_ = Stage::running;
  session_->start();
}

bool StandaloneSession::restarts() const {
  // The listener comes back from the session still listening unless the user ended it.
  return request_.restart && !ended_by_user_ && !exit_code_ && spec_.listener.bound && spec_.listener.bound->is_open();
}

void StandaloneSession::on_session_closed() {
  if (!restarts()) {  // done() says so
    if (observer_) observer_->on_session_over(*this);  // posted already (SessionParts::on_closed)
    return;
  }
  const int status = session_->exit_code();
  SSM_LOG(info, "session " + spec_.session_id + " ended with status " + std::to_string(status) +
                    "; waiting for the next connection");
  if (!spec_.quiet) {
    const std::size_t closed = session_->connections_closed_at_end();
    const std::string connections =
        closed == 0 ? "" : " (" + std::to_string(closed) + (closed == 1 ? " connection" : " connections") + " closed with it)";
    session::print_err("session-manager-plugin: session " + spec_.session_id + " ended" + connections +
                       "; the port stays open and the next connection starts a new session\n");
  }
  stage_ = Stage::awaiting_client;
  // A connection waits in the backlog, not accepted: the next session's listener takes it.
  spec_.listener.bound->async_wait(boost::asio::socket_base::wait_read,
                                   [this](const boost::system::error_code& ec) { on_client_waiting(ec); });
}

void StandaloneSession::on_client_waiting(const boost::system::error_code& ec) {
  if (ec || stage_ != Stage::awaiting_client || exit_code_) return;
  SSM_LOG(info, "a connection is waiting: starting a new session");
  session_.reset();
  signer_.reset();
  start_session();
}

void StandaloneSession::on_signal(int signo) {
  if (stage_ == Stage::awaiting_client) {
    // Between sessions: nothing runs that could be ended, and a port forward ended by Ctrl-C
    // exits 0, as ListenerSession does.
    ended_by_user_ = true;
    if (spec_.listener.bound) spec_.listener.bound->close();
    exit_code_ = signo == SIGINT || signo == SIGTERM ? 0 : 128 + signo;
    return;
  }
  if (session_ && stage_ == Stage::running) {
    ended_by_user_ = true;
    return session_->on_signal(signo);
  }
  if (exit_code_) return;
  // Before StartSession went out there is nothing to end; a second signal does not wait.
  if (!signer_ || interrupted_by_) {
    exit_code_ = 128 + signo;
    return;
  }
  // StartSession is on its way: the session it opens would stay open at the service (and on
  // the agent) until it timed out. Wait a little for the answer, to terminate it.
  SSM_LOG(info, "signal " + std::to_string(signo) + " while StartSession is on its way: waiting for its answer");
  interrupted_by_ = signo;
  interrupted_wait_.expires_after(kInterruptedStartWait);
  interrupted_wait_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !exit_code_) exit_code_ = 128 + *interrupted_by_;
  });
}

void StandaloneSession::terminate_unwanted() {
  SSM_LOG(info, "interrupted while starting: terminating session " + spec_.session_id);
  ssm_.terminate_session(spec_.session_id, kInterruptedStartWait, [this](aws::CallOutcome r) {
    if (!r.ok) SSM_LOG(warn, "TerminateSession failed: " + r.error);
    if (!exit_code_) exit_code_ = 128 + *interrupted_by_;
  });
}

void StandaloneSession::fail(const std::string& message) {
  session::print_err("session-manager-plugin: " + message + "\n");
  failure_ = message;
  exit_code_ = session::kExitConnectionFailure;
  tell_over();
}

void StandaloneSession::tell_over() {
  if (!observer_) return;
  boost::asio::post(executor_, [this] { observer_->on_session_over(*this); });
}

bool StandaloneSession::take_connection(session::LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                                        std::span<const std::uint8_t> from_client_first) {
  return stage_ == Stage::running && session_ && session_->take_connection(socket, to_client_first, from_client_first);
}

std::size_t StandaloneSession::local_connections() const {
  return stage_ == Stage::running && session_ ? session_->local_connections() : 0;
}

}  // namespace ssm::standalone
