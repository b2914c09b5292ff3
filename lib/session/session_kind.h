// lib/session — what every session kind (shell, commands, port modes) offers the client
// session, and how a kind reports that it is done.
#pragma once

#include <functional>
#include <string>

#include "channel/data_channel.h"
#include "session/local_listener.h"
#include "wire/client_message.h"

namespace ssm::session {

class KindEvents {
 public:
  // The kind finished (its output is flushed); exit_code is the process exit status.
  virtual void on_kind_done(int exit_code) = 0;
  virtual void on_kind_failed(const std::string& message) = 0;
  // The user asked to end a session that only the service can end (basic port forwarding
  // with agents up to 2.3.722.0, protocol.md §8.5): call the TerminateSession API. `done`
  // gets whether the call was made and succeeded; if so, the agent's channel_closed follows.
  virtual void terminate_session(std::function<void(bool terminated)> done) = 0;

 protected:
  ~KindEvents() = default;
};

class SessionKind {
 public:
  virtual ~SessionKind() = default;
  // Takes the local resources the kind needs (binds a port's listener), printing nothing:
  // "" when ready, else the one line to fail with, before the session announces itself.
  virtual std::string prepare() { return {}; }
  virtual void start() = 0;
  // One in-order data payload from the agent (never a handshake payload).
  virtual channel::Delivery on_output(const wire::ClientMessage& message) = 0;
  // The payloads on_output accepted since the last call are all there is for now: a kind
  // that gathers them (one local write per batch) writes them out here.
  virtual void on_output_end() {}
  virtual void on_send_space() = 0;
  virtual void on_all_acknowledged() {}
  // The session is over (channel_closed): flush, restore, then report on_kind_done.
  virtual void finish(int exit_code) = 0;
  // Stop at once (fatal error or signal): release local resources, no callbacks.
  virtual void abort() = 0;
  // True when stdout carries session data, so status lines must go to stderr.
  virtual bool stdout_is_data() const = 0;
  // SIGINT, SIGQUIT, SIGTERM or SIGHUP reached the process; true when the kind dealt with
  // it (a shell forwards Ctrl-C as a byte), false to let the session end.
  virtual bool on_signal(int /*signo*/) { return false; }
  // Local connections that were still open when the session ended, and were closed with it.
  virtual std::size_t connections_closed_at_end() const { return 0; }
  virtual std::size_t local_connections() const { return 0; }
  // A connection accepted elsewhere (a SOCKS proxy's): ClientSession::take_connection.
  virtual bool take_connection(LocalSocket& /*socket*/, std::span<const std::uint8_t> /*to_client_first*/,
                               std::span<const std::uint8_t> /*from_client_first*/) {
    return false;
  }
};

}  // namespace ssm::session
