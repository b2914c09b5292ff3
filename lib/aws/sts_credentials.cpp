#include "aws/sts_credentials.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

#include "aws/credential_document.h"
#include "aws/http_client.h"
#include "aws/query_protocol.h"
#include "aws/service_endpoints.h"
#include "transport/url.h"

namespace ssm::aws {
namespace {

constexpr const char* kStsVersion = "2011-06-15";

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Form role_form(const char* action, const RoleToAssume& role, std::chrono::system_clock::time_point now) {
  const std::string session =
      role.session_name.empty() ? "session-manager-plugin-" + std::to_string(unix_seconds(now)) : role.session_name;
  Form form{{"Action", action}, {"Version", kStsVersion}, {"RoleArn", role.role_arn}, {"RoleSessionName", session}};
  if (!role.external_id.empty()) form.emplace_back("ExternalId", role.external_id);
  if (role.duration_seconds) form.emplace_back("DurationSeconds", std::to_string(*role.duration_seconds));
  return form;
}

// A message from elsewhere must not carry what we sent: mask any secret it echoes.
std::string mask(std::string line, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets)
    if (!secret.empty())
      for (std::size_t at; (at = line.find(secret)) != std::string::npos;) line.replace(at, secret.size(), "***");
  return line;
}

// One STS call; `what` prefixes every error ("assume role arn:...").
void call_sts(boost::asio::any_io_executor ex, const StsEndpoint& sts, std::vector<std::pair<std::string, std::string>> headers,
              std::string body, std::string what, std::vector<std::string> secrets,
              std::function<void(ResolvedCredentials)> done) {
  HttpRequest request{"POST", sts.url, std::move(headers), std::move(body), sts.ca_bundle, kStsTimeout};
  async_http_request(ex, std::move(request), [what = std::move(what), secrets = std::move(secrets),
                                              done = std::move(done)](HttpResponse r) {
    const auto failed = [&](const std::string& why) { done({std::nullopt, what, mask(what + ": " + why, secrets)}); };
    if (!r.ok) return failed(r.error);
    if (r.status != 200) return failed(describe_sts_error(r.status, r.body));
    std::string error;
    auto credentials = parse_sts_credentials(r.body, error);
    if (!credentials) return failed(error);
    done({std::move(credentials), what, {}});
  });
}

}  // namespace

StsEndpoint sts_endpoint(const base::GetEnv& env, const std::string& region, const std::string& ca_bundle) {
  return {service_endpoint_url("STS", "sts", region, env), region, ca_bundle};
}

void async_assume_role(boost::asio::any_io_executor ex, const StsEndpoint& sts, const RoleToAssume& role,
                       const Credentials& source, std::chrono::system_clock::time_point now,
                       std::function<void(ResolvedCredentials)> done) {
  const std::string what = "assume role " + role.role_arn;
  const auto url = transport::Url::parse(sts.url);
  if (!url) {
    boost::asio::post(ex, [done, what, u = sts.url] { done({std::nullopt, what, what + ": the STS endpoint " + u + " is not http(s)"}); });
    return;
  }
  SignableRequest r;
  r.path = url->target.substr(0, url->target.find('?'));
  r.headers = {{"Content-Type", kFormContentType}, {"Host", url->host_header()}};
  r.body = encode_form(role_form("AssumeRole", role, now));
  sign(r, {sts.region, "sts", amz_date(unix_seconds(now))}, source);
  call_sts(ex, sts, std::move(r.headers), std::move(r.body), what, {source.secret_access_key, source.session_token},
           std::move(done));
}

void async_assume_role_with_web_identity(boost::asio::any_io_executor ex, const StsEndpoint& sts,
                                         const RoleToAssume& role, const std::string& token_file,
                                         std::chrono::system_clock::time_point now,
                                         std::function<void(ResolvedCredentials)> done) {
  const std::string what = "assume role with web identity " + role.role_arn;
  std::ifstream in(token_file);
  std::stringstream token;
  if (in) token << in.rdbuf();
  std::string t = token.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.empty()) {
    boost::asio::post(ex, [done, what, token_file] {
      done({std::nullopt, what, what + ": cannot read a token from " + token_file});
    });
    return;
  }
  Form form = role_form("AssumeRoleWithWebIdentity", role, now);
  form.emplace_back("WebIdentityToken", t);
  call_sts(ex, sts, {{"Content-Type", kFormContentType}}, encode_form(form), what, {t}, std::move(done));
}

std::optional<Credentials> parse_sts_credentials(const std::string& xml, std::string& error) {
  const auto block = xml_first_element(xml, "Credentials");
  if (!block) {
    error = "the STS response has no Credentials";
    return std::nullopt;
  }
  const auto field = [&](const char* tag) { return xml_unescape(xml_first_element(*block, tag).value_or("")); };
  Credentials c{field("AccessKeyId"), field("SecretAccessKey"), field("SessionToken")};
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    error = "the STS response lacks AccessKeyId, SecretAccessKey or SessionToken";
    return std::nullopt;
  }
  if (const std::string expiration = field("Expiration"); !expiration.empty()) {
    c.expiration = parse_timestamp(expiration);
    if (!c.expiration) {
      error = "the STS response's Expiration is not a timestamp";
      return std::nullopt;
    }
  }
  return c;
}

std::string describe_sts_error(unsigned status, const std::string& xml) {
  std::string code = xml_unescape(xml_first_element(xml, "Code").value_or(""));
  std::string message = xml_unescape(xml_first_element(xml, "Message").value_or(""));
  for (std::string* s : {&code, &message})
    for (char& c : *s)
      if (c == '\n' || c == '\r') c = ' ';
  if (code.empty()) code = "HTTP error";
  return code + (message.empty() ? "" : ": " + message) + " (HTTP " + std::to_string(status) + ")";
}

}  // namespace ssm::aws
