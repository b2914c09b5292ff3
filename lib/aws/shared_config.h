// lib/aws — the two shared files every AWS tool reads (protocol-smux-kms-aws.md §3.5): the
// config file (AWS_CONFIG_FILE, else ~/.aws/config; sections `[default]`, `[profile name]`)
// and the credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; sections
// `[name]`). A profile is the merge of its two sections, the credentials file winning.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/environment.h"

namespace ssm::aws {

// An INI file as the AWS CLI reads it: section -> key -> value (keys lowercased). Missing or
// unreadable: empty.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile parse_ini(const std::string& text);

struct Profile {
  std::string name;
  std::map<std::string, std::string> settings;  // config-file keys overridden by credentials-file keys
  std::map<std::string, std::string> credentials_section;  // what the credentials file alone says
  bool in_credentials_file = false;
  bool in_config_file = false;

  // The setting, or "" when absent.
  std::string get(const std::string& key) const;
  // Which file a setting came from, for messages: "shared credentials file" or "config file".
  std::string file_of(const std::string& key) const;
};

class SharedConfig {
 public:
  // Reads both files on the first profile() call (a chain that the environment satisfies
  // never opens them); later changes to them are seen only by a new SharedConfig.
  explicit SharedConfig(const base::GetEnv& env);

  std::optional<Profile> profile(const std::string& name) const;
  // The config file's [sso-session NAME] section (keys lowercased); nullopt when absent.
  std::optional<std::map<std::string, std::string>> sso_session(const std::string& name) const;
  const std::string& credentials_path() const { return credentials_path_; }
  const std::string& config_path() const { return config_path_; }

 private:
  void load() const;

  std::string credentials_path_, config_path_;
  mutable bool loaded_ = false;
  mutable IniFile credentials_, config_;
};

// The profile the user selected: the explicit one, else AWS_PROFILE, else AWS_DEFAULT_PROFILE,
// else "default".
std::string active_profile_name(const std::string& explicit_profile, const base::GetEnv& env);

}  // namespace ssm::aws
