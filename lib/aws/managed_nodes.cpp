#include "aws/managed_nodes.h"

#include <chrono>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "aws/http_client.h"
#include "aws/json_client.h"
#include "aws/query_protocol.h"
#include "aws/service_endpoints.h"
#include "transport/url.h"
#include "wire/json_fields.h"

namespace ssm::aws {
namespace {

using Json = nlohmann::json;
constexpr std::chrono::seconds kEc2Timeout{10};

// Lists page after page, then (if asked) reads the EC2 names, then answers once.
class NodeLister : public std::enable_shared_from_this<NodeLister> {
 public:
  NodeLister(boost::asio::any_io_executor ex, SsmClient ssm, std::vector<NodeFilter> filters, bool with_names,
             std::function<void(NodeListing)> done)
      : executor_(ex), ssm_(std::move(ssm)), filters_(std::move(filters)), with_names_(with_names), done_(std::move(done)) {}

  void next_page(std::string token) {
    ++pages_;
    ssm_.call_api("DescribeInstanceInformation", describe_instance_information_body(filters_, token),
                  [self = shared_from_this()](CallOutcome r) { self->on_page(std::move(r)); });
  }

 private:
  void on_page(CallOutcome r) {
    if (!r.ok) {
      listing_.access_denied = r.status / 100 == 4 && r.error.rfind("AccessDenied", 0) == 0;
      return finish("DescribeInstanceInformation: " + r.error);
    }
    std::string error;
    auto page = parse_instance_information(r.body, error);
    if (!page) return finish("DescribeInstanceInformation: " + error);
    for (auto& n : page->nodes) listing_.nodes.push_back(std::move(n));
    if (!page->next_token.empty() && pages_ < kMaxPages) return next_page(page->next_token);
    listing_.ok = true;
    for (const ManagedNode& n : listing_.nodes)
      if (n.id.rfind("i-", 0) == 0) instances_.push_back(n.id);
    if (!with_names_ || instances_.empty()) return finish({});
    ssm_.credentials().async_get([self = shared_from_this()](ResolvedCredentials c) {
      if (!c.credentials) return self->finish({});
      self->signer_ = *c.credentials;
      self->describe_instances();
    });
  }

  void describe_instances() {
    const auto url = transport::Url::parse(ec2_url());
    if (!url) return names_failed("the EC2 endpoint " + ec2_url() + " is not http(s)");
    Form form{{"Action", "DescribeInstances"}, {"Version", "2016-11-15"}};
    for (std::size_t i = 0; next_instance_ + i < instances_.size() && i < kInstancesPerCall; ++i)
      form.emplace_back("InstanceId." + std::to_string(i + 1), instances_[next_instance_ + i]);
    next_instance_ += form.size() - 2;
    SignableRequest r;
    r.path = url->target.substr(0, url->target.find('?'));
    r.headers = {{"Content-Type", kFormContentType}, {"Host", url->host_header()}};
    r.body = encode_form(form);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    sign(r, {ssm_.settings().region, "ec2", amz_date(now.count())}, signer_);
    HttpRequest request{"POST", ec2_url(), std::move(r.headers), std::move(r.body), ssm_.settings().ca_bundle, kEc2Timeout};
    async_http_request(executor_, std::move(request), [self = shared_from_this()](HttpResponse response) {
      self->on_instances(std::move(response));
    });
  }

  void on_instances(HttpResponse r) {
    if (!r.ok) return names_failed(r.error);
    if (r.status != 200) {
      const std::string code = xml_unescape(xml_first_element(r.body, "Code").value_or("HTTP error"));
      return names_failed(code + " (HTTP " + std::to_string(r.status) + ")");
    }
    for (auto& [id, name] : parse_instance_name_tags(r.body)) names_[id] = std::move(name);
    if (next_instance_ < instances_.size()) return describe_instances();
    for (ManagedNode& n : listing_.nodes)
      if (const auto it = names_.find(n.id); it != names_.end() && n.name.empty()) n.name = it->second;
    finish({});
  }

  void names_failed(const std::string& why) {
    listing_.names_unavailable = "EC2 DescribeInstances: " + why;
    finish({});
  }

  std::string ec2_url() const { return service_endpoint_url("EC2", "ec2", ssm_.settings().region, ssm_.settings().env); }

  void finish(std::string error) {
    if (!error.empty()) {
      listing_.ok = false;
      listing_.error = std::move(error);
    }
    if (auto done = std::move(done_)) done(std::move(listing_));
  }

  boost::asio::any_io_executor executor_;
  SsmClient ssm_;
  std::vector<NodeFilter> filters_;
  bool with_names_;
  std::function<void(NodeListing)> done_;
  NodeListing listing_;
  int pages_ = 0;
  Credentials signer_;
  std::vector<std::string> instances_;
  std::size_t next_instance_ = 0;
  std::map<std::string, std::string> names_;
};

}  // namespace

std::string describe_instance_information_body(const std::vector<NodeFilter>& filters, const std::string& next_token) {
  Json body = {{"MaxResults", kNodesPerPage}};
  if (!filters.empty()) {
    Json list = Json::array();
    for (const NodeFilter& f : filters) list.push_back({{"Key", f.key}, {"Values", f.values}});
    body["Filters"] = std::move(list);
  }
  if (!next_token.empty()) body["NextToken"] = next_token;
  return body.dump();
}

std::optional<NodePage> parse_instance_information(const std::string& body, std::string& error) {
  const auto j = Json::parse(body, nullptr, false);
  const auto list = j.is_object() ? j.find("InstanceInformationList") : j.end();
  if (!j.is_object() || list == j.end() || !list->is_array()) {
    error = "the answer has no InstanceInformationList";
    return std::nullopt;
  }
  NodePage page;
  for (const auto& item : *list) {
    const auto field = [&](const char* key) { return wire::string_member(item, key); };
    if (field("InstanceId").empty()) continue;
    page.nodes.push_back({field("InstanceId"), field("Name"), field("ComputerName"), field("IPAddress"),
                          field("PlatformType"), field("AgentVersion"), field("PingStatus")});
  }
  page.next_token = wire::string_member(j, "NextToken");
  return page;
}

std::map<std::string, std::string> parse_instance_name_tags(const std::string& xml) {
  std::map<std::string, std::string> names;
  std::string instance, key;
  xml_for_each_leaf(xml, [&](const std::vector<std::string>& path, const std::string& value) {
    const std::size_t n = path.size();
    // .../instancesSet/item/instanceId and .../instancesSet/item/tagSet/item/{key,value}
    if (n >= 3 && path[n - 1] == "instanceId" && path[n - 3] == "instancesSet") {
      instance = value;
    } else if (n >= 5 && path[n - 3] == "tagSet" && path[n - 5] == "instancesSet") {
      if (path[n - 1] == "key") key = value;
      else if (path[n - 1] == "value" && key == "Name" && !instance.empty()) names[instance] = value;
    }
  });
  return names;
}

void async_list_managed_nodes(boost::asio::any_io_executor ex, SsmClient ssm, std::vector<NodeFilter> filters,
                              bool with_ec2_names, std::function<void(NodeListing)> done) {
  std::make_shared<NodeLister>(ex, std::move(ssm), std::move(filters), with_ec2_names, std::move(done))->next_page({});
}

}  // namespace ssm::aws
