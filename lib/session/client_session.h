// lib/session — one client session from connect to exit status: the coordinator. It dials
// the stream URL, runs the handshake (SessionHandshake), starts the session kind the agent
// names (KindFactory), routes the agent's payloads to it, resumes a dropped connection, and
// turns every way a session can end into one line (StatusLines) and an exit status. What it
// does with each event in each phase is the table in session_phase.h; its state is that
// phase, and every move goes through enter().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "session/channel_connection.h"
#include "session/control_plane.h"
#include "session/kind_factory.h"
#include "session/session_handshake.h"
#include "session/session_kind.h"
#include "session/session_phase.h"
#include "session/session_resumer.h"
#include "session/shell_session.h"
#include "session/status_lines.h"
#include "session/upgrade_auth.h"

namespace ssm::session {

struct SessionSpec {
  std::string session_id;
  std::string stream_url;
  std::string token_value;
  std::string target;
  std::string document_name;  // from the StartSession request; "" for the default shell
  std::string region, profile;  // from the AWS CLI (argv); for API calls the region falls back to the environment
  std::string ssm_endpoint;     // the SSM endpoint URL the CLI used; "" for the default
  std::string client_version;
  bool legacy_cli = false;
  std::string ca_bundle;                    // AWS_CA_BUNDLE
  std::chrono::seconds keepalive{15};       // ping after this much silence
  // How long a message may stay unacknowledged before the session gives up (the reference:
  // 3000 resends x 100 ms); SSM_PLUGIN_RESEND_TIMEOUT_SECONDS.
  std::chrono::seconds resend_timeout{300};
  // How long after losing the connection the session keeps trying to get it back (ResumeSession
  // and the new connection together) before it gives up; SSM_PLUGIN_RESUME_TIMEOUT_SECONDS.
  std::chrono::milliseconds resume_timeout{60000};
  // How long each step of the agent's handshake may take (KMS's answer included): the agent
  // waits 15 s for each of our answers (agent-side.md §2.1), so twice that without its next
  // message means it will not complete.
  std::chrono::seconds handshake_step_timeout{30};
  // What the channel keeps ahead of a gap while the agent repairs it (SSM_PLUGIN_RECEIVE_BUFFER_MIB).
  std::size_t receive_buffer_mib = 64;
  std::string local_host = "127.0.0.1";     // listener address for port forwarding (SSM_PLUGIN_LOCAL_HOST)
  ListenerSetup listener;  // a port forward's local side, when its owner sets it up (standalone)
  bool quiet = false;             // no "Starting session" / "Exiting session" lines (-q)
  bool terminate_at_end = false;  // standalone: the plugin started the session, so it ends it
  // The AWS CLIs that pass the response in argv print their whole command line, token
  // included, when the plugin exits non-zero: TerminateSession first makes that token useless.
  bool terminate_on_failure = false;
};

// Exit statuses, as ssh uses them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitConnectionFailure = 255;

// What a session is built from besides its spec. Empty members get the real thing: AWS
// behind the credential provider, the terminal and sockets, a WebSocket, stdout and stderr.
// Unit tests script them.
struct SessionParts {
  std::shared_ptr<ControlPlane> control_plane;
  std::shared_ptr<KindFactory> kinds;
  Dialer dial;
  StatusLines::Writer out, err;
  crypto::NonceSource nonces = crypto::random_nonces();
  // Posted once the session is closed (its exit status final): its owner may start another.
  std::function<void()> on_closed;
  // Posted once the session kind runs (a port's listener bound, or ready for connections).
  std::function<void()> on_kind_started;
};

class ClientSession final : private channel::ChannelHandler,
                            private ConnectionEvents,
                            private KindEvents,
                            private ShellControl {
 public:
  // `credentials`: a provider shared with the caller (standalone sessions share one); null
  // makes one for this session from spec.profile.
  ClientSession(boost::asio::any_io_executor ex, SessionSpec spec,
                std::shared_ptr<aws::CredentialProvider> credentials = nullptr, SessionParts parts = {});
  ~ClientSession();

  void start();
  // A terminating signal from the user (SIGINT, SIGTERM, SIGHUP, SIGQUIT).
  void on_signal(int signo);
  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::closed; }
  // The exit status is decided (possibly with TerminateSession still on its way).
  bool over() const { return phase_ == Phase::ending || phase_ == Phase::closed; }
  int exit_code() const { return done() ? exit_code_ : kExitConnectionFailure; }
  // A local connection for a session whose spec says listener.connections_handed_in: what to
  // write to its client before anything from the agent (a SOCKS reply), and what the client
  // sent already; false when the session cannot take it (not running, or a kind without
  // streams).
  bool take_connection(LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                       std::span<const std::uint8_t> from_client_first);
  // Local connections open now, and those the session's end closed (port forwarding).
  std::size_t local_connections() const { return kind_ ? kind_->local_connections() : 0; }
  std::size_t connections_closed_at_end() const { return kind_ ? kind_->connections_closed_at_end() : 0; }

