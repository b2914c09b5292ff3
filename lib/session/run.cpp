#include "session/run.h"

#include <csignal>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "session/console.h"
#include "session/local_stream.h"

namespace ssm::session {

void apply_environment(SessionSpec& spec) {
  if (const char* bundle = std::getenv("AWS_CA_BUNDLE"); bundle && *bundle) spec.ca_bundle = bundle;
  if (const char* host = std::getenv("SSM_PLUGIN_LOCAL_HOST"); host && *host) spec.local_host = host;
  if (const char* keepalive = std::getenv("SSM_PLUGIN_KEEPALIVE_SECONDS"); keepalive && *keepalive) {
    try {
      const int seconds = std::stoi(keepalive);
      if (seconds > 0) spec.keepalive = std::chrono::seconds(seconds);
    } catch (const std::exception&) {
      // not a number: keep the default
    }
  }
}

int run_session(SessionSpec spec) {
  // A closed stdout or socket must come back as EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  const FdFlagsGuard stdin_flags(STDIN_FILENO), stdout_flags(STDOUT_FILENO);

  boost::asio::io_context io(1);
  ClientSession session(io.get_executor(), std::move(spec));
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.add(SIGQUIT);
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      session.on_signal(signo);
      if (!session.done()) wait_signal();
    });
  };
  wait_signal();
  session.start();
  // Run until the session has decided its exit status; whatever is still queued then
  // (a cancelled read, a socket being closed) does not matter.
  while (!session.done() && !io.stopped()) io.run_one();
  signals.cancel();
  return session.exit_code();
}

}  // namespace ssm::session
