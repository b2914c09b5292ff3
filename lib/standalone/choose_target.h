// lib/standalone — the step before any session: the command's target made a node ID.
// IDs and ecs: targets pass as they are; names and tags are looked up (target_resolver.h),
// through the cache (target_cache.h). Several matches: the first with --pick first; else a
// numbered pick list on the terminal; else the candidates and status 2, as for a usage error,
// since only the person can say which. No match or a failed lookup: one line and 255, as a
// session that cannot start. No target at all: the pick list of every online node on a
// terminal, else a usage error.
#pragma once

#include <string>

#include <boost/asio/io_context.hpp>

#include "aws/ssm_client.h"
#include "cli/standalone_args.h"

namespace ssm::standalone {

struct TargetChoice {
  std::string node_id;  // set when the command can go on
  int exit_code = 0;    // otherwise, its line already printed
};

// Runs `io` until the lookup is over (and then restarts it for the sessions to come).
TargetChoice choose_target(boost::asio::io_context& io, const cli::StandaloneCommand& command, const aws::SsmClient& ssm);

inline constexpr int kExitAmbiguousTarget = 2;
inline constexpr int kExitNoTarget = 255;

}  // namespace ssm::standalone
