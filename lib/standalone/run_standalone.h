// lib/standalone — see standalone_session.h. This file: a whole standalone command on one
// io_context: one StandaloneSession per StartSession request (several for port-forward
// with several -L), one credential provider for them all, signals handed to each.
#pragma once

#include "cli/standalone_args.h"

namespace ssm::standalone {

// Exit status: 0 when every session ended well, else the first failure's status (a remote
// command's own status for start-session), as ssh reports it.
int run_standalone(const cli::StandaloneCommand& command);

}  // namespace ssm::standalone
