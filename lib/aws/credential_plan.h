// lib/aws — which credential source the chain will use, decided from the environment and the
// shared files alone, without running anything or touching the network
// (protocol-smux-kms-aws.md §3.5, the AWS CLI/SDK order):
//   no profile named: environment keys, then AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN,
//   then the active profile (AWS_PROFILE, AWS_DEFAULT_PROFILE, "default");
//   in a profile: role_arn + source_profile (recursively, loops refused), static keys,
//   role_arn + credential_source, web_identity_token_file, IAM Identity Center (sso_session or
//   the legacy sso_start_url), console sign-in (login_session, `aws login`), credential_process;
//   nothing at all: the container endpoint if its variables are set, else instance metadata.
// A plan is one base source and the roles to assume with its credentials, in order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/shared_config.h"
#include "aws/sigv4.h"

namespace ssm::aws {

struct RoleToAssume {
  std::string profile;  // where role_arn was set ("" for the environment)
  std::string role_arn;
  std::string session_name;  // "" = the default, chosen when the role is assumed
  std::string external_id;
  std::optional<int> duration_seconds;
};

// IAM Identity Center: the token `aws sso login` cached, then the portal's role credentials.
struct SsoSource {
  std::string session_name;  // [sso-session NAME]; "" for a legacy profile (sso_start_url in it)
  std::string start_url, region, account_id, role_name;
  // The cache file's key: the session's name, or the legacy profile's start URL.
  const std::string& cache_key() const { return session_name.empty() ? start_url : session_name; }
};

// Console sign-in: the credentials `aws login` cached for this session, refreshed through
// the Sign-In service.
struct LoginSource {
  std::string session;  // login_session, an ARN
  std::string region;   // the profile's; "" = the plugin's
};

struct BaseSource {
  enum class Kind { static_keys, credential_process, web_identity, container, instance_metadata, sso, login };
  Kind kind = Kind::static_keys;
  std::string name;             // for ResolvedCredentials::source: "environment", "config file", ...
  std::string profile;          // the profile it was found in ("" for the environment)
  Credentials keys;             // static_keys
  std::string command;          // credential_process
  std::string token_file;       // web_identity
  RoleToAssume web_identity;    // web_identity: the role the token is exchanged for
  bool last_resort = false;     // container or IMDS because nothing else was configured
  SsoSource sso = {};           // sso
  LoginSource login = {};       // login
};

struct CredentialPlan {
  BaseSource base;
  std::vector<RoleToAssume> roles;  // assumed in order, each with the credentials before it
  std::string active_profile;
  std::string error;  // the plan cannot be made (missing profile, loop, ...); one line
  // Where the chain looked before its last resort, for "Unable to locate credentials: ...".
  std::string looked_in;
};

CredentialPlan plan_credentials(const std::string& explicit_profile, const base::GetEnv& env, const SharedConfig& files);

// True when a setting spelled "true" (any case) says so.
bool env_flag(const base::GetEnv& env, const std::string& name);

}  // namespace ssm::aws
