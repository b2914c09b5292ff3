#include "aws/container_credentials.h"

#include <fstream>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "aws/credential_document.h"
#include "aws/http_client.h"
#include "transport/url.h"

namespace ssm::aws {
namespace {

constexpr const char* kSource = "container credentials";
constexpr const char* kEcsBase = "http://169.254.170.2";

// Plain http would hand the token and the credentials to anyone on the path, unless the
// endpoint is this machine or the link-local ECS/EKS agents.
bool plain_http_allowed(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_loopback()) return true;
  return address == boost::asio::ip::make_address("169.254.170.2") ||
         address == boost::asio::ip::make_address("169.254.170.23") ||
         address == boost::asio::ip::make_address("fd00:ec2::23");
}

// The endpoint's URL and the Authorization value, or why not.
struct Target {
  std::string url;
  std::string authorization;
  std::string error;
};

Target target_from(const base::GetEnv& env) {
  Target t;
  if (const auto relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); relative && !relative->empty()) {
    t.url = kEcsBase + *relative;
  } else if (const auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && !full->empty()) {
    t.url = *full;
    const auto url = transport::Url::parse(t.url);
    if (!url) t.error = "the URL is not http(s)";
    else if (!url->tls && !plain_http_allowed(url->host)) t.error = "plain http is allowed only to loopback and the ECS/EKS addresses";
  } else {
    t.error = "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set";
    return t;
  }
  if (const auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
    std::ifstream in(*file);
    std::stringstream ss;
    if (in) ss << in.rdbuf();
    t.authorization = ss.str();
    while (!t.authorization.empty() && (t.authorization.back() == '\n' || t.authorization.back() == '\r'))
      t.authorization.pop_back();
    if (!in || t.authorization.empty()) t.error = "cannot read a token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file;
  } else {
    t.authorization = env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  }
  if (t.authorization.find_first_of("\r\n") != std::string::npos)
    t.error = "the authorization token contains a line break";
  return t;
}

}  // namespace

void async_container_credentials(boost::asio::any_io_executor ex, const base::GetEnv& env, const std::string& ca_bundle,
                                 std::function<void(ResolvedCredentials)> done) {
  Target t = target_from(env);
  const std::string what = t.url.empty() ? std::string(kSource) : std::string(kSource) + " at " + t.url;
  if (!t.error.empty()) {
    boost::asio::post(ex, [done = std::move(done), line = what + ": " + t.error] { done({std::nullopt, kSource, line}); });
    return;
  }
  HttpRequest request{"GET", t.url, {{"Accept", "application/json"}}, {}, ca_bundle, kContainerTimeout};
  if (!t.authorization.empty()) request.headers.emplace_back("Authorization", t.authorization);
  async_http_request(ex, std::move(request), [what, done = std::move(done)](HttpResponse r) {
    if (!r.ok) return done({std::nullopt, kSource, what + ": " + r.error});
    if (r.status != 200) return done({std::nullopt, kSource, what + ": HTTP " + std::to_string(r.status)});
    std::string error;
    auto credentials = parse_credential_document(r.body, error);
    if (!credentials) return done({std::nullopt, kSource, what + ": " + error});
    done({std::move(credentials), kSource, {}});
  });
}

}  // namespace ssm::aws
