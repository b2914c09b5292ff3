// lib/transport — a client WebSocket to the data-channel service. Connect, send the
// OpenDataChannel text frame, then carry binary frames both ways until closed. Every failure
// ends in exactly one on_closed() with a sentence a user can act on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "transport/url.h"

namespace ssm::transport {

using Frame = std::shared_ptr<const std::vector<std::uint8_t>>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ConnectOptions {
  std::string url;
  std::string open_message;  // OpenDataChannel JSON: holds the token, never logged
  HeaderList headers;        // extra upgrade headers (User-Agent, ...)
  // Upgrade headers that are known only later, such as a SigV4 signature waiting for
  // credentials, so that TCP and TLS need not wait for them: called once the connection is
  // ready for its upgrade request, which goes out (with `headers` and these) when `ready` is
  // called, at once or later on the executor. Unset: the upgrade goes out at once.
  std::function<void(std::function<void(HeaderList)> ready)> late_headers;
  std::string ca_bundle;  // PEM file to trust instead of the system store (AWS_CA_BUNDLE)
  std::chrono::seconds handshake_timeout{45};  // the reference's
  // A ping goes out after this much silence from the peer; a second period of silence
  // (no pong, no data) declares the peer dead.
  std::chrono::seconds keepalive{15};
};

// How a connection ended.
enum class CloseReason {
  closed_by_us,
  connect_failed,   // DNS, TCP or TLS before the upgrade
  certificate_rejected, // the server's certificate failed verification: trying again will not help
  upgrade_rejected, // HTTP status other than 101
  token_rejected,   // the service closed with 1008 policy violation
  peer_closed,      // close frame or EOF after the upgrade
  peer_unresponsive,// keep-alive deadline passed
  io_error,
};

class ConnectionListener {
 public:
  virtual void on_open() = 0;  // upgraded and OpenDataChannel written
  virtual void on_frame(std::span<const std::uint8_t> frame) = 0;
  // Every frame received so far has been passed to on_frame (all that one socket read
  // brought, handled in one pass) and the connection now waits for the network: the moment
  // to write out what those frames produced, in one go. Once per such batch, not when idle
  // without frames.
  virtual void on_receive_idle() {}
  // A socket write completed: WebSocketClient::queued_bytes() went down.
  virtual void on_write_progress() {}
  virtual void on_closed(CloseReason reason, std::string_view message) = 0;

 protected:
  ~ConnectionListener() = default;
};

class WebSocketClient {
 public:
  virtual ~WebSocketClient() = default;
  virtual void send(Frame frame) = 0;  // queued, written in order; dropped once closed
  // Closes without a close frame (as the reference does) and without further callbacks.
  virtual void close() = 0;
  virtual std::size_t queued_bytes() const = 0;
};

// Starts connecting at once. The listener must outlive the client or call close() first.
std::shared_ptr<WebSocketClient> connect_websocket(boost::asio::any_io_executor ex, ConnectOptions options,
                                                   ConnectionListener& listener);

}  // namespace ssm::transport
