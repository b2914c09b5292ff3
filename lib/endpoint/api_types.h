// lib/endpoint — one API request and its answer as the stand-ins see them (the transport fills
// them in and writes them out), and the Query protocol's form body.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ssm::endpoint {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.1";
inline constexpr std::string_view kXmlContentType = "text/xml";

// What the API needs of one HTTP request; the transport fills it in.
struct ApiRequest {
  std::string_view method = "POST";
  std::string_view target{};         // X-Amz-Target, e.g. "AmazonSSM.StartSession"
  std::string_view authorization{};  // Authorization (SigV4), may be empty
  std::string_view amz_date{};       // X-Amz-Date
  std::string_view host{};           // Host, part of what SigV4 signs
  std::string_view content_type{};   // Content-Type, signed too
  std::string_view security_token{}; // X-Amz-Security-Token, with temporary credentials
  std::string_view path{};           // with its query
  std::string_view body{};
  std::string_view sso_bearer_token{};  // x-amz-sso_bearer_token (the SSO portal)
  std::string_view dpop{};              // DPoP (the Sign-In service)
};

struct ApiResponse {
  unsigned status = 200;
  std::string body;
  std::string error_type;  // for x-amzn-ErrorType; empty on success
  std::string content_type = std::string(kJsonContentType);
};

ApiResponse api_error(std::string_view type, std::string_view message, unsigned status = 400);

using QueryForm = std::map<std::string, std::string, std::less<>>;

// An application/x-www-form-urlencoded body; nullopt when it is not one (a '%' not followed
// by two hex digits, a pair without '=', or no pairs at all).
std::optional<QueryForm> parse_query_form(std::string_view body);

}  // namespace ssm::endpoint
