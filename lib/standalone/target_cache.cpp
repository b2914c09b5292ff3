#include "standalone/target_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ssm::standalone {
namespace {

using Json = nlohmann::json;

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Json read_entries(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Json::object();
  std::stringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str(), nullptr, false);
  return j.is_object() ? j : Json::object();
}

bool write_private(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
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
  const std::string dir = path_.substr(0, path_.rfind('/'));
  ::mkdir(dir.substr(0, dir.rfind('/')).c_str(), 0700);  // ~/.cache itself, if need be
  ::mkdir(dir.c_str(), 0700);
  Json entries = read_entries(path_);
  // Expired entries go, so that the file stays as small as the last minute's names.
  for (auto it = entries.begin(); it != entries.end();) {
    const auto at = it->is_object() ? it->find("at") : it->end();
    const bool stale = !it->is_object() || at == it->end() || !at->is_number_integer() ||
                       seconds(now) - at->get<std::int64_t>() >= kTimeToLive.count();
    it = stale ? entries.erase(it) : std::next(it);
  }
  entries[scope_ + "|" + name] = {{"id", node_id}, {"at", seconds(now)}};
  write_private(path_, entries.dump());
}

}  // namespace ssm::standalone
