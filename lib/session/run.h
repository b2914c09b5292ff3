// lib/session — runs one session on one io_context until it ends, and returns the process
// exit status. Signals are handled on the same loop.
#pragma once

#include "session/client_session.h"

namespace ssm::session {

// Fills the environment-driven parts of a spec: AWS_CA_BUNDLE and
// SSM_PLUGIN_KEEPALIVE_SECONDS (seconds of silence before a keep-alive ping; the peer is
// declared dead after twice that).
void apply_environment(SessionSpec& spec);

int run_session(SessionSpec spec);

}  // namespace ssm::session
