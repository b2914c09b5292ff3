"""The real AWS CLIs run the real plugin end to end: `aws ssm start-session --endpoint-url` against
ssm-local-endpoint, with the plugin symlinked as `session-manager-plugin` first on PATH. Two CLIs
hand the StartSession response over differently (protocol.md §1.3):

- Debian's awscli (/usr/bin/aws, 2.9.x) passes the response JSON itself as argv[1];
- CLIs released since November 2023 (aws-cli PRs #8336/#8340; e.g. the pip one on PATH) run `session-manager-plugin
  --version` and, since ours is above 1.2.497.0, pass the NAME of the environment variable
  AWS_SSM_START_SESSION_RESPONSE and put the response there.

Every test runs once per CLI and checks, in the plugin's log (SSM_PLUGIN_LOG_FILE), that this CLI
really ran our plugin with the hand-off that CLI's own source code uses. Standard library only."""
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import threading
import time
import unittest

import harness
from endpoint import Endpoint
from test_shell import PluginOnPty

TARGET = "i-0123456789abcdef0"
ECS_TASK = "5a4c1f0e9d8b47c6a3b2e1f0d9c8b7a6"
REGION = "us-east-1"
ENV_NAME = "AWS_SSM_START_SESSION_RESPONSE"
DEBIAN_CLI = "/usr/bin/aws"
TIMEOUT = 30  # seconds for any one step; a hang fails instead of stalling CI
MIB = 1024 * 1024


# --- Which CLI is which -------------------------------------------------------------------------

def resolve_cli(path):
    """The file that really runs for `path`: through symlinks and through a pyenv shim (a bash
    script that execs `pyenv exec aws`), so that two names for one CLI compare equal."""
    real = os.path.realpath(path)
    try:
        with open(real, "rb") as f:
            head = f.read(4096)
    except OSError:
        return real
    shim = re.search(rb'exec "([^"]*/libexec/pyenv)" exec', head)
    if shim:
        p = harness.run([shim.group(1).decode(), "which", os.path.basename(path)])
        if p.returncode == 0 and p.stdout.strip():
            return os.path.realpath(p.stdout.strip())
    return real


def cli_uses_env_hand_off(real_cli):
    """Whether this CLI's awscli/customizations/sessionmanager.py hands the response over in
    AWS_SSM_START_SESSION_RESPONSE (True) or in argv (False), read from the source the CLI's
    own interpreter imports; None when that cannot be told (a frozen, PyInstaller-built CLI)."""
    try:
        with open(real_cli, "rb") as f:
            first = f.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    interpreter = first[2:].decode(errors="replace").split()
    p = harness.run([*interpreter, "-c", "import awscli.customizations.sessionmanager as m; print(m.__file__)"])
    if p.returncode != 0:
        return None
    with open(p.stdout.strip(), encoding="utf-8") as f:
        source = f.read()
    return ENV_NAME in source


# --- Helpers ------------------------------------------------------------------------------------

