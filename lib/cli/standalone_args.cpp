#include "cli/standalone_args.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>

#include <CLI/CLI.hpp>

namespace ssm::cli {

namespace {

constexpr std::array<std::string_view, 5> kSubcommandNames = {"start-session", "shell", "port-forward", "ssh-proxy",
                                                              "list"};

constexpr std::string_view kLocalDocument = "AWS-StartPortForwardingSession";
constexpr std::string_view kRemoteHostDocument = "AWS-StartPortForwardingSessionToRemoteHost";
constexpr std::string_view kSshDocument = "AWS-StartSSHSession";

std::optional<std::uint16_t> parse_port(std::string_view text, bool zero_allowed) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  if (value == 0 && !zero_allowed) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits on ':' outside brackets; a bracketed field loses its brackets ([::1] -> ::1).
std::optional<std::vector<std::string>> split_forward_fields(std::string_view text) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < text.size() && text[i] == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string_view::npos) return std::nullopt;
      field = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
      if (i < text.size() && text[i] != ':') return std::nullopt;
    } else {
      const std::size_t colon = std::min(text.find(':', i), text.size());
      field = std::string(text.substr(i, colon - i));
      i = colon;
    }
    fields.push_back(std::move(field));
    if (i >= text.size()) return fields;
    ++i;  // the ':'
  }
}

bool is_loopback_name(std::string_view host) { return host == "localhost" || host == "127.0.0.1" || host == "::1"; }

wire::Json one(std::string value) { return wire::Json::array({std::move(value)}); }

StartSessionRequest forward_request(const std::string& target, const std::string& reason, const ForwardSpec& f,
                                    bool once) {
  StartSessionRequest r = destination_request(target, reason, f.host, f.remote_port);
  r.restart = !once;
  r.labelled = true;
  r.parameters["localPortNumber"] = one(std::to_string(f.local_port));
  r.local_host = listen_host(f.bind_address);
  return r;
}

}  // namespace

StartSessionRequest destination_request(const std::string& target, const std::string& reason, const std::string& host,
                                        std::uint16_t port, bool exact_address) {
  StartSessionRequest r;
  r.target = target;
  r.reason = reason;
  // The target's own ports go through the older document, which every agent since port
  // forwarding knows; another host needs the remote-host document (agent 3.1.1374.0+).
  if (is_loopback_name(host) && !(exact_address && host == "::1")) {
    r.document_name = kLocalDocument;
  } else {
    r.document_name = kRemoteHostDocument;
    r.parameters["host"] = one(host);
  }
  r.parameters["portNumber"] = one(std::to_string(port));
  return r;
}

std::string listen_host(const std::string& bind_address) { return bind_address == "*" ? "0.0.0.0" : bind_address; }

std::optional<DynamicSpec> parse_dynamic_spec(std::string_view text) {
  const auto fields = split_forward_fields(text);
  if (!fields || fields->empty() || fields->size() > 2) return std::nullopt;
  DynamicSpec d;
  if (fields->size() == 2) d.bind_address = (*fields)[0].empty() ? "*" : (*fields)[0];
  const auto port = parse_port(fields->back(), true);
  if (!port) return std::nullopt;
  d.port = *port;
  return d;
}

std::optional<ForwardSpec> parse_forward_spec(std::string_view text) {
  const auto fields = split_forward_fields(text);
  if (!fields || (fields->size() != 3 && fields->size() != 4)) return std::nullopt;
  const std::size_t base = fields->size() - 3;
  ForwardSpec f;
  // As ssh: an empty bind address (":8080:host:80") means every interface.
  if (base == 1) f.bind_address = (*fields)[0].empty() ? "*" : (*fields)[0];
  const auto local = parse_port((*fields)[base], true);
  const auto remote = parse_port((*fields)[base + 2], false);
  f.host = (*fields)[base + 1];
  if (!local || !remote || f.host.empty()) return std::nullopt;
  f.local_port = *local;
  f.remote_port = *remote;
  return f;
}

std::optional<wire::Json> parse_session_parameters(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return std::nullopt;
  wire::Json out = wire::Json::object();
  if (text[first] == '{') {
    const wire::Json in = wire::Json::parse(text, nullptr, false);
    if (!in.is_object()) return std::nullopt;
    for (const auto& [name, value] : in.items()) {
      if (value.is_string()) {
        out[name] = one(value.get<std::string>());
        continue;
      }
      if (!value.is_array()) return std::nullopt;
      for (const auto& element : value)
        if (!element.is_string()) return std::nullopt;
      out[name] = value;
    }
    return out;
  }
  // Shorthand, as the AWS CLI reads a map of lists: "a=1,b=2,3" is {"a":["1"],"b":["2","3"]}.
  std::string key;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (const std::size_t eq = item.find('='); eq != std::string_view::npos) {
      key = std::string(item.substr(0, eq));
      if (key.empty()) return std::nullopt;
      out[key].push_back(std::string(item.substr(eq + 1)));
    } else {
      if (key.empty()) return std::nullopt;
      out[key].push_back(std::string(item));
    }
    start = comma + 1;
  }
  return out;
}

