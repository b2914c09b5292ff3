"""Standalone use end to end (issue: standalone subcommands): the plugin calls StartSession
itself, signed with credentials from the environment (the endpoint verifies SigV4), runs the
session, and calls TerminateSession at its end. No AWS CLI is involved. Standard library only."""
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from endpoint import PLUGIN, Endpoint, plugin_argv
from test_port import NamedEchoServer, converse
from test_shell import PluginOnPty

ACCESS_KEY = "AKIDSTANDALONE"
SECRET = "standalone/secret+key"
TARGET = "i-0123456789abcdef0"
TIMEOUT = 60


def aws_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("SSM_PLUGIN_")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET, HOME="/nonexistent",
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


def standalone(ep, *args):
    return [PLUGIN, *args, "--endpoint-url", ep.url, "--region", "us-east-1"]


def started_sessions(ep):
    return [m.group(1) for m in (re.match(r"upgrade session=(\S+) signed=yes$", l) for l in ep.lines) if m]


def starts(ep):
    """The endpoint's StartSession calls so far."""
    return [l for l in ep.lines if l.startswith("start session=")]


def wait_for_service_ends(ep, count):
    """Until the endpoint has ended `count` sessions itself (--idle-timeout and the like)."""
    harness.wait_until(lambda: len([l for l in ep.lines if l.startswith("service ended ")]) >= count,
                       timeout=TIMEOUT, what=f"{count} sessions ended by the service")


