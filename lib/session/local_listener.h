// lib/session — the local end of port forwarding: a listener (TCP on a loopback or chosen
// address, or a Unix socket with mode 0600) and each connection it accepts (LocalPeer), with
// reads that can be paused for back-pressure and a bounded view of what waits to be written.
// TCP and Unix sockets share one type through asio's generic stream protocol.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

namespace ssm::session {

using LocalSocket = boost::asio::generic::stream_protocol::socket;
// A socket that listens, TCP or Unix. Bound on its own (listen_tcp, listen_unix), it can be
// opened before the session that serves it exists, then handed to a LocalListener (adopt):
// standalone port forwarding binds before StartSession, so a busy port starts no session.
using ListeningSocket = boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol>;

// Returns "" or what went wrong, in a sentence; on failure the socket is closed. `host` is an
// IP address (IPv6 too) or "localhost"; port 0 lets the system pick.
std::string listen_tcp(ListeningSocket& socket, const std::string& host, std::uint16_t port);
// An existing socket file at `path` is replaced; the new one is readable by its owner only.
std::string listen_unix(ListeningSocket& socket, const std::string& path);

// A port forward's local side as its owner sets it up (standalone use), carried unchanged
// from SessionSpec to the listener kinds.
struct ListenerSetup {
  // Bound before the session was asked for, so that a busy port starts no session: listened
  // on instead of binding anew, and given back, still listening, when the session ends other
  // than by the user's hand. Shared because the spec it comes from is copied.
  std::shared_ptr<ListeningSocket> bound;
  // A SOCKS proxy's session for one destination: no listener; its owner hands it each
  // connection (ClientSession::take_connection).
  bool connections_handed_in = false;
  // A standalone forward's destination ("db.internal:5432"): the ready line names listener,
  // destination and session instead of the AWS plugin's "Port N opened" lines.
  std::string forward_label;
};

class ListenerEvents {
 public:
  virtual void on_accepted(LocalSocket socket) = 0;

 protected:
  ~ListenerEvents() = default;
};

class LocalListener {
 public:
  LocalListener(boost::asio::any_io_executor ex, ListenerEvents& events);
  ~LocalListener();

  // Listen on `socket`, bound by listen_tcp or listen_unix.
  void adopt(ListeningSocket socket);
  // Stop accepting and hand the socket back, still listening: connections that arrive from
  // now on wait in its backlog for whoever adopts it next.
  ListeningSocket release();
  boost::asio::any_io_executor get_executor() { return acceptor_.get_executor(); }
  bool is_open() const { return acceptor_.is_open(); }
  std::uint16_t port() const { return port_; }

  void accept_next();  // one accept; on_accepted follows
  void close();

 private:
  void note_port();

  ListeningSocket acceptor_;
  ListenerEvents& events_;
  std::uint16_t port_ = 0;
  bool accepting_ = false;
};

class LocalPeer;

class PeerEvents {
 public:
  virtual void on_peer_data(LocalPeer& peer, std::span<const std::uint8_t> bytes) = 0;
  // EOF or an error: the peer is closed.
  virtual void on_peer_closed(LocalPeer& peer) = 0;
  // Queued writes went below kHighWater after having been above it.
  virtual void on_peer_drained(LocalPeer& peer) = 0;

 protected:
  ~PeerEvents() = default;
};

// Shared-owned: pending reads and writes keep it alive; detach() stops all events.
class LocalPeer : public std::enable_shared_from_this<LocalPeer> {
 public:
  static constexpr std::size_t kReadSize = 64 * 1024;
  static constexpr std::size_t kHighWater = 1024 * 1024;  // queued for the local client

  LocalPeer(LocalSocket socket, PeerEvents& events, std::uint32_t id);

  std::uint32_t id() const { return id_; }
  // What passed each way so far, and since when: the -v line at a connection's end.
  std::uint64_t bytes_from_client() const { return from_client_; }
  std::uint64_t bytes_to_client() const { return to_client_; }
  std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }
  // "127.0.0.1:50312" or a Unix socket's "local": who connected.
  std::string remote_text() const;
  void start();
  void pause_reading() { paused_ = true; }
  void resume_reading();
  void write(std::span<const std::uint8_t> bytes);
  // write() in two steps: gather (append), then one socket write for all of it (flush).
  void append(std::span<const std::uint8_t> bytes);
  void flush() { write_next(); }
  bool congested() const { return pending_.size() + in_flight_.size() > kHighWater; }
  // Finish the writes, then close; no more events.
  void close_after_writes();
  // Close now; no more events.
  void detach();

 private:
  void read_next();
  void write_next();
  void shut();

  LocalSocket socket_;
  PeerEvents* events_;
  std::uint32_t id_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> pending_;    // gathered, not yet handed to the socket
  std::vector<std::uint8_t> in_flight_;  // being written (async_write: all of it or an error)
  bool reading_ = false, paused_ = false, writing_ = false, closing_ = false, closed_ = false, was_congested_ = false;
  std::uint64_t from_client_ = 0, to_client_ = 0;
  std::chrono::steady_clock::time_point opened_at_ = std::chrono::steady_clock::now();
};

}  // namespace ssm::session
