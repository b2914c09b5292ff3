"""Credentials from the AWS CLI's interactive logins, end to end (issue 18): an IAM Identity
Center profile (sso_session, and the legacy sso_start_url form) and a console sign-in profile
(login_session, `aws login`). The plugin reads the token caches those commands write, refreshes
them through the endpoint's SSO-OIDC and Sign-In stand-ins (Sign-In with a DPoP proof the
endpoint verifies), writes them back as the AWS CLI does, and signs every call with what it
got; the endpoint accepts only the credentials its portal and Sign-In stand-ins issued
(--verify-sigv4 with a key pair the plugin never sees). Standard library only."""
import datetime
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from endpoint import PLUGIN, Endpoint

TIMEOUT = 60
REGION = "us-east-1"
TARGET = "i-0123456789abcdef0"
ACCOUNT, ROLE = "111122223333", "SessionUser"
SESSION = "corp"
START_URL = "https://corp.awsapps.com/start"
LEGACY_URL = "https://legacy.awsapps.com/start"
LOGIN_SESSION = "arn:aws:iam::111122223333:user/alice"
ENDPOINT_KEYS = {"AWS_ACCESS_KEY_ID": "AKIDENDPOINTONLY", "AWS_SECRET_ACCESS_KEY": "endpoint/only/secret"}

CONFIG = f"""
[profile sso-dev]
sso_session = {SESSION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = {REGION}

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile sso-legacy]
sso_start_url = {LEGACY_URL}
sso_region = {REGION}
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}

[profile console]
login_session = {LOGIN_SESSION}
region = {REGION}
"""


def stamp(delta_seconds):
    """An expiresAt as the AWS CLI writes it, `delta_seconds` from now."""
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


