#include "session/run.h"

#include <charconv>
#include <csignal>
#include <string>
#include <utility>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "session/console.h"
#include "session/local_stream.h"

namespace ssm::session {

namespace {

// A non-empty variable's value into `value`; unset or empty keeps it.
void read_text(const base::GetEnv& env, const char* name, std::string& value) {
  if (auto text = env(name); text && !text->empty()) value = std::move(*text);
}

// A positive whole number from the environment; anything else keeps `value`.
template <typename Number>
void read_positive(const base::GetEnv& env, const char* name, Number& value) {
  const auto text = env(name);
  if (!text || text->empty()) return;
  Number n = 0;
  const char* end = text->data() + text->size();
  if (const auto [at, ec] = std::from_chars(text->data(), end, n); ec == std::errc() && at == end && n > 0) value = n;
}

void read_seconds(const base::GetEnv& env, const char* name, std::chrono::seconds& value) {
  int seconds = 0;
  read_positive(env, name, seconds);
  if (seconds > 0) value = std::chrono::seconds(seconds);
}

}  // namespace

void apply_environment(SessionSpec& spec, const base::GetEnv& env) {
  read_text(env, "AWS_CA_BUNDLE", spec.ca_bundle);
  read_text(env, "SSM_PLUGIN_LOCAL_HOST", spec.local_host);
  read_seconds(env, "SSM_PLUGIN_KEEPALIVE_SECONDS", spec.keepalive);
  read_seconds(env, "SSM_PLUGIN_RESEND_TIMEOUT_SECONDS", spec.resend_timeout);
  std::chrono::seconds resume_timeout{0};
  read_seconds(env, "SSM_PLUGIN_RESUME_TIMEOUT_SECONDS", resume_timeout);
  if (resume_timeout.count() > 0) spec.resume_timeout = resume_timeout;
  read_positive(env, "SSM_PLUGIN_RECEIVE_BUFFER_MIB", spec.receive_buffer_mib);
}

void run_until_finished(boost::asio::io_context& io, const std::function<void(int signo)>& on_signal,
                        const std::function<bool()>& finished) {
  // A closed stdout or socket must come back as EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  const FdFlagsGuard stdin_flags(STDIN_FILENO), stdout_flags(STDOUT_FILENO);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.add(SIGQUIT);
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      on_signal(signo);
      if (!finished()) wait_signal();
    });
  };
  wait_signal();
  // Run until the exit status is decided; whatever is still queued then (a cancelled read, a
  // socket being closed) does not matter.
  while (!finished() && !io.stopped()) io.run_one();
  signals.cancel();
}

int run_session(SessionSpec spec) {
  boost::asio::io_context io(1);
  ClientSession session(io.get_executor(), std::move(spec));
  boost::asio::post(io, [&] { session.start(); });
  run_until_finished(io, [&](int signo) { session.on_signal(signo); }, [&] { return session.done(); });
  return session.exit_code();
}

}  // namespace ssm::session
