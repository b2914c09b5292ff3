#include "standalone/target_resolver.h"

#include <algorithm>

#include "base/text.h"

namespace ssm::standalone {
namespace {

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The computer name or IP address a person would type for this node.
bool answers_to(const aws::ManagedNode& n, const std::string& name) {
  if (n.ip == name) return true;
  if (n.computer_name.empty()) return false;
  const std::string first_label = n.computer_name.substr(0, n.computer_name.find('.'));
  return base::iequals(n.computer_name, name) || base::iequals(first_label, name);
}

// Name tag first; if no online node has it, computer names and IP addresses.
class NameLookup : public std::enable_shared_from_this<NameLookup> {
 public:
  NameLookup(boost::asio::any_io_executor ex, aws::SsmClient ssm, TargetQuery query,
             std::function<void(TargetResolution)> done)
      : executor_(ex), ssm_(std::move(ssm)), query_(std::move(query)), done_(std::move(done)) {}

  void start() {
    if (query_.kind == TargetKind::tag) {
      // Names are worth the EC2 call here: the answer is a handful of nodes to tell apart.
      return list({{"tag:" + query_.tag_key, {query_.tag_value}}, online_nodes()}, true, &NameLookup::on_tagged);
    }
    list({{"tag:Name", {query_.text}}, online_nodes()}, false, &NameLookup::on_name_tag);
  }

 private:
  void list(std::vector<aws::NodeFilter> filters, bool names, void (NameLookup::*next)(aws::NodeListing)) {
    aws::async_list_managed_nodes(executor_, ssm_, std::move(filters), names,
                                  [self = shared_from_this(), next](aws::NodeListing l) { ((*self).*next)(std::move(l)); });
  }

  void on_tagged(aws::NodeListing l) {
    if (!l.ok) return finish({{}, l.error, l.access_denied});
    if (l.nodes.empty())
      return finish({{}, "no online managed node has the tag " + query_.tag_key + "=" + query_.tag_value, false});
    finish({std::move(l.nodes), {}});
  }

  void on_name_tag(aws::NodeListing l) {
    if (!l.ok) return finish({{}, l.error, l.access_denied});
    if (!l.nodes.empty()) {
      for (auto& n : l.nodes) n.name = query_.text;  // what the filter matched
      return finish({std::move(l.nodes), {}});
    }
    list({online_nodes()}, false, &NameLookup::on_all_online);
  }

  void on_all_online(aws::NodeListing l) {
    if (!l.ok) return finish({{}, l.error, l.access_denied});
    TargetResolution r;
    for (auto& n : l.nodes)
      if (answers_to(n, query_.text)) r.matches.push_back(std::move(n));
    if (r.matches.empty())
      r.error = "no online managed node named " + query_.text + " (searched the Name tag, computer names and IP addresses)";
    finish(std::move(r));
  }

  void finish(TargetResolution r) {
    if (auto done = std::move(done_)) done(std::move(r));
  }

  boost::asio::any_io_executor executor_;
  aws::SsmClient ssm_;
  TargetQuery query_;
  std::function<void(TargetResolution)> done_;
};

}  // namespace

bool is_node_id(std::string_view text) {
  const std::string_view digits = text.substr(0, 3) == "mi-" ? text.substr(3) : text.substr(0, 2) == "i-" ? text.substr(2) : "";
  return (digits.size() == 8 || digits.size() == 17) && is_hex(digits);
}

TargetQuery classify_target(const std::string& text) {
  TargetQuery q;
  q.text = text;
  if (is_node_id(text)) {
    q.kind = TargetKind::node_id;
  } else if (text.rfind("ecs:", 0) == 0) {
    q.kind = TargetKind::ecs;
  } else if (const auto eq = text.find('='); text.rfind("tag:", 0) == 0 && eq != std::string::npos && eq > 4) {
    q.kind = TargetKind::tag;
    q.tag_key = text.substr(4, eq - 4);
    q.tag_value = text.substr(eq + 1);
  }
  return q;
}

aws::NodeFilter online_nodes() { return {"PingStatus", {"Online"}}; }

void async_resolve_target(boost::asio::any_io_executor ex, aws::SsmClient ssm, TargetQuery query,
                          std::function<void(TargetResolution)> done) {
  std::make_shared<NameLookup>(ex, std::move(ssm), std::move(query), std::move(done))->start();
}

}  // namespace ssm::standalone
