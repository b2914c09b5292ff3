// lib/aws — the credentials the plugin signs with, from the whole AWS chain
// (credential_plan.h for the order), asynchronous and cached: the sessions' one entry point.
// Credentials that expire are resolved again when they are within kRefreshBefore of their
// expiration; credentials without one (static keys) are kept until invalidate().
// Failures are not cached: the next async_get tries the chain again.
//
// Use (one provider per plugin process, on the session's executor):
//   CredentialProvider credentials(ex, {profile_from_argv, base::Environment::process().get, ca_bundle, region_from_argv});
//   credentials.async_get([](ResolvedCredentials r) { if (!r.credentials) fail(r.error); else sign(*r.credentials); });
//   // after an ExpiredToken / UnrecognizedClient answer: credentials.invalidate(), then async_get again.
// Destroying the provider drops the result of a resolution under way; its HTTP request still
// ends by its own deadline (instance metadata 1 s per step, container 5 s, STS 10 s).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/credential_chain.h"
#include "aws/credentials.h"

namespace ssm::aws {

struct CredentialOptions {
  std::string profile;  // explicit (argv); "" = AWS_PROFILE, AWS_DEFAULT_PROFILE or default
  base::GetEnv env = base::Environment::process().get;
  std::string ca_bundle;  // trust roots for https sources; "" = AWS_CA_BUNDLE, else the system's
  std::string region{};   // the plugin's region (argv), for STS; "" = resolve_region's sources, else us-east-1
  Clock now = [] { return std::chrono::system_clock::now(); };  // injectable for tests
};

class CredentialProvider {
 public:
  CredentialProvider(boost::asio::any_io_executor ex, CredentialOptions options);
  ~CredentialProvider();  // safe with an operation pending: its callback then never runs
  CredentialProvider(const CredentialProvider&) = delete;
  CredentialProvider& operator=(const CredentialProvider&) = delete;

  // Cached credentials unless they expire within kRefreshBefore; otherwise resolves the chain
  // again (one resolution at a time; callers that ask meanwhile share its result).
  // `done` always runs later on the executor, never inline.
  void async_get(std::function<void(ResolvedCredentials)> done);
  void invalidate();  // drop the cache; a resolution under way is delivered but not cached

  static constexpr std::chrono::minutes kRefreshBefore{5};

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Region for the plugin's own calls: explicit (argv) if non-empty, else AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's `region` in the config file; "" if none.
std::string resolve_region(const std::string& explicit_region, const std::string& explicit_profile, const base::GetEnv& env);

}  // namespace ssm::aws
