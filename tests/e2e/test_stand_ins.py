"""The endpoint's AWS stand-ins end to end: STS AssumeRole for assume-role profiles (the
plugin's credential chain gets temporary credentials from the endpoint, which then accepts
calls and the WebSocket upgrade signed with them), and KMS refusing what real KMS refuses (a
key that does not exist, throttling). Each failure is one stderr line and never a secret.
Standard library only."""
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
import urllib.request

import harness
from endpoint import PLUGIN, Endpoint, plugin_argv, sigv4_headers

BASE = {"AWS_ACCESS_KEY_ID": "AKIDSTANDINBASE", "AWS_SECRET_ACCESS_KEY": "stand-in/base+Secret9"}
OTHER = {"AWS_ACCESS_KEY_ID": "AKIDSOMEONEELSE", "AWS_SECRET_ACCESS_KEY": "someone-else/secret"}
ROLE_ARN = "arn:aws:iam::111122223333:role/dev"
KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DELETED_KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/0000dead-0000-0000-0000-000000000000"
TARGET = "i-0123456789abcdef0"
EXIT_CONNECTION_FAILURE = 255
TIMEOUT = 20


def endpoint_env(keys=BASE):
    """The endpoint's own environment: --verify-sigv4 takes its key pair from here."""
    return dict(os.environ, **keys)


def clean_env(**extra):
    """This environment without any AWS or plugin setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("SSM_PLUGIN_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", **extra)
    return env


class StsRecorder(harness.ApiForwarder):
    """The STS calls pass through here, so that a test knows the temporary credentials the
    plugin was given and can check that they appear nowhere."""

    def issued_secrets(self):
        """The SecretAccessKey and SessionToken of every successful AssumeRole answer."""
        return [v for _, status, body in self.answers if status == 200
                for v in re.findall(r"<(?:SecretAccessKey|SessionToken)>([^<]+)<", body)]


class AssumeRoleHome:
    """A HOME whose AWS files hold `base` as static keys in [profile base] and the assume-role
    profile dev (role_arn + source_profile=base), nothing else."""

    def __init__(self, base=BASE):
        self._dir = tempfile.TemporaryDirectory(prefix="ssm-e2e-stand-ins-")
        self.home = self._dir.name
        os.mkdir(os.path.join(self.home, ".aws"))
        with open(os.path.join(self.home, ".aws", "credentials"), "w") as f:
            f.write(f"[base]\naws_access_key_id = {base['AWS_ACCESS_KEY_ID']}\n"
                    f"aws_secret_access_key = {base['AWS_SECRET_ACCESS_KEY']}\n")
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(f"[profile base]\nregion = us-east-1\n\n"
                    f"[profile dev]\nrole_arn = {ROLE_ARN}\nsource_profile = base\nregion = us-east-1\n")

    def env(self, sts_url, **extra):
        return clean_env(HOME=self.home, AWS_ENDPOINT_URL_STS=sts_url, **extra)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._dir.cleanup()


def echo_through(argv, env, data):
    """Runs the plugin with `data` on stdin while reading what comes back on stdout (an echo
    target behind it), then closes stdin. Returns (exit status, bytes read, stderr)."""
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as p:
        watchdog = threading.Timer(TIMEOUT, p.kill)
        watchdog.start()
        try:
            def feed():
                try:
                    p.stdin.write(data)
                    p.stdin.flush()
                except OSError:
                    pass  # the plugin failed early; its status says why

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            got = b""
            while len(got) < len(data):
                chunk = p.stdout.read1(1 << 16)
                if not chunk:
                    break
                got += chunk
            writer.join(TIMEOUT)
            try:
                p.stdin.close()
            except OSError:
                pass
            err = p.stderr.read().decode()
            code = p.wait()
        finally:
            watchdog.cancel()
    return code, got, err


def assume_role_line(ep):
    """The line of the plugin's own AssumeRole (its default session name)."""
    return ep.wait_for(rf"^assume-role arn={re.escape(ROLE_ARN)} session=session-manager-plugin-\d+", timeout=TIMEOUT)


