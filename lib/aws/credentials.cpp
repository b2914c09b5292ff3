#include "aws/credentials.h"

#include <sys/wait.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "aws/credential_plan.h"

namespace ssm::aws {

std::optional<Credentials> run_credential_process(const std::string& command, std::string& error) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    error = "credential_process could not be started";
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (status != 0) {
    error = "credential_process exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status);
    return std::nullopt;
  }
  return parse_process_output(out, error);
}

std::optional<Credentials> parse_process_output(const std::string& json, std::string& error) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) {
    error = "credential_process did not print a JSON object";
    return std::nullopt;
  }
  if (j.value("Version", 0) != 1) {
    error = "credential_process printed an unsupported Version (expected 1)";
    return std::nullopt;
  }
  const auto text = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c{text("AccessKeyId"), text("SecretAccessKey"), text("SessionToken")};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    error = "credential_process printed no AccessKeyId or SecretAccessKey";
    return std::nullopt;
  }
  if (const std::string expiration = text("Expiration"); !expiration.empty()) {
    c.expiration = parse_timestamp(expiration);
    if (!c.expiration) {
      error = "credential_process printed an Expiration that is not a timestamp";
      return std::nullopt;
    }
  }
  return c;
}

ResolvedCredentials resolve_credentials(const std::string& explicit_profile, const base::GetEnv& env) {
  const SharedConfig files(env);
  const CredentialPlan plan = plan_credentials(explicit_profile, env, files);
  if (!plan.error.empty()) return {std::nullopt, plan.base.name, plan.error};
  const BaseSource& base = plan.base;
  if (base.last_resort)
    return {std::nullopt, {}, "Unable to locate credentials: " + plan.looked_in + " (" + base.name +
                                  " needs the asynchronous credential provider)"};
  if (!plan.roles.empty() || (base.kind != BaseSource::Kind::static_keys && base.kind != BaseSource::Kind::credential_process))
    return {std::nullopt, base.name, "profile " + plan.active_profile + ": " +
                                         (plan.roles.empty() ? base.name : "assume role " + plan.roles.back().role_arn) +
                                         " needs the asynchronous credential provider"};
  if (base.kind == BaseSource::Kind::static_keys) return {base.keys, base.name, {}};
  std::string error;
  if (auto c = run_credential_process(base.command, error)) return {c, base.name, {}};
  return {std::nullopt, base.name, "profile " + base.profile + ": " + error};
}

}  // namespace ssm::aws