std::string to_json(const StartSessionRequest& request) {
  wire::Json body = {{"Target", request.target}};
  if (!request.document_name.empty()) body["DocumentName"] = request.document_name;
  if (!request.parameters.empty()) body["Parameters"] = request.parameters;
  if (!request.reason.empty()) body["Reason"] = request.reason;
  return body.dump();
}

std::vector<StartSessionRequest> session_requests(const StandaloneCommand& c) {
  switch (c.subcommand) {
    case Subcommand::start_session:
      return {StartSessionRequest{c.target, c.document_name, c.parameters, c.reason, {}}};
    case Subcommand::shell:
      return {StartSessionRequest{c.target, {}, wire::Json::object(), c.reason, {}}};
    case Subcommand::ssh_proxy: {
      StartSessionRequest r{c.target, std::string(kSshDocument), wire::Json::object(), c.reason, {}};
      r.parameters["portNumber"] = one(std::to_string(c.ssh_port));
      return {r};
    }
    case Subcommand::port_forward: {
      std::vector<StartSessionRequest> out;
      for (const ForwardSpec& f : c.forwards) out.push_back(forward_request(c.target, c.reason, f, c.once));
      return out;
    }
    case Subcommand::list:
      return {};
  }
  return {};
}

bool is_standalone_subcommand(std::string_view first_argument) {
  return std::find(kSubcommandNames.begin(), kSubcommandNames.end(), first_argument) != kSubcommandNames.end();
}

bool is_standalone_command_line(std::span<const std::string> args) {
  if (args.empty()) return false;
  static constexpr std::array<std::string_view, 9> kLeading = {
      "--help", "-h", "--profile", "--region", "--endpoint-url", "-q", "--quiet", "-v", "--verbose"};
  const std::string_view first = args.front();
  const std::string_view name = first.substr(0, first.find('='));  // --region=eu-west-1
  return is_standalone_subcommand(first) || std::find(kLeading.begin(), kLeading.end(), name) != kLeading.end();
}

