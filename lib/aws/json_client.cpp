#include "aws/json_client.h"

#include <chrono>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "aws/http_client.h"
#include "transport/url.h"

namespace ssm::aws {

std::string aws_error_code(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("__type") || !j["__type"].is_string()) return {};
  std::string code = j["__type"].get<std::string>();
  if (const auto hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  return code;
}

std::string describe_aws_error(unsigned status, const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  std::string code = aws_error_code(body), message;
  if (j.is_object()) {
    for (const char* key : {"message", "Message"})
      if (j.contains(key) && j[key].is_string()) message = j[key].get<std::string>();
  }
  if (code.empty()) code = "HTTP error";
  return code + (message.empty() ? "" : ": " + message) + " (HTTP " + std::to_string(status) + ")";
}

void async_json_call(boost::asio::any_io_executor ex, JsonCall call, std::function<void(JsonResult)> done) {
  const auto url = transport::Url::parse(call.endpoint_url);
  if (!url) {
    boost::asio::post(ex, [done, u = call.endpoint_url] { done({false, 0, {}, "the endpoint URL " + u + " is not http(s)", {}}); });
    return;
  }
  SignableRequest r;
  r.path = url->target.substr(0, url->target.find('?'));
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"Host", url->host_header()}, {"X-Amz-Target", call.target}};
  r.body = std::move(call.body);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  sign(r, {call.region, call.service, amz_date(now.count())}, call.credentials);

  HttpRequest request{"POST", call.endpoint_url, std::move(r.headers), std::move(r.body), call.ca_bundle, call.timeout};
  async_http_request(ex, std::move(request), [done = std::move(done)](HttpResponse response) {
    if (!response.ok) return done({false, 0, {}, response.error, {}, response.permanent});
    if (response.status == 200) return done({true, response.status, std::move(response.body), {}, {}});
    done({false, response.status, {}, describe_aws_error(response.status, response.body), aws_error_code(response.body)});
  });
}

}  // namespace ssm::aws
