#include "standalone/standalone_session.h"

#include "cli/plugin_args.h"
#include "log/log.h"
#include "session/listener_session.h"
#include "session/console.h"

namespace ssm::standalone {

StandaloneSession::StandaloneSession(boost::asio::any_io_executor ex, session::SessionSpec base,
                                     cli::StartSessionRequest request,
                                     std::shared_ptr<aws::CredentialProvider> credentials)
    : executor_(ex),
      spec_(std::move(base)),
      request_(std::move(request)),
      credentials_(std::move(credentials)),
      ssm_(ex, aws::ServiceSettings{spec_.region, spec_.ssm_endpoint, spec_.ca_bundle}, credentials_),
      interrupted_wait_(ex) {
  spec_.target = request_.target;
  spec_.document_name = request_.document_name;
  if (!request_.local_host.empty()) spec_.local_host = request_.local_host;
  spec_.terminate_at_end = true;
}

int StandaloneSession::exit_code() const {
  if (exit_code_) return *exit_code_;
  return session_ ? session_->exit_code() : session::kExitConnectionFailure;
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
  credentials_->async_get([this](aws::ResolvedCredentials found) { on_credentials(std::move(found)); });
}

std::string StandaloneSession::bind_listener() {
  // The parameters a port document's listener is chosen by (protocol.md §8.1); the agent
  // echoes them back in the handshake, too late to keep a busy port from starting a session.
  const auto text = [this](const char* name) -> std::string {
    const auto it = request_.parameters.find(name);
    if (it == request_.parameters.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) return {};
    return (*it)[0].get<std::string>();
  };
  wire::PortParameters port;
  port.local_port_number = text("localPortNumber");
  port.local_unix_socket = text("localUnixSocket");
  port.local_connection_type = text("localConnectionType");
  const bool unix_socket = port.local_connection_type == "unix" && !port.local_unix_socket.empty();
  if (port.local_port_number.empty() && !unix_socket) return {};  // not a listener's session
  auto socket = std::make_shared<session::ListeningSocket>(executor_);
  if (std::string problem = session::listen_for(*socket, port, spec_.local_host); !problem.empty()) return problem;
  spec_.bound_listener = std::move(socket);
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
  session_ = std::make_unique<session::ClientSession>(executor_, spec_, credentials_);
  session_->start();
}

void StandaloneSession::on_signal(int signo) {
  if (session_) return session_->on_signal(signo);
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
  exit_code_ = session::kExitConnectionFailure;
}

}  // namespace ssm::standalone
