// lib/cli — owns the command-line contracts. This file: the standalone subcommands, with
// which the plugin calls StartSession itself, so that no AWS CLI is needed:
//
//   session-manager-plugin start-session --target ID [--document-name D] [--parameters P] [--reason R]
//   session-manager-plugin shell --target ID
//   session-manager-plugin port-forward --target ID -L [bind:]local:host:remote [-L ...]
//   session-manager-plugin ssh-proxy [HOST [PORT]]      (ProxyCommand ... ssh-proxy %h %p)
//   session-manager-plugin list [--json] [--filter PREFIX|tag:KEY=VALUE]
//   a target (--target, HOST) is an ID, a name, tag:KEY=VALUE or ecs:… (target_resolver.h);
//   --pick first takes the first of several matches instead of asking
//   common: --profile, --region, --endpoint-url, -q/--quiet, -v/--verbose, -h/--help
//
// Pure: parses into a StandaloneCommand and the StartSession requests it means; nothing is
// printed or called. The AWS CLI's positional contract (plugin_args.h) is untouched: none of
// its first arguments (a JSON response, AWS_SSM_START_SESSION_RESPONSE, --version) is a
// subcommand name.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/payloads.h"

namespace ssm::cli {

// One ssh-style -L [bind_address:]local_port:host:remote_port. IPv6 addresses go in
// brackets, as with ssh: -L [::1]:8080:[fd00::5]:80.
struct ForwardSpec {
  std::string bind_address;  // "" = the default (SSM_PLUGIN_LOCAL_HOST or 127.0.0.1); "*" = all
  std::uint16_t local_port = 0;  // 0 picks a free port, printed when open
  std::string host;
  std::uint16_t remote_port = 0;
};
std::optional<ForwardSpec> parse_forward_spec(std::string_view text);

// One ssh-style -D [bind_address:]port: a SOCKS proxy (port-forward -D).
struct DynamicSpec {
  std::string bind_address;  // as ForwardSpec's
  std::uint16_t port = 0;
};
std::optional<DynamicSpec> parse_dynamic_spec(std::string_view text);

// Where a -L or -D listens: its bind address, "*" meaning every IPv4 interface; "" for the
// default (SSM_PLUGIN_LOCAL_HOST or 127.0.0.1).
std::string listen_host(const std::string& bind_address);

// --parameters: a JSON object of string lists ({"portNumber":["22"]}), or the AWS CLI's
// shorthand key=value[,value...][,key=value...]. A JSON string value becomes a one-element list.
std::optional<wire::Json> parse_session_parameters(std::string_view text);

enum class Subcommand { start_session, shell, port_forward, ssh_proxy, list };

// What one StartSession call asks for.
struct StartSessionRequest {
  std::string target;
  std::string document_name;                      // "" = the account's default shell document
  wire::Json parameters = wire::Json::object();  // name -> list of strings
  std::string reason;
  std::string local_host;  // port forwarding: where to listen ("" = the default)
  // A forward that outlives its sessions: when one ends other than by the user's hand, the
  // listener stays open and the next connection starts a new one (port-forward without --once).
  bool restart = false;
  // A -L forward of port-forward: its ready line names listener, destination and session
  // (the AWS CLI's sessions keep the AWS plugin's "Port N opened" lines).
  bool labelled = false;
};
std::string to_json(const StartSessionRequest& request);  // the StartSession request body

struct StandaloneCommand {
  Subcommand subcommand = Subcommand::start_session;
  std::string target;  // as typed: "" (ask on the terminal), an ID, a name, tag:K=V, ecs:…
  std::string document_name, reason;
  wire::Json parameters = wire::Json::object();
  std::vector<ForwardSpec> forwards;
  std::vector<DynamicSpec> dynamic_forwards;
  std::uint16_t ssh_port = 22;
  std::string profile, region, endpoint_url;
  bool quiet = false, verbose = false;
  bool once = false;  // port-forward --once: the process ends with each forward's first session
  // -D: a destination's session with no connection for this long is ended; at most this many
  // sessions are live (past it the least recently used idle one ends, else the request fails).
  std::chrono::seconds idle_session{300};
  std::size_t max_sessions = 32;
  // Several nodes match the target: take the first (scripts) instead of asking or failing.
  bool pick_first = false;
  // list: JSON instead of a table; only nodes whose ID, Name tag or computer name starts with
  // `filter`, or (tag:KEY=VALUE) that carry the tag.
  bool json = false;
  std::string filter;
};

// One request per session the command starts: one for most, one per -L for port-forward.
std::vector<StartSessionRequest> session_requests(const StandaloneCommand& command);

// The session for one destination: the node's own port for a loopback host (the agent dials
// "localhost"), else a host the node reaches. `exact_address`: only "localhost" and IPv4
// loopback count as the node's own, so that ::1 is reached as ::1 (a SOCKS client named it).
StartSessionRequest destination_request(const std::string& target, const std::string& reason, const std::string& host,
                                        std::uint16_t port, bool exact_address = false);

bool is_standalone_subcommand(std::string_view first_argument);

// Whether argv[1..] is for the standalone parser: a subcommand, --help/-h, or one of the
// common options that may precede the subcommand (--profile NAME shell ...). The AWS CLI's
// first argument is a JSON response, a variable name or --version: never one of these.
bool is_standalone_command_line(std::span<const std::string> args);

struct StandaloneParse {
  std::optional<StandaloneCommand> command;  // set when there is a session to run
  std::string out;                           // --help text, for stdout
  std::string error;                         // one line for stderr
  int exit_code = 0;                         // when there is no command
};

// `args` is argv[1..], starting with the subcommand name.
StandaloneParse parse_standalone_args(std::span<const std::string> args);

}  // namespace ssm::cli
