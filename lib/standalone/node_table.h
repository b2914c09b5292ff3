// lib/standalone — managed nodes shown to a person: as a table (list, and the candidates of an
// ambiguous target), as JSON (list --json), and as a numbered pick list asked on the
// controlling terminal (/dev/tty, so that it works under ssh's ProxyCommand too, whose
// stdin and stdout are ssh's data).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/managed_nodes.h"

namespace ssm::standalone {

// Columns ID, NAME, IP, PLATFORM, STATUS (and COMPUTER NAME, AGENT with `full`), each as wide
// as its widest value; `numbered` puts 1, 2, ... in front. One node per line, '\n'-ended.
std::string node_table(const std::vector<aws::ManagedNode>& nodes, bool numbered, bool full);

// [{"InstanceId", "Name", "ComputerName", "IPAddress", "PlatformType", "AgentVersion", "PingStatus"}]
nlohmann::json nodes_json(const std::vector<aws::ManagedNode>& nodes);

// Whether a person can be asked: stderr is a terminal and the controlling terminal opens.
bool can_ask_on_terminal();

// Shows the numbered table on the controlling terminal and reads a choice; nullopt when the
// person gives up (q, an empty answer, end of input) or there is no terminal.
std::optional<std::size_t> ask_pick(const std::vector<aws::ManagedNode>& nodes, const std::string& question);

// "1" .. "N" → index; nullopt for anything else.
std::optional<std::size_t> parse_pick(const std::string& answer, std::size_t count);

}  // namespace ssm::standalone