class Background:
    """A process (the CLI) in its own process group, both output streams collected as they come."""

    def __init__(self, argv, env):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        self.stdout = b""
        self.stderr = b""
        self._cond = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, "stdout"), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, "stderr"), daemon=True)]
        for t in self._readers:
            t.start()

    def _read(self, stream, name):
        while True:
            data = stream.read1(65536)
            with self._cond:
                if data:
                    setattr(self, name, getattr(self, name) + data)
                self._cond.notify_all()
            if not data:
                return

    def wait_stdout(self, pattern, timeout=TIMEOUT):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self.stdout)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and all(not t.is_alive() for t in self._readers):
                    raise AssertionError(f"never saw {pattern!r}; stdout={self.stdout!r} stderr={self.stderr!r}")
                self._cond.wait(min(left, 0.5))

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def finish(self, timeout=TIMEOUT):
        """Waits for the exit and the end of both streams; returns the exit status."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the CLI did not exit within {timeout} s; stdout={self.stdout!r} "
                                 f"stderr={self.stderr!r}") from None
        for t in self._readers:
            t.join(timeout)
        return self.proc.returncode

    def kill(self):
        """Cleanup: the whole group (the CLI and the plugin it started) is killed."""
        self.signal_group(signal.SIGKILL)
        self.proc.wait()
        for t in self._readers:
            t.join(TIMEOUT)
        self.proc.stdout.close()
        self.proc.stderr.close()


class EchoServer(harness.TcpServer):
    """A loopback TCP server that sends every connection back what it receives."""

    def handle(self, conn):
        with conn:
            conn.settimeout(TIMEOUT * 2)
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        return
                    conn.sendall(data)
            except OSError:
                pass


def echo_round_trip(port, data, results, index):
    """Sends `data` through the forwarded `port` while reading as many bytes back; stores the
    SHA-256 of what came back (or the error) in results[index]."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            sender = threading.Thread(target=s.sendall, args=(data,), daemon=True)
            sender.start()
            h, got = hashlib.sha256(), 0
            while got < len(data):
                chunk = s.recv(min(65536, len(data) - got))
                if not chunk:
                    break
                h.update(chunk)
                got += len(chunk)
            sender.join(TIMEOUT)
            results[index] = (got, h.hexdigest())
    except OSError as e:
        results[index] = e


# --- The tests, once per CLI --------------------------------------------------------------------

