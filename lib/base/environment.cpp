#include "base/environment.h"

#include <cstdlib>
#include <cstring>
#include <memory>

namespace ssm::base {

Environment Environment::process() {
  return {
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
      [](const std::string& name) {
        // unsetenv only drops the pointer: the block the process started with, which
        // /proc/PID/environ shows to anyone who may read it, still holds the value (a session
        // token). Wiped in place first.
        if (char* value = std::getenv(name.c_str())) std::memset(value, 0, std::strlen(value));
        ::unsetenv(name.c_str());
      },
  };
}

Environment Environment::of(std::map<std::string, std::string> variables) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(variables));
  return {
      [shared](const std::string& name) -> std::optional<std::string> {
        const auto it = shared->find(name);
        if (it == shared->end()) return std::nullopt;
        return it->second;
      },
      [shared](const std::string& name) { shared->erase(name); },
  };
}

}  // namespace ssm::base
