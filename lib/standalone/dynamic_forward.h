// lib/standalone — see standalone_session.h. This file: `port-forward -D`, a SOCKS proxy as
// `ssh -D` is one (SOCKS5 and SOCKS4/4a, CONNECT; lib/socks parses). Each destination
// (host, port) gets one session, opened on first use (the node's own port, or a host it
// reaches), and every later connection to it is another smux stream of that session.
// Sessions for different destinations open concurrently; connections that arrive while their
// destination's session opens wait for it. A session that ends is forgotten: the next
// connection to its destination opens a new one. The listener is bound before anything else.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <array>
#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "aws/credential_provider.h"
#include "cli/standalone_args.h"
#include "session/client_session.h"
#include "session/local_listener.h"
#include "socks/socks_request.h"
#include "standalone/standalone_session.h"

namespace ssm::standalone {

class SocksClient;

class DynamicForward final : private session::ListenerEvents, private SessionObserver {
 public:
  struct Limits {
    std::chrono::seconds idle_session{300};  // cli::StandaloneCommand::idle_session
    std::size_t max_sessions = 32;
  };
  DynamicForward(boost::asio::any_io_executor ex, session::SessionSpec base, cli::DynamicSpec where, std::string target,
                 std::string reason, std::shared_ptr<aws::CredentialProvider> credentials, Limits limits);
  DynamicForward(const DynamicForward&) = delete;
  DynamicForward& operator=(const DynamicForward&) = delete;
  ~DynamicForward();

  // Binds the proxy's port, before any StartSession: "" or the line to fail with.
  std::string bind();
  void start();
  // Another forward of the command could not be bound: this one does not start.
  void abandon();
  void on_signal(int signo);
  bool done() const;
  int exit_code() const { return exit_code_; }

  // A client's request is complete: it joins its destination's session, or waits for it.
  void connect(const std::shared_ptr<SocksClient>& client);

 private:
  struct Destination {
    std::unique_ptr<StandaloneSession> session;
    std::vector<std::shared_ptr<SocksClient>> waiting;  // until the session runs
    bool ready = false;
    std::chrono::steady_clock::time_point last_used;  // the last connection handed to it
    std::unique_ptr<boost::asio::steady_timer> idle_timer;
  };

  // ListenerEvents
  void on_accepted(session::LocalSocket socket) override;
  // SessionObserver
  void on_session_ready(StandaloneSession& session) override;
  void on_session_over(StandaloneSession& session) override;

  std::map<std::string, Destination>::iterator find(const StandaloneSession& session);
  // Room for one more session: true if under the cap, or once the least recently used idle
  // one was told to end (it is retired, its end on the way).
  bool make_room();
  // The session leaves the table (a new one may take its destination); `end_it`: tell it to
  // end (TerminateSession), unless it is ending on its own.
  void retire(std::map<std::string, Destination>::iterator it, const char* why, bool end_it = true);
  void arm_idle_timer(const std::string& key, Destination& d, std::chrono::steady_clock::duration after);
  void on_idle_timer(const std::string& key, const boost::system::error_code& ec);
  std::string label() const;

  boost::asio::any_io_executor executor_;
  session::SessionSpec base_;
  cli::DynamicSpec where_;
  std::string target_, reason_;
  std::shared_ptr<aws::CredentialProvider> credentials_;
  Limits limits_;
  session::LocalListener listener_;
  std::map<std::string, Destination> destinations_;  // by "host:port"
  // Sessions replaced while the news of their end was on its way; gone once it arrives.
  std::vector<std::unique_ptr<StandaloneSession>> retired_;
  bool quiet_ = false;  // -q: no proxy lines
  bool stopped_ = false;
  int exit_code_ = 0;
};

// One SOCKS client, from its greeting until its connection is handed to a session (or
// refused). Shared-owned: its reads and writes keep it alive.
class SocksClient : public std::enable_shared_from_this<SocksClient> {
 public:
  SocksClient(session::LocalSocket socket, DynamicForward& forward);
  void start();

  const socks::Destination& destination() const { return parser_.destination(); }
  // The destination's session runs: the success reply goes first, then whatever the session
  // relays; the bytes the client sent after its request are the stream's first. False, with
  // the connection still here, when the session no longer takes connections.
  bool hand_to(StandaloneSession& session);
  // The failure reply (SOCKS4 knows only "rejected"), then the connection closes.
  void refuse(socks::Reply code);

  // How long a client may take over its greeting and request before it is dropped.
  static constexpr std::chrono::seconds kRequestTimeout{30};

 private:
  void read_next();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void write_then_close(std::vector<std::uint8_t> bytes);

  session::LocalSocket socket_;
  DynamicForward& forward_;
  socks::RequestParser parser_;
  std::array<std::uint8_t, 1024> buffer_{};
  std::vector<std::uint8_t> outgoing_;
  std::vector<std::uint8_t> leftover_;  // sent after the request, before any reply
  boost::asio::steady_timer deadline_;
  bool requested_ = false;
};

}  // namespace ssm::standalone
