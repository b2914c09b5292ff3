#include "transport/resolve.h"

#include <charconv>

#include <boost/asio/post.hpp>

namespace ssm::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::optional<tcp::endpoint> numeric_endpoint(const std::string& host, const std::string& port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  unsigned short number = 0;
  const char* end = port.data() + port.size();
  if (const auto [at, err] = std::from_chars(port.data(), end, number); err != std::errc() || at != end) return std::nullopt;
  return tcp::endpoint(address, number);
}

void async_resolve(tcp::resolver& resolver, const std::string& host, const std::string& port,
                   std::function<void(boost::system::error_code, Endpoints)> done) {
  if (auto endpoint = numeric_endpoint(host, port)) {
    asio::post(resolver.get_executor(), [done = std::move(done), endpoint = *endpoint] { done({}, {endpoint}); });
    return;
  }
  resolver.async_resolve(host, port, [done = std::move(done)](boost::system::error_code ec, tcp::resolver::results_type results) {
    Endpoints endpoints;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    done(ec, std::move(endpoints));
  });
}

}  // namespace ssm::transport
