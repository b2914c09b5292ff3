#include "endpoint/stream_target.h"

#include <charconv>

#include "endpoint/targets.h"

namespace ssm::endpoint {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::optional<TargetSpec> parse_target_spec(const std::string& spec) {
  TargetSpec t;
  if (spec == "echo") return t;
  if (spec == "agent") {
    t.kind = TargetSpec::Kind::agent;
    return t;
  }
  if (spec == "sink") {
    t.kind = TargetSpec::Kind::sink;
    return t;
  }
  if (starts_with(spec, "source:")) {
    t.kind = TargetSpec::Kind::source;
    const char* first = spec.data() + 7;
    const char* last = spec.data() + spec.size();
    const auto [end, ec] = std::from_chars(first, last, t.bytes);
    if (first == last || ec != std::errc() || end != last) return std::nullopt;
    return t;
  }
  if (starts_with(spec, "dial:")) {
    t.kind = TargetSpec::Kind::dial;
    const auto colon = spec.rfind(':');
    if (colon <= 5 || colon + 1 >= spec.size()) return std::nullopt;
    t.host = spec.substr(5, colon - 5);
    t.port = spec.substr(colon + 1);
    if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
    if (t.port.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return t;
  }
  return std::nullopt;
}

TargetSpec for_port_session(const TargetSpec& spec, const wire::Json& port_properties) {
  if (spec.kind != TargetSpec::Kind::agent) return spec;
  TargetSpec dial;
  dial.kind = TargetSpec::Kind::dial;
  // The agent's default destination; "localhost" rather than 127.0.0.1, as the agent dials,
  // so a server on either loopback address is reached.
  dial.host = port_properties.value("host", std::string("localhost"));
  // Empty when the parameters have none: the dial then fails as the connection would.
  dial.port = port_properties.value("portNumber", std::string());
  return dial;
}

std::shared_ptr<StreamTarget> make_target(const TargetSpec& spec, boost::asio::any_io_executor ex, TargetHost& host,
                                          bool pacing, bool redial) {
  switch (spec.kind) {
    case TargetSpec::Kind::echo:
      return make_echo_target(host);
    case TargetSpec::Kind::sink:
      return make_sink_target();
    case TargetSpec::Kind::source:
      return make_source_target(std::move(ex), host, spec.bytes, pacing);
    case TargetSpec::Kind::dial:
      return make_dial_target(std::move(ex), host, spec.host, spec.port, pacing, redial);
    case TargetSpec::Kind::agent:
      return nullptr;  // for_port_session() turns it into a dial first
  }
  return nullptr;
}

}  // namespace ssm::endpoint