def role_endpoint(*args, keys=BASE):
    """An endpoint where `keys` may only assume roles (--assume-role-only): whatever else
    succeeds was signed with credentials its STS stand-in issued."""
    return Endpoint("--verify-sigv4", "--assume-role-only", *args, env=endpoint_env(keys))


def signed_post(url, headers, body, credentials, service):
    """A POST signed (SigV4, endpoint.py's independent signer) with `credentials` (an env-style
    dict, AWS_SESSION_TOKEN included when temporary); returns the answer's body."""
    headers = dict(headers)
    if credentials.get("AWS_SESSION_TOKEN"):
        headers["X-Amz-Security-Token"] = credentials["AWS_SESSION_TOKEN"]
    headers.update(sigv4_headers(url, headers, body, credentials["AWS_ACCESS_KEY_ID"],
                                 credentials["AWS_SECRET_ACCESS_KEY"], service=service))
    req = urllib.request.Request(url + "/", data=body, method="POST", headers=headers)
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        return r.read().decode()


def assume_role_as_test(ep):
    """What the AWS CLI does before it runs the plugin with an assume-role profile: AssumeRole,
    then StartSession with the role's credentials. Returns the response and parameters."""
    form = urllib.parse.urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN,
                                   "RoleSessionName": "aws-cli-stand-in"}).encode()
    xml = signed_post(ep.url, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, form, BASE, "sts")
    role = {name: re.search(f"<{tag}>([^<]+)</{tag}>", xml).group(1) for name, tag in
            (("AWS_ACCESS_KEY_ID", "AccessKeyId"), ("AWS_SECRET_ACCESS_KEY", "SecretAccessKey"),
             ("AWS_SESSION_TOKEN", "SessionToken"))}
    params = {"Target": TARGET, "DocumentName": "AWS-StartSSHSession", "Parameters": {"portNumber": ["22"]}}
    response = json.loads(signed_post(ep.url, {"X-Amz-Target": "AmazonSSM.StartSession",
                                               "Content-Type": "application/x-amz-json-1.1"},
                                      json.dumps(params).encode(), role, "ssm"))
    return response, params


class AssumeRoleProfile(unittest.TestCase):
    def assert_no_secret(self, text, recorder):
        for secret in [BASE["AWS_SECRET_ACCESS_KEY"], *recorder.issued_secrets()]:
            self.assertNotIn(secret, text)

    def test_standalone_ssh_proxy_with_an_assume_role_profile(self):
        data = os.urandom(256 * 1024)
        with role_endpoint("--stream-target", "echo") as ep, StsRecorder(ep.url) as sts, AssumeRoleHome() as home:
            argv = [PLUGIN, "--profile", "dev", "--endpoint-url", ep.url, "ssh-proxy", TARGET, "22"]
            code, got, err = echo_through(argv, home.env(sts.url), data)
            self.assertEqual(code, 0, err)
            self.assertEqual(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest())
            self.assertEqual(err, "")
            # One AssumeRole, then StartSession, the upgrade and TerminateSession signed with what
            # it issued: with --assume-role-only the base keys would have been refused.
            self.assertNotIn("refused", assume_role_line(ep))
            self.assertEqual(len(sts.issued_secrets()), 2, sts.answers)
            line = ep.wait_for(r"^upgrade session=\S+ signed=", timeout=TIMEOUT)
            self.assertRegex(line, r"signed=yes$")
            session = re.match(r"upgrade session=(\S+)", line).group(1)
            end = ep.session_end_line(session, timeout=TIMEOUT)
            self.assertEqual(end["in_sha256"], hashlib.sha256(data).hexdigest())
            ep.wait_for(rf"^terminate session={re.escape(session)}$", timeout=TIMEOUT)
            self.assert_no_secret(err, sts)
            self.assertNotIn(b"ASIA", got.replace(data, b""))

    def test_aws_cli_contract_with_the_profile_in_argv(self):
        data = b"assumed role\n" * 500
        with role_endpoint("--stream-target", "echo") as ep, StsRecorder(ep.url) as sts, AssumeRoleHome() as home:
            response, params = assume_role_as_test(ep)
            code, got, err = echo_through(plugin_argv(response, params, ep.url, profile="dev"), home.env(sts.url), data)
            self.assertEqual(code, 0, err)
            self.assertEqual(got, data)
            self.assertNotIn("refused", assume_role_line(ep))
            line = ep.wait_for(rf"^upgrade session={re.escape(response['SessionId'])} ", timeout=TIMEOUT)
            self.assertEqual(line, f"upgrade session={response['SessionId']} signed=yes")
            self.assert_no_secret(err + got.decode(), sts)

    def test_sts_refusing_the_source_keys_is_one_line_naming_the_role(self):
        with role_endpoint(keys=OTHER) as ep, StsRecorder(ep.url) as sts, AssumeRoleHome() as home:
            p = subprocess.run([PLUGIN, "--profile", "dev", "--endpoint-url", ep.url, "ssh-proxy", TARGET, "22"],
                               env=home.env(sts.url), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=TIMEOUT)
            self.assertNotEqual(p.returncode, 0)
            self.assertEqual(p.stdout, "")
            lines = p.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertIn(ROLE_ARN, lines[0])
            self.assertIn("InvalidClientTokenId", lines[0])
            self.assertIn("HTTP 403", lines[0])
            self.assertIn("refused=InvalidClientTokenId", assume_role_line(ep))
            self.assertEqual(sts.issued_secrets(), [])
            self.assert_no_secret(p.stderr, sts)
            self.assertFalse([l for l in ep.lines if l.startswith("upgrade ")], ep.lines)


