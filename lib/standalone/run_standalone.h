// lib/standalone — see standalone_session.h. This file: a whole standalone command on one
// io_context: one StandaloneSession per StartSession request (several for port-forward
// with several -L), one credential provider for them all, signals handed to each.
#pragma once

#include "cli/plugin_args.h"
#include "cli/standalone_args.h"
#include "session/client_session.h"

namespace ssm::standalone {

// Exit status: 0 when every session ended well, else the first failure's status (a remote
// command's own status for start-session), as ssh reports it.
int run_standalone(const cli::StandaloneCommand& command);

// A port session the AWS CLI started, run as a forward that outlives its sessions
// (SSM_PLUGIN_RESTART_SESSIONS=1): `spec` is the CLI's session; when the service or the agent
// ends it, StartSession is called again with what the CLI asked for (`request`: target,
// document, parameters; region, profile and endpoint from argv). Sessions without a local
// listener (shells, stdio) run as they would without the variable.
int run_restarting(session::SessionSpec spec, const cli::SessionRequest& request);

}  // namespace ssm::standalone
