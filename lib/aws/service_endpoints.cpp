#include "aws/service_endpoints.h"

#include "transport/url.h"

namespace ssm::aws {

std::optional<std::string> configured_endpoint_url(std::string_view variable_suffix, const base::GetEnv& env) {
  for (const std::string& name : {"AWS_ENDPOINT_URL_" + std::string(variable_suffix), std::string("AWS_ENDPOINT_URL")})
    if (auto url = env(name); url && !url->empty()) return url;
  return std::nullopt;
}

std::string service_endpoint_url(std::string_view variable_suffix, std::string_view host_prefix,
                                 const std::string& region, const base::GetEnv& env) {
  if (auto url = configured_endpoint_url(variable_suffix, env)) return *url;
  const bool china = region.rfind("cn-", 0) == 0;
  return "https://" + std::string(host_prefix) + "." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

std::string join_url(std::string base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path);
}

std::string ssm_endpoint_argument(const std::string& endpoint_url, const std::string& target) {
  if (target.rfind("ecs:", 0) != 0) return endpoint_url;
  const auto url = transport::Url::parse(endpoint_url);
  if (!url) return endpoint_url;
  const std::string& host = url->host;
  const auto ends_with = [&](std::string_view suffix) {
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  const bool aws_ecs = host.rfind("ecs.", 0) == 0 && (ends_with(".amazonaws.com") || ends_with(".amazonaws.com.cn"));
  return aws_ecs ? std::string() : endpoint_url;
}

std::string stream_url_for_endpoint(const std::string& stream_url, const base::GetEnv& env) {
  const auto endpoint_text = env("AWS_ENDPOINT_URL_SSMMESSAGES");
  if (!endpoint_text || endpoint_text->empty()) return stream_url;
  const auto endpoint = transport::Url::parse(*endpoint_text);
  const auto stream = transport::Url::parse(stream_url);
  if (!endpoint || !stream) return {};
  // The endpoint's own path, if any, goes in front of the stream's.
  std::string prefix = endpoint->target.substr(0, endpoint->target.find('?'));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return std::string(endpoint->tls ? "wss://" : "ws://") + endpoint->host_header() + prefix + stream->target;
}

}  // namespace ssm::aws
