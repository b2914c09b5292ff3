// lib/session — what the two listener modes of port forwarding share (protocol.md §8.3–8.5):
// the local listener chosen by the Port properties (TCP port, or a Unix socket), the status
// lines in the reference's wording, and the ending on Ctrl-C or SIGTERM: the TerminateSession
// flag to the agent (or, for agents that lack it, the TerminateSession API), a short wait for
// its effect, every local connection closed, exit 0. The modes themselves are BasicPortSession and MuxPortSession.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "session/local_listener.h"
#include "session/session_kind.h"
#include "wire/payloads.h"

namespace ssm::session {

struct PortSessionConfig {
  std::string session_id;
  wire::PortParameters port;
  std::string local_host = "127.0.0.1";  // SSM_PLUGIN_LOCAL_HOST
  std::string agent_version;
  ListenerSetup setup;  // SessionSpec::listener
};

// The listener `port` asks for (a Unix socket, or TCP on `local_host` at localPortNumber, 0
// when empty), bound on `socket`. Returns "" or what went wrong, in a sentence.
std::string listen_for(ListeningSocket& socket, const wire::PortParameters& port, const std::string& local_host);

class ListenerSession : public SessionKind, protected ListenerEvents, protected PeerEvents {
 public:
  ListenerSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                  PortSessionConfig config);

  std::string prepare() override;
  void start() override;
  void finish(int exit_code) override;
  void abort() override;
  bool stdout_is_data() const override { return false; }
  bool on_signal(int signo) override;
  void on_all_acknowledged() override;
  std::size_t connections_closed_at_end() const override { return closed_at_end_; }
  std::size_t local_connections() const override { return open_connections(); }

 protected:
  // Whether the agent ends the session on the TerminateSession flag.
  virtual bool agent_takes_terminate_flag() const = 0;
  // Close every local connection, without events.
  virtual void close_connections() = 0;
  virtual std::size_t open_connections() const = 0;
  // The listener is open and its lines printed: start accepting.
  virtual void on_listening() { listener_.accept_next(); }

  channel::DataChannel& channel_;
  KindEvents& events_;
  PortSessionConfig config_;
  LocalListener listener_;
  bool stopped_ = false;  // finished, aborted or terminating: no new connections

 private:
  void end_terminated();
  void give_back_listener();
  void end_terminated_after(std::chrono::seconds wait);

  // How long Ctrl-C waits for the agent to acknowledge TerminateSession before leaving
  // anyway: long enough for a slow link, short enough not to look hung.
  static constexpr std::chrono::seconds kTerminateAckWait{2};
  // After the TerminateSession API call (old agents), how long to wait for the agent's
  // channel_closed: the service relays the termination to the agent within a second or two.
  static constexpr std::chrono::seconds kChannelClosedWait{5};

  boost::asio::steady_timer terminate_timer_;
  bool terminating_ = false, done_ = false;
  std::size_t closed_at_end_ = 0;
  bool terminate_flag_sent_ = false;  // its acknowledgement ends the session
};

}  // namespace ssm::session
