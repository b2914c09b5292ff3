"""KMS-encrypted sessions end to end (protocol-smux-kms-aws.md §2): the endpoint's agent asks
for KMSEncryption (--kms-key-id), the real plugin gets a data key from the endpoint's KMS
stand-in (GenerateDataKey, SigV4-verified), answers the encryption challenge, and every
Output/StdErr/ExitCode payload travels sealed. Also the ways it fails: the legacy 4-argument
CLI, an unreachable or refusing KMS, a data key bound to another target. Standard library only."""
import json
import os
import re
import socket
import subprocess
import tempfile
import unittest

from endpoint import Endpoint, PLUGIN, plugin_argv
from test_port import Forwarder, TcpTarget, download, pattern_digest, upload
from test_shell import PluginOnPty

MB = 1024 * 1024
BULK = int(os.environ.get("SSM_E2E_BULK_MB", "20")) * MB
KEY_ID = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENCRYPTED = "This session is encrypted using AWS KMS."
KEYS = {"AWS_ACCESS_KEY_ID": "AKIDKMSTEST", "AWS_SECRET_ACCESS_KEY": "kms-test-secret"}
EXIT_CONNECTION_FAILURE = 255
TIMEOUT = 30


def kms_endpoint(*args):
    """An endpoint whose agent encrypts with KEY_ID and that verifies every API call's
    signature (the KMS call included) against KEYS."""
    return Endpoint("--kms-key-id", KEY_ID, "--verify-sigv4", *args, env=dict(os.environ, **KEYS))


def plugin_env(ep, **extra):
    """What the plugin needs for its KMS call: credentials and the endpoint as KMS."""
    env = dict(os.environ, **KEYS)
    env.pop("AWS_PROFILE", None)
    env["AWS_ENDPOINT_URL_KMS"] = ep.url
    env.update(extra)
    return env


class EncryptedShell(unittest.TestCase):
    def type_in_encrypted_shell(self, ep, typed, expected, **size):
        """An encrypted shell on a pty: once the plugin says the session is encrypted, types
        `typed`, waits for `expected` on the screen, then `exit`. Returns the StartSession response."""
        response, params = ep.start_session(document="SSM-SessionManagerRunShell", parameters={})
        term = PluginOnPty(plugin_argv(response, params, ep.url), env=plugin_env(ep), **size)
        try:
            at = term.expect(re.escape(ENCRYPTED).encode())
            term.send(typed)
            term.expect(expected, since=at)
            term.send(b"exit\r")
            self.assertEqual(term.wait(), 0)
        finally:
            term.close()
        return response

    def test_echo_round_trip_and_exit(self):
        with kms_endpoint() as ep:
            response = self.type_in_encrypted_shell(ep, b"echo secret-$((6*7))\r", rb"secret-42")
            end = ep.session_end_line(response["SessionId"], timeout=10)
            # The agent saw the keystrokes and sent the shell's output, both in the clear once opened.
            self.assertGreater(int(end["in"]), len("echo secret-$((6*7))\r"))
            self.assertGreater(int(end["out"]), 0)

    def test_input_given_before_the_handshake_reaches_the_shell(self):
        """The plugin starts a shell document's session at once, but an agent that hand-shakes
        (KMS) acks and discards input until HandshakeComplete (agent-side.md §2.5): input
        that is there from the start must be sent again, sealed, once encryption is on."""
        with tempfile.TemporaryFile() as f, kms_endpoint() as ep:
            f.write(b"alpha\nbeta\ngamma\n")
            f.seek(0)
            response, params = ep.start_session(document="AWS-StartInteractiveCommand",
                                                parameters={"command": ["head -n 2"]})
            p = subprocess.run(plugin_argv(response, params, ep.url), env=plugin_env(ep), stdin=f,
                               capture_output=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"alpha\r\nbeta\r\n", p.stdout)

    def test_the_terminal_size_sent_at_start_reaches_the_shell(self):
        with kms_endpoint() as ep:
            self.type_in_encrypted_shell(ep, b"stty size\r", rb"33 111", rows=33, cols=111)

    def test_command_output_streams_and_exit_code(self):
        with kms_endpoint() as ep:
            response, params = ep.start_session(
                document="AWS-StartNonInteractiveCommand",
                parameters={"command": ['sh -c "echo out-$((6*7)); echo err-$((2+3)) >&2; exit 3"']})
            p = subprocess.run(plugin_argv(response, params, ep.url), env=plugin_env(ep), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=TIMEOUT)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (3, b"out-42\n", b"err-5\n"))


