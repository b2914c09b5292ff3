#include "endpoint/sts_stand_in.h"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "aws/credential_document.h"
#include "endpoint/xml_text.h"
#include "transport/url.h"
#include "wire/uuid.h"

namespace ssm::endpoint {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kVersion = "2011-06-15";
constexpr std::string_view kXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
// STS's bounds and default for DurationSeconds.
constexpr long kMinDuration = 900, kMaxDuration = 43200, kDefaultDuration = 3600;

std::string field(const QueryForm& form, std::string_view name) {
  const auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// The verifier speaks the JSON services' codes; STS names the same refusals its own way.
ApiResponse as_sts_refusal(const ApiResponse& refusal) {
  const auto message = [&] {
    const auto j = wire::Json::parse(refusal.body, nullptr, false);
    return j.is_object() && j.contains("message") && j["message"].is_string() ? j["message"].get<std::string>()
                                                                             : std::string();
  }();
  const std::string_view type = refusal.error_type;
  const std::string_view code = type == "MissingAuthenticationTokenException" ? "MissingAuthenticationToken"
                                : type == "IncompleteSignatureException"      ? "IncompleteSignature"
                                : type == "UnrecognizedClientException"       ? "InvalidClientTokenId"
                                : type == "InvalidSignatureException"         ? "SignatureDoesNotMatch"
                                : type == "ExpiredTokenException"             ? "ExpiredToken"
                                                                              : type;
  return sts_error(code, message, refusal.status);
}

// [\w+=,.@-]{2,64}, STS's RoleSessionName pattern.
bool valid_session_name(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("_+=,.@-").find(c) == std::string_view::npos)
      return false;
  return true;
}

// arn:<partition>:iam::<account>:role/<path/>name → account and name; nullopt otherwise.
struct RoleArn {
  std::string partition, account, name;
};
std::optional<RoleArn> parse_role_arn(std::string_view arn) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0, n = 0; n < 5; ++n) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
    if (n == 4) parts.push_back(arn.substr(start));
  }
  const std::string_view resource = parts[5];
  if (parts[0] != "arn" || parts[2] != "iam" || parts[4].empty() || resource.substr(0, 5) != "role/" ||
      resource.size() == 5 || resource.back() == '/')
    return std::nullopt;
  return RoleArn{std::string(parts[1]), std::string(parts[4]), std::string(resource.substr(resource.rfind('/') + 1))};
}

}  // namespace

std::optional<QueryForm> parse_query_form(std::string_view body) {
  QueryForm form;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto name = transport::percent_decode(pair.substr(0, eq), /*plus_is_space=*/true);
    auto value = transport::percent_decode(pair.substr(eq + 1), /*plus_is_space=*/true);
    if (!name || !value || name->empty()) return std::nullopt;
    form[std::move(*name)] = std::move(*value);
  }
  if (form.empty()) return std::nullopt;
  return form;
}

ApiResponse sts_error(std::string_view code, std::string_view message, unsigned status) {
  std::string xml = "<ErrorResponse xmlns=\"" + std::string(kXmlns) + "\"><Error>" +
                    xml_element("Type", status < 500 ? "Sender" : "Receiver") + xml_element("Code", code) +
                    xml_element("Message", message) + "</Error>" + xml_element("RequestId", wire::Uuid::random_v4().to_string()) +
                    "</ErrorResponse>\n";
  return {status, std::move(xml), std::string(code), std::string(kXmlContentType)};
}

ApiResponse StsStandIn::call(const QueryForm& form, const ApiRequest& request, const RequestVerifier& verifier) {
  const std::string action = field(form, "Action");
  ApiResponse response;
  if (auto refused = verifier.verify(request)) {
    response = as_sts_refusal(*refused);
  } else if (action.empty()) {
    response = sts_error("MissingAction", "Missing Action");
  } else if (action != "AssumeRole" || field(form, "Version") != kVersion) {
    response = sts_error("InvalidAction",
                         "Could not find operation " + action + " for version " + field(form, "Version"));
  } else {
    response = assume_role(form);
  }
  if (action == "AssumeRole") {
    const auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    out_.event("assume-role arn=" + or_dash(field(form, "RoleArn")) + " session=" +
               or_dash(field(form, "RoleSessionName")) +
               (response.error_type.empty() ? "" : " refused=" + response.error_type));
  }
  return response;
}

ApiResponse StsStandIn::assume_role(const QueryForm& form) {
  const std::string arn = field(form, "RoleArn"), session = field(form, "RoleSessionName");
  if (arn.empty())
    return sts_error("ValidationError", "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                                        "constraint: Member must not be null");
  if (session.empty())
    return sts_error("ValidationError", "1 validation error detected: Value null at 'roleSessionName' failed to "
                                        "satisfy constraint: Member must not be null");
  const auto role = parse_role_arn(arn);
  if (!role) return sts_error("ValidationError", arn + " is invalid");
  if (!valid_session_name(session))
    return sts_error("ValidationError", "1 validation error detected: Value '" + session +
                                            "' at 'roleSessionName' failed to satisfy constraint: Member must "
                                            "satisfy regular expression pattern: [\\w+=,.@-]*");
  long duration = kDefaultDuration;
  if (const std::string given = field(form, "DurationSeconds"); !given.empty()) {
    char* end = nullptr;
    duration = std::strtol(given.c_str(), &end, 10);
    if (*end != '\0' || duration < kMinDuration || duration > kMaxDuration)
      return sts_error("ValidationError", "The requested DurationSeconds exceeds the bounds of 900 to 43200 seconds");
  }
  const aws::Credentials c = issued_.issue(std::chrono::seconds(duration), std::chrono::system_clock::now());
  std::string xml = "<AssumeRoleResponse xmlns=\"" + std::string(kXmlns) + "\"><AssumeRoleResult>";
  xml += "<AssumedRoleUser>" + xml_element("AssumedRoleId", "AROALOCALENDPOINTROLE:" + session) +
         xml_element("Arn", "arn:" + role->partition + ":sts::" + role->account + ":assumed-role/" + role->name + "/" +
                            session) +
         "</AssumedRoleUser>";
  xml += "<Credentials>" + xml_element("AccessKeyId", c.access_key_id) + xml_element("SecretAccessKey", c.secret_access_key) +
         xml_element("SessionToken", c.session_token) + xml_element("Expiration", aws::format_timestamp(*c.expiration)) + "</Credentials>";
  xml += "</AssumeRoleResult><ResponseMetadata>" + xml_element("RequestId", wire::Uuid::random_v4().to_string()) +
         "</ResponseMetadata></AssumeRoleResponse>\n";
  return {200, std::move(xml), {}, std::string(kXmlContentType)};
}

}  // namespace ssm::endpoint
