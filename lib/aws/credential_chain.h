// lib/aws — carries out a CredentialPlan on the event loop: gets the base source's
// credentials (keys, credential_process, web identity, container, instance metadata, IAM
// Identity Center, `aws login`), then
// assumes each role in turn with the credentials before it. Failures become one line naming
// the profile and the source ("profile dev: assume role arn:...: AccessDenied: ... (HTTP 403)").
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_plan.h"
#include "aws/credentials.h"

namespace ssm::aws {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct ChainSettings {
  boost::asio::any_io_executor executor;
  base::GetEnv env;
  std::string ca_bundle;   // for https sources (STS, a container FULL_URI)
  std::string sts_region;  // signing region and default endpoint of STS
  Clock now;
};

// `done` runs exactly once, on the executor, never from inside this call. The run keeps
// itself alive until then.
void async_run_plan(ChainSettings settings, CredentialPlan plan, std::function<void(ResolvedCredentials)> done);

}  // namespace ssm::aws