def read_until(proc, pattern):
    """Reads `proc`'s stdout a line at a time until one matches `pattern`; returns the match.
    Fails if the process ends first."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line:
            raise AssertionError(f"the plugin ended before printing {pattern!r}")
        if m := re.match(pattern, line):
            return m
    raise AssertionError(f"no line matching {pattern!r} within {TIMEOUT} s")


def read_stderr_until(proc, text):
    """Reads `proc`'s stderr a line at a time through the first line containing `text`; returns
    what it read. Fails if the process ends first."""
    seen = ""
    while text not in (line := proc.stderr.readline().decode()):
        if not line:
            raise AssertionError(f"the plugin ended before printing {text!r}: {seen}")
        seen += line
    return seen + line


def assert_terminated(test, ep, session_id):
    ep.wait_for(rf"^terminate session={re.escape(session_id)}$", timeout=20)


class StandaloneSessions(unittest.TestCase):
    def test_a_certificate_that_fails_verification_is_not_retried(self):
        """A permanent failure (the service's certificate is not trusted) fails at once with its
        reason; only transient ones (no answer, 5xx, throttling) are tried again."""
        with tempfile.TemporaryDirectory() as d:
            with Endpoint("-v", "--verify-sigv4", tls=True, ca_out=os.path.join(d, "ca.pem"), env=aws_env()) as ep:
                p = subprocess.run(standalone(ep, "ssh-proxy", TARGET, "22"), stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=TIMEOUT, env=aws_env(SSL_CERT_FILE="/nonexistent"))
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 255, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("TLS certificate verification failed", err)
        self.assertEqual(ep.stderr.count("TLS handshake:"), 1, ep.stderr)

    def test_ssh_proxy_bridges_stdio_and_terminates_the_session(self):
        size = 300_000
        with Endpoint("--verify-sigv4", "--stream-target", f"source:{size}", env=aws_env()) as ep:
            with subprocess.Popen(standalone(ep, "ssh-proxy", TARGET, "22"), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=aws_env()) as p:
                watchdog = threading.Timer(TIMEOUT, p.kill)
                watchdog.start()
                try:
                    out = p.stdout.read()  # stdin stays open, as ssh keeps it, until the data is in
                    p.stdin.close()
                    err = p.stderr.read().decode()
                    code = p.wait()
                finally:
                    watchdog.cancel()
            self.assertEqual(code, 0, err)
            self.assertEqual(len(out), size)
            self.assertEqual(err, "")  # stdout is the data and ssh prints nothing: no status lines
            sessions = started_sessions(ep)
            self.assertEqual(len(sessions), 1, ep.lines)
            end = ep.session_end_line(sessions[0])
            self.assertEqual(end["out_sha256"], hashlib.sha256(out).hexdigest())
            assert_terminated(self, ep, sessions[0])

    def test_port_forward_runs_one_session_per_forward_in_one_process(self):
        """Two -L in one process, each its own session to its own destination: the node's own
        port (AWS-StartPortForwardingSession) and another host (...ToRemoteHost); the endpoint
        dials where each session's parameters point, as the agent does."""
        local, remote = NamedEchoServer("node-itself"), NamedEchoServer("remote-host", address="127.0.0.2")
        try:
            with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
                argv = standalone(ep, "port-forward", "--target", TARGET, "-L", f"0:localhost:{local.port}",
                                  "-L", f"127.0.0.1:0:127.0.0.2:{remote.port}")
                p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=aws_env(),
                                     start_new_session=True)
                try:
                    ports = []
                    deadline = time.monotonic() + TIMEOUT
                    while len(ports) < 2 and time.monotonic() < deadline:
                        line = p.stdout.readline().decode()
                        self.assertTrue(line, "the plugin ended before opening both ports")
                        m = re.match(r"127\.0\.0\.1:(\d+) -> \S+:\d+ \(session (\S+)\)$", line)
                        if m:
                            ports.append((m.group(2), int(m.group(1))))
                    self.assertEqual(len(ports), 2, ports)
                    results = {}

                    def talk(port):
                        data = os.urandom(256 * 1024)
                        greeting, echoed = converse(port, len("node-itself"), data)
                        results[port] = (greeting, echoed == data)

                    talkers = [threading.Thread(target=talk, args=(port,)) for _, port in ports]
                    for t in talkers:
                        t.start()
                    for t in talkers:
                        t.join(TIMEOUT)
                    # Each listener reached its own server, and the data came back intact.
                    self.assertEqual(sorted(results.values()), [(b"node-itself", True), (b"remote-host", True)])
                    os.killpg(p.pid, signal.SIGINT)  # Ctrl-C at the terminal
                    out, err = p.communicate(timeout=TIMEOUT)
                finally:
                    if p.poll() is None:
                        p.kill()
                        p.wait()
                self.assertEqual(p.returncode, 0, err.decode())
                for session_id, _ in ports:
                    assert_terminated(self, ep, session_id)
        finally:
            local.close()
            remote.close()

    def test_shell_on_a_terminal(self):
        with Endpoint("--verify-sigv4", env=aws_env()) as ep:
            term = PluginOnPty(standalone(ep, "shell", "--target", TARGET), env=aws_env())
            try:
                term.expect(rb"Starting session with SessionId: ")
                term.send(b"echo ready-$((40+2))\r")
                term.expect(rb"ready-42")
                term.send(b"exit\r")
                # A shell session's status is 0, as with the AWS CLI: the agent sends no exit
                # code for Standard_Stream sessions (command documents carry theirs).
                self.assertEqual(term.wait(timeout=TIMEOUT), 0)
                term.expect(rb"Exiting session with sessionId: ")
                self.assertEqual(term.terminal_settings(), term.before)
            finally:
                term.close()
            sessions = started_sessions(ep)
            self.assertEqual(len(sessions), 1, ep.lines)
            assert_terminated(self, ep, sessions[0])

    def test_verbose_lines_go_to_the_log_file_and_the_raw_terminal_alike(self):
        """-v with a log file configured: the log file keeps its lines (at its own level, INFO
        by default) and the terminal gets them too, with DEBUG; those printed while the
        terminal is raw bring their own carriage returns (no staircase)."""
        with tempfile.TemporaryDirectory() as d, Endpoint("--verify-sigv4", env=aws_env()) as ep:
            log = os.path.join(d, "plugin.log")
            env = aws_env(SSM_PLUGIN_LOG_FILE=log)
            term = PluginOnPty(standalone(ep, "shell", "--target", TARGET, "-v"), env=env)
            try:
                term.expect(rb"Starting session with SessionId: ")
                term.send(b"exit\r")
                self.assertEqual(term.wait(timeout=TIMEOUT), 0)
                term.expect(rb"Exiting session with sessionId: ")
            finally:
                term.close()
            screen = bytes(term.output)
            with open(log, "rb") as f:
                logged = f.read()
        self.assertIn(b" DEBUG ", screen)
        self.assertIn(b" INFO started session ", logged)
        self.assertIn(b" INFO started session ", screen)
        self.assertNotRegex(screen, rb"[^\r]\n", "a line without its carriage return")

    def test_start_session_with_a_command_document_returns_its_status(self):
        with Endpoint("--verify-sigv4", env=aws_env()) as ep:
            p = subprocess.run(standalone(ep, "start-session", "--target", TARGET, "-q", "--document-name",
                                          "AWS-StartNonInteractiveCommand", "--parameters",
                                          '{"command":["sh -c \'echo out; echo err >&2; exit 5\'"]}'),
                               capture_output=True, env=aws_env(), timeout=TIMEOUT)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertEqual(p.stdout, b"out\n")
        self.assertEqual(p.stderr, b"err\n")


    def test_real_ssh_with_the_readme_proxy_command(self):
        """`ProxyCommand session-manager-plugin ssh-proxy %h %p`, as the README's ~/.ssh/config
        snippet has it, to a real sshd; no AWS CLI anywhere."""
        if not harness.Sshd.available():
            self.skipTest("needs ssh, ssh-keygen and /usr/sbin/sshd (scripts/setup installs openssh)")
        with harness.Sshd() as sshd, Endpoint("--verify-sigv4", "--stream-target", f"dial:127.0.0.1:{sshd.port}",
                                              env=aws_env()) as ep:
            with tempfile.TemporaryDirectory(prefix="ssm-standalone-") as bindir:
                os.symlink(os.path.abspath(PLUGIN), os.path.join(bindir, "session-manager-plugin"))
                env = aws_env(PATH=bindir + os.pathsep + os.environ.get("PATH", ""), AWS_REGION="us-east-1",
                              AWS_ENDPOINT_URL_SSM=ep.url)
                p = harness.run(["ssh", *sshd.ssh_options(), "-o", "ProxyCommand=session-manager-plugin ssh-proxy %h %p",
                                 f"{sshd.user()}@{TARGET}", "echo hello; head -c 1048576 /dev/zero | sha256sum"],
                                env=env, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 0, p.stderr + "\nsshd: " + sshd.log())
            self.assertEqual(p.stdout, f"hello\n{hashlib.sha256(bytes(1 << 20)).hexdigest()}  -\n")
            sessions = started_sessions(ep)
            self.assertEqual(len(sessions), 1, ep.lines)
            assert_terminated(self, ep, sessions[0])


