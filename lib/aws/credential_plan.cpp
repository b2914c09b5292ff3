#include "aws/credential_plan.h"

#include <algorithm>
#include <set>

#include "base/text.h"

namespace ssm::aws {
namespace {

std::string env_value(const base::GetEnv& env, const char* name) { return env(name).value_or(""); }

std::optional<Credentials> environment_keys(const base::GetEnv& env) {
  std::string id = env_value(env, "AWS_ACCESS_KEY_ID"), secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
  if (id.empty()) id = env_value(env, "AWS_ACCESS_KEY");
  if (secret.empty()) secret = env_value(env, "AWS_SECRET_KEY");
  if (id.empty() || secret.empty()) return std::nullopt;
  return Credentials{id, secret, env_value(env, "AWS_SESSION_TOKEN"), std::nullopt};
}

std::optional<Credentials> profile_keys(const Profile& p) {
  const std::string id = p.get("aws_access_key_id"), secret = p.get("aws_secret_access_key");
  if (id.empty() || secret.empty()) return std::nullopt;
  return Credentials{id, secret, p.get("aws_session_token"), std::nullopt};
}

// Builds a plan for one profile, then for the profiles it names as source_profile.
class Planner {
 public:
  Planner(const base::GetEnv& env, const SharedConfig& files, CredentialPlan& plan) : env_(env), files_(files), plan_(plan) {}

  // The active profile; `named` when the user chose it (a missing one is then an error).
  void plan_active(const std::string& name, bool named) {
    const auto p = files_.profile(name);
    if (!p) {
      if (named) {
        fail("the config profile (" + name + ") could not be found in " + files_.credentials_path() + " or " +
                    files_.config_path());
        return;
      }
      return last_resort();
    }
    if (!plan_profile(*p)) last_resort();
  }

 private:
  // Records the first error; returns true, "this profile's source is decided" (as a failure).
  bool fail(std::string error) {
    if (plan_.error.empty()) plan_.error = std::move(error);
    return true;
  }

  // The source of a profile; false when it has none at all.
  bool plan_profile(const Profile& p) {
    chain_.push_back(p.name);
    const std::string role_arn = p.get("role_arn");
    if (!role_arn.empty() && !p.get("mfa_serial").empty())
      return fail("profile " + p.name + ": mfa_serial needs an MFA code, and the plugin cannot prompt for one");
    if (const std::string source = p.get("source_profile"); !role_arn.empty() && !source.empty()) {
      if (source == p.name && profile_keys(p)) {  // a role assumed with the profile's own keys
        use_keys(p);
      } else if (std::find(chain_.begin(), chain_.end(), source) != chain_.end()) {
        return fail("profile " + p.name + ": source_profile loop (" + describe_chain() + " -> " + source + ")");
      } else {
        const auto s = files_.profile(source);
        if (!s) return fail("profile " + p.name + ": source_profile " + source + " could not be found");
        if (!plan_profile(*s)) return fail("profile " + source + " (source_profile of " + p.name + ") has no credentials");
        if (!plan_.error.empty()) return true;
      }
      return add_role(p);
    }
    if (profile_keys(p)) return use_keys(p);
    if (const std::string source = p.get("credential_source"); !source.empty()) {
      if (role_arn.empty()) return fail("profile " + p.name + ": credential_source needs role_arn");
      plan_credential_source(p, source);
      return add_role(p);
    }
    if (const std::string token_file = p.get("web_identity_token_file"); !token_file.empty()) {
      if (role_arn.empty()) return fail("profile " + p.name + ": web_identity_token_file needs role_arn");
      plan_.base = {BaseSource::Kind::web_identity, "web identity", p.name, {}, {}, token_file, role_of(p), false};
      return true;
    }
    if (!p.get("sso_session").empty() || !p.get("sso_start_url").empty()) return plan_sso(p);
    if (const std::string session = p.get("login_session"); !session.empty()) {
      plan_.base = {BaseSource::Kind::login, "aws login", p.name, {}, {}, {}, {}, false};
      plan_.base.login = {session, p.get("region")};
      return true;
    }
    if (const std::string command = p.get("credential_process"); !command.empty()) {
      plan_.base = {BaseSource::Kind::credential_process, "credential_process", p.name, {}, command, {}, {}, false};
      return true;
    }
    if (!role_arn.empty()) return fail("profile " + p.name + ": role_arn needs source_profile or credential_source");
    return false;
  }

