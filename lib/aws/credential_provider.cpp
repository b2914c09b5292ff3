#include "aws/credential_provider.h"

#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

namespace ssm::aws {

struct CredentialProvider::State : std::enable_shared_from_this<State> {
  boost::asio::any_io_executor executor;
  CredentialOptions options;
  std::optional<ResolvedCredentials> cached;
  std::vector<std::function<void(ResolvedCredentials)>> waiting;  // for the resolution under way
  bool resolving = false;
  bool destroyed = false;    // set by ~CredentialProvider: no callback runs after it
  unsigned generation = 0;   // bumped by invalidate(): an older resolution is not cached

  bool fresh() const {
    const auto& expiration = cached->credentials->expiration;
    return !expiration || *expiration - options.now() > kRefreshBefore;
  }

  void resolve() {
    resolving = true;
    std::weak_ptr<State> weak = shared_from_this();
    auto deliver = [weak, started = generation](ResolvedCredentials r) {
      if (auto self = weak.lock()) self->complete(started, std::move(r));
    };
    const SharedConfig files(options.env);
    CredentialPlan plan = plan_credentials(options.profile, options.env, files);
    if (!plan.error.empty()) {
      boost::asio::post(executor, [deliver, r = ResolvedCredentials{std::nullopt, plan.base.name, plan.error}] { deliver(r); });
      return;
    }
    std::string region = options.region.empty() ? resolve_region("", options.profile, options.env) : options.region;
    if (region.empty()) region = "us-east-1";
    std::string ca_bundle = options.ca_bundle.empty() ? options.env("AWS_CA_BUNDLE").value_or("") : options.ca_bundle;
    async_run_plan({executor, options.env, std::move(ca_bundle), std::move(region), options.now}, std::move(plan),
                   std::move(deliver));
  }

  void complete(unsigned started, ResolvedCredentials r) {
    resolving = false;
    if (r.credentials && started == generation) cached = r;
    auto callers = std::exchange(waiting, {});
    const auto keep_alive = shared_from_this();  // a caller may destroy the provider
    for (auto& done : callers) {
      if (destroyed) return;
      done(r);
    }
  }
};

CredentialProvider::CredentialProvider(boost::asio::any_io_executor ex, CredentialOptions options)
    : state_(std::make_shared<State>()) {
  state_->executor = std::move(ex);
  state_->options = std::move(options);
}

CredentialProvider::~CredentialProvider() { state_->destroyed = true; }

void CredentialProvider::async_get(std::function<void(ResolvedCredentials)> done) {
  if (state_->cached && state_->fresh()) {
    boost::asio::post(state_->executor, [weak = std::weak_ptr<State>(state_), r = *state_->cached, done = std::move(done)] {
      if (auto self = weak.lock(); self && !self->destroyed) done(r);
    });
    return;
  }
  state_->waiting.push_back(std::move(done));
  if (!state_->resolving) state_->resolve();
}

void CredentialProvider::invalidate() {
  state_->cached.reset();
  ++state_->generation;
}

std::string resolve_region(const std::string& explicit_region, const std::string& explicit_profile, const base::GetEnv& env) {
  if (!explicit_region.empty()) return explicit_region;
  for (const char* variable : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (auto v = env(variable); v && !v->empty()) return *v;
  const auto profile = SharedConfig(env).profile(active_profile_name(explicit_profile, env));
  return profile ? profile->get("region") : std::string();
}

}  // namespace ssm::aws
