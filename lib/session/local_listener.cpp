#include "session/local_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include "base/text.h"

namespace ssm::session {

namespace asio = boost::asio;
using error_code = boost::system::error_code;
using GenericEndpoint = asio::generic::stream_protocol::endpoint;

std::string listen_tcp(ListeningSocket& socket, const std::string& host, std::uint16_t port) {
  error_code ec;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return "cannot listen on " + host + ": not an IP address";
  const GenericEndpoint endpoint(asio::ip::tcp::endpoint(address, port));
  socket.open(endpoint.protocol(), ec);
  if (!ec) socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) socket.bind(endpoint, ec);
  if (!ec) socket.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    socket.close(ignored);
    return "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
  }
  return {};
}

std::string listen_unix(ListeningSocket& socket, const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return "cannot listen on " + path + ": it exists and is not a socket";
    ::unlink(path.c_str());  // a socket left behind by an earlier session
  }
  error_code ec;
  const GenericEndpoint endpoint{asio::local::stream_protocol::endpoint(path)};
  socket.open(endpoint.protocol(), ec);
  if (!ec) {
    // Owner-only from the first instant: the forwarded port is as good as a login.
    const mode_t old = ::umask(0177);
    socket.bind(endpoint, ec);
    ::umask(old);
  }
  if (!ec) socket.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    socket.close(ignored);
    return "cannot listen on " + path + ": " + ec.message();
  }
  return {};
}

// ---- LocalListener ------------------------------------------------------------------------

LocalListener::LocalListener(asio::any_io_executor ex, ListenerEvents& events)
    : acceptor_(std::move(ex)), events_(events) {}

LocalListener::~LocalListener() { close(); }

void LocalListener::adopt(ListeningSocket socket) {
  close();
  acceptor_ = std::move(socket);
  note_port();
}

ListeningSocket LocalListener::release() {
  error_code ignored;
  acceptor_.cancel(ignored);  // the pending accept completes with operation_aborted
  accepting_ = false;
  ListeningSocket socket(std::move(acceptor_));
  return socket;
}

void LocalListener::note_port() {
  error_code ec;
  const GenericEndpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return;
  if (bound.data()->sa_family == AF_INET6) port_ = ntohs(reinterpret_cast<const sockaddr_in6*>(bound.data())->sin6_port);
  else if (bound.data()->sa_family == AF_INET) port_ = ntohs(reinterpret_cast<const sockaddr_in*>(bound.data())->sin_port);
}

void LocalListener::accept_next() {
  if (accepting_ || !acceptor_.is_open()) return;
  accepting_ = true;
  acceptor_.async_accept([this](const error_code& ec, LocalSocket socket) {
    if (ec == asio::error::operation_aborted) return;  // closed, maybe destroyed
    accepting_ = false;
    if (ec) return accept_next();  // e.g. the client gave up in the backlog: keep serving
    events_.on_accepted(std::move(socket));
  });
}

void LocalListener::close() {
  error_code ignored;
  acceptor_.close(ignored);
}

// ---- LocalPeer ----------------------------------------------------------------------------

LocalPeer::LocalPeer(LocalSocket socket, PeerEvents& events, std::uint32_t id)
    : socket_(std::move(socket)), events_(&events), id_(id), buffer_(kReadSize) {
  if (socket_.local_endpoint().protocol().family() != AF_UNIX) {
    error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  }
}

void LocalPeer::start() { read_next(); }

std::string LocalPeer::remote_text() const {
  error_code ec;
  const GenericEndpoint remote = socket_.remote_endpoint(ec);
  if (ec || remote.protocol().family() == AF_UNIX) return "local";
  char host[INET6_ADDRSTRLEN] = {};
  if (remote.data()->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(remote.data());
    ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return base::host_port(host, ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(remote.data());
  ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  return base::host_port(host, ntohs(a->sin_port));
}

void LocalPeer::resume_reading() {
  paused_ = false;
  read_next();
}

void LocalPeer::read_next() {
  if (reading_ || paused_ || closing_ || closed_) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->reading_ = false;
    if (self->closed_ || self->closing_ || !self->events_) return;
    if (ec) {
      PeerEvents* events = self->events_;
      self->detach();
      return events->on_peer_closed(*self);
    }
    self->from_client_ += n;
    self->events_->on_peer_data(*self, std::span(self->buffer_.data(), n));
    self->read_next();
  });
}

void LocalPeer::write(std::span<const std::uint8_t> bytes) {
  append(bytes);
  flush();
}

void LocalPeer::append(std::span<const std::uint8_t> bytes) {
  if (closed_ || bytes.empty()) return;
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  to_client_ += bytes.size();
  if (congested()) was_congested_ = true;
}

void LocalPeer::write_next() {
  if (writing_ || closed_) return;
  if (pending_.empty()) {
    if (closing_) shut();
    return;
  }
  writing_ = true;
  in_flight_.swap(pending_);  // everything gathered so far, in one write
  asio::async_write(socket_, asio::buffer(in_flight_), [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->writing_ = false;
    if (self->closed_) return;
    if (ec) {
      PeerEvents* events = self->closing_ ? nullptr : self->events_;
      self->detach();
      if (events) events->on_peer_closed(*self);
      return;
    }
    self->in_flight_.clear();
    if (self->was_congested_ && !self->congested()) {
      self->was_congested_ = false;
      if (self->events_ && !self->closing_) self->events_->on_peer_drained(*self);
    }
    self->write_next();
  });
}

void LocalPeer::close_after_writes() {
  if (closed_ || closing_) return;
  closing_ = true;
  events_ = nullptr;
  write_next();
}

void LocalPeer::detach() {
  events_ = nullptr;
  shut();
}

void LocalPeer::shut() {
  if (closed_) return;
  closed_ = true;
  pending_.clear();
  pending_.shrink_to_fit();
  error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace ssm::session
