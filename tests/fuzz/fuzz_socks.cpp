// libFuzzer: what a SOCKS client sends to `port-forward -D`, split at a point the input
// chooses. The parser must never crash or grow without bound, must decide the same way however
// the bytes are cut, and must only ever name a destination a node could be asked for.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "socks/socks_request.h"

namespace {

using ssm::socks::RequestParser;

struct Outcome {
  RequestParser::State state = RequestParser::State::need_more;
  std::vector<std::uint8_t> answers, stream;
  ssm::socks::Destination destination;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::span<const std::uint8_t> bytes, std::size_t cut) {
  RequestParser p;
  Outcome o;
  for (const auto part : {bytes.first(cut), bytes.subspan(cut)}) {
    if (o.state == RequestParser::State::request) {  // the forwarder passes the rest on
      o.stream.insert(o.stream.end(), part.begin(), part.end());
      continue;
    }
    if (o.state == RequestParser::State::failed) break;
    const auto step = p.feed(part);
    o.answers.insert(o.answers.end(), step.answer.begin(), step.answer.end());
    if (step.state != RequestParser::State::greeted) o.state = step.state;
    if (step.state == RequestParser::State::request) {
      o.destination = p.destination();
      o.stream = p.take_leftover();
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const Outcome whole = run(bytes, size);
  if (whole.state == RequestParser::State::request) {
    const std::string& host = whole.destination.host;
    if (host.empty() || host.size() > 255) std::abort();
    for (char c : host)
      if (c <= 0x20 || c >= 0x7F) std::abort();
  }
  if (whole.answers.size() > 2 + 10) std::abort();  // a method choice and one reply at most
  if (size > 0 && !(run(bytes, data[0] % (size + 1)) == whole)) std::abort();
  return 0;
}
