#include "aws/credentials.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ssm::aws {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string file_path(const GetEnv& env, const char* variable, const char* default_name) {
  if (auto p = env(variable); p && !p->empty()) return *p;
  const auto home = env("HOME");
  return (home ? *home : std::string()) + "/.aws/" + default_name;
}

std::optional<Credentials> keys_from(const std::map<std::string, std::string>& section) {
  const auto id = section.find("aws_access_key_id");
  const auto secret = section.find("aws_secret_access_key");
  if (id == section.end() || secret == section.end() || id->second.empty() || secret->second.empty())
    return std::nullopt;
  Credentials c{id->second, secret->second, {}};
  if (auto token = section.find("aws_session_token"); token != section.end()) c.session_token = token->second;
  return c;
}

// Runs the command through the shell, as the AWS CLI does; stdout is the JSON.
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

}  // namespace

GetEnv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

IniFile parse_ini(const std::string& text) {
  IniFile ini;
  std::string section;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      ini[section];
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = trim(line.substr(0, eq));
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    ini[section][key] = trim(line.substr(eq + 1));
  }
  return ini;
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
  return c;
}

ResolvedCredentials resolve_credentials(const std::string& explicit_profile, const GetEnv& env) {
  if (explicit_profile.empty()) {
    const auto id = env("AWS_ACCESS_KEY_ID"), secret = env("AWS_SECRET_ACCESS_KEY");
    if (id && secret && !id->empty() && !secret->empty())
      return {Credentials{*id, *secret, env("AWS_SESSION_TOKEN").value_or("")}, "environment", {}};
  }
  std::string profile = explicit_profile;
  if (profile.empty()) profile = env("AWS_PROFILE").value_or("");
  const bool named = !profile.empty();
  if (profile.empty()) profile = "default";

  const std::string credentials_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  const std::string config_path = file_path(env, "AWS_CONFIG_FILE", "config");
  const IniFile credentials_file = parse_ini(read_file(credentials_path).value_or(""));
  const IniFile config_file = parse_ini(read_file(config_path).value_or(""));

  const auto in_credentials = credentials_file.find(profile);
  const auto in_config = config_file.find(profile == "default" ? profile : "profile " + profile);
  if (in_credentials != credentials_file.end()) {
    if (auto c = keys_from(in_credentials->second)) return {c, "shared credentials file", {}};
  }
  if (in_config != config_file.end()) {
    if (auto c = keys_from(in_config->second)) return {c, "config file", {}};
    if (auto p = in_config->second.find("credential_process"); p != in_config->second.end()) {
      std::string error;
      if (auto c = run_credential_process(p->second, error)) return {c, "credential_process", {}};
      return {std::nullopt, "credential_process", "profile " + profile + ": " + error};
    }
  }
  if (named && in_credentials == credentials_file.end() && in_config == config_file.end())
    return {std::nullopt, "profile", "the config profile (" + profile + ") could not be found in " + credentials_path +
                                         " or " + config_path};
  return {std::nullopt, "", "Unable to locate credentials: none in the environment, " + credentials_path + " or " +
                                config_path + " for profile " + profile};
}

}  // namespace ssm::aws
