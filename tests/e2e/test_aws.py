"""The plugin's own AWS authentication end to end (issue: AWS integration): the SigV4-signed
WebSocket upgrade against an endpoint that verifies it, a wrong secret key, the opt-out
SSM_PLUGIN_SKIP_CLIENT_CONFIGURE, and no secret in any output or log line."""
import base64
import json
import os
import re
import select
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from endpoint import Endpoint, plugin_argv

ACCESS_KEY = "AKIDE2EAWSTEST"
SECRET = "e2e-secret-Kq7/Xz+9VvT2"
SESSION_TOKEN = "e2e-session-token-IQoJb3JpZ2luX2Vj=="


def aws_env(secret=SECRET, token=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("SSM_PLUGIN_")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=secret, HOME="/nonexistent")
    if token:
        env["AWS_SESSION_TOKEN"] = token
    env.update(extra)
    return env


class ConnectProxy(harness.TcpServer):
    """A loopback HTTP CONNECT proxy: checks Basic credentials, records each CONNECT target,
    then pipes bytes both ways. `refuse` answers 407 to everything."""

    def __init__(self, user="proxyuser", password="proxy-p@ss", refuse=False):
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.refuse = refuse
        self.targets = []
        super().__init__()

    def handle(self, conn):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                return conn.close()
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
        if self.refuse or method != "CONNECT" or headers.get("proxy-authorization") != self.expected:
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return conn.close()
        self.targets.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        pair = {conn: upstream, upstream: conn}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [])
                for r in readable:
                    data = r.recv(65536)
                    if not data:
                        return
                    pair[r].sendall(data)
        except OSError:
            pass
        finally:
            conn.close()
            upstream.close()

    def url(self):
        return f"http://proxyuser:proxy-p%40ss@127.0.0.1:{self.port}"


