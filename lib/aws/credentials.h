// lib/aws — credentials from the local sources, synchronously: the environment keys, static
// keys in the shared files, and credential_process (protocol-smux-kms-aws.md §3.5). This is
// what a program without an event loop can use (the local endpoint's own key pair).
// Sources that need the network (assume role, web identity, container, instance metadata)
// are the asynchronous CredentialProvider's (credential_provider.h); for a profile that
// needs one, resolve_credentials fails and says so.
//
// The profile is the explicit one, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
// "default". A profile that was asked for and exists nowhere is an error naming both files,
// not a silent fall-through.
#pragma once

#include <optional>
#include <string>

#include "aws/shared_config.h"
#include "aws/sigv4.h"

namespace ssm::aws {

struct ResolvedCredentials {
  std::optional<Credentials> credentials;
  // "environment", "shared credentials file", "config file", "credential_process",
  // "assume role <arn>", "web identity", "container credentials", "instance metadata".
  std::string source;
  std::string error;  // one line, set when credentials is empty; never a secret
};

// The local sources only (see above).
ResolvedCredentials resolve_credentials(const std::string& explicit_profile, const base::GetEnv& env);

// Runs the command through the shell, as the AWS CLI does; blocks until it exits.
std::optional<Credentials> run_credential_process(const std::string& command, std::string& error);

// credential_process output (Version 1 JSON); on failure, why.
std::optional<Credentials> parse_process_output(const std::string& json, std::string& error);

}  // namespace ssm::aws
