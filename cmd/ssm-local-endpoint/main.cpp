// ssm-local-endpoint: the Session Manager service and SSM agent on loopback.
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "endpoint/endpoint_server.h"
#include "endpoint/stream_target.h"

int main(int argc, char** argv) {
  ssm::endpoint::EndpointConfig c;
  CLI::App app{"ssm-local-endpoint: the AWS Session Manager service and SSM agent, emulated on loopback.\n"
               "Serves the SSM API (StartSession, ResumeSession, TerminateSession) and the data-channel\n"
               "WebSocket on one port, for session-manager-plugin and for tests."};
  app.add_option("--port", c.port, "TCP port to listen on (0: pick a free one)")->capture_default_str();
  app.add_option("--bind", c.bind, "address to listen on")->capture_default_str();
  app.add_flag("--tls", c.tls, "serve https and wss with a freshly generated test CA");
  app.add_option("--ca-out", c.ca_out, "write the test CA certificate (PEM) here, for AWS_CA_BUNDLE");
  app.add_option("--agent-version", c.agent_version, "agent version announced in the handshake")->capture_default_str();
  app.add_option("--handshake", c.handshake, "auto (as the agent: Port and command sessions), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--stream-target", c.stream_target,
                 "what Output payloads reach: echo, sink, source:<bytes>, dial:<host>:<port>")
      ->check([](const std::string& s) { return ssm::endpoint::valid_target_spec(s) ? "" : "unknown stream target " + s; })
      ->capture_default_str();
  auto& f = c.faults;
  auto percent = CLI::Range(0, 100);
  app.add_option("--drop-out", f.drop_out, "percent of agent->client frames dropped")->check(percent);
  app.add_option("--drop-in", f.drop_in, "percent of client->agent frames dropped")->check(percent);
  app.add_option("--duplicate", f.duplicate, "percent of frames duplicated (both ways)")->check(percent);
  app.add_option("--reorder", f.reorder, "percent of agent->client frames delivered after the next")->check(percent);
  app.add_option("--corrupt", f.corrupt, "percent of frames with a payload byte flipped (both ways)")->check(percent);
  app.add_option("--delay", f.delay_ms, "milliseconds added to every agent->client frame")->check(CLI::Range(0, 60000));
  app.add_option("--disconnect-after", f.disconnect_after, "drop the WebSocket after N data frames (once)");
  app.add_option("--pause-after", f.pause_after, "send pause_publication after N data frames (once)");
  app.add_option("--pause-ms", f.pause_ms, "... and start_publication this many ms later")->capture_default_str();
  app.add_option("--freeze-after", f.freeze_after, "stop all I/O on the connection after N data frames");
  app.add_flag("--pacing", f.pacing, "pace sources like the real agent: 1 KiB per 1 ms");
  app.add_option("--seed", f.seed, "seed of the fault injector")->capture_default_str();
  app.add_flag("-v,--verbose", c.verbose, "diagnostics on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ssm-local-endpoint: " << e.what() << "\n";
    return 2;
  }

  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io(1);
  try {
    ssm::endpoint::EndpointServer server(io, c);
    server.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      server.stop();
      const auto& s = server.stats();
      std::cout << "ssm-local-endpoint stopped: sessions=" << s.sessions << " messages_in=" << s.messages_in
                << " messages_out=" << s.messages_out << " retransmissions=" << s.retransmissions
                << " faults=" << s.faults << std::endl;
      io.stop();
    });
    std::cout << "ssm-local-endpoint ready port=" << server.port() << " url=" << server.url() << std::endl;
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "ssm-local-endpoint: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
