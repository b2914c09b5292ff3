"""Small shared helpers for end-to-end tests: where the binaries under test are, and running one
to completion with a timeout. Standard library only.

ctest sets SSM_PLUGIN_BIN (and SSM_ENDPOINT_BIN when that target exists) to the binaries of the
build being tested, so the same scripts serve every preset; outside ctest the names are looked
up on PATH.
"""
import dataclasses
import getpass
import http.client
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

DEFAULT_TIMEOUT = 30  # seconds; every subprocess gets one, so a hang fails instead of stalling CI


def binary(env_var, name):
    """The path in `env_var`, else `name` found on PATH; raises if neither exists."""
    path = os.environ.get(env_var) or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError(f"{name} not found: set {env_var} to the built binary")
    return path


def plugin_bin():
    return binary("SSM_PLUGIN_BIN", "session-manager-plugin")


def endpoint_bin():
    return binary("SSM_ENDPOINT_BIN", "ssm-local-endpoint")


def have_binary(env_var, name):
    try:
        binary(env_var, name)
        return True
    except RuntimeError:
        return False


def environment(extra=None, unset=()):
    """This process's environment plus `extra`, minus the names in `unset`."""
    env = dict(os.environ)
    for name in unset:
        env.pop(name, None)
    env.update(extra or {})
    return env


@dataclasses.dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self):
        """stdout and stderr together, for checks that something appears nowhere."""
        return self.stdout + self.stderr


def run(argv, *, env=None, stdin_data=None, timeout=DEFAULT_TIMEOUT, text=True):
    """Runs argv to completion and captures both streams. stdin is empty (/dev/null) unless
    stdin_data is given. On timeout the process is killed and the test fails with whatever it
    had printed (argv itself is not repeated: it may hold a session token)."""
    try:
        proc = subprocess.run(argv, input=stdin_data, stdin=subprocess.DEVNULL if stdin_data is None else None,
                              capture_output=True, env=env, timeout=timeout, text=text)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{os.path.basename(argv[0])} did not finish within {timeout} s; "
                             f"stdout={e.stdout!r} stderr={e.stderr!r}") from None
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_plugin(*args, **kwargs):
    """session-manager-plugin with these arguments (argv[1..]); keywords as for run()."""
    return run([plugin_bin(), *args], **kwargs)


def wait_until(predicate, *, timeout=DEFAULT_TIMEOUT, interval=0.05, what="the condition"):
    """Polls `predicate` until it returns something truthy, which is returned; fails after
    `timeout` seconds. For readiness that nothing announces (a port starting to accept)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(interval)


class TcpServer:
    """A loopback TCP server that hands each accepted connection to `handle(conn)` on a thread
    of its own. Subclasses set their own attributes before calling __init__ (accepting starts
    there) and define handle; close() stops accepting."""

    def __init__(self, address="127.0.0.1"):
        self.sock = socket.create_server((address, 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        raise NotImplementedError

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Sshd:
    """A real OpenSSH sshd on a free loopback port, with its own host and user keys (a copy of
    test_port.py's fixture, shareable). `ssh_options()` are the client options that log in with
    the user key; add a ProxyCommand. Use as a context manager; skip when `Sshd.available()` is false."""

    SSHD = "/usr/sbin/sshd"

    @classmethod
    def available(cls):
        return os.access(cls.SSHD, os.X_OK) and shutil.which("ssh") and shutil.which("ssh-keygen")

    def __enter__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="ssm-e2e-sshd-")
        d = self.dir = self._dir.name
        self.proc = None
        try:
            for name in ("host", "user"):
                keygen = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/{name}"])
                if keygen.returncode != 0:
                    raise AssertionError("ssh-keygen failed: " + keygen.output)
            shutil.copyfile(f"{d}/user.pub", f"{d}/authorized_keys")
            os.chmod(f"{d}/authorized_keys", 0o600)
            with socket.create_server(("127.0.0.1", 0)) as probe:
                self.port = probe.getsockname()[1]
            with open(f"{d}/sshd_config", "w") as f:
                f.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {d}/host\n"
                        f"AuthorizedKeysFile {d}/authorized_keys\nPidFile none\nStrictModes no\nUsePAM no\n"
                        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                        "Subsystem sftp /usr/lib/openssh/sftp-server\n")
            try:
                os.makedirs("/run/sshd", exist_ok=True)  # privilege separation directory (as root)
            except OSError:
                pass  # not root: sshd runs unprivileged without it
            with open(f"{d}/sshd.log", "wb") as log:  # a file: a pipe nobody reads could fill up
                self.proc = subprocess.Popen([self.SSHD, "-D", "-e", "-f", f"{d}/sshd_config"],
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)

            def accepting():
                if self.proc.poll() is not None:
                    raise AssertionError("sshd did not start: " + self.log())
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return True
                except OSError:
                    return False

            wait_until(accepting, timeout=20, what="sshd accepting connections")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=DEFAULT_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self._dir.cleanup()

    def log(self):
        """What sshd has logged (-e: its log goes to the file)."""
        with open(f"{self.dir}/sshd.log", errors="replace") as f:
            return f.read()

    @staticmethod
    def user():
        return getpass.getuser()

    def ssh_options(self):
        return ["-F", "/dev/null", "-i", f"{self.dir}/user", "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes", "-o", f"Port={self.port}"]


class ApiForwarder(http.server.ThreadingHTTPServer):
    """A loopback HTTP forwarder in front of an AWS API (the endpoint's): passes each POST to
    `upstream` unchanged (the Host header too, which SigV4 signs) and keeps every answer as
    (X-Amz-Target, status, body). `hold(target)`, when given, runs before a call is forwarded,
    so that a test can delay one (an STS call has no X-Amz-Target: "")."""

    def __init__(self, upstream, hold=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.hold = hold
        self.answers = []
        super().__init__(("127.0.0.1", 0), self._Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    class _Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            target = self.headers.get("X-Amz-Target", "")
            if self.server.hold:
                self.server.hold(target)
            up = self.server.upstream
            conn = http.client.HTTPConnection(up.hostname, up.port, timeout=DEFAULT_TIMEOUT)
            try:
                conn.request("POST", self.path, body, dict(self.headers.items()))
                r = conn.getresponse()
                answer = r.read()
                status, content_type = r.status, r.getheader("Content-Type", "application/x-amz-json-1.1")
            except OSError:  # the upstream is gone (the test is over)
                answer, status, content_type = b"", 502, "text/plain"
            finally:
                conn.close()
            self.server.answers.append((target, status, answer.decode()))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