namespace {

void add_common_options(CLI::App& app, StandaloneCommand& c) {
  app.add_option("--profile", c.profile, "AWS profile (default: AWS_PROFILE, else \"default\")")
      ->type_name("NAME")
      ->group("AWS");
  app.add_option("--region", c.region, "AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)")
      ->type_name("REGION")
      ->group("AWS");
  app.add_option("--endpoint-url", c.endpoint_url,
                 "SSM endpoint (default: AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, https://ssm.<region>.amazonaws.com)")
      ->type_name("URL")
      ->group("AWS");
  app.add_flag("-q,--quiet", c.quiet, "no status lines (errors are still printed)")->group("Output");
  app.add_flag("-v,--verbose", c.verbose, "diagnostics on stderr")->group("Output");
}

constexpr const char* kTargetHelp =
    "the managed node: an ID (i-..., mi-...), its Name tag, tag:KEY=VALUE,\n"
    "its computer name or IP address, or ecs:CLUSTER_TASK_RUNTIME-ID;\n"
    "omitted on a terminal: pick one from a list";

void add_target(CLI::App& sub, StandaloneCommand& c) {
  sub.add_option("--target", c.target, kTargetHelp)->type_name("TARGET");
}

void add_pick(CLI::App& sub, StandaloneCommand& c) {
  sub.add_option_function<std::string>(
         "--pick", [&c](const std::string& mode) { c.pick_first = mode == "first"; },
         "when several online nodes match: ask (on a terminal; otherwise list them and exit 2)\n"
         "or first (take the first, for scripts)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"ask", "first"}))
      ->default_str("ask");
}

std::string dynamic_check(const std::string& text) {
  return parse_dynamic_spec(text) ? std::string() : "expected [bind_address:]port";
}

std::string forward_check(const std::string& text) {
  return parse_forward_spec(text) ? std::string() : "expected [bind_address:]local_port:host:remote_port";
}

std::string parameters_check(const std::string& text) {
  return parse_session_parameters(text) ? std::string() : "expected a JSON object of string lists or key=value,...";
}

std::string port_check(const std::string& text) { return parse_port(text, false) ? std::string() : "not a port"; }

constexpr std::string_view kFooter =
    "The AWS CLI's contract works unchanged: `aws ssm start-session` runs\n"
    "  session-manager-plugin <response|AWS_SSM_START_SESSION_RESPONSE> <region> StartSession\n"
    "                         [profile [parameters [endpoint-url]]]\n"
    "In ~/.ssh/config:\n"
    "  Host i-* mi-* web-*\n"
    "      ProxyCommand session-manager-plugin ssh-proxy %h %p\n";

}  // namespace

StandaloneParse parse_standalone_args(std::span<const std::string> args) {
  StandaloneCommand c;
  std::vector<std::string> forwards, dynamics, ssh_args;
  long idle_session_s = static_cast<long>(c.idle_session.count());
  std::string parameters;

  CLI::App app{"Session Manager sessions without the AWS CLI: calls StartSession, runs the session, and calls\n"
               "TerminateSession at its end. Credentials come from the standard AWS chain.",
               "session-manager-plugin"};
  app.require_subcommand(1, 1);
  app.footer(std::string(kFooter));
  add_common_options(app, c);

  auto* start = app.add_subcommand("start-session", "a session with any document (default: an interactive shell)");
  add_target(*start, c);
  start->add_option("--document-name", c.document_name, "the session document, e.g. AWS-StartInteractiveCommand")
      ->type_name("NAME");
  start->add_option("--parameters", parameters, "document parameters: JSON or key=value[,value][,key=value]")
      ->type_name("PARAMS")
      ->check(parameters_check);
  start->add_option("--reason", c.reason, "why the session is started (recorded by the service)");

  auto* shell = app.add_subcommand("shell", "an interactive shell on the managed node");
  add_target(*shell, c);
  shell->add_option("--reason", c.reason, "why the session is started");

  auto* forward = app.add_subcommand("port-forward", "forward local ports, one session per -L, all in one process");
  add_target(*forward, c);
  forward->add_option("-L,--local-forward", forwards, "[bind_address:]local_port:host:remote_port (local 0: any)")
      ->check(forward_check)
      ->type_name("SPEC");
  forward->add_option("-D,--dynamic-forward", dynamics,
                      "[bind_address:]port: a SOCKS5/SOCKS4a proxy to any host:port the node reaches,\n"
                      "one session per destination")
      ->check(dynamic_check)
      ->type_name("SPEC");
  forward->add_option("--reason", c.reason, "why the sessions are started");
  forward->add_option("--idle-session", idle_session_s,
                      "-D: end a destination's session after this many seconds without a connection")
      ->type_name("SECONDS")
      ->check(CLI::Range(1L, 7L * 24 * 3600))
      ->capture_default_str();
  forward->add_option("--max-sessions", c.max_sessions,
                      "-D: at most this many live sessions; past it the least recently used idle one ends")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))
      ->capture_default_str();
  forward->add_flag("--once", c.once,
                    "end with the first session (by default a session the service or the agent ends is\n"
                    "replaced: the port stays open and the next connection starts a new one)");

  auto* proxy = app.add_subcommand("ssh-proxy", "stdin/stdout to the node's SSH port, for ssh's ProxyCommand");
  proxy->add_option("host", c.target,
                    "the managed node (ssh's %h): an ID, a name, tag:KEY=VALUE, an IP;\n"
                    "omitted on a terminal: pick one from a list");
  proxy->add_option("port", ssh_args, "its SSH port (ssh's %p; default 22)")->expected(1)->check(port_check);
  proxy->add_option("--reason", c.reason, "why the session is started");

  auto* list = app.add_subcommand("list", "the managed nodes: ID, Name tag, computer name, IP, platform, agent, status");
  list->add_flag("--json", c.json, "a JSON array instead of a table");
  list->add_option("--filter", c.filter, "only nodes whose ID, name or computer name starts with this, or tag:KEY=VALUE")
      ->type_name("TEXT");

  for (CLI::App* sub : {start, shell, forward, proxy}) add_pick(*sub, c);
  for (CLI::App* sub : {start, shell, forward, proxy, list}) {
    sub->fallthrough();  // the common options may come after the subcommand too
    sub->footer("Also: --profile NAME, --region REGION, --endpoint-url URL, -q, -v (session-manager-plugin --help)");
  }

  StandaloneParse result;
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    result.exit_code = app.exit(e, out, err);
    result.out = out.str();
    if (result.exit_code != 0) {
      // One line: CLI11's message, without its "Run with --help" hint.
      result.error = "session-manager-plugin: " + std::string(e.what()) + " (see --help)";
      result.exit_code = 2;
    }
    return result;
  }

  if (start->parsed()) {
    c.subcommand = Subcommand::start_session;
    if (!parameters.empty()) c.parameters = *parse_session_parameters(parameters);
  } else if (shell->parsed()) {
    c.subcommand = Subcommand::shell;
  } else if (forward->parsed()) {
    if (forwards.empty() && dynamics.empty()) {
      result.error = "session-manager-plugin: port-forward needs at least one -L or -D (see --help)";
      result.exit_code = 2;
      return result;
    }
    c.subcommand = Subcommand::port_forward;
    for (const std::string& f : forwards) c.forwards.push_back(*parse_forward_spec(f));
    for (const std::string& d : dynamics) c.dynamic_forwards.push_back(*parse_dynamic_spec(d));
    c.idle_session = std::chrono::seconds(idle_session_s);
  } else if (list->parsed()) {
    c.subcommand = Subcommand::list;
  } else {
    c.subcommand = Subcommand::ssh_proxy;
    if (!ssh_args.empty()) c.ssh_port = *parse_port(ssh_args.at(0), false);
  }
  result.command = std::move(c);
  return result;
}

}  // namespace ssm::cli
