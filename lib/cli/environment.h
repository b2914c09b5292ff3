// lib/cli — the process environment as an injected interface, so that the argv parser stays
// pure and tests can fake the AWS_SSM_START_SESSION_RESPONSE hand-off.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ssm::cli {

struct Environment {
  // The variable's value, or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> get;
  // Removes the variable; failures are ignored (the reference only logs them).
  std::function<void(const std::string& name)> unset;

  // getenv/unsetenv of this process. Not thread-safe (neither is the C library's
  // environment): use it from main before any thread starts.
  static Environment process();
};

}  // namespace ssm::cli
