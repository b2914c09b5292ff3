// lib/standalone — owns standalone use: the plugin calls StartSession itself (SigV4, the
// standard credential chain) and runs the sessions it gets, with no AWS CLI involved. It sits
// above lib/session and lib/cli and below cmd/.
//
// This file: one standalone session, from the StartSession call to its exit status. The
// session itself is a ClientSession like the AWS CLI's, started with terminate_at_end, so
// TerminateSession ends it at the service whichever way it ends here. A port forward that
// restarts (port-forward without --once) is a series of such sessions on one listener: when
// the service or the agent ends one, the listener stays open, and the next connection, kept
// in its backlog meanwhile, starts the next session.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "aws/credential_provider.h"
#include "aws/ssm_client.h"
#include "cli/standalone_args.h"
#include "session/client_session.h"

namespace ssm::standalone {

class StandaloneSession;

// What the owner of sessions that it hands connections to hears (DynamicForward). Both are
// posted: the owner may destroy the session from here.
class SessionObserver {
 public:
  virtual void on_session_ready(StandaloneSession& session) = 0;  // its kind runs
  virtual void on_session_over(StandaloneSession& session) = 0;   // done(): the status is final

 protected:
  ~SessionObserver() = default;
};

class StandaloneSession {
 public:
  // `base` carries what every session of the command shares (region, profile, endpoint,
  // CA bundle, keep-alive, quiet); the request, what this one asks StartSession for.
  StandaloneSession(boost::asio::any_io_executor ex, session::SessionSpec base, cli::StartSessionRequest request,
                    std::shared_ptr<aws::CredentialProvider> credentials, SessionObserver* observer = nullptr);
  StandaloneSession(const StandaloneSession&) = delete;
  StandaloneSession& operator=(const StandaloneSession&) = delete;

  // What must work before any session is asked for: a port forward's listener is bound.
  // False once it failed, its line printed.
  bool prepare();
  // Another session of the command could not be prepared: this one is not started.
  void abandon();
  void start();
  // The first session was started by someone else (the AWS CLI): its id, stream URL and token
  // are in the spec already. Only the sessions that replace it are asked for here.
  void start_started();
  void on_signal(int signo);
  bool done() const {
    return exit_code_.has_value() || (stage_ == Stage::running && session_->done() && !restarts());
  }
  int exit_code() const;
  // Why the session could not start or ended in failure ("" otherwise): its one line.
  const std::string& failure() const { return failure_; }
  const std::string& session_id() const { return spec_.session_id; }
  // For a session whose spec says listener.connections_handed_in: ClientSession::take_connection.
  bool take_connection(session::LocalSocket& socket, std::span<const std::uint8_t> to_client_first,
                       std::span<const std::uint8_t> from_client_first);
  std::size_t local_connections() const;

  // How long StartSession may take before the command gives up on it.
  static constexpr std::chrono::seconds kStartSessionTimeout{30};
  // Interrupted while StartSession is on its way: how long to wait for its answer, to end at
  // the service a session the user no longer wants. Long enough for a normal answer, short
  // enough that Ctrl-C still feels like leaving; a second signal leaves at once.
  static constexpr std::chrono::seconds kInterruptedStartWait{5};

 private:
  std::string bind_listener();  // "" or what went wrong
  enum class Stage {
    starting,         // credentials, then StartSession
    running,          // session_ runs (and once it is done, so is this, unless it restarts)
    awaiting_client,  // the last session ended; the listener waits for the next connection
  };

  // Whether the session that ends now is followed by another: a forward that restarts, whose
  // listener came back open (it did not end by the user's hand).
  bool restarts() const;
  void start_session();
  void launch_session();  // the ClientSession for what spec_ holds now
  void on_credentials(aws::ResolvedCredentials found);
  void on_started(aws::CallOutcome result);
  // session_ is closed: the end, or (a forward that restarts) the wait for the next client.
  void on_session_closed();
  void on_client_waiting(const boost::system::error_code& ec);
  // The session that started after the user asked to leave: TerminateSession, then leave.
  void terminate_unwanted();
  void fail(const std::string& message);
  void tell_over();  // the observer, once done()

  boost::asio::any_io_executor executor_;
  session::SessionSpec spec_;
  cli::StartSessionRequest request_;
  std::shared_ptr<aws::CredentialProvider> credentials_;
  aws::SsmClient ssm_;
  std::unique_ptr<session::ClientSession> session_;
  std::optional<int> exit_code_;  // decided before the session existed
  std::optional<aws::Credentials> signer_;  // what StartSession was signed with, once sent
  std::optional<int> interrupted_by_;       // a signal came while StartSession was on its way
  Stage stage_ = Stage::starting;
  bool ended_by_user_ = false;  // a signal reached the session: it does not restart
  SessionObserver* observer_;
  std::string failure_;
  boost::asio::steady_timer interrupted_wait_;
};

}  // namespace ssm::standalone