class SignedUpgrade(unittest.TestCase):
    def echo_session(self, ep, plugin_env, data=b"signed upgrade\n" * 100, region="us-east-1"):
        response, params = ep.start_session()
        proc = subprocess.Popen(plugin_argv(response, params, ep.url, region=region), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plugin_env)
        proc.stdin.write(data)
        proc.stdin.flush()
        got = b""
        while len(got) < len(data):
            chunk = proc.stdout.read1(1 << 16)
            if not chunk:
                break
            got += chunk
        proc.stdin.close()
        code = proc.wait(timeout=60)
        return response, got, code, proc.stderr.read().decode()

    def failed_session(self, ep, plugin_env):
        """A session that must fail: exit 255 and one line on stderr. Its stdin stays open (EOF
        would end the session first). Returns the response, that line, and stdout + stderr."""
        response, params = ep.start_session()
        r, w = os.pipe()
        try:
            proc = subprocess.run(plugin_argv(response, params, ep.url), stdin=r, capture_output=True,
                                  timeout=60, env=plugin_env)
        finally:
            os.close(r)
            os.close(w)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 255, err)
        lines = [l for l in err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, err)
        return response, lines[0], err + proc.stdout.decode()

    def test_signed_upgrade_is_verified(self):
        with Endpoint("--stream-target", "echo", "--verify-sigv4", env=aws_env()) as ep:
            response, got, code, err = self.echo_session(ep, aws_env())
            self.assertEqual(code, 0, err)
            self.assertEqual(got, b"signed upgrade\n" * 100)
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ")
            self.assertIn("signed=yes", line)
            self.assertNotIn("refused", line)

    def test_wrong_secret_key_is_refused_clearly(self):
        with Endpoint("--stream-target", "echo", "--verify-sigv4", env=aws_env()) as ep:
            response, line, output = self.failed_session(ep, aws_env(secret="not-the-secret"))
            self.assertIn("HTTP 403", line)
            self.assertNotIn("not-the-secret", output)
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ")
            self.assertIn("refused=InvalidSignatureException", line)

    def test_a_failed_session_handed_over_in_argv_is_terminated(self):
        """CLIs that pass the response in argv print it, token and all, when the plugin exits
        non-zero: the plugin calls TerminateSession first, so that printed token is useless.
        The environment hand-off prints no token, and gets no extra call."""
        command = {"command": ["sh -c 'exit 7'"]}
        with Endpoint(env=aws_env()) as ep:
            response, params = ep.start_session(document="AWS-StartNonInteractiveCommand", parameters=command)
            p = subprocess.run(plugin_argv(response, params, ep.url), stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=60, env=aws_env())
            self.assertEqual(p.returncode, 7, p.stderr)
            ep.wait_for(rf"^terminate session={re.escape(response['SessionId'])}$", timeout=20)

            response, params = ep.start_session(document="AWS-StartNonInteractiveCommand", parameters=command)
            argv = plugin_argv(response, params, ep.url)
            argv[1] = "AWS_SSM_START_SESSION_RESPONSE"
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                               env=aws_env(AWS_SSM_START_SESSION_RESPONSE=json.dumps(response)))
            self.assertEqual(p.returncode, 7, p.stderr)
            ep.session_end_line(response["SessionId"])
            ep.stop()
            self.assertFalse([l for l in ep.lines if l == f"terminate session={response['SessionId']}"], ep.lines)

    def test_the_handed_over_token_is_not_left_in_proc_environ(self):
        """unsetenv only drops the pointer; /proc/PID/environ shows the block the process
        started with. The plugin wipes the response (and its token) there once it has read it."""
        with Endpoint("--stream-target", "echo", env=aws_env()) as ep:
            response, params = ep.start_session()
            argv = plugin_argv(response, params, ep.url)
            argv[1] = "AWS_SSM_START_SESSION_RESPONSE"
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=aws_env(AWS_SSM_START_SESSION_RESPONSE=json.dumps(response)))
            try:
                proc.stdin.write(b"x")
                proc.stdin.flush()
                self.assertEqual(proc.stdout.read(1), b"x")  # the session runs: argv was read
                with open(f"/proc/{proc.pid}/environ", "rb") as f:
                    environ = f.read()
                self.assertNotIn(response["TokenValue"].encode(), environ)
                self.assertNotIn(response["SessionId"].encode(), environ)
                self.assertIn(b"AWS_ACCESS_KEY_ID=", environ)  # the rest is as it was
            finally:
                proc.stdin.close()
                proc.wait(timeout=30)

    def lost_service(self, harm, **env):
        """Runs an echo session, harms the endpoint (kills or stops it) and returns the plugin's
        exit status, its stderr, and the seconds from the harm to the loss line and to exit."""
        with Endpoint("--stream-target", "echo", env=aws_env()) as ep:
            response, params = ep.start_session()
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=aws_env(**env))
            try:
                proc.stdin.write(b"x")
                proc.stdin.flush()
                self.assertEqual(proc.stdout.read(1), b"x")
                harm(ep.proc)
                start = time.monotonic()
                first = proc.stderr.readline().decode()
                said = time.monotonic() - start
                code = proc.wait(timeout=60)
                ended = time.monotonic() - start
                return code, first + proc.stderr.read().decode(), said, ended
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()

    def test_a_killed_service_is_said_at_once_and_given_up_on_in_the_time_set(self):
        code, err, said, ended = self.lost_service(lambda p: p.kill(), SSM_PLUGIN_RESUME_TIMEOUT_SECONDS="3")
        self.assertEqual(code, 255, err)
        self.assertIn("the connection was lost", err.splitlines()[0])
        self.assertIn("resuming the session, for up to 3 s", err.splitlines()[0])
        self.assertLess(said, 2, err)
        self.assertIn("gave up resuming after 3 s", err)
        self.assertLess(ended, 3 + 3, err)
        self.assertNotIn(SECRET, err)

    def test_a_frozen_service_is_said_once_its_silence_shows_and_given_up_on_in_time(self):
        # Keep-alive 1 s: a ping after 1 s of silence, dead after 2 s (checked every 0.5 s).
        code, err, said, ended = self.lost_service(lambda p: p.send_signal(signal.SIGSTOP),
                                                   SSM_PLUGIN_KEEPALIVE_SECONDS="1",
                                                   SSM_PLUGIN_RESUME_TIMEOUT_SECONDS="3")
        self.assertEqual(code, 255, err)
        self.assertIn("the connection was lost", err.splitlines()[0])
        self.assertLess(said, 2.5 + 1 + 1, err)
        self.assertIn("gave up resuming after 3 s", err)
        # Then up to 5 s for TerminateSession (the response came in argv: its token is made
        # useless before the CLI prints it), which a frozen service never answers.
        self.assertLess(ended, 2.5 + 3 + 5 + 2, err)

    def test_a_spent_resend_budget_terminates_the_session(self):
        """Nothing the plugin sends is acknowledged (the endpoint loses every frame from it while
        the WebSocket stays up): once a message has waited SSM_PLUGIN_RESEND_TIMEOUT_SECONDS the
        plugin calls TerminateSession, as the reference does after its 3000 resends, then exits
        255 with one line."""
        with Endpoint("--drop-in", "100", "--verify-sigv4", env=aws_env()) as ep:
            response, line, output = self.failed_session(ep, aws_env(SSM_PLUGIN_RESEND_TIMEOUT_SECONDS="2"))
            self.assertIn("no acknowledgement from the peer within the resend budget", line)
            ep.wait_for(rf"^terminate session={re.escape(response['SessionId'])}$", timeout=20)
            self.assertNotIn(SECRET, output)

    def test_ssmmessages_endpoint_variable_moves_the_stream(self):
        """AWS_ENDPOINT_URL_SSMMESSAGES (an interface VPC endpoint, say) replaces the scheme and
        host of the StreamUrl the service returned; the upgrade is signed for where it goes."""
        with Endpoint("--stream-target", "echo", "--verify-sigv4", env=aws_env()) as ep:
            response, params = ep.start_session()
            elsewhere = re.sub(r"^ws://[^/]+", "ws://127.0.0.1:9", response["StreamUrl"])  # discard port
            self.assertNotEqual(elsewhere, response["StreamUrl"])
            response = dict(response, StreamUrl=elsewhere)
            data = b"through the ssmmessages endpoint\n" * 50
            p = subprocess.run(plugin_argv(response, params, ep.url), input=data, capture_output=True, timeout=60,
                               env=aws_env(AWS_ENDPOINT_URL_SSMMESSAGES=ep.url))
            self.assertEqual((p.returncode, p.stdout), (0, data), p.stderr)
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ")
            self.assertIn("signed=yes", line)
            self.assertNotIn("refused", line)

    def test_skip_client_configure_opens_unsigned(self):
        with Endpoint("--stream-target", "echo", "--verify-sigv4", env=aws_env()) as ep:
            env = aws_env(secret="not-the-secret", SSM_PLUGIN_SKIP_CLIENT_CONFIGURE="true")
            response, got, code, err = self.echo_session(ep, env)
            self.assertEqual(code, 0, err)
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ")
            self.assertIn("signed=no", line)

    def test_presigned_stream_url_is_not_signed(self):
        with Endpoint("--stream-target", "echo", env=aws_env()) as ep:
            response, params = ep.start_session()
            response["StreamUrl"] += "&X-Amz-Signature=0123"
            proc = subprocess.Popen(plugin_argv(response, params, ep.url), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=aws_env())
            out, err = proc.communicate(b"x" * 10, timeout=60)
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ")
            self.assertIn("signed=no", line)

    def test_region_for_api_calls_falls_back_to_the_environment(self):
        """No region in argv: ResumeSession still goes out, in AWS_REGION's region, while the
        upgrade is signed with argv's (empty) region, as the reference signs it."""
        with Endpoint("--stream-target", "echo", "--verify-sigv4", "--disconnect-after", "40", env=aws_env()) as ep:
            data = os.urandom(128 * 1024)
            response, got, code, err = self.echo_session(ep, aws_env(AWS_REGION="us-east-1"), data, region="")
            self.assertEqual(code, 0, err)
            self.assertEqual(got, data)
            upgrades = [l for l in ep.lines if l.startswith(f"upgrade session={response['SessionId']} ")]
            self.assertGreaterEqual(len(upgrades), 2, ep.lines)  # the first dial and the resumed one
            self.assertTrue(all("signed=yes" in l and "refused" not in l for l in upgrades), upgrades)

    def test_through_a_connect_proxy(self):
        """HTTP_PROXY carries the WebSocket and the ResumeSession call after a forced
        disconnect; NO_PROXY exempts the endpoint; a refusing proxy is one clear line."""
        proxy = ConnectProxy()
        try:
            with Endpoint("--stream-target", "echo", "--disconnect-after", "40", env=aws_env()) as ep:
                env = aws_env(HTTP_PROXY=proxy.url())
                response, got, code, err = self.echo_session(ep, env, os.urandom(128 * 1024))
                self.assertEqual(code, 0, err)
                where = f"127.0.0.1:{ep.port}"
                # first dial, ResumeSession, second dial
                self.assertGreaterEqual(proxy.targets.count(where), 3, proxy.targets)
                self.assertNotIn("proxy-p@ss", err)

                before = len(proxy.targets)
                response, got, code, err = self.echo_session(ep, dict(env, NO_PROXY="localhost,127.0.0.1"))
                self.assertEqual(code, 0, err)
                self.assertEqual(len(proxy.targets), before)
        finally:
            proxy.close()

        refusing = ConnectProxy(refuse=True)
        try:
            with Endpoint("--stream-target", "echo", env=aws_env()) as ep:
                _, line, output = self.failed_session(ep, aws_env(HTTP_PROXY=refusing.url()))
                self.assertIn("407", line)
                self.assertNotIn("proxy-p@ss", output)
        finally:
            refusing.close()

    def test_no_secret_in_any_output_or_log_line(self):
        """A whole session with three resumes, logged at the most verbose level: neither the
        secret key, nor the session token, nor the session's TokenValue appears anywhere."""
        env = aws_env(token=SESSION_TOKEN)
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "plugin.log")
            plugin_env = dict(env, SSM_PLUGIN_LOG_FILE=log, SSM_PLUGIN_LOG_LEVEL="trace")
            with Endpoint("--stream-target", "echo", "--verify-sigv4", "--disconnect-after", "40",
                          "--disconnects", "3", env=aws_env()) as ep:
                data = os.urandom(256 * 1024)
                response, got, code, err = self.echo_session(ep, plugin_env, data)
                self.assertEqual(code, 0, err)
                self.assertEqual(got, data)
            with open(log) as f:
                logged = f.read()
            self.assertIn("resum", logged.lower())  # the log did see the resumes
            for secret in (SECRET, SESSION_TOKEN, response["TokenValue"]):
                for where, text in (("log", logged), ("stderr", err)):
                    self.assertNotIn(secret, text, f"{where} shows a secret")


if __name__ == "__main__":
    unittest.main()
