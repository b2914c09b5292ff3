// The coordinator's life: construction, the connection and its resumption, signals, and every
// ending. The agent's messages are in client_session_agent.cpp.
#include "session/client_session.h"

#include <csignal>

#include <boost/asio/post.hpp>

#include "aws/service_endpoints.h"
#include "log/log.h"

namespace ssm::session {
namespace {

channel::ChannelConfig client_channel_config(const SessionSpec& spec) {
  channel::ChannelConfig c;
  c.role = channel::kClient;
  c.resend_budget = spec.resend_timeout;
  c.receive_window_bytes = spec.receive_buffer_mib * 1024 * 1024;
  return c;
}

std::shared_ptr<ControlPlane> aws_control_plane(boost::asio::any_io_executor ex, const SessionSpec& spec,
                                                std::shared_ptr<aws::CredentialProvider> credentials) {
  const base::GetEnv env = base::Environment::process().get;
  if (!credentials)
    credentials = std::make_shared<aws::CredentialProvider>(
        ex, aws::CredentialOptions{.profile = spec.profile, .ca_bundle = spec.ca_bundle, .region = spec.region});
  // The upgrade is signed for argv's region verbatim (protocol-updates.md §2.2); the plugin's
  // own API calls fall back, as the SDK does, to AWS_REGION, AWS_DEFAULT_REGION, the profile.
  aws::ServiceSettings settings{aws::resolve_region(spec.region, spec.profile, env), spec.ssm_endpoint,
                                spec.ca_bundle, env};
  return std::make_shared<AwsControlPlane>(ex, std::move(settings), std::move(credentials));
}

}  // namespace

ClientSession::ClientSession(boost::asio::any_io_executor ex, SessionSpec spec,
                             std::shared_ptr<aws::CredentialProvider> credentials, SessionParts parts)
    : executor_(ex),
      spec_(std::move(spec)),
      client_id_(wire::Uuid::random_v4().to_string()),
      control_plane_(parts.control_plane ? std::move(parts.control_plane)
                                         : aws_control_plane(ex, spec_, std::move(credentials))),
      kinds_(parts.kinds ? std::move(parts.kinds) : std::make_shared<LocalKindFactory>(ex)),
      status_(spec_.session_id, spec_.quiet, std::move(parts.out), std::move(parts.err)),
      handshake_({spec_.client_version, spec_.legacy_cli, std::move(parts.nonces)}, spec_.session_id, spec_.target),
      connection_(ex, client_channel_config(spec_), static_cast<channel::ChannelHandler&>(*this),
                  static_cast<ConnectionEvents&>(*this), std::move(parts.dial)),
      resumer_(ex, *control_plane_, spec_.resume_timeout),
      upgrade_auth_(spec_.region, base::Environment::process().get),
      phase_timer_(ex),
      resume_notice_timer_(ex),
      on_kind_started_(std::move(parts.on_kind_started)),
      on_closed_(std::move(parts.on_closed)) {}

ClientSession::~ClientSession() {
  if (kind_) kind_->abort();
  connection_.close();
}

// ---- the table ----------------------------------------------------------------------------

Answer ClientSession::consult(Event event) const {
  const Answer a = answer(phase_, event);
  if (a == Answer::ignore) SSM_LOG(debug, std::string(name(event)) + " ignored while " + std::string(name(phase_)));
  return a;
}

void ClientSession::enter(Phase next) {
  if (next == phase_) return;
  if (!may_enter(phase_, next)) {
    // A move the table does not allow is a bug here, not the peer's doing: say so, and end.
    SSM_LOG(error, "no move from " + std::string(name(phase_)) + " to " + std::string(name(next)));
    next = Phase::closed;
  }
  SSM_LOG(debug, "phase " + std::string(name(phase_)) + " -> " + std::string(name(next)));
  phase_ = next;
  ++phase_serial_;
  phase_timer_.cancel();
  if (phase_ == Phase::closed && on_closed_) boost::asio::post(phase_timer_.get_executor(), std::move(on_closed_));
}

void ClientSession::arm_phase_timer(std::chrono::milliseconds after, Event event) {
  phase_timer_.expires_after(after);
  phase_timer_.async_wait(guarded([this, event, serial = phase_serial_](const boost::system::error_code& ec) {
    if (!ec && serial == phase_serial_) on_phase_timer(event);
  }));
}

void ClientSession::on_phase_timer(Event event) {
  if (!acts_on(event)) return;
  if (event == Event::resume_timeout) {
    resumer_.cancel();
    return fail_after_output("gave up resuming after " + status_.seconds(spec_.resume_timeout) + ": " + lost_because_);
  }
  if (event == Event::agent_silent) {
    // No handshake came: what was typed goes now; a copy stays in case one comes after all.
    SSM_LOG(info, "the agent is silent: sending the input held so far");
    status_.starting();  // a refused token would have closed the connection by now
    connection_.channel().release_input();
    return;
  }
  const std::string limit = std::to_string(spec_.handshake_step_timeout.count()) + " s";
  if (handshake_.awaiting_data_key()) return fail("KMS did not answer GenerateDataKey within " + limit);
  fail("the agent did not complete the handshake within " + limit + " of its last handshake message");
}

// ---- connection ---------------------------------------------------------------------------

void ClientSession::start() {
  // The dial goes first; the credentials (instance metadata, say, may take a while) are looked
  // up beside it, and only the upgrade request, which carries their signature, waits for them.
  const bool sign = upgrade_auth_.wants_credentials(spec_.stream_url);
  if (sign) upgrade_auth_.expect_credentials();
  connect();
  if (sign && phase_ == Phase::connecting)
    control_plane_->upgrade_credentials(guarded([this](aws::ResolvedCredentials found) { upgrade_auth_.start(found); }));
}

void ClientSession::connect() {
  transport::ConnectOptions options;
  options.url = aws::stream_url_for_endpoint(spec_.stream_url, base::Environment::process().get);
  if (options.url.empty()) return fail("AWS_ENDPOINT_URL_SSMMESSAGES is not an http(s) or ws(s) URL");
  options.open_message = wire::to_json(wire::OpenDataChannel{
      "1.0", wire::Uuid::random_v4().to_string(), spec_.token_value, client_id_, spec_.client_version});
  options.ca_bundle = spec_.ca_bundle;
  options.keepalive = spec_.keepalive;
  options.headers.emplace_back("User-Agent", "session-manager-plugin/" + spec_.client_version);
  options.late_headers = guarded([this, url = options.url](std::function<void(aws::HeaderList)> ready) {
    upgrade_auth_.when_ready(url, std::move(ready));
  });
  connection_.connect(std::move(options));
}

void ClientSession::on_connected() {
  if (!acts_on(Event::connected)) return;
  if (phase_ == Phase::connecting) return enter_awaiting_agent();
  SSM_LOG(info, "data channel resumed");
  resumer_.connected();
  enter(resume_into_);
  resume_notice_timer_.cancel();
  if (resume_noticed_) status_.resumed();
  // The phase's timer stopped with the connection: the wait starts again on the new one.
  if (phase_ == Phase::handshaking) arm_phase_timer(spec_.handshake_step_timeout, Event::handshake_timeout);
  if (phase_ == Phase::awaiting_agent && connection_.channel().holding_input())
    arm_phase_timer(kAgentSilence, Event::agent_silent);
}

void ClientSession::enter_awaiting_agent() {
  enter(Phase::awaiting_agent);
  if (!is_shell_document(spec_.document_name)) return;  // nothing is sent before the agent speaks
  // A shell document always runs a shell, so it starts now, reading the terminal; but the
  // agent may hand-shake first, and until it is known whether it does, input is held.
  connection_.channel().hold_input();
  handshake_.assume_shell();
  start_kind();
  if (phase_ == Phase::awaiting_agent) arm_phase_timer(kAgentSilence, Event::agent_silent);
}

void ClientSession::on_connection_lost(transport::CloseReason reason, std::string_view message) {
  if (!acts_on(Event::connection_lost)) return;
  std::string why(message);
  if (const auto invalid = connection_.channel().stats().dropped_invalid; invalid > 0)
    why += " (" + std::to_string(invalid) + " malformed frames from it were dropped)";
  switch (phase_) {
    case Phase::connecting:  // never up: nothing to resume
      return fail(why);
    case Phase::terminating:  // the user is leaving anyway
      return end(kExitOk);
    case Phase::resuming:  // a reconnect failed: the resumer backs off and asks again,
      // unless no retry can help (the certificate the service shows is not trusted)
      if (reason == transport::CloseReason::certificate_rejected) return fail(lost_because_ + "; " + why);
      return start_resume();
    default:
      break;
  }
  if (reason == transport::CloseReason::token_rejected) return fail(why);
  // We refused the agent's handshake (KMS failed, say): the agent cancels the session, and
  // the reason for that is ours, not the lost connection.
  if (phase_ == Phase::handshaking && !handshake_.refusal().empty()) return fail(handshake_.refusal());
  SSM_LOG(info, "data channel lost (" + why + "); resuming");
  lost_because_ = why;
  resume_into_ = phase_;
  enter(Phase::resuming);
  // Said soon, not only when the session gives up: the user sees why nothing moves.
  resume_noticed_ = false;
  resume_notice_timer_.expires_after(kResumeNoticeDelay);
  resume_notice_timer_.async_wait(guarded([this](const boost::system::error_code& ec) {
    if (ec || phase_ != Phase::resuming || resume_noticed_) return;
    resume_noticed_ = true;
    status_.resuming(lost_because_, spec_.resume_timeout);
  }));
  arm_phase_timer(spec_.resume_timeout, Event::resume_timeout);
  start_resume();
}

void ClientSession::start_resume() {
  resumer_.resume(spec_.session_id, spec_.stream_url,
                  guarded([this](std::optional<SessionResumer::Fresh> fresh, const std::string& error) {
                    on_resume_answered(std::move(fresh), error);
                  }));
}

void ClientSession::on_resume_answered(std::optional<SessionResumer::Fresh> fresh, const std::string& error) {
  if (!acts_on(Event::resume_answered)) return;
  if (!fresh) {
    // An agent that refuses the handshake sends nothing and hangs up (agent-side.md §2.3): a
    // connection lost then, and not given back, is that refusal as far as anyone can tell.
    const std::string during = resume_into_ == Phase::handshaking ? "the agent ended the session during the handshake: " : "";
    return fail_after_output(during + lost_because_ + "; " + error);
  }
  spec_.stream_url = fresh->stream_url;
  spec_.token_value = fresh->token;
  upgrade_auth_.update(fresh->credentials);
  connect();
}

// ---- signals and the user's requests ------------------------------------------------------

void ClientSession::on_signal(int signo) {
  if (!acts_on(Event::signal)) return;
  // While TerminateSession is on its way: Ctrl-C or SIGTERM leave at once; a hangup does not
  // (ssh sends its ProxyCommand SIGHUP after a normal end, and nobody waits for the call).
  if (phase_ == Phase::ending) {
    if (signo != SIGHUP) enter(Phase::closed);
    return;
  }
  if (kind_ && kind_->on_signal(signo)) return;
  end(128 + signo);
}

void ClientSession::on_user_terminate() {
  // `~.`: TerminateSession, then as ssh: "Connection to <target> closed." and 255 (the AWS
  // plugin exits 0 without a word). Without credentials the agent ends the session on its
  // own once the connection is gone. The line follows end(), which gave the terminal back.
  if (!acts_on(Event::user_escape)) return;
  end(kExitConnectionFailure, {}, /*terminate=*/true);
  status_.connection_closed_by_user(spec_.target.empty() ? spec_.session_id : spec_.target);
}

void ClientSession::terminate_session(std::function<void(bool terminated)> done) {
  if (!acts_on(Event::kind_terminate)) return;
  if (phase_ == Phase::terminating) return done(false);  // asked already
  enter(Phase::terminating);
  call_terminate_session([this, done = std::move(done)](bool terminated) {
    if (acts_on(Event::terminate_answered)) done(terminated);
  });
}

// ---- endings ------------------------------------------------------------------------------

void ClientSession::on_kind_done(int exit_code) {
  if (!acts_on(Event::kind_done)) return;
  if (failed_status_) return end(*failed_status_);
  if (phase_ == Phase::finishing) status_.closed_by_service(closed_output_);
  end(exit_code);
}

void ClientSession::on_kind_failed(const std::string& message) {
  if (acts_on(Event::kind_failed)) fail(message);
}

bool ClientSession::take_connection(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                                    std::span<const std::uint8_t> from_client_first) {
  return kind_ && phase_ == Phase::running && kind_->take_connection(socket, to_client_first, from_client_first);
}

void ClientSession::fail(const std::string& message, int exit_code) { end(exit_code, message); }

void ClientSession::fail_after_output(const std::string& message) {
  // Messages acknowledged but not yet written (the local side was slower than the agent) are
  // ours alone: the agent will not send them again. Write them out first, as ssh writes what
  // it received before it exits; a signal still leaves at once.
  if (!kind_ || phase_ != Phase::resuming) return fail(message);
  status_.error(message);
  failed_status_ = kExitConnectionFailure;
  enter(Phase::finishing);
  connection_.close();
  resumer_.cancel();
  kind_->finish(kExitConnectionFailure);
}

void ClientSession::end(int exit_code, const std::string& message, bool terminate) {
  if (over()) return;
  if (!message.empty()) status_.error(message);
  if (kind_) kind_->abort();
  connection_.close();
  resumer_.cancel();
  exit_code_ = exit_code;
  const bool called = phase_ == Phase::terminating;
  terminate = terminate || spec_.terminate_at_end || (spec_.terminate_on_failure && exit_code != kExitOk);
  if (!terminate || called) return enter(Phase::closed);
  // A standalone session was started by us: end it at the service too, or it lingers there
  // (and on the agent) until it times out. See also SessionSpec::terminate_on_failure.
  enter(Phase::ending);
  call_terminate_session([this](bool) {
    if (acts_on(Event::terminate_answered)) enter(Phase::closed);
  });
}

void ClientSession::call_terminate_session(std::function<void(bool terminated)> then) {
  control_plane_->terminate_session(spec_.session_id, kTerminateCallTimeout,
                                    guarded([then = std::move(then)](aws::CallOutcome r) {
                                      if (!r.ok) SSM_LOG(info, "TerminateSession: " + r.error);
                                      then(r.ok);
                                    }));
}

}  // namespace ssm::session