class RestartingForwards(unittest.TestCase):
    """A standalone port forward outlives its sessions: when the service ends one (here its
    idle timeout and maximum session duration, played by the endpoint), the port stays open and
    the next connection starts a new session, waiting for it instead of being refused."""

    def start_forward(self, ep, server, *extra):
        argv = standalone(ep, "port-forward", "--target", TARGET, "-L", f"0:localhost:{server.port}", *extra)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=aws_env(),
                             start_new_session=True)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        return p, int(read_until(p, r"127\.0\.0\.1:(\d+) -> localhost:\d+ \(session \S+\)$").group(1))

    def test_three_ends_by_the_service_and_the_port_still_forwards(self):
        server = NamedEchoServer("node")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", "--idle-timeout", "2", "--max-session-duration", "5",
                      env=aws_env()) as ep:
            p, port = self.start_forward(ep, server)
            # A connection left open (and idle) when the service ends the session is closed
            # with it, and counted in the line that says so.
            held = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            self.addCleanup(held.close)
            self.assertEqual(held.recv(4), b"node")
            for round in range(4):
                # A connection right after an end waits in the listener's backlog for the next
                # session; the one at the start rides the first.
                data = os.urandom(64 * 1024)
                self.assertEqual(converse(port, len("node"), data), (b"node", data), f"round {round}")
                if round == 1:
                    self.assertEqual(held.recv(16), b"", "the open connection was closed with its session")
                if round < 3:
                    wait_for_service_ends(ep, round + 1)
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
            started = starts(ep)
        self.assertEqual(p.returncode, 0, err.decode())
        self.assertEqual(len(started), 4, ep.lines)
        self.assertEqual(err.decode().count("the port stays open and the next connection starts a new session"), 3,
                         err.decode())
        self.assertEqual(err.decode().count("ended (1 connection closed with it); the port stays open"), 1, err.decode())

    def test_under_the_aws_cli_with_the_variable(self):
        """SSM_PLUGIN_RESTART_SESSIONS=1: a port session the AWS CLI started (its contract in
        argv) is replaced by StartSession with what the CLI asked for, on the same port."""
        server = NamedEchoServer("node")
        self.addCleanup(server.close)
        with Endpoint("--stream-target", "agent", "--idle-timeout", "2", env=aws_env()) as ep:
            response, params = ep.start_session(document="AWS-StartPortForwardingSession",
                                                parameters={"portNumber": [str(server.port)], "localPortNumber": ["0"]})
            p = subprocess.Popen(plugin_argv(response, params, ep.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=aws_env(SSM_PLUGIN_RESTART_SESSIONS="1"), start_new_session=True)
            self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
            port = int(read_until(p, r"Port (\d+) opened for sessionId").group(1))
            for round in range(3):
                data = os.urandom(16 * 1024)
                self.assertEqual(converse(port, len("node"), data), (b"node", data), f"round {round}")
                if round < 2:
                    wait_for_service_ends(ep, round + 1)
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
            started = starts(ep)
        self.assertEqual(p.returncode, 0, err.decode())
        self.assertEqual(len(started), 3, ep.lines)  # the CLI's, then two of the plugin's own
        self.assertEqual(err.decode().count("the port stays open"), 2, err.decode())

    def test_terminate_session_from_elsewhere_is_survived_too(self):
        server = NamedEchoServer("node")
        self.addCleanup(server.close)
        with Endpoint("--stream-target", "agent", env=aws_env()) as ep:
            p, port = self.start_forward(ep, server)
            data = os.urandom(1000)
            self.assertEqual(converse(port, len("node"), data), (b"node", data))
            first = re.match(r"start session=(\S+)", starts(ep)[0]).group(1)
            ep.api("TerminateSession", {"SessionId": first})  # the console's Terminate button, say
            # Once the plugin has heard of it (a connection made in the moment before that
            # still reaches the ending session, and is closed with it).
            read_stderr_until(p, "the port stays open")
            self.assertEqual(converse(port, len("node"), data), (b"node", data))
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
            self.assertEqual(len(starts(ep)), 2, ep.lines)
        self.assertEqual(p.returncode, 0, err.decode())

    def test_the_ready_line_names_the_forward_and_v_each_connection(self):
        server = NamedEchoServer("node")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            p, port = self.start_forward(ep, server, "-v")
            data = os.urandom(1000)
            self.assertEqual(converse(port, len("node"), data), (b"node", data))
            # Until the close has reached the plugin (a fixed wait was too short on a busy machine).
            seen = read_stderr_until(p, "closed by the client")
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=TIMEOUT)
        err = seen + err.decode()
        self.assertRegex(err, r"DEBUG connection \d+ from 127\.0\.0\.1:\d+ opened \(session \S+\)")
        self.assertRegex(err, r"DEBUG connection \d+ closed by the client: 1000 bytes up, 1004 down, in \d+\.\d{3} s")

    def test_once_ends_with_the_first_session(self):
        server = NamedEchoServer("node")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", "--idle-timeout", "1", env=aws_env()) as ep:
            p, port = self.start_forward(ep, server, "--once")
            out, err = p.communicate(timeout=TIMEOUT)
            started = starts(ep)
        self.assertEqual(p.returncode, 0, err.decode())
        self.assertIn(b"Your session timed out due to inactivity", out)
        self.assertEqual(len(started), 1, ep.lines)


