#include "endpoint/node_directory.h"

#include <algorithm>
#include <set>

#include "base/text.h"
#include "endpoint/xml_text.h"
#include "wire/uuid.h"

namespace ssm::endpoint {
namespace {

constexpr std::string_view kEc2Version = "2016-11-15";
constexpr std::string_view kEc2Xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/";
// Fixed, so that answers are reproducible: the hour the nodes last pinged.
constexpr double kLastPing = 1'764'950'400.0;

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const auto at = text.find(separator, start);
    out.emplace_back(text.substr(start, at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string platform_name(const std::string& platform) {
  if (platform == "Windows") return "Microsoft Windows Server 2022 Datacenter";
  if (platform == "MacOS") return "macOS";
  return "Amazon Linux";
}

// One filter: its key and the values any of which may match.
struct Filter {
  std::string key;
  std::vector<std::string> values;
};

bool matches(const FakeNode& n, const Filter& f, const std::string& agent_version) {
  const auto any = [&](const std::string& v) { return std::find(f.values.begin(), f.values.end(), v) != f.values.end(); };
  if (f.key.rfind("tag:", 0) == 0) {
    const auto it = n.tags.find(f.key.substr(4));
    return it != n.tags.end() && any(it->second);
  }
  if (f.key == "tag-key") return std::any_of(n.tags.begin(), n.tags.end(), [&](const auto& t) { return any(t.first); });
  if (f.key == "PingStatus") return any(n.ping_status);
  if (f.key == "AgentVersion") return any(agent_version);
  if (f.key == "PlatformTypes") return any(n.platform);
  if (f.key == "InstanceIds") return any(n.id);
  if (f.key == "ResourceType") return any(n.ec2() ? "EC2Instance" : "ManagedInstance");
  return false;
}

bool known_filter_key(const std::string& key) {
  static const std::set<std::string> kKeys = {"tag-key", "PingStatus", "PlatformTypes", "InstanceIds", "ResourceType",
                                              "AgentVersion"};
  return key.rfind("tag:", 0) == 0 || kKeys.contains(key);
}

// Filters (Key/Values) or the older InstanceInformationFilterList (key/valueSet); nullopt and
// the error when either is malformed.
std::optional<std::vector<Filter>> read_filters(const wire::Json& request, ApiResponse& error) {
  std::vector<Filter> filters;
  for (const auto& [list, key_name, values_name] :
       {std::tuple{"Filters", "Key", "Values"}, std::tuple{"InstanceInformationFilterList", "key", "valueSet"}}) {
    const auto it = request.find(list);
    if (it == request.end() || it->is_null()) continue;
    if (!it->is_array()) {
      error = api_error("ValidationException", std::string(list) + " must be a list");
      return std::nullopt;
    }
    for (const auto& f : *it) {
      Filter filter;
      if (f.is_object() && f.contains(key_name) && (*f.find(key_name)).is_string())
        filter.key = f[key_name].get<std::string>();
      const auto values = f.is_object() ? f.find(values_name) : f.end();
      if (filter.key.empty() || !known_filter_key(filter.key) || values == f.end() || !values->is_array() ||
          values->empty()) {
        error = api_error("InvalidFilterKey", "The specified filter key is not valid: " +
                                                  (filter.key.empty() ? std::string("(none)") : filter.key));
        return std::nullopt;
      }
      for (const auto& v : *values)
        if (v.is_string()) filter.values.push_back(v.get<std::string>());
      filters.push_back(std::move(filter));
    }
  }
  return filters;
}

wire::Json describe(const FakeNode& n, const std::string& agent_version) {
  wire::Json j = {{"InstanceId", n.id},
                  {"PingStatus", n.ping_status},
                  {"LastPingDateTime", kLastPing},
                  {"AgentVersion", agent_version},
                  {"IsLatestVersion", true},
                  {"PlatformType", n.platform},
                  {"PlatformName", platform_name(n.platform)},
                  {"PlatformVersion", "2023"},
                  {"ResourceType", n.ec2() ? "EC2Instance" : "ManagedInstance"},
                  {"IPAddress", n.ip},
                  {"ComputerName", n.computer_name()},
                  {"SourceId", n.id},
                  {"SourceType", n.ec2() ? "AWS::EC2::Instance" : "AWS::SSM::ManagedInstance"}};
  if (!n.ec2() && !n.name.empty()) j["Name"] = n.name;  // hybrid nodes carry their own name
  return j;
}

ApiResponse ec2_error(std::string_view code, std::string_view message, unsigned status) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>" +
                    xml_element("Code", code) + xml_element("Message", message) + "</Error></Errors>" +
                    xml_element("RequestID", wire::Uuid::random_v4().to_string()) + "</Response>\n";
  return {status, std::move(xml), std::string(code), std::string(kXmlContentType)};
}

std::string instance_xml(const FakeNode& n) {
  std::string xml = "<item>" + xml_element("reservationId", "r-" + n.id.substr(2)) +
                    xml_element("ownerId", "123456789012") + "<groupSet/><instancesSet><item>" +
                    xml_element("instanceId", n.id) + xml_element("imageId", "ami-0123456789abcdef0") +
                    "<instanceState><code>16</code><name>running</name></instanceState>" +
                    xml_element("privateIpAddress", n.ip) + "<tagSet>";
  for (const auto& [key, value] : n.tags) xml += "<item>" + xml_element("key", key) + xml_element("value", value) + "</item>";
  return xml + "</tagSet></item></instancesSet></item>";
}

}  // namespace

std::string FakeNode::computer_name() const {
  std::string dashed = ip;
  std::replace(dashed.begin(), dashed.end(), '.', '-');
  return ec2() ? "ip-" + dashed + ".ec2.internal" : name + ".corp.example";
}

std::optional<FakeNode> parse_node_spec(std::string_view text) {
  const auto fields = split(text, ',');
  if (fields.size() < 5) return std::nullopt;
  FakeNode n{fields[0], fields[1], fields[2], fields[3], fields[4], {}};
  if (n.id.rfind("i-", 0) != 0 && n.id.rfind("mi-", 0) != 0) return std::nullopt;
  static const std::set<std::string> kPlatforms = {"Linux", "Windows", "MacOS"};
  static const std::set<std::string> kStatuses = {"Online", "ConnectionLost", "Inactive"};
  if (!kPlatforms.contains(n.platform) || !kStatuses.contains(n.ping_status) || n.ip.empty()) return std::nullopt;
  if (!n.name.empty()) n.tags["Name"] = n.name;
  for (std::size_t i = 5; i < fields.size(); ++i) {
    const auto eq = fields[i].find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    n.tags[fields[i].substr(0, eq)] = fields[i].substr(eq + 1);
  }
  return n;
}

ApiResponse NodeDirectory::describe_instance_information(const wire::Json& request, const Diagnostics& out) const {
  ApiResponse error;
  const auto filters = read_filters(request, error);
  if (!filters) return error;
  std::size_t page = kDefaultResults;
  if (const auto it = request.find("MaxResults"); it != request.end() && !it->is_null()) {
    if (!it->is_number_unsigned() || it->get<std::size_t>() < kMinResults || it->get<std::size_t>() > kMaxResults)
      return api_error("ValidationException", "1 validation error detected: Value at 'maxResults' failed to satisfy "
                                              "constraint: Member must have value between 5 and 50");
    page = it->get<std::size_t>();
  }
  // The token is where the last page stopped, as "n<offset>"; anything else is refused.
  std::size_t offset = 0;
  if (const auto it = request.find("NextToken"); it != request.end() && !it->is_null()) {
    const std::string token = it->is_string() ? it->get<std::string>() : std::string();
    const std::string digits = token.size() > 1 && token[0] == 'n' ? token.substr(1) : std::string();
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        digits.size() > 9)
      return api_error("InvalidNextToken", "The specified token is not valid.");
    offset = std::stoul(digits);
  }
  std::vector<const FakeNode*> found;
  for (const FakeNode& n : nodes_)
    if (std::all_of(filters->begin(), filters->end(), [&](const Filter& f) { return matches(n, f, agent_version_); })) found.push_back(&n);
  wire::Json list = wire::Json::array();
  for (std::size_t i = offset; i < found.size() && i < offset + page; ++i) list.push_back(describe(*found[i], agent_version_));
  wire::Json answer = {{"InstanceInformationList", list}};
  const bool more = offset + page < found.size();
  if (more) answer["NextToken"] = "n" + std::to_string(offset + page);
  out.event("describe-instance-information filters=" + std::to_string(filters->size()) +
            " returned=" + std::to_string(list.size()) + " more=" + (more ? "yes" : "no"));
  return {200, answer.dump(), {}};
}

ApiResponse NodeDirectory::describe_instances(const QueryForm& form, const Diagnostics& out) const {
  std::vector<std::string> ids;
  for (int i = 1;; ++i) {
    const auto it = form.find("InstanceId." + std::to_string(i));
    if (it == form.end()) break;
    ids.push_back(it->second);
  }
  const auto version = form.find("Version");
  ApiResponse response;
  if (version == form.end() || version->second != kEc2Version) {
    response = ec2_error("InvalidParameterValue", "Version must be 2016-11-15", 400);
  } else if (!describe_instances_allowed_) {
    response = ec2_error("UnauthorizedOperation",
                         "You are not authorized to perform this operation. User is not authorized to perform: "
                         "ec2:DescribeInstances",
                         403);
  } else {
    std::string reservations;
    for (const FakeNode& n : nodes_) {
      const bool asked = ids.empty() || std::find(ids.begin(), ids.end(), n.id) != ids.end();
      if (asked && n.ec2()) reservations += instance_xml(n);
    }
    for (const std::string& id : ids) {
      const bool known = std::any_of(nodes_.begin(), nodes_.end(), [&](const FakeNode& n) { return n.id == id && n.ec2(); });
      if (!known) {
        response = ec2_error("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist", 400);
        break;
      }
    }
    if (response.error_type.empty())
      response = {200,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeInstancesResponse xmlns=\"" +
                      std::string(kEc2Xmlns) + "\">" + xml_element("requestId", wire::Uuid::random_v4().to_string()) +
                      "<reservationSet>" + reservations + "</reservationSet></DescribeInstancesResponse>\n",
                  {},
                  std::string(kXmlContentType)};
  }
  out.event("describe-instances ids=" + std::to_string(ids.size()) +
            (response.error_type.empty() ? "" : " refused=" + response.error_type));
  return response;
}

std::optional<ApiResponse> NodeDirectory::refuse_start(const std::string& target) const {
  for (const FakeNode& n : nodes_)
    if (n.id == target && n.ping_status != "Online")
      return api_error("TargetNotConnected", target + " is not connected.");
  return std::nullopt;
}

}  // namespace ssm::endpoint
