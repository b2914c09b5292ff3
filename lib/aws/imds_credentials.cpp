#include "aws/imds_credentials.h"

#include <memory>

#include <boost/asio/post.hpp>

#include "aws/credential_document.h"
#include "aws/credential_plan.h"
#include "aws/http_client.h"

namespace ssm::aws {
namespace {

constexpr const char* kSource = "instance metadata";
constexpr const char* kDefaultEndpoint = "http://169.254.169.254";
constexpr const char* kTokenPath = "/latest/api/token";
constexpr const char* kRolePath = "/latest/meta-data/iam/security-credentials/";

// One fetch: token, role name, credentials; each a request of its own.
class ImdsFetch : public std::enable_shared_from_this<ImdsFetch> {
 public:
  ImdsFetch(boost::asio::any_io_executor ex, std::string endpoint, bool v1_allowed,
            std::function<void(ResolvedCredentials)> done)
      : ex_(std::move(ex)), endpoint_(std::move(endpoint)), v1_allowed_(v1_allowed), done_(std::move(done)) {}

  void start() {
    HttpRequest token{"PUT", endpoint_ + kTokenPath,
                      {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kImdsTokenTtlSeconds)}}, {}, {},
                      kImdsAttemptTimeout};
    async_http_request(ex_, std::move(token), [self = shared_from_this()](HttpResponse r) { self->on_token(std::move(r)); });
  }

 private:
  void fail(const std::string& why) { done_({std::nullopt, kSource, std::string(kSource) + ": " + why}); }

  void get(const std::string& path, void (ImdsFetch::*next)(HttpResponse)) {
    HttpRequest request{"GET", endpoint_ + path, {}, {}, {}, kImdsAttemptTimeout};
    if (!token_.empty()) request.headers.emplace_back("X-aws-ec2-metadata-token", token_);
    async_http_request(ex_, std::move(request),
                       [self = shared_from_this(), next](HttpResponse r) { ((*self).*next)(std::move(r)); });
  }

  void on_token(HttpResponse r) {
    if (!r.ok) return fail("not reachable (" + r.error + ")");
    if (r.status == 200 && !r.body.empty()) {
      token_ = std::move(r.body);
    } else if (r.status == 403 || !v1_allowed_) {
      return fail("the session token request was refused (HTTP " + std::to_string(r.status) + ")");
    }
    // Anything else: an IMDSv1-only service; go on without a token.
    get(kRolePath, &ImdsFetch::on_role_name);
  }

  void on_role_name(HttpResponse r) {
    if (!r.ok) return fail(r.error);
    if (r.status == 404) return fail("no IAM role is attached to this instance");
    if (r.status != 200) return fail("HTTP " + std::to_string(r.status) + " for the role name");
    role_ = r.body.substr(0, r.body.find_first_of("\r\n"));
    if (role_.empty() || role_.find('/') != std::string::npos) return fail("no IAM role is attached to this instance");
    get(kRolePath + role_, &ImdsFetch::on_credentials);
  }

  void on_credentials(HttpResponse r) {
    if (!r.ok) return fail(r.error);
    if (r.status != 200) return fail("HTTP " + std::to_string(r.status) + " for the credentials of role " + role_);
    std::string error;
    auto credentials = parse_credential_document(r.body, error);
    if (!credentials) return fail("role " + role_ + ": " + error);
    done_({std::move(credentials), kSource, {}});
  }

  boost::asio::any_io_executor ex_;
  std::string endpoint_;
  bool v1_allowed_;
  std::function<void(ResolvedCredentials)> done_;
  std::string token_;
  std::string role_;
};

}  // namespace

void async_imds_credentials(boost::asio::any_io_executor ex, const base::GetEnv& env,
                            std::function<void(ResolvedCredentials)> done) {
  if (env_flag(env, "AWS_EC2_METADATA_DISABLED")) {
    boost::asio::post(ex, [done = std::move(done)] {
      done({std::nullopt, kSource, std::string(kSource) + ": disabled by AWS_EC2_METADATA_DISABLED"});
    });
    return;
  }
  std::string endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const bool v1_allowed = !env_flag(env, "AWS_EC2_METADATA_V1_DISABLED");
  std::make_shared<ImdsFetch>(std::move(ex), std::move(endpoint), v1_allowed, std::move(done))->start();
}

}  // namespace ssm::aws
