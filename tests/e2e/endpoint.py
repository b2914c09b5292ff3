"""Fixtures for end-to-end tests: a real ssm-local-endpoint process and real plugin runs.

Everything here talks to the binaries the way a user's tools do: HTTP to the endpoint's
SSM API, and the AWS CLI's 7-argument contract for the plugin.
"""
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

# Everything here is on loopback: a proxy from the machine's environment (which the plugin
# honours, as curl does, even for 127.0.0.1) must not get in the way. Proxy tests set their own.
for _name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)

PLUGIN = os.environ.get("SSM_PLUGIN_BIN", "session-manager-plugin")
ENDPOINT = os.environ.get("SSM_ENDPOINT_BIN", "ssm-local-endpoint")


class Endpoint:
    """ssm-local-endpoint on a free loopback port, stopped (SIGTERM) on exit."""

    def __init__(self, *args, tls=False, ca_out=None, env=None):
        self.args = list(args)
        self.env = env
        if tls:
            self.args += ["--tls", "--ca-out", ca_out]
        self.proc = None
        self.lines = []
        self.port = None
        self.url = None
        self._cond = threading.Condition()

    def __enter__(self):
        self.proc = subprocess.Popen([ENDPOINT, "--port", "0", *self.args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=self.env)
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_for(r"^ssm-local-endpoint ready ", timeout=20)
        self.port = int(re.search(r"port=(\d+)", line).group(1))
        self.url = re.search(r"url=(\S+)", line).group(1)
        return self

    def _read(self):
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with self._cond:
            while True:
                for line in self.lines:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not self._more_expected():
                    raise AssertionError(f"endpoint never printed {pattern!r}; got {self.lines}")
                self._cond.wait(min(left, 0.5))

    def _more_expected(self):
        return not self.proc.stdout.closed

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None and self.proc.returncode is None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.stop()
        self.stderr = self.proc.stderr.read() if self.proc.stderr else ""

    def api(self, action, body, ca=None):
        """One SSM JSON 1.1 call; returns the decoded reply. Signed (SigV4, written here
        independently of lib/aws) when the endpoint verifies signatures."""
        data = json.dumps(body).encode()
        headers = {"X-Amz-Target": "AmazonSSM." + action, "Content-Type": "application/x-amz-json-1.1"}
        if "--verify-sigv4" in self.args:
            headers.update(sigv4_headers(self.url, headers, data, self.env["AWS_ACCESS_KEY_ID"],
                                         self.env["AWS_SECRET_ACCESS_KEY"]))
        req = urllib.request.Request(self.url + "/", data=data, method="POST", headers=headers)
        ctx = None
        if ca:
            import ssl
            ctx = ssl.create_default_context(cafile=ca)
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return json.loads(r.read())

    def start_session(self, document="AWS-StartSSHSession", parameters=None, target="i-0123456789abcdef0", ca=None):
        params = {"Target": target, "DocumentName": document,
                  "Parameters": parameters if parameters is not None else {"portNumber": ["22"]}}
        response = self.api("StartSession", params, ca=ca)
        return response, params

    def session_end_line(self, session_id, timeout=120):
        line = self.wait_for(rf"^session {re.escape(session_id)} ended:", timeout=timeout)
        return dict(kv.split("=", 1) for kv in line.split(": ", 1)[1].split())


def sigv4_headers(url, headers, body, access_key, secret, region="us-east-1", service="ssm"):
    """X-Amz-Date and Authorization for a POST to `url` with `headers` (all signed) and `body`."""
    import datetime
    import hashlib
    import hmac
    import urllib.parse
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    signed = {k.lower(): v for k, v in headers.items()}
    signed["host"] = urllib.parse.urlsplit(url).netloc
    signed["x-amz-date"] = amz_date
    names = sorted(signed)
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{signed[n]}\n" for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"X-Amz-Date": amz_date, "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"}


def plugin_argv(response, params, endpoint_url, region="us-east-1", profile=""):
    """The AWS CLI's 7-argument contract, response passed directly."""
    return [PLUGIN, json.dumps(response), region, "StartSession", profile, json.dumps(params), endpoint_url]


def plugin_env(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