class InterruptedStart(unittest.TestCase):
    """Ctrl-C while StartSession is on its way: the session it opens anyway is ended at the
    service instead of being left to time out; a second Ctrl-C does not wait for that."""

    def start_held(self, ep, log):
        """The plugin's ssh-proxy with its StartSession held at a forwarder until the plugin has
        taken a SIGINT. Returns (process, forwarder, release event)."""
        seen, release = threading.Event(), threading.Event()

        def hold(target):
            if target == "AmazonSSM.StartSession":
                seen.set()
                release.wait(TIMEOUT)

        api = harness.ApiForwarder(ep.url, hold=hold)
        self.addCleanup(api.__exit__)
        self.addCleanup(release.set)
        argv = [PLUGIN, "ssh-proxy", TARGET, "22", "--endpoint-url", api.url, "--region", "us-east-1"]
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=aws_env(SSM_PLUGIN_LOG_FILE=log, SSM_PLUGIN_LOG_LEVEL="info"))
        self.addCleanup(p.kill)
        self.assertTrue(seen.wait(TIMEOUT), "StartSession never came")
        p.send_signal(signal.SIGINT)
        def logged():
            with open(log) as f:
                return "while StartSession is on its way" in f.read()

        harness.wait_until(lambda: os.path.exists(log) and logged(), timeout=TIMEOUT,
                           what="the plugin to take the signal")
        return p, api, release

    def test_the_session_started_meanwhile_is_terminated(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Endpoint("--stream-target", "echo", "--verify-sigv4", env=aws_env()) as ep:
            p, api, release = self.start_held(ep, os.path.join(tmp, "plugin.log"))
            release.set()
            out, err = p.communicate(timeout=TIMEOUT)
            self.assertEqual((p.returncode, out, err), (128 + signal.SIGINT, b"", b""))
            started = [json.loads(body) for target, status, body in api.answers if target == "AmazonSSM.StartSession"]
            self.assertEqual(len(started), 1)
            assert_terminated(self, ep, started[0]["SessionId"])
            self.assertEqual(started_sessions(ep), [])  # its data channel was never opened

    def test_a_second_signal_leaves_at_once(self):
        with tempfile.TemporaryDirectory() as tmp, Endpoint("--stream-target", "echo") as ep:
            p, api, release = self.start_held(ep, os.path.join(tmp, "plugin.log"))
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=TIMEOUT)  # StartSession still held
            self.assertEqual((p.returncode, out, err), (128 + signal.SIGTERM, b"", b""))


