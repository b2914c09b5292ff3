// lib/base — the process environment, the one way every layer reads it: a value type of two
// functions, so that parsers and resolvers stay pure and tests hand them a map instead of
// calling setenv.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ssm::base {

// The value of one variable, or nullopt when it is not set. Read-only users (credential and
// endpoint resolution, proxy rules, logging, the session spec) take just this.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;

struct Environment {
  GetEnv get;
  // Removes the variable, its value wiped in place first (process()); failures are ignored
  // (the reference only logs them). Only the AWS_SSM_START_SESSION_RESPONSE hand-off uses it.
  std::function<void(const std::string& name)> unset;

  // getenv/unsetenv of this process. Reading is safe from any thread as long as nothing sets
  // or unsets; unset only from main before any thread starts (the C library's environment is
  // not thread-safe).
  static Environment process();
  // A copy of `variables` standing in for the environment (tests): get looks it up, unset
  // erases from the copy, which every copy of the returned Environment shares.
  static Environment of(std::map<std::string, std::string> variables);
};

}  // namespace ssm::base
