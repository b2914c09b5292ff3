#include "standalone/target_cache.h"

#include <nlohmann/json.hpp>

#include "base/private_file.h"

namespace ssm::standalone {
namespace {

using Json = nlohmann::json;

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Json read_entries(const std::string& path) {
  const auto text = base::read_file(path);
  Json j = text ? Json::parse(*text, nullptr, false) : Json::object();
  return j.is_object() ? j : Json::object();
}

}  // namespace

TargetCache::TargetCache(const base::GetEnv& env, std::string scope) : scope_(std::move(scope)) {
  std::string base = env("XDG_CACHE_HOME").value_or("");
  if (base.empty()) {
    const std::string home = env("HOME").value_or("");
    if (home.empty()) return;
    base = home + "/.cache";
  }
  path_ = base + "/session-manager-plugin/targets.json";
}

std::optional<std::string> TargetCache::find(const std::string& name, std::chrono::system_clock::time_point now) const {
  if (path_.empty()) return std::nullopt;
  const Json entries = read_entries(path_);
  const auto it = entries.find(scope_ + "|" + name);
  if (it == entries.end() || !it->is_object()) return std::nullopt;
  const auto id = it->find("id"), at = it->find("at");
  if (id == it->end() || !id->is_string() || at == it->end() || !at->is_number_integer()) return std::nullopt;
  const std::int64_t age = seconds(now) - at->get<std::int64_t>();
  if (age < 0 || age >= kTimeToLive.count()) return std::nullopt;
  return id->get<std::string>();
}

void TargetCache::store(const std::string& name, const std::string& node_id,
                        std::chrono::system_clock::time_point now) const {
  if (path_.empty()) return;
  Json entries = read_entries(path_);
  // Expired entries go, so that the file stays as small as the last minute's names.
  for (auto it = entries.begin(); it != entries.end();) {
    const auto at = it->is_object() ? it->find("at") : it->end();
    const bool stale = !it->is_object() || at == it->end() || !at->is_number_integer() ||
                       seconds(now) - at->get<std::int64_t>() >= kTimeToLive.count();
    it = stale ? entries.erase(it) : std::next(it);
  }
  entries[scope_ + "|" + name] = {{"id", node_id}, {"at", seconds(now)}};
  base::write_private_file(path_, entries.dump());
}

}  // namespace ssm::standalone
