#include "cli/environment.h"

#include <cstdlib>

namespace ssm::cli {

Environment Environment::process() {
  return {
      [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      },
      [](const std::string& name) { ::unsetenv(name.c_str()); },
  };
}

}  // namespace ssm::cli
