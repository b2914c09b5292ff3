#include "endpoint/connections.h"

#include "endpoint/http_connection.h"

namespace ssm::endpoint {

void serve_connection(boost::asio::ip::tcp::socket socket, EndpointServer& server) {
  // Small frames both ways (acks, keystrokes): never wait for Nagle.
  boost::system::error_code ignored;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  if (auto* tls = server.tls()) {
    std::make_shared<HttpConnection<TlsStream>>(TlsStream(PlainStream(std::move(socket)), *tls), server)->run();
  } else {
    std::make_shared<HttpConnection<PlainStream>>(PlainStream(std::move(socket)), server)->run();
  }
}

}  // namespace ssm::endpoint
