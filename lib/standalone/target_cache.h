// lib/standalone — names resolved in the last minute, so that ssh, then scp, then ssh again
// to `web-1` make one DescribeInstanceInformation call, not three. One JSON file,
// $XDG_CACHE_HOME/session-manager-plugin/targets.json (else ~/.cache/…), mode 0600 in a 0700
// directory, rewritten whole (a temporary file renamed over it). Only unique matches are
// kept; entries are keyed by region, profile, endpoint and the name as typed. A cache that
// cannot be read or written is no cache: never an error.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/environment.h"

namespace ssm::standalone {

class TargetCache {
 public:
  static constexpr std::chrono::seconds kTimeToLive{60};

  // `scope`: what else decides the answer (region, profile, endpoint).
  TargetCache(const base::GetEnv& env, std::string scope);

  std::optional<std::string> find(const std::string& name, std::chrono::system_clock::time_point now) const;
  void store(const std::string& name, const std::string& node_id, std::chrono::system_clock::time_point now) const;

  const std::string& path() const { return path_; }  // "" when there is no home to put it in

 private:
  std::string path_;
  std::string scope_;
};

}  // namespace ssm::standalone
