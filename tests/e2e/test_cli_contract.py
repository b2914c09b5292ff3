"""The AWS CLI's positional contract, run on the real binary (protocol.md §1, protocol-updates.md
§1, design.md "Output and exit codes"): the texts and exit statuses, the environment-variable
hand-off, and the token never showing up in any output, log or the process's command line."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

import harness

TOKEN = "SECRET-TOKEN-123"
# Port 1 on loopback is closed: a session that gets past the argv contract fails to connect.
CLOSED_URL = "ws://127.0.0.1:1/v1/data-channel/s-1?role=publish_subscribe"
RESPONSE = {"SessionId": "s-1", "StreamUrl": CLOSED_URL, "TokenValue": TOKEN}
PARAMS = json.dumps({"Target": "i-0123", "DocumentName": "AWS-StartSSHSession",
                     "Parameters": {"portNumber": ["22"]}})
ENDPOINT_URL = "https://ssm.us-east-1.amazonaws.com"
ENV_NAME = "AWS_SSM_START_SESSION_RESPONSE"
USAGE_PREFIX = "Cannot perform start session: "
EXIT_USAGE = 2
EXIT_CONNECTION_FAILURE = 255


def aws_cli_accepts_version(output, minimum="1.2.497.0"):
    """aws-cli customizations/sessionmanager.py VersionRequirement: strip all white space, match
    ^\\d+(\\.\\d+){0,3}$, compare numerically (shorter zero-padded), strictly greater."""
    version = re.sub(r"\s+", "", output)
    if not re.match(r"^\d+(\.\d+){0,3}$", version):
        return False
    have = [int(v) for v in version.split(".")]
    need = [int(v) for v in minimum.split(".")]
    width = max(len(have), len(need))
    return have + [0] * (width - len(have)) > need + [0] * (width - len(need))


class Texts(unittest.TestCase):
    def test_no_arguments_print_the_installed_message(self):
        p = harness.run_plugin()
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "\nThe Session Manager plugin was installed successfully. "
                                   "Use the AWS CLI to start a session.\n\n")
        self.assertEqual(p.stderr, "")

    def test_version_is_the_protocol_release(self):
        p = harness.run_plugin("--version")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "1.2.835.0\n")
        self.assertEqual(p.stderr, "")

    def test_version_passes_the_aws_cli_check(self):
        p = harness.run_plugin("--version")
        self.assertTrue(aws_cli_accepts_version(p.stdout), p.stdout)
        # The minimum AWS supports (protocol-updates.md §8).
        self.assertTrue(aws_cli_accepts_version(p.stdout, minimum="1.2.764.0"), p.stdout)
        # The check itself, on values it must refuse.
        for bad in ["1.2.497.0", "1.2.497", "v1.2.835.0", "1.2.835.0.1", "", "1.2.835.0-dev"]:
            self.assertFalse(aws_cli_accepts_version(bad), bad)

    def test_unknown_operation_for_one_or_two_arguments(self):
        for args in (["bogus"], ["--version", "extra"], ["--Version"], ["a", "b"]):
            with self.subTest(args=args):
                p = harness.run_plugin(*args)
                self.assertEqual(p.stdout, f"\nUnknown operation {args[0]}. \n"
                                           "Use session-manager-plugin --version to check the version.\n\n")
                self.assertEqual(p.stderr, "")
                self.assertEqual(p.returncode, EXIT_USAGE)

    def test_unknown_operation_never_echoes_a_token(self):
        """A response passed with too few arguments lands in the echoed argv[1]: masked."""
        p = harness.run_plugin(json.dumps(RESPONSE), "us-east-1")
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assertIn("Unknown operation", p.stdout)
        self.assertIn("<redacted>", p.stdout)
        self.assertNotIn(RESPONSE["TokenValue"], p.stdout + p.stderr)

    def test_invalid_operation(self):
        for args in ([json.dumps(RESPONSE), "us-east-1", "ResumeSession"],
                     [json.dumps(RESPONSE), "us-east-1", "startsession", "", PARAMS, ENDPOINT_URL]):
            with self.subTest(operation=args[2]):
                p = harness.run_plugin(*args)
                self.assertEqual(p.stdout, "Invalid Operation")
                self.assertEqual(p.stderr, "")
                self.assertEqual(p.returncode, EXIT_USAGE)


class ValidRequests(unittest.TestCase):
    """Requests that pass the contract reach the connection (and fail there: port 1 is closed)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ssm-cli-e2e-")
        self.log_path = os.path.join(self.tmp.name, "plugin.log")

    def tearDown(self):
        self.tmp.cleanup()

    def run_logged(self, *args, extra_env=None, unset=()):
        env = harness.environment(dict({"SSM_PLUGIN_LOG_FILE": self.log_path, "SSM_PLUGIN_LOG_LEVEL": "trace"},
                                       **(extra_env or {})), unset=unset)
        return harness.run_plugin(*args, env=env)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def assert_reached_the_connection(self, p):
        self.assertEqual(p.returncode, EXIT_CONNECTION_FAILURE, p.output)
        self.assertFalse(p.stderr.startswith(USAGE_PREFIX), p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertNotIn(TOKEN, p.output)
        self.assertNotIn(TOKEN, self.log())

    def test_legacy_four_argument_form(self):
        p = self.run_logged(json.dumps(RESPONSE), "us-east-1", "StartSession")
        self.assert_reached_the_connection(p)
        self.assertIn("starting session s-1 target= ", self.log())
        self.assertIn("(legacy 4-argument CLI form)", self.log())

    def test_seven_argument_form_of_the_current_cli(self):
        p = self.run_logged(json.dumps(RESPONSE), "us-east-1", "StartSession", "dev", PARAMS, ENDPOINT_URL)
        self.assert_reached_the_connection(p)
        line = next(l for l in self.log().splitlines() if "starting session" in l)
        self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO starting session s-1 ")
        for part in ("target=i-0123", "document=AWS-StartSSHSession", "region=us-east-1", "profile=dev",
                     f"endpoint={ENDPOINT_URL}", "response_from_env=false"):
            self.assertIn(part, line)
        self.assertNotIn("legacy", line)

    def test_eight_or_more_arguments_ignore_the_rest(self):
        p = self.run_logged(json.dumps(RESPONSE), "us-east-1", "StartSession", "", PARAMS, ENDPOINT_URL,
                            "extra", "{not json")
        self.assert_reached_the_connection(p)

    def test_response_keys_are_case_insensitive(self):
        response = {"sessionid": "s-1", "STREAMURL": CLOSED_URL, "tokenValue": TOKEN,
                    "ResponseMetadata": {"HTTPStatusCode": 200}}
        p = self.run_logged(json.dumps(response), "us-east-1", "StartSession", "", PARAMS, ENDPOINT_URL)
        self.assert_reached_the_connection(p)

    def test_environment_variable_hand_off(self):
        for name in (ENV_NAME, ENV_NAME + "_1234"):
            with self.subTest(name=name):
                p = self.run_logged(name, "us-east-1", "StartSession", "", PARAMS, ENDPOINT_URL,
                                    extra_env={name: json.dumps(RESPONSE)})
                self.assert_reached_the_connection(p)
                self.assertIn("response_from_env=true", self.log())


class BadInput(unittest.TestCase):
    def assert_usage_error(self, p, message=None):
        self.assertEqual(p.returncode, EXIT_USAGE, p.output)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertTrue(p.stderr.endswith("\n"), p.stderr)
        self.assertTrue(p.stderr.startswith(USAGE_PREFIX), p.stderr)
        if message is not None:
            self.assertEqual(p.stderr, USAGE_PREFIX + message + "\n")
        self.assertNotIn(TOKEN, p.output)

    def test_missing_environment_variable(self):
        env = harness.environment(unset=(ENV_NAME,))
        p = harness.run_plugin(ENV_NAME, "us-east-1", "StartSession", "", PARAMS, ENDPOINT_URL, env=env)
        self.assert_usage_error(p, f"environment variable {ENV_NAME} is not set")

    def test_bad_responses_and_parameters(self):
        good = json.dumps(RESPONSE)
        cases = [
            ("WRONG_ENV_NAME", PARAMS, "the StartSession response is not valid JSON"),
            ('{"SessionId":"s","TokenValue":"' + TOKEN + '"', PARAMS, "the StartSession response is not valid JSON"),
            (json.dumps([TOKEN]), PARAMS, "the StartSession response is not a JSON object"),
            (json.dumps({"SessionId": "s", "TokenValue": TOKEN}), PARAMS,
             "the StartSession response has no StreamUrl"),
            (json.dumps({"SessionId": "s", "StreamUrl": "wss://h/"}), PARAMS,
             "the StartSession response has no TokenValue"),
            (json.dumps({"StreamUrl": "wss://h/", "TokenValue": TOKEN}), PARAMS,
             "the StartSession response has no SessionId"),
            (json.dumps({"SessionId": "s", "StreamUrl": "wss://h/", "TokenValue": [TOKEN]}), PARAMS,
             "the StartSession response's TokenValue is not a string"),
            (json.dumps(dict(RESPONSE, StreamUrl="")), PARAMS, "the StartSession response has an empty StreamUrl"),
            (json.dumps(dict(RESPONSE, StreamUrl="https://h/")), PARAMS,
             "the StartSession response's StreamUrl is not a ws:// or wss:// URL"),
            (good, "not json " + TOKEN, "the StartSession request (argument 5) is not valid JSON"),
            (good, json.dumps({"DocumentName": "AWS-StartSSHSession"}),
             "the StartSession request (argument 5) has no Target"),
            (good, json.dumps({"Target": 7}), "the StartSession request (argument 5)'s Target is not a string"),
        ]
        for response, params, message in cases:
            with self.subTest(message=message):
                p = harness.run_plugin(response, "us-east-1", "StartSession", "", params, ENDPOINT_URL)
                self.assert_usage_error(p, message)
            with self.subTest(message=message, via=ENV_NAME):
                p = harness.run_plugin(ENV_NAME, "us-east-1", "StartSession", "", params, ENDPOINT_URL,
                                       env=harness.environment({ENV_NAME: response}))
                self.assert_usage_error(p, message)


class CommandLineScrubbing(unittest.TestCase):
    def test_token_leaves_the_command_line_while_the_session_runs(self):
        with socket.socket() as listener:  # accepts TCP but never answers the upgrade: the plugin waits
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            response = dict(RESPONSE, StreamUrl=f"ws://127.0.0.1:{listener.getsockname()[1]}/x")
            proc = subprocess.Popen([harness.plugin_bin(), json.dumps(response), "us-east-1", "StartSession", "",
                                     PARAMS, ENDPOINT_URL],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            listener.settimeout(harness.DEFAULT_TIMEOUT)
            conn = None
            try:
                conn, _ = listener.accept()  # by now argv has been parsed and scrubbed
                with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                    cmdline = f.read()
                self.assertNotIn(TOKEN.encode(), cmdline)
                self.assertNotIn(b"TokenValue", cmdline)
                self.assertIn(b"StartSession", cmdline)
                self.assertIn(ENDPOINT_URL.encode(), cmdline)
            finally:
                proc.kill()
                proc.wait(timeout=harness.DEFAULT_TIMEOUT)
                if conn:
                    conn.close()


@unittest.skipUnless(shutil.which("aws") and harness.have_binary("SSM_ENDPOINT_BIN", "ssm-local-endpoint"),
                     "needs the AWS CLI on PATH and ssm-local-endpoint")
class RealAwsCli(unittest.TestCase):
    """`aws ssm start-session` itself runs the plugin: it checks --version, then hands the
    response over in AWS_SSM_START_SESSION_RESPONSE (protocol.md §1.3)."""

    def test_aws_ssm_start_session_uses_the_environment_hand_off(self):
        size = 4096
        with tempfile.TemporaryDirectory(prefix="ssm-cli-e2e-") as tmp:
            os.symlink(harness.plugin_bin(), os.path.join(tmp, "session-manager-plugin"))
            log_path = os.path.join(tmp, "plugin.log")
            endpoint = subprocess.Popen([harness.endpoint_bin(), "--port", "0", "--stream-target", f"source:{size}"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                ready = endpoint.stdout.readline()
                url = re.search(r"url=(\S+)", ready).group(1)
                env = harness.environment({
                    "PATH": tmp + os.pathsep + os.environ.get("PATH", ""),
                    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "SSM_PLUGIN_LOG_FILE": log_path,
                }, unset=("AWS_PROFILE", "AWS_SESSION_TOKEN"))
                # stdio mode (SSH document): stdout is the agent's data; stdin stays open until the
                # data has arrived, because EOF on stdin ends a stdio session.
                aws = ["aws", "ssm", "start-session", "--target", "i-0123456789abcdef0",
                       "--document-name", "AWS-StartSSHSession", "--parameters", "portNumber=22",
                       "--endpoint-url", url, "--region", "us-east-1"]
                with subprocess.Popen(aws, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      env=env) as cli:
                    watchdog = threading.Timer(120, cli.kill)
                    watchdog.start()
                    try:
                        out = cli.stdout.read()  # until the session ends and both processes have exited
                        cli.stdin.close()
                        err = cli.stderr.read().decode()
                        cli.wait()
                    finally:
                        watchdog.cancel()
                self.assertEqual(cli.returncode, 0, err)
                self.assertEqual(len(out), size)
                with open(log_path) as f:
                    log = f.read()
                self.assertIn("response_from_env=true", log)
                self.assertNotIn("TokenValue", log)
            finally:
                endpoint.terminate()
                endpoint.wait(timeout=harness.DEFAULT_TIMEOUT)
                endpoint.stdout.close()


if __name__ == "__main__":
    unittest.main()
