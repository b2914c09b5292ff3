"""Port sessions end to end (issue: port sessions): the real plugin's listeners with real TCP
and Unix sockets, basic and multiplexed forwarding against the endpoint, and real OpenSSH
through the plugin as ProxyCommand. Standard library only."""
import asyncio
import hashlib
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness
from endpoint import Endpoint, plugin_argv

MB = 1024 * 1024
BULK = int(os.environ.get("SSM_E2E_BULK_MB", "100")) * MB
FAULTS = ["--drop-out", "5", "--drop-in", "5", "--duplicate", "2", "--reorder", "2", "--corrupt", "1", "--seed", "5"]
OLD_AGENT = ["--agent-version", "3.0.196.0"]  # no smux: basic mode
TIMEOUT = 60


def pattern_block(seed):
    return hashlib.sha512(seed.encode()).digest() * 1024  # 64 KiB


class TcpTarget(harness.TcpServer):
    """The destination behind the agent: for every connection, either sends `download` bytes
    of a fixed pattern and closes, or hashes what it receives until EOF."""

    def __init__(self, download=0):
        self.download = download
        self.received = []  # (bytes, sha256) per connection, in order of completion
        self._done = threading.Condition()
        super().__init__()

    def handle(self, conn):
        with conn:
            if self.download:
                block, left = pattern_block("down"), self.download
                while left:
                    n = min(left, len(block))
                    conn.sendall(block[:n])
                    left -= n
                return
            h, total = hashlib.sha256(), 0
            while True:
                data = conn.recv(1 << 16)
                if not data:
                    break
                h.update(data)
                total += len(data)
            with self._done:
                self.received.append((total, h.hexdigest()))
                self._done.notify_all()

    def wait_received(self, count, timeout=TIMEOUT):
        with self._done:
            self._done.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


class NamedEchoServer(harness.TcpServer):
    """A destination that says its name on every connection, then echoes: a client learns
    which server it reached, and what it sends comes back."""

    def __init__(self, name, address="127.0.0.1"):
        self.name = name.encode()
        super().__init__(address)

    def handle(self, conn):
        with conn:
            try:
                conn.sendall(self.name)
                while data := conn.recv(1 << 16):
                    conn.sendall(data)
            except OSError:
                pass  # the agent side closed first: nothing left to echo