  // A shell document's agent that has said nothing for this long after the connection opened
  // runs no handshake (an agent that hand-shakes sends its request first thing; the real
  // agent's shell output starts >= 1 s after the shell, agent-side.md §4.2): held input goes.
  static constexpr std::chrono::milliseconds kAgentSilence{1000};
  // A lost connection is said on stderr once resuming has taken this long: soon enough to
  // be "at once" for a person, late enough that a resume the service answers at once, or
  // refuses (the agent ended the session), shows only its outcome.
  static constexpr std::chrono::milliseconds kResumeNoticeDelay{1000};
  // `~.`, the end of a standalone session and a spent resend budget wait this long for
  // TerminateSession before leaving anyway.
  static constexpr std::chrono::seconds kTerminateCallTimeout{5};

 private:
  // channel::ChannelHandler
  channel::Delivery on_data(const wire::ClientMessage& message) override;
  void on_delivery_end() override;
  void on_channel_closed(const wire::ChannelClosed& closed) override;
  void on_send_space() override;
  void on_all_acknowledged() override;
  void on_channel_failed(std::error_code ec, std::string_view reason) override;
  // ConnectionEvents
  void on_connected() override;
  void on_connection_lost(transport::CloseReason reason, std::string_view message) override;
  // KindEvents
  void on_kind_done(int exit_code) override;
  void on_kind_failed(const std::string& message) override;
  void terminate_session(std::function<void(bool terminated)> done) override;
  // ShellControl
  void on_user_terminate() override;

  // The table: whether `event` is acted on in the current phase (ignored ones are logged).
  Answer consult(Event event) const;
  bool acts_on(Event event) const { return consult(event) == Answer::act; }
  // The one way the phase changes: checks the move, and stops the previous phase's timer.
  void enter(Phase next);
  void arm_phase_timer(std::chrono::milliseconds after, Event event);
  void on_phase_timer(Event event);

  // Connection and resumption (client_session.cpp).
  void connect();
  void enter_awaiting_agent();
  void start_resume();
  void on_resume_answered(std::optional<SessionResumer::Fresh> fresh, const std::string& error);

  // The agent's messages (client_session_agent.cpp).
  channel::Delivery on_handshake_request(const wire::ClientMessage& m);
  void on_data_key(std::uint64_t round, aws::DataKeyOutcome outcome);
  void after_handshake_step(SessionHandshake::Step step);
  channel::Delivery on_enc_challenge(const wire::ClientMessage& m);
  channel::Delivery on_handshake_complete(const wire::ClientMessage& m);
  channel::Delivery on_agent_data(const wire::ClientMessage& m);
  void start_kind();

  // Endings (client_session.cpp). fail: one line, then end with `exit_code`. end: closes the
  // kind and the connection, then TerminateSession if the session asks for it (or `terminate`)
  // unless already called, then closed.
  void fail(const std::string& message, int exit_code = kExitConnectionFailure);
  // A failure while resuming: the line now, 255 once what was acknowledged is written out.
  void fail_after_output(const std::string& message);
  void end(int exit_code, const std::string& message = {}, bool terminate = false);
  void call_terminate_session(std::function<void(bool terminated)> then);

  // Runs `fn` later only if this session still exists (control-plane answers, timers).
  template <class Fn>
  auto guarded(Fn fn) {
    return [alive = std::weak_ptr<int>(alive_), fn = std::move(fn)](auto&&... args) mutable {
      if (alive.lock()) fn(std::forward<decltype(args)>(args)...);
    };
  }

  boost::asio::any_io_executor executor_;
  SessionSpec spec_;
  std::string client_id_;  // one per process, kept across reconnects
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::shared_ptr<ControlPlane> control_plane_;
  std::shared_ptr<KindFactory> kinds_;
  StatusLines status_;
  SessionHandshake handshake_;
  ChannelConnection connection_;
  std::unique_ptr<SessionKind> kind_;
  channel::SessionKind kind_made_for_ = channel::SessionKind::standard_stream;
  SessionResumer resumer_;
  UpgradeAuth upgrade_auth_;
  boost::asio::steady_timer phase_timer_;
  boost::asio::steady_timer resume_notice_timer_;  // kResumeNoticeDelay

  Phase phase_ = Phase::connecting;
  Phase resume_into_ = Phase::running;  // where resuming returns to
  std::uint64_t phase_serial_ = 0;      // a timer armed in an earlier phase is stale
  int exit_code_ = kExitConnectionFailure;
  std::string lost_because_;    // why the connection dropped, for the final error
  bool resume_noticed_ = false;  // the user was told of the loss (and is told of the resume)
  std::function<void()> on_kind_started_;  // SessionParts::on_kind_started
  std::function<void()> on_closed_;  // SessionParts::on_closed
  std::string closed_output_;   // channel_closed's Output, printed once the kind flushed
  // A session that failed while resuming finishes too: what it acknowledged is written out
  // (the agent will not send it again), then it ends with this status, its line already said.
  std::optional<int> failed_status_;
};

}  // namespace ssm::session
