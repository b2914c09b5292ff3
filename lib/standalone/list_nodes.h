// lib/standalone — `list`: the account's managed nodes in the region, every page, as a table
// (ID, Name tag, computer name, IP, platform, agent version, ping status) or as JSON. The Name
// column comes from EC2 DescribeInstances where that is allowed; where it is not, the column
// is blank and one note says why (status 0: the nodes are what was asked for).
#pragma once

#include <boost/asio/io_context.hpp>

#include "aws/ssm_client.h"
#include "cli/standalone_args.h"

namespace ssm::standalone {

int run_list(boost::asio::io_context& io, const cli::StandaloneCommand& command, const aws::SsmClient& ssm);

}  // namespace ssm::standalone
