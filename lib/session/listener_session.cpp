#include "session/listener_session.h"

#include <algorithm>
#include <charconv>

#include "base/text.h"
#include "session/console.h"

namespace ssm::session {

ListenerSession::ListenerSession(boost::asio::any_io_executor ex, channel::DataChannel& channel, KindEvents& events,
                                 PortSessionConfig config)
    : channel_(channel), events_(events), config_(std::move(config)), listener_(ex, static_cast<ListenerEvents&>(*this)), terminate_timer_(ex) {}

std::string listen_for(ListeningSocket& socket, const wire::PortParameters& p, const std::string& local_host) {
  if (p.local_connection_type == "unix" && !p.local_unix_socket.empty()) return listen_unix(socket, p.local_unix_socket);
  unsigned port = 0;
  const std::string& text = p.local_port_number;
  if (!text.empty()) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port > 65535)
      return "localPortNumber " + text + " is not a port number";
  }
  return listen_tcp(socket, local_host, static_cast<std::uint16_t>(port));
}

std::string ListenerSession::prepare() {
  if (config_.setup.connections_handed_in) return {};
  if (config_.setup.bound && config_.setup.bound->is_open()) {
    listener_.adopt(std::move(*config_.setup.bound));
    return {};
  }
  ListeningSocket socket(listener_.get_executor());
  if (std::string error = listen_for(socket, config_.port, config_.local_host); !error.empty()) return error;
  listener_.adopt(std::move(socket));
  return {};
}

void ListenerSession::start() {
  if (config_.setup.connections_handed_in) return on_listening();  // the owner's listener announced itself
  const wire::PortParameters& p = config_.port;
  const bool unix_socket = p.local_connection_type == "unix" && !p.local_unix_socket.empty();
  if (!config_.setup.forward_label.empty()) {
    // Standalone: one line that says which forward this is (there may be several, and a
    // forward that restarts says it again for each session).
    const std::string listener =
        unix_socket ? p.local_unix_socket : base::host_port(config_.local_host, listener_.port());
    print_out(listener + " -> " + config_.setup.forward_label + " (session " + config_.session_id + ")\n");
    return on_listening();
  }
  if (unix_socket)
    print_out("Unix socket " + p.local_unix_socket + " opened for sessionId " + config_.session_id + ".\n");
  else
    print_out("Port " + std::to_string(listener_.port()) + " opened for sessionId " + config_.session_id + ".\n");
  print_out("Waiting for connections...\n");
  on_listening();
}

bool ListenerSession::on_signal(int) {
  if (terminating_ || done_) return false;  // a second signal: leave now
  if (!config_.setup.connections_handed_in) print_out("Terminate signal received, exiting.\n");
  terminating_ = stopped_ = true;
  listener_.close();
  close_connections();
  if (!agent_takes_terminate_flag()) {
    // protocol.md §8.5: this agent knows no flag, so the service must end the session; its
    // channel_closed then ends ours (finish). Unlike the reference, which waits for it
    // forever, we wait a bounded time, and not at all when the call could not be made.
    events_.terminate_session([this](bool terminated) {
      if (terminated) end_terminated_after(kChannelClosedWait);
      else end_terminated();
    });
    return true;
  }
  channel_.send(wire::PayloadType::flag, wire::encode_flag(wire::PortFlag::terminate_session));
  terminate_flag_sent_ = true;
  end_terminated_after(kTerminateAckWait);
  return true;
}

void ListenerSession::end_terminated_after(std::chrono::seconds wait) {
  if (done_) return;
  terminate_timer_.expires_after(wait);
  terminate_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) end_terminated();
  });
}

void ListenerSession::on_all_acknowledged() {
  if (terminate_flag_sent_) end_terminated();
}

void ListenerSession::end_terminated() {
  if (done_) return;
  done_ = true;
  terminate_timer_.cancel();
  if (!config_.setup.connections_handed_in) print_out("\n\nExiting session with sessionId: " + config_.session_id + ".\n\n");
  events_.on_kind_done(0);
}

void ListenerSession::finish(int exit_code) {
  if (done_) return;
  done_ = stopped_ = true;
  terminate_timer_.cancel();
  give_back_listener();
  closed_at_end_ = open_connections();
  close_connections();
  events_.on_kind_done(exit_code);
}

void ListenerSession::abort() {
  done_ = stopped_ = true;
  terminate_timer_.cancel();
  give_back_listener();
  closed_at_end_ = std::max(closed_at_end_, open_connections());
  close_connections();
}

void ListenerSession::give_back_listener() {
  // A forward that outlives its sessions (standalone port-forward) lent the listener: it goes
  // back still listening, so that the next connection waits for the next session. The user's
  // own ending (on_signal) closes it instead.
  if (!listener_.is_open()) return;  // given back or closed already (finish, then abort)
  if (config_.setup.bound && !terminating_) *config_.setup.bound = listener_.release();
  else listener_.close();
}

}  // namespace ssm::session