def recv_exactly(s, size):
    data = b""
    while len(data) < size:
        chunk = s.recv(min(1 << 16, size - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def converse(port, greeting_size, data):
    """Through a forwarder's listener: the destination's greeting, then `data` echoed back.
    Sent from a thread, so that neither direction waits for the other, and before the
    greeting arrives: in basic mode the agent redials only on the client's first bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        sender = threading.Thread(target=s.sendall, args=(data,))
        sender.start()
        greeting = recv_exactly(s, greeting_size)
        echoed = recv_exactly(s, len(data))
        sender.join()
        return greeting, echoed


def pattern_digest(size, seed):
    block, h, left = pattern_block(seed), hashlib.sha256(), size
    while left:
        n = min(left, len(block))
        h.update(block[:n])
        left -= n
    return h.hexdigest()


class Forwarder:
    """The plugin in a local port-forwarding session; `port` once its listener is open."""

    def __init__(self, ep, parameters=None, env=None, document="AWS-StartPortForwardingSession"):
        params = {"portNumber": ["80"], "localPortNumber": ["0"]}
        params.update(parameters or {})
        response, request = ep.start_session(document=document, parameters=params)
        self.session_id = response["SessionId"]
        self.proc = subprocess.Popen(plugin_argv(response, request, ep.url), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.out = b""
        deadline = time.monotonic() + TIMEOUT
        while b"Waiting for connections" not in self.out:
            chunk = self.proc.stdout.read1(4096)
            if not chunk or time.monotonic() > deadline:
                raise AssertionError(f"no listener: {self.out!r} {self.proc.stderr.read()!r}")
            self.out += chunk
        m = re.search(rb"Port (\d+) opened for sessionId", self.out)
        self.port = int(m.group(1)) if m else None

    def stop(self):
        """SIGINT, as Ctrl-C: returns (status, stdout, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, self.out + out, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def upload(port, size, seed, family=socket.AF_INET, address=None):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.connect(address or ("127.0.0.1", port))
        block, left = pattern_block(seed), size
        while left:
            n = min(left, len(block))
            s.sendall(block[:n])
            left -= n


def download(port, size):
    """Reads `size` bytes: in basic mode the agent has no way to tell the plugin that the
    destination closed (no FIN without smux), so EOF cannot be the end marker."""
    h, total = hashlib.sha256(), 0
    with socket.create_connection(("127.0.0.1", port)) as s:
        while total < size:
            data = s.recv(min(1 << 16, size - total))
            if not data:
                break
            h.update(data)
            total += len(data)
    return total, h.hexdigest()


class Forwarding(unittest.TestCase):
    def test_a_busy_local_port_fails_with_one_line_before_the_session_is_announced(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        try:
            with Endpoint("--stream-target", "echo") as ep:
                response, params = ep.start_session(
                    document="AWS-StartPortForwardingSession",
                    parameters={"portNumber": ["80"], "localPortNumber": [str(port)]})
                p = subprocess.run(plugin_argv(response, params, ep.url), stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=60)
        finally:
            busy.close()
        self.assertEqual(p.returncode, 255, p.stderr)
        self.assertNotIn(b"Starting session", p.stdout)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(str(port).encode(), p.stderr)

    def bulk_both_ways(self, *endpoint_args):
        up_target, down_target = TcpTarget(), TcpTarget(download=BULK)
        try:
            with Endpoint("--stream-target", f"dial:127.0.0.1:{up_target.port}", *endpoint_args) as ep:
                fwd = Forwarder(ep)
                try:
                    upload(fwd.port, BULK, "up")
                    self.assertEqual(up_target.wait_received(1), [(BULK, pattern_digest(BULK, "up"))])
                finally:
                    self.assertEqual(fwd.stop()[0], 0)
            with Endpoint("--stream-target", f"dial:127.0.0.1:{down_target.port}", *endpoint_args) as ep:
                fwd = Forwarder(ep)
                try:
                    self.assertEqual(download(fwd.port, BULK), (BULK, pattern_digest(BULK, "down")))
                finally:
                    self.assertEqual(fwd.stop()[0], 0)
        finally:
            up_target.close()
            down_target.close()

    def test_mux_bulk(self):
        self.bulk_both_ways()

    def test_mux_bulk_with_faults(self):
        self.bulk_both_ways(*FAULTS)

    def test_basic_bulk(self):
        self.bulk_both_ways(*OLD_AGENT)

    def test_basic_bulk_with_faults(self):
        self.bulk_both_ways(*OLD_AGENT, *FAULTS)

    def test_basic_mode_serves_one_connection_after_another(self):
        target = TcpTarget()
        try:
            with Endpoint("--stream-target", f"dial:127.0.0.1:{target.port}", *OLD_AGENT) as ep:
                fwd = Forwarder(ep)
                try:
                    for i in range(3):
                        upload(fwd.port, 100_000, f"conn{i}")
                        got = target.wait_received(i + 1)
                        self.assertEqual(got[i], (100_000, pattern_digest(100_000, f"conn{i}")))
                finally:
                    status, out, _ = fwd.stop()
            self.assertEqual(status, 0)
            self.assertIn(b"Connection accepted for session", out)
        finally:
            target.close()

    def test_two_hundred_concurrent_mux_connections_echo_a_megabyte_each(self):
        async def one(port, i):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            data = pattern_block(f"c{i}")[: MB // 64] * 64  # 1 MiB
            async def send():
                writer.write(data)
                await writer.drain()
            sender = asyncio.ensure_future(send())
            got = await reader.readexactly(len(data))
            await sender
            writer.close()
            return got == data

        async def all_of(port):
            return await asyncio.wait_for(asyncio.gather(*(one(port, i) for i in range(200))), 240)

        with Endpoint("--stream-target", "echo") as ep:
            fwd = Forwarder(ep)
            try:
                results = asyncio.run(all_of(fwd.port))
            finally:
                status, _, err = fwd.stop()
        self.assertEqual(results, [True] * 200)
        self.assertEqual(status, 0, err)

    def test_agent_target_dials_where_each_session_points(self):
        """--stream-target agent: like the real agent, each session's own parameters pick the
        destination, so one endpoint reaches two servers."""
        local, remote = NamedEchoServer("local-server"), NamedEchoServer("remote-server")
        try:
            with Endpoint("--stream-target", "agent") as ep:
                forwarders = []
                try:
                    forwarders.append(Forwarder(ep, {"portNumber": [str(local.port)]}))
                    forwarders.append(Forwarder(ep, {"portNumber": [str(remote.port)], "host": ["127.0.0.1"]},
                                                document="AWS-StartPortForwardingSessionToRemoteHost"))
                    for fwd, server in zip(forwarders, (local, remote)):
                        data = pattern_block(server.name.decode()) * 4  # 256 KiB
                        greeting, echoed = converse(fwd.port, len(server.name), data)
                        self.assertEqual(greeting, server.name)
                        self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(data).hexdigest())
                finally:
                    statuses = [fwd.stop()[0] for fwd in forwarders]
            self.assertEqual(statuses, [0, 0])
        finally:
            local.close()
            remote.close()

    def test_target_down_is_reported_and_the_listener_keeps_serving(self):
        closed = socket.create_server(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
        closed.close()
        with Endpoint("--stream-target", f"dial:127.0.0.1:{dead_port}") as ep:
            fwd = Forwarder(ep)
            try:
                for _ in range(2):
                    with socket.create_connection(("127.0.0.1", fwd.port), timeout=TIMEOUT) as s:
                        self.assertEqual(s.recv(100), b"")  # closed by the plugin after the FIN
                self.assertIsNone(fwd.proc.poll())
            finally:
                status, _, err = fwd.stop()
        self.assertEqual(status, 0)
        self.assertIn(b"Connection to destination port failed", err)

    def test_unix_socket_listener_is_private(self):
        with tempfile.TemporaryDirectory() as d, Endpoint("--stream-target", "echo") as ep:
            path = os.path.join(d, "fwd.sock")
            fwd = Forwarder(ep, {"localUnixSocket": [path], "localConnectionType": ["unix"]})
            try:
                self.assertIn(f"Unix socket {path} opened".encode(), fwd.out)
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(path)
                    s.sendall(b"over unix")
                    self.assertEqual(s.recv(100), b"over unix")
            finally:
                self.assertEqual(fwd.stop()[0], 0)

    def test_ipv6_listener_through_ssm_plugin_local_host(self):
        with Endpoint("--stream-target", "echo") as ep:
            fwd = Forwarder(ep, env=dict(os.environ, SSM_PLUGIN_LOCAL_HOST="::1"))
            try:
                with socket.create_connection(("::1", fwd.port)) as s:
                    s.sendall(b"over v6")
                    self.assertEqual(s.recv(100), b"over v6")
            finally:
                self.assertEqual(fwd.stop()[0], 0)

    def test_sigterm_sends_terminate_session_and_the_agent_ends(self):
        with Endpoint("--stream-target", "echo") as ep:
            fwd = Forwarder(ep)
            with socket.create_connection(("127.0.0.1", fwd.port)) as s:
                s.sendall(b"x")
                self.assertEqual(s.recv(1), b"x")
                fwd.proc.send_signal(signal.SIGTERM)
                out, _ = fwd.proc.communicate(timeout=TIMEOUT)
                status, out = fwd.proc.returncode, fwd.out + out
                self.assertEqual(s.recv(100), b"")  # the local connection was closed
            self.assertEqual(status, 0)
            self.assertIn(b"Exiting session with sessionId", out)
            ep.session_end_line(fwd.session_id, timeout=10)  # the flag ended it on the agent side

    def test_ctrl_c_with_an_agent_without_the_flag_calls_terminate_session(self):
        """protocol.md §8.5: agents up to 2.3.722.0 know no TerminateSession flag, so the plugin
        calls the TerminateSession API and the agent's channel_closed ends the session."""
        keys = {"AWS_ACCESS_KEY_ID": "AKIDPORTTEST", "AWS_SECRET_ACCESS_KEY": "port-test-secret"}
        env = dict(os.environ, **keys)
        env.pop("AWS_PROFILE", None)
        with tempfile.TemporaryDirectory() as tmp, \
                Endpoint("--stream-target", "echo", "--agent-version", "2.3.722.0", "--verify-sigv4", env=env) as ep:
            log = os.path.join(tmp, "plugin.log")
            fwd = Forwarder(ep, env=dict(env, SSM_PLUGIN_LOG_FILE=log, SSM_PLUGIN_LOG_LEVEL="info"))
            with socket.create_connection(("127.0.0.1", fwd.port)) as s:
                s.sendall(b"x")
                self.assertEqual(s.recv(1), b"x")  # basic mode, up and forwarding
                status, out, err = fwd.stop()
                self.assertEqual(s.recv(100), b"")  # the local connection was closed
            self.assertEqual(status, 0, err)
            self.assertIn(b"Terminate signal received, exiting.", out)
            self.assertIn(f"Exiting session with sessionId: {fwd.session_id}.".encode(), out)
            ep.wait_for(rf"^terminate session={re.escape(fwd.session_id)}$", timeout=20)
            with open(log) as f:
                logged = f.read()
            # The session ended on the service's word, not on the plugin's own timer.
            self.assertIn("the service closed the channel", logged)
            self.assertNotIn(keys["AWS_SECRET_ACCESS_KEY"].encode(), out + err)

    def test_ctrl_c_with_an_agent_without_the_flag_and_no_credentials_leaves_at_once(self):
        """No credentials: TerminateSession cannot be called, so nothing will close the
        channel; the plugin ends locally, as with the flag."""
        env = dict(os.environ, AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent",
                   AWS_EC2_METADATA_DISABLED="true")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(name, None)
        with Endpoint("--stream-target", "echo", "--agent-version", "2.3.722.0") as ep:
            fwd = Forwarder(ep, env=env)
            status, out, err = fwd.stop()
            self.assertEqual(status, 0, err)
            self.assertIn(f"Exiting session with sessionId: {fwd.session_id}.".encode(), out)
            ep.stop()
            self.assertFalse([l for l in ep.lines if l.startswith("terminate session=")], ep.lines)


PROXY = r'''
import json, os, sys, urllib.request
url, plugin = os.environ["E2E_ENDPOINT_URL"], os.environ["SSM_PLUGIN_BIN"]
params = {"Target": sys.argv[1], "DocumentName": "AWS-StartSSHSession", "Parameters": {"portNumber": [sys.argv[2]]}}
req = urllib.request.Request(url, json.dumps(params).encode(), {"X-Amz-Target": "AmazonSSM.StartSession",
                             "Content-Type": "application/x-amz-json-1.1"})
response = urllib.request.urlopen(req).read().decode()
os.execv(plugin, [plugin, response, "us-east-1", "StartSession", "", json.dumps(params), url])
'''


@unittest.skipUnless(harness.Sshd.available(), "needs openssh (scripts/setup installs it)")
class ServiceLimits(unittest.TestCase):
    """The endpoint plays the service's session preferences (--idle-timeout,
    --max-session-duration): the session ends with channel_closed carrying the service's reason,
    which the user sees, and the plugin exits 0 as after any end by the service."""

    def test_an_idle_port_forward_is_ended_by_the_service(self):
        with Endpoint("--stream-target", "echo", "--idle-timeout", "2") as ep:
            fwd = Forwarder(ep)
            start = time.monotonic()
            out, err = fwd.proc.communicate(timeout=TIMEOUT)
            took = time.monotonic() - start
            ep.wait_for(rf"^service ended session={re.escape(fwd.session_id)}: .*inactivity", timeout=5)
        self.assertEqual(fwd.proc.returncode, 0, err)
        self.assertIn(b"Your session timed out due to inactivity and has been terminated.", fwd.out + out)
        self.assertLess(took, 10)

    def test_activity_keeps_a_session_until_its_maximum_duration(self):
        """Data every 0.3 s keeps a 1 s idle timeout from firing; the 3 s maximum ends it, and
        on a stdio session (ssh's ProxyCommand) the reason goes to stderr, stdout being data."""
        with Endpoint("--stream-target", "echo", "--idle-timeout", "1", "--max-session-duration", "3") as ep:
            response, params = ep.start_session(document="AWS-StartSSHSession", parameters={"portNumber": ["22"]})
            p = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            start = time.monotonic()
            try:
                while p.poll() is None and time.monotonic() - start < TIMEOUT:
                    p.stdin.write(b"tick\n")
                    p.stdin.flush()
                    time.sleep(0.3)
            except BrokenPipeError:
                pass
            out, err = p.communicate(timeout=TIMEOUT)
            took = time.monotonic() - start
            ep.wait_for(rf"^service ended session={re.escape(response['SessionId'])}: .*maximum session duration",
                        timeout=5)
        self.assertEqual(p.returncode, 0, err)
        self.assertTrue(2.5 < took < 10, took)
        self.assertIn(b"tick\ntick\n", out)
        self.assertEqual(err, b"session-manager-plugin: Your session has reached the maximum session duration and "
                              b"has been terminated.\n")


class OpenSsh(unittest.TestCase):
    """sshd on loopback with its own keys (harness.Sshd); ssh and scp reach it through the
    plugin as ProxyCommand, with the AWS CLI's 7-argument contract."""

    @classmethod
    def setUpClass(cls):
        cls.sshd = harness.Sshd().__enter__()
        cls.dir = tempfile.TemporaryDirectory()
        with open(f"{cls.dir.name}/proxy.py", "w") as f:
            f.write(PROXY)
        cls.ep = Endpoint("--stream-target", f"dial:127.0.0.1:{cls.sshd.port}").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.ep.__exit__(None, None, None)
        cls.sshd.__exit__(None, None, None)
        cls.dir.cleanup()

    def ssh_options(self):
        return [*self.sshd.ssh_options(), "-o", f"ProxyCommand={sys.executable} {self.dir.name}/proxy.py %h %p"]

    def env(self):
        return dict(os.environ, E2E_ENDPOINT_URL=self.ep.url)

    def test_ssh_runs_a_remote_command(self):
        user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        p = subprocess.run(["ssh", *self.ssh_options(), f"{user}@i-0123456789abcdef0", "echo remote-$((20+22))"],
                           capture_output=True, timeout=TIMEOUT, env=self.env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"remote-42\n")

    def test_scp_fifty_megabytes_each_way(self):
        user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        size = 50 * MB
        d = self.dir.name
        src, back = f"{d}/src.bin", f"{d}/back.bin"
        with open(src, "wb") as f:
            block = pattern_block("scp")
            for _ in range(size // len(block)):
                f.write(block)
        remote = f"{user}@i-0123456789abcdef0:{d}/remote.bin"
        for args in ([src, remote], [remote, back]):
            p = subprocess.run(["scp", "-q", *self.ssh_options(), *args], capture_output=True, timeout=240,
                               env=self.env())
            self.assertEqual(p.returncode, 0, p.stderr)
        digest = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()  # noqa: E731
        self.assertEqual(digest(f"{d}/remote.bin"), digest(src))
        self.assertEqual(digest(back), digest(src))


if __name__ == "__main__":
    unittest.main()