class LoginProfiles(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ssm-e2e-sso-")
        self.addCleanup(tmp.cleanup)
        self.home = tmp.name
        os.makedirs(os.path.join(self.home, ".aws"))
        self.config = os.path.join(self.home, ".aws", "config")
        with open(self.config, "w") as f:
            f.write(CONFIG)
        self.tokens_file = os.path.join(self.home, "identity-tokens.json")
        self.set_identity_tokens(sso_access=["sso-access-cached"], sso_refresh=["sso-refresh-cached"],
                                 login_refresh=["login-refresh-cached"])

    def set_identity_tokens(self, sso_access=(), sso_refresh=(), login_refresh=()):
        with open(self.tokens_file, "w") as f:
            json.dump({"sso_access_tokens": list(sso_access), "sso_refresh_tokens": list(sso_refresh),
                       "login_refresh_tokens": list(login_refresh)}, f)

    def endpoint(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        env.update(ENDPOINT_KEYS, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        ep = Endpoint("--verify-sigv4", "--identity-tokens", self.tokens_file, *args, env=env)
        ep.__enter__()
        self.addCleanup(ep.stop)
        return ep

    def plugin_env(self, ep):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        env.update(HOME=self.home, AWS_CONFIG_FILE=self.config, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_EC2_METADATA_DISABLED="true", AWS_ENDPOINT_URL_SSO=ep.url, AWS_ENDPOINT_URL_SSO_OIDC=ep.url,
                   AWS_ENDPOINT_URL_SIGNIN=ep.url)
        return env

    def ssh_proxy(self, ep, profile, **kwargs):
        return harness.run([PLUGIN, "ssh-proxy", TARGET, "22", "--profile", profile, "--endpoint-url", ep.url,
                            "--region", REGION], env=self.plugin_env(ep), text=False, **kwargs)

    # --- the caches, as the AWS CLI writes them -------------------------------------------------

    def sso_cache_path(self, key):
        return os.path.join(self.home, ".aws", "sso", "cache", hashlib.sha1(key.encode()).hexdigest() + ".json")

    def write_sso_cache(self, key, expires_in, refresh_token="sso-refresh-cached", start_url=START_URL):
        path = self.sso_cache_path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        token = {"startUrl": start_url, "region": REGION, "accessToken": "sso-access-cached",
                 "expiresAt": stamp(expires_in), "clientId": "client-id-1", "clientSecret": "client-secret-1",
                 "registrationExpiresAt": stamp(90 * 86400), "refreshToken": refresh_token}
        with open(path, "w") as f:
            json.dump(token, f)
        os.chmod(path, 0o600)
        return path

    def login_cache_path(self):
        return os.path.join(self.home, ".aws", "login", "cache",
                            hashlib.sha256(LOGIN_SESSION.encode()).hexdigest() + ".json")

    def write_login_cache(self, expires_in, keys, refresh_token="login-refresh-cached"):
        key = subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"], capture_output=True,
                             text=True, check=True, timeout=TIMEOUT).stdout
        path = self.login_cache_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        token = {"accessToken": {"accessKeyId": keys["AWS_ACCESS_KEY_ID"],
                                 "secretAccessKey": keys["AWS_SECRET_ACCESS_KEY"], "sessionToken": "",
                                 "accountId": ACCOUNT, "expiresAt": stamp(expires_in)},
                 "tokenType": "aws_sigv4", "clientId": "arn:aws:signin:::devtools/same-device",
                 "refreshToken": refresh_token, "idToken": "id-token-1", "dpopKey": key}
        with open(path, "w") as f:
            json.dump(token, f, indent=2)
        os.chmod(path, 0o600)
        return path

    def assert_private(self, path):
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)

    def events(self, ep, prefix):
        return [l for l in ep.lines if l.startswith(prefix)]

    # --- IAM Identity Center ----------------------------------------------------------------------

    def test_sso_session_profile_with_a_cached_token(self):
        cache = self.write_sso_cache(SESSION, expires_in=3600)
        before = open(cache).read()
        ep = self.endpoint("--stream-target", "source:5000")
        p = self.ssh_proxy(ep, "sso-dev")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout), 5000)
        self.assertEqual(self.events(ep, "sso get-role-credentials"),
                         [f"sso get-role-credentials account={ACCOUNT} role={ROLE} status=200"])
        self.assertEqual(self.events(ep, "sso create-token"), [])  # an hour left: no refresh
        self.assertEqual(open(cache).read(), before)
        ep.wait_for(r"^terminate session=")

    def test_a_token_near_expiry_is_refreshed_and_written_back_for_the_aws_cli(self):
        cache = self.write_sso_cache(SESSION, expires_in=300)  # inside the SDKs' 15-minute window
        ep = self.endpoint("--stream-target", "source:100")
        p = self.ssh_proxy(ep, "sso-dev")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.events(ep, "sso create-token"), ["sso create-token status=200"])
        self.assertEqual(len(self.events(ep, "sso get-role-credentials")), 1)
        self.assert_private(cache)
        with open(cache) as f:
            token = json.load(f)
        self.assertEqual(set(token), {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                                      "registrationExpiresAt", "refreshToken"})
        self.assertRegex(token["accessToken"], r"^sso-access-")
        self.assertNotEqual(token["accessToken"], "sso-access-cached")
        self.assertNotEqual(token["refreshToken"], "sso-refresh-cached")
        left = (parse_stamp(token["expiresAt"]) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertGreater(left, 3500)
        self.assertEqual((token["clientId"], token["startUrl"]), ("client-id-1", START_URL))
        self.assertNotIn("sso-access", p.stderr.decode())

        # The AWS CLI (botocore) reads the rewritten cache, gets role credentials with the new
        # token from the same portal, and signs a call the endpoint verifies.
        cli = shutil.which("aws")
        if cli:
            env = self.plugin_env(ep)
            env["AWS_PAGER"] = ""
            r = harness.run([cli, "ssm", "describe-instance-information", "--profile", "sso-dev", "--endpoint-url",
                             ep.url, "--region", REGION, "--output", "json"], env=env, timeout=TIMEOUT)
            if "sso_session" in r.stderr or "Unknown" in r.stderr:
                self.skipTest(f"the aws on PATH does not know sso-session profiles: {r.stderr}")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["InstanceInformationList"], [])
            self.assertEqual(len(self.events(ep, "sso get-role-credentials")), 2)
            self.assertEqual(self.events(ep, "sso create-token"), ["sso create-token status=200"])

    def test_an_expired_token_whose_refresh_is_refused_says_which_login_to_run(self):
        self.write_sso_cache(SESSION, expires_in=-60, refresh_token="sso-refresh-revoked")
        ep = self.endpoint()
        p = self.ssh_proxy(ep, "sso-dev")
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 255, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("aws sso login --profile sso-dev", err)
        self.assertIn("invalid_grant", err)
        for secret in ("sso-refresh-revoked", "sso-access-cached", "client-secret-1"):
            self.assertNotIn(secret, err)
        self.assertEqual(self.events(ep, "start session="), [])

    def test_legacy_profile_with_an_expired_token_and_with_none(self):
        ep = self.endpoint()
        for expires_in in (None, -60):
            if expires_in is not None:
                self.write_sso_cache(LEGACY_URL, expires_in=expires_in, start_url=LEGACY_URL)
            p = self.ssh_proxy(ep, "sso-legacy")
            err = p.stderr.decode()
            self.assertEqual(p.returncode, 255, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn("aws sso login --profile sso-legacy", err)
        self.assertEqual(self.events(ep, "sso create-token"), [])  # legacy tokens are never refreshed

    def test_a_session_that_outlives_its_first_credentials_resumes_and_terminates_with_fresh_ones(self):
        """The portal's credentials last 8 s here; the channel drops after 2 s of echo. The
        ResumeSession call, the new upgrade and TerminateSession must each sign with credentials
        fetched again (the first are expired by then, and the endpoint refuses expired ones)."""
        self.write_sso_cache(SESSION, expires_in=3600)
        ep = self.endpoint("--stream-target", "echo", "--credentials-duration", "8", "--disconnect-after", "2")
        argv = [PLUGIN, "ssh-proxy", TARGET, "22", "--profile", "sso-dev", "--endpoint-url", ep.url, "--region", REGION]
        with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=self.plugin_env(ep)) as p:
            watchdog = threading.Timer(TIMEOUT, p.kill)
            watchdog.start()
            try:
                p.stdin.write(b"first\n")
                p.stdin.flush()
                self.assertEqual(p.stdout.readline(), b"first\n")
                first_issue = time.monotonic()
                harness.wait_until(lambda: time.monotonic() - first_issue > 9, timeout=20,
                                   what="the first credentials to expire")
                p.stdin.write(b"second\n")  # the echo of this is the 2nd frame: the channel drops
                p.stdin.flush()
                self.assertEqual(p.stdout.readline(), b"second\n")
                p.stdin.write(b"third\n")
                p.stdin.flush()
                self.assertEqual(p.stdout.readline(), b"third\n")
                p.stdin.close()
                err = p.stderr.read().decode()
                code = p.wait()
            finally:
                watchdog.cancel()
        self.assertEqual(code, 0, err)
        upgrades = self.events(ep, "upgrade session=")
        self.assertEqual(len(upgrades), 2, ep.lines)  # the first connection and the resumed one
        self.assertTrue(all(u.endswith("signed=yes") for u in upgrades), upgrades)
        self.assertGreaterEqual(len(self.events(ep, "sso get-role-credentials")), 2, ep.lines)
        ep.wait_for(r"^terminate session=")

    # --- console sign-in (aws login) ----------------------------------------------------------------

    def test_login_session_profile_with_valid_cached_credentials(self):
        cache = self.write_login_cache(expires_in=3600, keys=ENDPOINT_KEYS)
        before = open(cache).read()
        ep = self.endpoint("--stream-target", "source:100")
        p = self.ssh_proxy(ep, "console")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout), 100)
        self.assertEqual(self.events(ep, "signin "), [])
        self.assertEqual(open(cache).read(), before)

    def test_login_credentials_near_expiry_are_refreshed_with_a_dpop_proof(self):
        # Keys the endpoint does not know: the session can only work with refreshed ones.
        cache = self.write_login_cache(expires_in=120, keys={"AWS_ACCESS_KEY_ID": "ASIAOLDKEYS",
                                                             "AWS_SECRET_ACCESS_KEY": "old/secret"})
        with open(cache) as f:
            before = json.load(f)
        ep = self.endpoint("--stream-target", "source:100")
        p = self.ssh_proxy(ep, "console")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.events(ep, "signin "), ["signin create-oauth2-token dpop=valid status=200"])
        self.assert_private(cache)
        with open(cache) as f:
            after = json.load(f)
        self.assertEqual(set(after), set(before))
        self.assertEqual(set(after["accessToken"]), set(before["accessToken"]))
        self.assertRegex(after["accessToken"]["accessKeyId"], r"^ASIA")
        self.assertEqual(after["accessToken"]["accountId"], ACCOUNT)
        self.assertNotEqual(after["refreshToken"], before["refreshToken"])
        self.assertEqual(after["dpopKey"], before["dpopKey"])
        left = (parse_stamp(after["accessToken"]["expiresAt"]) - datetime.datetime.now(datetime.timezone.utc))
        self.assertGreater(left.total_seconds(), 800)
        # The next run finds them fresh: no second refresh.
        p = self.ssh_proxy(ep, "console")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.events(ep, "signin ")), 1)  # fresh now: no second refresh

    def test_an_ended_login_session_says_to_run_aws_login(self):
        self.write_login_cache(expires_in=-30, keys={"AWS_ACCESS_KEY_ID": "ASIAOLD", "AWS_SECRET_ACCESS_KEY": "old"},
                               refresh_token="login-refresh-revoked")
        ep = self.endpoint()
        p = self.ssh_proxy(ep, "console")
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 255, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("aws login --profile console", err)
        self.assertIn("TOKEN_EXPIRED", err)
        self.assertNotIn("login-refresh-revoked", err)
        self.assertEqual(self.events(ep, "signin "), ["signin create-oauth2-token dpop=valid status=401 "
                                                      "error=AccessDeniedException"])

    def test_no_cached_login_at_all(self):
        ep = self.endpoint()
        p = self.ssh_proxy(ep, "console")
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 255, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("aws login --profile console", err)


if __name__ == "__main__":
    unittest.main()