class AwsCliSessions:
    """The tests; a subclass says which CLI runs them (`find_cli`)."""

    @classmethod
    def find_cli(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        if not harness.have_binary("SSM_ENDPOINT_BIN", "ssm-local-endpoint"):
            raise unittest.SkipTest("needs ssm-local-endpoint (SSM_ENDPOINT_BIN)")
        cls.cli = cls.find_cli()
        cls.real_cli = resolve_cli(cls.cli)
        cls.env_hand_off = cli_uses_env_hand_off(cls.real_cli)

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ssm-e2e-awscli-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        os.symlink(harness.plugin_bin(), os.path.join(self.tmp, "session-manager-plugin"))
        self.log_path = os.path.join(self.tmp, "plugin.log")
        # Nothing of the caller's AWS or plugin settings (a profile, a region, a response left in
        # AWS_SSM_START_SESSION_RESPONSE, a log level) reaches the CLI or the plugin.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        self.env.update({
            "PATH": self.tmp + os.pathsep + os.environ.get("PATH", os.defpath),
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
            "SSM_PLUGIN_LOG_FILE": self.log_path,
        })

    def aws(self, url, *args):
        return [self.cli, "ssm", "start-session", "--target", TARGET, *args,
                "--endpoint-url", url, "--region", REGION]

    def assert_our_plugin_ran(self, url, document):
        """The plugin's log has exactly one session start, for this request, with the hand-off
        this CLI uses: proof that this CLI ran our plugin (and not the plugin anything else)."""
        with open(self.log_path) as f:
            log = f.read()
        starts = [line for line in log.splitlines() if " starting session " in line]
        self.assertEqual(len(starts), 1, log)
        line = starts[0]
        for part in (f"target={TARGET} ", f"document={document} ", f"region={REGION} ", f"endpoint={url} "):
            self.assertIn(part, line)
        if self.env_hand_off is None:
            # A CLI whose source cannot be read: either hand-off is right, one must have happened.
            self.assertRegex(line, r"response_from_env=(true|false)\b")
        else:
            self.assertIn(f"response_from_env={'true' if self.env_hand_off else 'false'}", line,
                          f"{self.cli} ({self.real_cli}) should hand the response over "
                          f"{'in ' + ENV_NAME if self.env_hand_off else 'in argv'}")
        self.assertNotIn("TokenValue", log)

    def test_shell_on_a_pty(self):
        with Endpoint("--shell", "/bin/sh") as ep:
            term = PluginOnPty(self.aws(ep.url), env=self.env)
            try:
                term.expect(rb"Starting session with SessionId: ", timeout=TIMEOUT)
                at = term.mark()
                term.send(b"echo $((6*7))\r")
                # 42 only comes from the remote shell (the echoed typing has none); a prompt may
                # come before it on the same line.
                term.expect(rb"(?<![0-9])42\r\n", since=at, timeout=TIMEOUT)
                during = term.terminal_settings()
                self.assertEqual(during[3] & (termios.ICANON | termios.ECHO | termios.ISIG), 0,
                                 "the local terminal is not raw during the session")
                term.send(b"exit 3\r")
                status = term.wait(timeout=TIMEOUT)
                # The reader thread may not have read the last lines yet: wait for the farewell.
                term.expect(rb"Exiting session with sessionId", timeout=TIMEOUT)
                screen = term.output.decode(errors="replace")
                # `exit 3` does not reach the CLI's status. The agent reports no exit status for
                # a shell (Standard_Stream) session, only that the channel closed, so the plugin
                # ends with 0 (as AWS's plugin does), and both CLIs, which run the plugin with
                # subprocess.check_call and then return 0, exit 0. (Had the plugin exited
                # non-zero, check_call would raise CalledProcessError and both CLIs would print
                # "Command '[...]' returned non-zero exit status N." and exit 255.)
                self.assertEqual(status, 0, screen[-800:])
                self.assertIn("Exiting session with sessionId", screen)
                self.assertNotIn("non-zero exit status", screen)
                self.assertEqual(term.terminal_settings(), term.before, "the terminal was not restored")
            finally:
                try:
                    os.killpg(term.proc.pid, signal.SIGKILL)  # the CLI and the plugin, if still there
                except ProcessLookupError:
                    pass
                term.close()
            # No --document-name: the CLI's request has no DocumentName (the service's default
            # shell document applies), and the plugin logs the request as it got it.
            self.assert_our_plugin_ran(ep.url, "")

    def test_port_forwarding_two_connections_at_once(self):
        sizes = (MIB + 12_345, 2 * MIB - 7)
        data = [random.Random(f"client-{i}").randbytes(n) for i, n in enumerate(sizes)]
        with EchoServer() as echo, Endpoint("--stream-target", f"dial:127.0.0.1:{echo.port}") as ep:
            parameters = json.dumps({"portNumber": [str(echo.port)], "localPortNumber": ["0"]})
            cli = Background(self.aws(ep.url, "--document-name", "AWS-StartPortForwardingSession",
                                      "--parameters", parameters), self.env)
            try:
                port = int(cli.wait_stdout(rb"Port (\d+) opened for sessionId \S+\.").group(1))
                cli.wait_stdout(rb"Waiting for connections")
                results = [None, None]
                clients = [threading.Thread(target=echo_round_trip, args=(port, d, results, i), daemon=True)
                           for i, d in enumerate(data)]
                for t in clients:
                    t.start()
                for t in clients:
                    t.join(TIMEOUT * 2)
                self.assertEqual(results, [(len(d), hashlib.sha256(d).hexdigest()) for d in data])
                # Ctrl-C in a terminal signals the whole foreground group. The CLI ignores SIGINT
                # while the plugin runs (ignore_user_entered_signals); the plugin ends the session.
                cli.signal_group(signal.SIGINT)
                status = cli.finish()
            finally:
                cli.kill()
            self.assertEqual(status, 0, cli.stderr)
            self.assertIn(b"Exiting session with sessionId", cli.stdout)
            self.assertNotIn(b"Traceback", cli.stderr)
            self.assert_our_plugin_ran(ep.url, "AWS-StartPortForwardingSession")

    def test_ssh_through_the_cli_as_proxy_command(self):
        if not harness.Sshd.available():
            self.skipTest("needs ssh, ssh-keygen and /usr/sbin/sshd (scripts/setup installs openssh)")
        with harness.Sshd() as sshd, Endpoint("--stream-target", f"dial:127.0.0.1:{sshd.port}") as ep:
            proxy = " ".join(shlex.quote(a) for a in [
                self.cli, "ssm", "start-session", "--target", "%h", "--document-name", "AWS-StartSSHSession",
                "--parameters", "portNumber=%p", "--endpoint-url", ep.url, "--region", REGION])
            p = harness.run(["ssh", *sshd.ssh_options(), "-o", f"ProxyCommand={proxy}",
                             f"{sshd.user()}@{TARGET}", "echo hello; head -c 1048576 /dev/zero | sha256sum"],
                            env=self.env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr + "\nsshd: " + sshd.log())
            self.assertEqual(p.stdout, f"hello\n{hashlib.sha256(bytes(MIB)).hexdigest()}  -\n")
            self.assert_our_plugin_ran(ep.url, "AWS-StartSSHSession")


    # --- ECS Exec: `aws ecs execute-command` runs the plugin the same way, with the session
    # ExecuteCommand returned, an ecs: target, and ECS's endpoint as the endpoint argument.

    def ecs(self, url, command):
        return [self.cli, "ecs", "execute-command", "--cluster", "web-cluster", "--task", ECS_TASK,
                "--command", command, "--interactive", "--endpoint-url", url, "--region", REGION]

    def assert_our_plugin_ran_ecs(self, ep):
        line = ep.wait_for(r"^ecs execute-command session=\S+ target=ecs:web-cluster_" + ECS_TASK + r"_\S+$")
        target = line.split("target=")[1]
        with open(self.log_path) as f:
            log = f.read()
        starts = [l for l in log.splitlines() if " starting session ecs-execute-command-" in l]
        self.assertEqual(len(starts), 1, log)
        self.assertIn(f"target={target} ", starts[0])
        self.assertIn(f"endpoint={ep.url} ", starts[0])
        self.assertNotIn("TokenValue", log)

    def test_ecs_execute_command(self):
        with Endpoint("--verify-sigv4", env=self.env) as ep:
            p = harness.run(self.ecs(ep.url, "sh -c 'echo ecs says $((6*7)); exit 0'"), env=self.env, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("ecs says 42", p.stdout)
            self.assertIn("Exiting session with sessionId: ecs-execute-command-", p.stdout)
            self.assert_our_plugin_ran_ecs(ep)
            ep.wait_for(r"^session ecs-execute-command-\S+ ended: ")

    def test_ecs_execute_command_shell_on_a_pty(self):
        with Endpoint("--verify-sigv4", env=self.env) as ep:
            term = PluginOnPty(self.ecs(ep.url, "/bin/sh"), env=self.env)
            try:
                term.expect(rb"Starting session with SessionId: ecs-execute-command-", timeout=TIMEOUT)
                at = term.mark()
                term.send(b"echo $((6*7))\r")
                term.expect(rb"(?<![0-9])42\r\n", since=at, timeout=TIMEOUT)
                term.send(b"exit\r")
                status = term.wait(timeout=TIMEOUT)
                self.assertEqual(status, 0, term.output[-800:])
                self.assertEqual(term.terminal_settings(), term.before, "the terminal was not restored")
            finally:
                try:
                    os.killpg(term.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                term.close()
            self.assert_our_plugin_ran_ecs(ep)


class DebianAwsCli(AwsCliSessions, unittest.TestCase):
    """Debian's awscli package (2.9.19 on Debian 12): the response in argv[1]."""

    @classmethod
    def find_cli(cls):
        if not os.access(DEBIAN_CLI, os.X_OK):
            raise unittest.SkipTest(f"needs Debian's awscli at {DEBIAN_CLI} (scripts/setup installs it)")
        return DEBIAN_CLI


class PathAwsCli(AwsCliSessions, unittest.TestCase):
    """The `aws` first on PATH (here a pip-installed aws-cli 1.x): when it is another CLI than
    Debian's, with its own hand-off (the environment variable, for current versions)."""

    @classmethod
    def find_cli(cls):
        cli = shutil.which("aws")
        if not cli:
            raise unittest.SkipTest("no `aws` on PATH")
        real = resolve_cli(cli)
        if os.path.exists(DEBIAN_CLI) and os.path.samefile(real, resolve_cli(DEBIAN_CLI)):
            raise unittest.SkipTest(f"the `aws` first on PATH ({cli} -> {real}) is Debian's {DEBIAN_CLI}, "
                                    "already tested by DebianAwsCli")
        return cli


if __name__ == "__main__":
    unittest.main()