  // sso_session and its [sso-session] section, or the legacy keys in the profile itself.
  bool plan_sso(const Profile& p) {
    SsoSource sso{p.get("sso_session"), p.get("sso_start_url"), p.get("sso_region"), p.get("sso_account_id"),
                  p.get("sso_role_name")};
    if (!sso.session_name.empty()) {
      const auto section = files_.sso_session(sso.session_name);
      if (!section) return fail("profile " + p.name + ": sso_session " + sso.session_name + " has no [sso-session " +
                                sso.session_name + "] section in " + files_.config_path());
      const auto get = [&](const char* key) {
        const auto it = section->find(key);
        return it != section->end() ? it->second : std::string();
      };
      sso.start_url = get("sso_start_url");
      sso.region = get("sso_region");
      if (sso.start_url.empty() || sso.region.empty())
        return fail("profile " + p.name + ": [sso-session " + sso.session_name + "] needs sso_start_url and sso_region");
    } else if (sso.region.empty()) {
      return fail("profile " + p.name + ": sso_start_url needs sso_region");
    }
    if (sso.account_id.empty() || sso.role_name.empty())
      return fail("profile " + p.name + ": SSO credentials need sso_account_id and sso_role_name");
    plan_.base = {BaseSource::Kind::sso, "IAM Identity Center", p.name, {}, {}, {}, {}, false};
    plan_.base.sso = std::move(sso);
    return true;
  }

  void plan_credential_source(const Profile& p, const std::string& source) {
    if (source == "Environment") {
      const auto keys = environment_keys(env_);
      if (!keys) {
        fail("profile " + p.name +
             ": credential_source Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
        return;
      }
      plan_.base = {BaseSource::Kind::static_keys, "environment", p.name, *keys, {}, {}, {}, false};
    } else if (source == "Ec2InstanceMetadata") {
      plan_.base = {BaseSource::Kind::instance_metadata, "instance metadata", p.name, {}, {}, {}, {}, false};
    } else if (source == "EcsContainer") {
      plan_.base = {BaseSource::Kind::container, "container credentials", p.name, {}, {}, {}, {}, false};
    } else {
      fail("profile " + p.name + ": unknown credential_source " + source +
           " (expected Environment, Ec2InstanceMetadata or EcsContainer)");
    }
  }

  bool use_keys(const Profile& p) {
    plan_.base = {BaseSource::Kind::static_keys, p.file_of("aws_access_key_id"), p.name, *profile_keys(p), {}, {}, {}, false};
    return true;
  }

  RoleToAssume role_of(const Profile& p) {
    RoleToAssume r{p.name, p.get("role_arn"), p.get("role_session_name"), p.get("external_id"), std::nullopt};
    if (const std::string d = p.get("duration_seconds"); !d.empty()) {
      const bool digits = d.size() <= 6 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) fail("profile " + p.name + ": duration_seconds " + d + " is not a number of seconds");
      else r.duration_seconds = std::stoi(d);
    }
    return r;
  }

  bool add_role(const Profile& p) {
    plan_.roles.push_back(role_of(p));
    return true;
  }

  // Nothing configured: the container endpoint if the environment points at one, else EC2.
  void last_resort() {
    const bool container = !env_value(env_, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty() ||
                           !env_value(env_, "AWS_CONTAINER_CREDENTIALS_FULL_URI").empty();
    if (container) {
      plan_.base = {BaseSource::Kind::container, "container credentials", {}, {}, {}, {}, {}, true};
    } else if (!env_flag(env_, "AWS_EC2_METADATA_DISABLED")) {
      plan_.base = {BaseSource::Kind::instance_metadata, "instance metadata", {}, {}, {}, {}, {}, true};
    } else {
      fail("Unable to locate credentials: " + plan_.looked_in + "; instance metadata is disabled");
    }
  }

  std::string describe_chain() const {
    std::string s;
    for (const auto& name : chain_) s += (s.empty() ? "" : " -> ") + name;
    return s;
  }

  const base::GetEnv& env_;
  const SharedConfig& files_;
  CredentialPlan& plan_;
  std::vector<std::string> chain_;  // the profiles being resolved, outermost first
};

}  // namespace

bool env_flag(const base::GetEnv& env, const std::string& name) { return base::iequals(env(name).value_or(""), "true"); }

CredentialPlan plan_credentials(const std::string& explicit_profile, const base::GetEnv& env, const SharedConfig& files) {
  CredentialPlan plan;
  plan.active_profile = active_profile_name(explicit_profile, env);
  plan.looked_in = "none in the environment, " + files.credentials_path() + " or " + files.config_path() +
                   " for profile " + plan.active_profile;
  if (explicit_profile.empty()) {
    if (const auto keys = environment_keys(env)) {
      plan.base = {BaseSource::Kind::static_keys, "environment", {}, *keys, {}, {}, {}, false};
      return plan;
    }
    const std::string token_file = env_value(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    const std::string role_arn = env_value(env, "AWS_ROLE_ARN");
    if (!token_file.empty() && !role_arn.empty()) {
      RoleToAssume role{{}, role_arn, env_value(env, "AWS_ROLE_SESSION_NAME"), {}, std::nullopt};
      plan.base = {BaseSource::Kind::web_identity, "web identity", {}, {}, {}, token_file, role, false};
      return plan;
    }
  }
  const bool named = !explicit_profile.empty() || !env_value(env, "AWS_PROFILE").empty() ||
                     !env_value(env, "AWS_DEFAULT_PROFILE").empty();
  Planner(env, files, plan).plan_active(plan.active_profile, named);
  return plan;
}

}  // namespace ssm::aws
