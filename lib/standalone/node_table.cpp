#include "standalone/node_table.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace ssm::standalone {
namespace {

// The controlling terminal, closed on every path out.
class Tty {
 public:
  Tty() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {}
  ~Tty() {
    if (fd_ >= 0) ::close(fd_);
  }
  Tty(const Tty&) = delete;
  Tty& operator=(const Tty&) = delete;
  bool ok() const { return fd_ >= 0; }

  void write(const std::string& s) const {
    for (std::size_t done = 0; done < s.size();) {
      const ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }
  // One line without its newline; nullopt at end of input. The terminal is in canonical
  // mode here, so each read returns at most one line.
  std::optional<std::string> read_line() const {
    std::string line;
    char c;
    while (true) {
      const ssize_t n = ::read(fd_, &c, 1);
      if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
      if (c == '\n') return line;
      line += c;
    }
  }

 private:
  int fd_;
};

}  // namespace

std::string node_table(const std::vector<aws::ManagedNode>& nodes, bool numbered, bool full) {
  using Row = std::vector<std::string>;
  std::vector<Row> rows;
  Row header = {"ID", "NAME", "IP", "PLATFORM", "STATUS"};
  if (full) header = {"ID", "NAME", "COMPUTER NAME", "IP", "PLATFORM", "AGENT", "STATUS"};
  if (numbered) header.insert(header.begin(), "#");
  rows.push_back(header);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const aws::ManagedNode& n = nodes[i];
    Row row = {n.id, n.name, n.ip, n.platform, n.ping_status};
    if (full) row = {n.id, n.name, n.computer_name, n.ip, n.platform, n.agent_version, n.ping_status};
    if (numbered) row.insert(row.begin(), std::to_string(i + 1));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const Row& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

nlohmann::json nodes_json(const std::vector<aws::ManagedNode>& nodes) {
  nlohmann::json out = nlohmann::json::array();
  for (const aws::ManagedNode& n : nodes)
    out.push_back({{"InstanceId", n.id},
                   {"Name", n.name},
                   {"ComputerName", n.computer_name},
                   {"IPAddress", n.ip},
                   {"PlatformType", n.platform},
                   {"AgentVersion", n.agent_version},
                   {"PingStatus", n.ping_status}});
  return out;
}

bool can_ask_on_terminal() { return ::isatty(STDERR_FILENO) == 1 && Tty().ok(); }

std::optional<std::size_t> parse_pick(const std::string& answer, std::size_t count) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(answer.data(), answer.data() + answer.size(), value);
  if (answer.empty() || ec != std::errc() || end != answer.data() + answer.size() || value < 1 || value > count)
    return std::nullopt;
  return value - 1;
}

std::optional<std::size_t> ask_pick(const std::vector<aws::ManagedNode>& nodes, const std::string& question) {
  const Tty tty;
  if (!tty.ok() || nodes.empty()) return std::nullopt;
  tty.write(question + "\n" + node_table(nodes, true, false));
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    tty.write("Pick a node [1-" + std::to_string(nodes.size()) + "], or q to quit: ");
    const auto answer = tty.read_line();
    if (!answer || answer->empty() || *answer == "q") return std::nullopt;
    if (auto pick = parse_pick(*answer, nodes.size())) return pick;
    tty.write("Not a number from 1 to " + std::to_string(nodes.size()) + ".\n");
  }
  return std::nullopt;
}

}  // namespace ssm::standalone
