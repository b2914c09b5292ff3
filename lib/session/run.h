// lib/session — runs one session on one io_context until it ends, and returns the process
// exit status. Signals are handled on the same loop.
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>

#include "base/environment.h"
#include "session/client_session.h"

namespace ssm::session {

// Fills the environment-driven parts of a spec from `env` (the process environment, but for
// tests): AWS_CA_BUNDLE, SSM_PLUGIN_LOCAL_HOST, SSM_PLUGIN_KEEPALIVE_SECONDS (seconds of
// silence before a keep-alive ping; the peer is declared dead after twice that) and
// SSM_PLUGIN_RESEND_TIMEOUT_SECONDS and SSM_PLUGIN_RESUME_TIMEOUT_SECONDS. Unset, empty or (for seconds) not a positive whole
// number: the spec's value stays.
void apply_environment(SessionSpec& spec, const base::GetEnv& env);

int run_session(SessionSpec spec);

// The loop every run shares: SIGPIPE ignored, stdin/stdout flags restored at the end, and
// SIGINT, SIGTERM, SIGHUP, SIGQUIT handed to `on_signal` on the loop until `finished()`.
void run_until_finished(boost::asio::io_context& io, const std::function<void(int signo)>& on_signal,
                        const std::function<bool()>& finished);

}  // namespace ssm::session
