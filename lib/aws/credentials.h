// lib/aws — where credentials come from, in the AWS CLI's order (protocol-smux-kms-aws.md
// §3.5), for a named profile or none:
//   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, unless a profile was
//      named explicitly on the command line;
//   2. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials);
//   3. the config file (AWS_CONFIG_FILE, else ~/.aws/config), `[profile name]` sections;
//   4. credential_process from the profile.
// The profile is the explicit one, else AWS_PROFILE, else "default". A profile that was
// asked for and exists nowhere is an error, not a silent fall-through; every failure names
// the source that failed. Still to come: assume-role, web identity, container, IMDSv2.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "aws/sigv4.h"

namespace ssm::aws {

// The process environment, injectable for tests.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv process_environment();

struct ResolvedCredentials {
  std::optional<Credentials> credentials;
  std::string source;  // "environment", "shared credentials file", "config file", "credential_process"
  std::string error;   // set when credentials is empty
};

ResolvedCredentials resolve_credentials(const std::string& explicit_profile, const GetEnv& env);

// An INI file as the AWS CLI reads it: section -> key -> value (keys lowercased). Missing or
// unreadable: empty.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile parse_ini(const std::string& text);

// credential_process output (Version 1 JSON); on failure, why.
std::optional<Credentials> parse_process_output(const std::string& json, std::string& error);

}  // namespace ssm::aws
