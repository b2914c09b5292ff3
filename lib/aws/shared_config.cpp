#include "aws/shared_config.h"

#include <fstream>
#include <sstream>

#include "base/text.h"

namespace ssm::aws {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  if (in) ss << in.rdbuf();
  return ss.str();
}

std::string file_path(const base::GetEnv& env, const char* variable, const char* default_name) {
  if (auto p = env(variable); p && !p->empty()) return *p;
  const auto home = env("HOME");
  return (home ? *home : std::string()) + "/.aws/" + default_name;
}

}  // namespace

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
    ini[section][base::ascii_lower(trim(line.substr(0, eq)))] = trim(line.substr(eq + 1));
  }
  return ini;
}

std::string Profile::get(const std::string& key) const {
  const auto it = settings.find(key);
  return it == settings.end() ? std::string() : it->second;
}

std::string Profile::file_of(const std::string& key) const {
  return credentials_section.count(key) ? "shared credentials file" : "config file";
}

SharedConfig::SharedConfig(const base::GetEnv& env)
    : credentials_path_(file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")),
      config_path_(file_path(env, "AWS_CONFIG_FILE", "config")) {}

void SharedConfig::load() const {
  if (loaded_) return;
  loaded_ = true;
  credentials_ = parse_ini(read_file(credentials_path_));
  config_ = parse_ini(read_file(config_path_));
}

std::optional<Profile> SharedConfig::profile(const std::string& name) const {
  load();
  Profile p;
  p.name = name;
  if (const auto it = config_.find(name == "default" ? name : "profile " + name); it != config_.end()) {
    p.in_config_file = true;
    p.settings = it->second;
  }
  if (const auto it = credentials_.find(name); it != credentials_.end()) {
    p.in_credentials_file = true;
    p.credentials_section = it->second;
    for (const auto& [key, value] : it->second) p.settings[key] = value;
  }
  if (!p.in_config_file && !p.in_credentials_file) return std::nullopt;
  return p;
}

std::optional<std::map<std::string, std::string>> SharedConfig::sso_session(const std::string& name) const {
  load();
  const auto it = config_.find("sso-session " + name);
  if (it == config_.end()) return std::nullopt;
  return it->second;
}

std::string active_profile_name(const std::string& explicit_profile, const base::GetEnv& env) {
  if (!explicit_profile.empty()) return explicit_profile;
  for (const char* variable : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"})
    if (auto v = env(variable); v && !v->empty()) return *v;
  return "default";
}

}  // namespace ssm::aws