class StandaloneFailures(unittest.TestCase):
    """Each is one line on stderr and a non-zero exit, never a hang, never a secret."""

    def run_plugin(self, argv, env):
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertNotIn(SECRET, p.stdout + p.stderr)
        return p

    def assert_one_line(self, p, code, *fragments):
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("session-manager-plugin: "), p.stderr)
        for f in fragments:
            self.assertIn(f, p.stderr)

    def test_wrong_secret_is_refused_by_start_session(self):
        with Endpoint("--verify-sigv4", env=aws_env()) as ep:
            p = self.run_plugin(standalone(ep, "shell", "--target", TARGET),
                                aws_env(AWS_SECRET_ACCESS_KEY="not-the-secret"))
        self.assert_one_line(p, 255, "StartSession failed", "HTTP 403")

    def test_a_busy_local_port_starts_no_session(self):
        """Every -L is bound before StartSession is called: a busy port is one line and 255, and
        the service never hears of the command (not even for the forward whose port was free)."""
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            with Endpoint("--verify-sigv4", env=aws_env()) as ep:
                p = self.run_plugin(standalone(ep, "port-forward", "--target", TARGET, "-L", "0:localhost:80",
                                               "-L", f"{port}:localhost:22"), aws_env())
                calls = [l for l in ep.lines if l.startswith(("start session=", "upgrade "))]
        finally:
            busy.close()
        self.assert_one_line(p, 255, f"127.0.0.1:{port}", "in use")
        self.assertEqual(p.stdout, "")
        self.assertEqual(calls, [])

    def test_no_credentials(self):
        with Endpoint() as ep:
            env = aws_env()
            del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
            p = self.run_plugin(standalone(ep, "ssh-proxy", TARGET, "22"),
                                dict(env, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull))
        self.assert_one_line(p, 255, "no AWS credentials")

    def test_no_region(self):
        p = self.run_plugin([PLUGIN, "shell", "--target", TARGET],
                            aws_env(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull))
        self.assert_one_line(p, 2, "Region")

    def test_nothing_listening_at_the_endpoint(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = self.run_plugin([PLUGIN, "shell", "--target", TARGET, "--region", "us-east-1", "--endpoint-url",
                             f"http://127.0.0.1:{port}"], aws_env())
        self.assert_one_line(p, 255, "StartSession failed")

    def test_a_target_the_service_refuses_is_its_error(self):
        with Endpoint("--node", f"{TARGET},gone,10.0.0.9,Linux,ConnectionLost") as ep:  # common options first too
            p = self.run_plugin([PLUGIN, "--region", "us-east-1", "--endpoint-url", ep.url, "-q",
                                 "start-session", "--target", TARGET], aws_env())
        self.assert_one_line(p, 255, "TargetNotConnected")

    def test_bad_arguments(self):
        for args in (["port-forward", "--target", TARGET, "-L", "99999:localhost:22"], ["shell"],
                     ["ssh-proxy", TARGET, "ssh"], ["start-session", "--target", TARGET, "--parameters", "{"]):
            p = self.run_plugin([PLUGIN, *args], aws_env())
            self.assert_one_line(p, 2)
            self.assertEqual(p.stdout, "")

    def test_help_reads_well(self):
        p = self.run_plugin([PLUGIN, "--help"], aws_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        for word in ("start-session", "shell", "port-forward", "ssh-proxy", "--profile", "--region",
                     "--endpoint-url", "ProxyCommand"):
            self.assertIn(word, p.stdout)


if __name__ == "__main__":
    unittest.main()
