#include "aws/credential_chain.h"

#include <memory>

#include <boost/asio/post.hpp>

#include "aws/container_credentials.h"
#include "aws/imds_credentials.h"
#include "aws/login_credentials.h"
#include "aws/sso_credentials.h"
#include "aws/sts_credentials.h"

namespace ssm::aws {
namespace {

class ChainRun : public std::enable_shared_from_this<ChainRun> {
 public:
  ChainRun(ChainSettings settings, CredentialPlan plan, std::function<void(ResolvedCredentials)> done)
      : settings_(std::move(settings)),
        plan_(std::move(plan)),
        sts_(sts_endpoint(settings_.env, settings_.sts_region, settings_.ca_bundle)),
        done_(std::move(done)) {}

  void start() {
    // Through the executor even when the base is at hand, so `done` never runs inline.
    boost::asio::post(settings_.executor, [self = shared_from_this()] { self->get_base(); });
  }

 private:
  using Kind = BaseSource::Kind;

  std::function<void(ResolvedCredentials)> continue_with(void (ChainRun::*next)(ResolvedCredentials)) {
    return [self = shared_from_this(), next](ResolvedCredentials r) { ((*self).*next)(std::move(r)); };
  }

  void get_base() {
    const BaseSource& base = plan_.base;
    switch (base.kind) {
      case Kind::static_keys:
        return on_base({base.keys, base.name, {}});
      case Kind::credential_process: {
        std::string error;  // blocks while the command runs, as the AWS CLI does
        auto credentials = run_credential_process(base.command, error);
        return on_base({std::move(credentials), base.name, error});
      }
      case Kind::web_identity:
        return async_assume_role_with_web_identity(settings_.executor, sts_, base.web_identity, base.token_file,
                                                   settings_.now(), continue_with(&ChainRun::on_base));
      case Kind::container:
        return async_container_credentials(settings_.executor, settings_.env, settings_.ca_bundle,
                                           continue_with(&ChainRun::on_base));
      case Kind::instance_metadata:
        return async_imds_credentials(settings_.executor, settings_.env, continue_with(&ChainRun::on_base));
      case Kind::sso:
        return async_sso_credentials(settings_, base.profile, base.sso, continue_with(&ChainRun::on_base));
      case Kind::login:
        return async_login_credentials(settings_, base.profile, base.login, continue_with(&ChainRun::on_base));
    }
  }

  void on_base(ResolvedCredentials r) {
    if (!r.credentials) {
      if (plan_.base.last_resort) return finish({std::nullopt, r.source, "Unable to locate credentials: " + plan_.looked_in + "; " + r.error});
      return fail(plan_.base.profile, r);
    }
    current_ = std::move(r);
    assume_next_role();
  }

  void assume_next_role() {
    if (next_role_ == plan_.roles.size()) return finish(std::move(current_));
    async_assume_role(settings_.executor, sts_, plan_.roles[next_role_], *current_.credentials, settings_.now(),
                      continue_with(&ChainRun::on_role));
  }

  void on_role(ResolvedCredentials r) {
    if (!r.credentials) return fail(plan_.roles[next_role_].profile, r);
    current_ = std::move(r);
    ++next_role_;
    assume_next_role();
  }

  void fail(const std::string& profile, const ResolvedCredentials& r) {
    finish({std::nullopt, r.source, profile.empty() ? r.error : "profile " + profile + ": " + r.error});
  }

  void finish(ResolvedCredentials r) {
    if (auto done = std::move(done_)) done(std::move(r));
  }

  ChainSettings settings_;
  CredentialPlan plan_;
  StsEndpoint sts_;
  std::function<void(ResolvedCredentials)> done_;
  ResolvedCredentials current_;
  std::size_t next_role_ = 0;
};

}  // namespace

void async_run_plan(ChainSettings settings, CredentialPlan plan, std::function<void(ResolvedCredentials)> done) {
  std::make_shared<ChainRun>(std::move(settings), std::move(plan), std::move(done))->start();
}

}  // namespace ssm::aws
