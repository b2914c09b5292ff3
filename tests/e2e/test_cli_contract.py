"""The AWS CLI's positional contract, run on the real binary (protocol.md §1,
protocol-updates.md §1): texts, exit statuses, the environment-variable hand-off, and the
token never showing up in any output or in the process's command line."""
import json
import os
import re
import subprocess
import time
import unittest

from endpoint import PLUGIN

TOKEN = "SECRET-TOKEN-123"
RESPONSE = {"SessionId": "s-1", "StreamUrl": "ws://127.0.0.1:1/v1/data-channel/s-1?role=publish_subscribe",
            "TokenValue": TOKEN}
PARAMS = json.dumps({"Target": "i-0123", "DocumentName": "AWS-StartSSHSession", "Parameters": {"portNumber": ["22"]}})


def run(*args, env=None, timeout=30):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([PLUGIN, *args], capture_output=True, text=True, timeout=timeout, env=full_env,
                          stdin=subprocess.DEVNULL)


class Contract(unittest.TestCase):
    def assert_no_token(self, proc):
        self.assertNotIn(TOKEN, proc.stdout + proc.stderr)

    def test_no_arguments(self):
        p = run()
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "\nThe Session Manager plugin was installed successfully. "
                                   "Use the AWS CLI to start a session.\n\n")

    def test_version_is_what_the_aws_cli_parses(self):
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "1.2.835.0\n")
        self.assertEqual(p.stderr, "")
        # aws-cli sessionmanager.py: strip whitespace, match, compare with 1.2.497.0.
        version = re.sub(r"\s", "", p.stdout)
        self.assertRegex(version, r"^\d+(\.\d+){0,3}$")
        self.assertGreater(tuple(map(int, version.split("."))), (1, 2, 497, 0))

    def test_unknown_operation(self):
        p = run("bogus")
        self.assertEqual(p.stdout, "\nUnknown operation bogus. \nUse session-manager-plugin --version to check the version.\n\n")
        self.assertEqual(p.returncode, 2)

    def test_invalid_operation(self):
        p = run(json.dumps(RESPONSE), "us-east-1", "ResumeSession")
        self.assertEqual(p.stdout, "Invalid Operation")
        self.assertEqual(p.returncode, 2)

    def test_four_and_seven_argument_forms_reach_the_connection(self):
        # Port 1 is closed: the session is parsed and started, then fails to connect.
        for args in ([json.dumps(RESPONSE), "us-east-1", "StartSession"],
                     [json.dumps(RESPONSE), "us-east-1", "StartSession", "", PARAMS, "https://ssm.example"]):
            p = run(*args)
            self.assertEqual(p.returncode, 255, p.stderr)
            self.assertIn("cannot connect to 127.0.0.1:1", p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assert_no_token(p)

    def test_environment_variable_hand_off(self):
        p = run("AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "", PARAMS, "https://ssm.example",
                env={"AWS_SSM_START_SESSION_RESPONSE": json.dumps(RESPONSE)})
        self.assertEqual(p.returncode, 255, p.stderr)
        self.assertIn("cannot connect", p.stderr)
        self.assert_no_token(p)

    def test_missing_environment_variable(self):
        env = dict(os.environ)
        env.pop("AWS_SSM_START_SESSION_RESPONSE", None)
        p = subprocess.run([PLUGIN, "AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "", PARAMS, "x"],
                           capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr, "Cannot perform start session: environment variable "
                                   "AWS_SSM_START_SESSION_RESPONSE is not set\n")

    def test_bad_input_is_one_line_exit_2_without_the_token(self):
        cases = [
            ("WRONG_ENV_NAME", PARAMS),
            ('{"SessionId":"s","TokenValue":"' + TOKEN + '"', PARAMS),
            (json.dumps({"SessionId": "s", "TokenValue": TOKEN}), PARAMS),
            (json.dumps({"SessionId": "s", "StreamUrl": "wss://h/"}), PARAMS),
            (json.dumps({"SessionId": "s", "StreamUrl": "wss://h/", "TokenValue": [TOKEN]}), PARAMS),
            (json.dumps(RESPONSE), "not json " + TOKEN),
            (json.dumps(RESPONSE), json.dumps({"DocumentName": "AWS-StartSSHSession"})),
            (json.dumps(RESPONSE), json.dumps({"Target": 7})),
        ]
        for response, params in cases:
            with self.subTest(response=response[:30], params=params[:30]):
                p = run(response, "us-east-1", "StartSession", "", params, "https://ssm.example")
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertTrue(p.stderr.startswith("Cannot perform start session: "), p.stderr)
                self.assert_no_token(p)

    def test_token_is_scrubbed_from_the_command_line(self):
        """While the session runs, /proc/<pid>/cmdline no longer holds the token."""
        import socket
        with socket.socket() as listener:  # accepts TCP but never upgrades: the plugin waits
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            response = dict(RESPONSE, StreamUrl=f"ws://127.0.0.1:{listener.getsockname()[1]}/x")
            proc = subprocess.Popen([PLUGIN, json.dumps(response), "us-east-1", "StartSession", "", PARAMS, "x"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            conn, _ = listener.accept()
            try:
                deadline = time.monotonic() + 10
                cmdline = b""
                while time.monotonic() < deadline:
                    with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                        cmdline = f.read()
                    if TOKEN.encode() not in cmdline:
                        break
                    time.sleep(0.05)
                self.assertNotIn(TOKEN.encode(), cmdline)
                self.assertIn(b"StartSession", cmdline)
            finally:
                proc.kill()
                proc.wait()
                conn.close()


if __name__ == "__main__":
    unittest.main()
