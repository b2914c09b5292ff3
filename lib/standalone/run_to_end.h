// lib/standalone — the steps before any session (a target's lookup, `list`): one asynchronous
// call run to its end on the command's io_context, which is then ready to run the sessions.
#pragma once

#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>

namespace ssm::standalone {

// `start(done)` begins the call; the loop runs until nothing is left. `unfinished` stands in
// for an answer that never came.
template <typename Result, typename Start>
Result run_to_end(boost::asio::io_context& io, Start start, Result unfinished) {
  std::optional<Result> result;
  start([&result](Result r) { result = std::move(r); });
  io.run();
  io.restart();
  return result ? std::move(*result) : std::move(unfinished);
}

}  // namespace ssm::standalone