class EncryptedPortForwarding(unittest.TestCase):
    def test_bulk_each_way_over_smux(self):
        up_target, down_target = TcpTarget(), TcpTarget(download=BULK)
        try:
            with kms_endpoint("--stream-target", f"dial:127.0.0.1:{up_target.port}") as ep:
                fwd = Forwarder(ep, env=plugin_env(ep))
                try:
                    upload(fwd.port, BULK, "up")
                    self.assertEqual(up_target.wait_received(1), [(BULK, pattern_digest(BULK, "up"))])
                finally:
                    status, out, err = fwd.stop()
                self.assertEqual(status, 0, err)
                self.assertIn(ENCRYPTED.encode(), out)
                # The agent opened at least the uploaded bytes (plus smux framing) from sealed payloads.
                self.assertGreaterEqual(int(ep.session_end_line(fwd.session_id, timeout=10)["in"]), BULK)
            with kms_endpoint("--stream-target", f"dial:127.0.0.1:{down_target.port}") as ep:
                fwd = Forwarder(ep, env=plugin_env(ep))
                try:
                    self.assertEqual(download(fwd.port, BULK), (BULK, pattern_digest(BULK, "down")))
                finally:
                    status, out, err = fwd.stop()
                self.assertEqual(status, 0, err)
                self.assertIn(ENCRYPTED.encode(), out)
                self.assertGreaterEqual(int(ep.session_end_line(fwd.session_id, timeout=10)["out"]), BULK)
        finally:
            up_target.close()
            down_target.close()


class EncryptionFails(unittest.TestCase):
    def run_command_session(self, ep, env, target="i-0123456789abcdef0", plugin_target=None):
        response, params = ep.start_session(document="AWS-StartNonInteractiveCommand",
                                            parameters={"command": ["echo never"]}, target=target)
        if plugin_target:
            params = dict(params, Target=plugin_target)
        p = subprocess.run(plugin_argv(response, params, ep.url), env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
        return response["SessionId"], p

    def assert_one_line(self, p, *fragments):
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.stdout, b"")
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])
        self.assertNotIn(KEYS["AWS_SECRET_ACCESS_KEY"], lines[0])

    def test_legacy_four_argument_form_refuses_encryption(self):
        with kms_endpoint() as ep:
            response, _ = ep.start_session(document="SSM-SessionManagerRunShell", parameters={})
            term = PluginOnPty([PLUGIN, json.dumps(response), "us-east-1", "StartSession"], env=plugin_env(ep))
            try:
                term.expect(rb"Installed version of CLI does not support Session Manager encryption feature\. "
                            rb"Please upgrade to the latest version of your CLI \(e\.g\., AWS CLI\)\.")
                self.assertEqual(term.wait(), EXIT_CONNECTION_FAILURE)
            finally:
                term.close()
            ep.wait_for(rf"^session {re.escape(response['SessionId'])} cancelled: .*KMSEncryption failed on client "
                        r"with status 2", timeout=10)

    def test_unreachable_kms(self):
        with kms_endpoint() as ep:
            with socket.socket() as s:  # a free port that nobody listens on
                s.bind(("127.0.0.1", 0))
                dead_port = s.getsockname()[1]
            session, p = self.run_command_session(ep, plugin_env(ep, AWS_ENDPOINT_URL_KMS=f"http://127.0.0.1:{dead_port}"))
            self.assertEqual(p.returncode, EXIT_CONNECTION_FAILURE)
            self.assert_one_line(p, "KMS encryption", "GenerateDataKey failed", "cannot connect to")
            ep.wait_for(rf"^session {re.escape(session)} cancelled: .*KMSEncryption failed on client", timeout=10)

    def test_kms_refuses_the_credentials(self):
        # A second endpoint plays a KMS that knows other keys than the plugin has.
        other_keys = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDSOMEONEELSE", AWS_SECRET_ACCESS_KEY="another-secret")
        with kms_endpoint() as ep, Endpoint("--verify-sigv4", env=other_keys) as kms:
            session, p = self.run_command_session(ep, plugin_env(ep, AWS_ENDPOINT_URL_KMS=kms.url))
            self.assertEqual(p.returncode, EXIT_CONNECTION_FAILURE)
            self.assert_one_line(p, "GenerateDataKey failed: UnrecognizedClientException")
            ep.wait_for(rf"^session {re.escape(session)} cancelled: .*KMSEncryption failed on client", timeout=10)

    def test_data_key_bound_to_another_target_is_refused_by_the_agent(self):
        # The plugin puts its own idea of the target in the encryption context; the agent
        # decrypts with its real instance id, so KMS refuses and the agent cancels the session.
        with kms_endpoint("--resume-grace", "0") as ep:
            session, p = self.run_command_session(ep, plugin_env(ep), plugin_target="i-0000000000000000f")
            self.assertNotEqual(p.returncode, 0)
            self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1, p.stderr)
            line = ep.wait_for(rf"^session {re.escape(session)} cancelled: ", timeout=10)
            self.assertIn("encryption context", line)


if __name__ == "__main__":
    unittest.main()
