"""The reliable data channel end to end: the real plugin against the real endpoint, over real
sockets, with and without injected faults (issue: the reliable data channel and the local
endpoint)."""
import hashlib
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from endpoint import Endpoint, plugin_argv, plugin_env, rss_kib

MB = 1024 * 1024
BULK = int(os.environ.get("SSM_E2E_BULK_MB", "100")) * MB
FAULTS = ["--drop-out", "5", "--drop-in", "5", "--duplicate", "2", "--reorder", "2", "--corrupt", "1", "--seed", "7"]


def random_file(size, seed):
    """A file of `size` pseudo-random bytes (fast: a hash chain, not os.urandom per byte)."""
    f = tempfile.NamedTemporaryFile(prefix="ssm-e2e-", delete=False)
    block = hashlib.sha512(seed.encode()).digest() * 1024  # 64 KiB
    h = hashlib.sha256()
    written = 0
    counter = 0
    while written < size:
        chunk = bytes((b + counter) & 0xFF for b in block[:64]) + block[64:]
        chunk = chunk[: size - written]
        f.write(chunk)
        h.update(chunk)
        written += len(chunk)
        counter += 1
    f.close()
    return f.name, h.hexdigest()


class DataChannelEndToEnd(unittest.TestCase):
    def download(self, *endpoint_args, env=None):
        with Endpoint("--stream-target", f"source:{BULK}", *endpoint_args, env=env) as ep:
            response, params = ep.start_session()
            h = hashlib.sha256()
            n = 0
            # stdin stays open, as ssh keeps a ProxyCommand's: in stdio mode EOF ends the session.
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            while True:
                chunk = proc.stdout.read(1 << 16)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
            code = proc.wait(timeout=600)
            proc.stdin.close()
            err = proc.stderr.read().decode()
            end = ep.session_end_line(response["SessionId"])
            self.assertEqual(code, 0, err)
            self.assertEqual(n, BULK)
            self.assertEqual(end["out_sha256"], h.hexdigest())
            self.assertEqual(err, "")  # stdio mode: no status lines anywhere

    def upload(self, *endpoint_args, target="sink", env=None):
        path, digest = random_file(BULK, "upload")
        try:
            with Endpoint("--stream-target", target, *endpoint_args, env=env) as ep:
                response, params = ep.start_session()
                if target == "sink":
                    with open(path, "rb") as stdin:
                        proc = subprocess.run(plugin_argv(response, params, ep.url), stdin=stdin,
                                              capture_output=True, timeout=600, env=env)
                    self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                    self.assertEqual(proc.stdout, b"")
                else:
                    # Echoed: stdin stays open until everything came back, as ssh keeps a
                    # ProxyCommand's. EOF earlier would end the session once the agent has
                    # acknowledged the input, and the agent acknowledges what it holds ahead of
                    # a gap before its target has taken it (agent-side.md §3.3).
                    proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                    echoed = hashlib.sha256()
                    received = 0

                    def feed():
                        with open(path, "rb") as f:
                            while chunk := f.read(1 << 20):
                                proc.stdin.write(chunk)
                        proc.stdin.flush()

                    writer = threading.Thread(target=feed)
                    writer.start()
                    while received < BULK and (chunk := proc.stdout.read1(1 << 16)):
                        echoed.update(chunk)
                        received += len(chunk)
                    writer.join()
                    proc.stdin.close()
                    proc.stdout.read()
                    code, err = proc.wait(timeout=600), proc.stderr.read()
                    self.assertEqual(code, 0, err.decode())
                    self.assertEqual((received, echoed.hexdigest()), (BULK, digest))
                end = ep.session_end_line(response["SessionId"])
                self.assertEqual(int(end["in"]), BULK)
                self.assertEqual(end["in_sha256"], digest)
        finally:
            os.unlink(path)

    def test_download_clean(self):
        self.download()

    def test_upload_clean(self):
        self.upload()

    def test_download_with_faults(self):
        self.download(*FAULTS)

    def test_upload_with_faults(self):
        self.upload(*FAULTS)

    # Resume (ResumeSession, then the new StreamUrl and token): the endpoint drops the
    # WebSocket three times; sequence numbers carry on and nothing is lost or doubled.
    RESUME_ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="resume-test-secret")
    # The endpoint verifies the ResumeSession signatures against the same key pair.
    DISCONNECTS = ["--disconnect-after", str(BULK // 1024 // 4), "--disconnects", "3", "--verify-sigv4"]

    def test_download_across_three_disconnects(self):
        self.download(*self.DISCONNECTS, env=self.RESUME_ENV)

    def test_upload_across_three_disconnects(self):
        # The echo target, so that the agent sends data frames for the disconnects to count.
        self.upload(*self.DISCONNECTS, target="echo", env=self.RESUME_ENV)

    def test_lost_connection_without_credentials_fails_clearly(self):
        with Endpoint("--stream-target", f"source:{BULK}", "--disconnect-after", "100") as ep:
            response, params = ep.start_session()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env["HOME"] = "/nonexistent"
            proc = subprocess.run(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                  capture_output=True, timeout=60, env=env)
        self.assertEqual(proc.returncode, 255)
        self.assertIn(b"ResumeSession failed: no AWS credentials for ResumeSession", proc.stderr)

    def test_echo_interactive(self):
        """Data written while the session runs comes back intact before stdin closes."""
        with Endpoint("--stream-target", "echo", *FAULTS) as ep:
            response, params = ep.start_session()
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            data = os.urandom(2 * MB)
            writer = threading.Thread(target=lambda: proc.stdin.write(data))
            writer.start()
            got = bytearray()
            while len(got) < len(data):
                chunk = proc.stdout.read1(1 << 16)
                if not chunk:
                    break
                got += chunk
            writer.join()
            proc.stdin.close()
            code = proc.wait(timeout=60)
            self.assertEqual(bytes(got), data)
            self.assertEqual(code, 0, proc.stderr.read().decode())


class DataChannelFailures(unittest.TestCase):
    def run_plugin(self, response, params, url, timeout=60, **env):
        """Runs the plugin to its end with stdin held open (stdin EOF would end a stdio session)."""
        start = time.monotonic()
        r, w = os.pipe()
        try:
            proc = subprocess.run(plugin_argv(response, params, url), stdin=r, capture_output=True,
                                  timeout=timeout, env=plugin_env(**env))
        finally:
            os.close(r)
            os.close(w)
        return proc, time.monotonic() - start

    def assert_one_clear_line(self, proc, needle):
        err = proc.stderr.decode()
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, err)
        self.assertIn(needle, lines[0])
        self.assertEqual(proc.returncode, 255, err)

    def test_frozen_endpoint_is_detected(self):
        with Endpoint("--stream-target", "echo") as ep:
            response, params = ep.start_session()
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=plugin_env(SSM_PLUGIN_KEEPALIVE_SECONDS="1"))
            proc.stdin.write(b"ping\n")
            proc.stdin.flush()
            self.assertEqual(proc.stdout.read(5), b"ping\n")
            os.kill(ep.proc.pid, signal.SIGSTOP)
            start = time.monotonic()
            try:
                code = proc.wait(timeout=30)
            finally:
                os.kill(ep.proc.pid, signal.SIGCONT)
            self.assertLess(time.monotonic() - start, 10)
            self.assertEqual(code, 255)
            self.assertIn("stopped responding", proc.stderr.read().decode())

    def test_wrong_token(self):
        with Endpoint() as ep:
            response, params = ep.start_session()
            response["TokenValue"] = "not-the-token"
            proc, _ = self.run_plugin(response, params, ep.url)
            self.assert_one_clear_line(proc, "rejected the session token")
            self.assertNotIn(b"not-the-token", proc.stderr + proc.stdout)

    def test_closed_port(self):
        with Endpoint() as ep:
            response, params = ep.start_session()
        # The endpoint is gone: its port is closed now.
        proc, elapsed = self.run_plugin(response, params, "http://127.0.0.1:1")
        self.assert_one_clear_line(proc, "cannot connect")
        self.assertLess(elapsed, 20)

    def test_bad_certificate_then_good_bundle(self):
        with tempfile.TemporaryDirectory() as d:
            ca = os.path.join(d, "ca.pem")
            with Endpoint("--stream-target", "source:1000", tls=True, ca_out=ca) as ep:
                response, params = ep.start_session(ca=ca)
                self.assertTrue(response["StreamUrl"].startswith("wss://"))
                proc, _ = self.run_plugin(response, params, ep.url, SSL_CERT_FILE="/nonexistent", AWS_CA_BUNDLE="")
                self.assert_one_clear_line(proc, "TLS certificate verification failed")
                response, params = ep.start_session(ca=ca)
                proc, _ = self.run_plugin(response, params, ep.url, AWS_CA_BUNDLE=ca)
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                self.assertEqual(len(proc.stdout), 1000)

    def test_malformed_frames_end_the_session(self):
        with Endpoint("--stream-target", "echo", "--corrupt", "100") as ep:
            response, params = ep.start_session()
            proc, _ = self.run_plugin(response, params, ep.url)
            self.assert_one_clear_line(proc, "malformed frames")

    def test_memory_stays_bounded_when_the_peer_stops_acking(self):
        """A source that floods while the endpoint is frozen: the plugin stops reading instead of
        buffering. Bound: 64 MiB RSS (window 2048 x ~1.2 KiB frames, plus buffers and code)."""
        with Endpoint("--stream-target", "sink") as ep:
            response, params = ep.start_session()
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    env=plugin_env(SSM_PLUGIN_KEEPALIVE_SECONDS="30"))
            proc.stdin.write(b"x" * MB)
            proc.stdin.flush()
            time.sleep(1)  # the session is up and data flows
            os.kill(ep.proc.pid, signal.SIGSTOP)
            written = [0]
            stop = threading.Event()

            def flood():
                block = b"y" * (256 * 1024)
                try:
                    while not stop.is_set():
                        proc.stdin.write(block)
                        written[0] += len(block)
                except (BrokenPipeError, ValueError, OSError):
                    pass

            t = threading.Thread(target=flood, daemon=True)
            t.start()
            time.sleep(5)
            rss = rss_kib(proc.pid)
            stop.set()
            os.kill(ep.proc.pid, signal.SIGCONT)
            proc.kill()
            proc.wait()
            self.assertLess(written[0], 64 * MB, "the plugin kept reading although nothing was acknowledged")
            # Under ASan the shadow memory and the allocator's quarantine count too: the bound on
            # what was read above is the check there.
            if os.environ.get("SSM_E2E_SANITIZED") != "1":
                self.assertLess(rss, 64 * 1024, f"RSS {rss} KiB")


if __name__ == "__main__":
    unittest.main()