def kms_endpoint(*args):
    """An endpoint whose agent encrypts sessions with KEY_ID (unless --kms-agent-key-id says
    otherwise) and that verifies every call's signature against BASE."""
    return Endpoint("--kms-key-id", KEY_ID, "--verify-sigv4", *args, env=endpoint_env())


def kms_calls(ep):
    """The endpoint's GenerateDataKey lines, as (key, status, error or None)."""
    calls = []
    for line in ep.lines:
        m = re.match(r"kms generate-data-key key=(\S+) status=(\d+)(?: error=(\S+))?$", line)
        if m:
            calls.append((m.group(1), int(m.group(2)), m.group(3)))
    return calls


class KmsRefusals(unittest.TestCase):
    def run_command_session(self, ep):
        response, params = ep.start_session(document="AWS-StartNonInteractiveCommand",
                                            parameters={"command": ['sh -c "echo encrypted-$((6*7))"']})
        env = clean_env(AWS_ENDPOINT_URL_KMS=ep.url, **BASE)
        p = subprocess.run(plugin_argv(response, params, ep.url), env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertNotIn(BASE["AWS_SECRET_ACCESS_KEY"], p.stdout + p.stderr)
        return response["SessionId"], p

    def assert_one_line(self, p, *fragments):
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "")
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def test_a_key_that_does_not_exist(self):
        """The session preferences name a KMS key that was deleted: KMS says NotFoundException."""
        with kms_endpoint("--kms-agent-key-id", DELETED_KEY_ID) as ep:
            session, p = self.run_command_session(ep)
            self.assert_one_line(p, "NotFoundException")
            ep.wait_for(rf"^session {re.escape(session)} cancelled: .*KMSEncryption failed on client", timeout=TIMEOUT)
            self.assertEqual(kms_calls(ep), [(DELETED_KEY_ID, 400, "NotFoundException")])

    def test_throttling_twice_is_retried(self):
        with kms_endpoint("--kms-throttle", "2") as ep:
            session, p = self.run_command_session(ep)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "encrypted-42\n", ""))
            ep.session_end_line(session, timeout=TIMEOUT)
            self.assertEqual(kms_calls(ep), [(KEY_ID, 400, "ThrottlingException")] * 2 + [(KEY_ID, 200, None)])

    def test_throttling_three_times_gives_up(self):
        with kms_endpoint("--kms-throttle", "3") as ep:
            session, p = self.run_command_session(ep)
            self.assert_one_line(p, "ThrottlingException")
            ep.wait_for(rf"^session {re.escape(session)} cancelled: .*KMSEncryption failed on client", timeout=TIMEOUT)
            self.assertEqual(kms_calls(ep), [(KEY_ID, 400, "ThrottlingException")] * 3)


if __name__ == "__main__":
    unittest.main()
