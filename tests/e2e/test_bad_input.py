"""Bad input, end to end, as a table: malformed argv, broken StartSession responses, dead
ports, and a data-channel peer (hostile_agent.py, written from the protocol description)
that sends truncated, oversized or wrongly digested frames, floods, or stops reading. Each
row must end with one line, a non-zero status, no crash and no hang, in bounded memory (peak
RSS, loosely: < 64 MB; not asserted under ASan, whose shadow memory counts too), and with no
token in what it printed. Standard library only."""
import hashlib
import json
import os
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

from endpoint import PLUGIN
from hostile_agent import HostileAgent, client_message, output

TIMEOUT = 90
MAX_RSS_KIB = 64 * 1000
SANITIZED = os.environ.get("SSM_E2E_SANITIZED") == "1"
PARAMS = json.dumps({"Target": "i-0123456789abcdef0"})
TOKEN = "hostile-token"
STARTING_LINE = b"Starting session with SessionId: s-hostile\n"


def env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
    # ResumeSession is signed: any key pair will do (the peer refuses every call anyway).
    e.update(AWS_ACCESS_KEY_ID="AKIDBADINPUT", AWS_SECRET_ACCESS_KEY="bad-input/secret", HOME="/nonexistent",
             AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    e.update(extra)
    return e


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Run:
    """The plugin under /usr/bin/time (peak RSS), stdout read only after `hold_stdout` s."""

    def __init__(self, argv, environment, stdin=subprocess.DEVNULL, hold_stdout=0.0):
        self._dir = tempfile.TemporaryDirectory(prefix="ssm-bad-input-")
        self.rss_file = os.path.join(self._dir.name, "rss")
        timed = ["/usr/bin/time", "-f", "%M", "-o", self.rss_file, *argv] if os.access("/usr/bin/time", os.X_OK) else argv
        start = time.monotonic()
        p = subprocess.Popen(timed, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        try:
            time.sleep(hold_stdout)
            self.stdout, self.stderr = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise AssertionError(f"the plugin did not end within {TIMEOUT} s")
        self.seconds = time.monotonic() - start
        self.returncode = p.returncode
        self.peak_rss_kib = None
        if os.path.exists(self.rss_file):
            with open(self.rss_file) as f:
                lines = f.read().split()
                self.peak_rss_kib = int(lines[-1]) if lines and lines[-1].isdigit() else None
        self._dir.cleanup()


class BadInput(unittest.TestCase):
    def assert_one_line_ending(self, run, *fragments, stdout_is_data=False, expected_lines=1):
        """stdout_is_data: only stderr is the plugin's to speak on (a session's stdout carries
        what the agent sent, and the "Starting session" line)."""
        said = run.stderr.decode(errors="replace") + ("" if stdout_is_data else run.stdout.decode(errors="replace"))
        lines = [l for l in said.splitlines() if l.strip()]
        self.assertGreater(run.returncode, 0, said)  # negative: killed by a signal
        self.assertNotIn(run.returncode, range(129, 129 + 64), f"killed by a signal (GNU time's status)? {said}")
        self.assertEqual(len(lines), expected_lines, said)
        for f in fragments:
            self.assertIn(f, lines[0])
        self.assertNotIn(TOKEN, said)
        self.assertNotIn("bad-input/secret", said)
        if run.peak_rss_kib is not None and not SANITIZED:
            self.assertLess(run.peak_rss_kib, MAX_RSS_KIB, f"peak RSS {run.peak_rss_kib} KiB")

    # ---- the command line and the StartSession response ---------------------------------

    def test_malformed_command_lines_and_responses(self):
        good = {"SessionId": "s-1", "TokenValue": TOKEN, "StreamUrl": f"ws://127.0.0.1:{dead_port()}/v1/data-channel/s-1"}
        url = f"http://127.0.0.1:{dead_port()}"
        rows = [
            ("a response that is not JSON", ["{not json", "us-east-1", "StartSession", "", PARAMS, url], {}),
            ("a response cut short", [json.dumps(good)[:30], "us-east-1", "StartSession", "", PARAMS, url], {}),
            ("a response without a StreamUrl", [json.dumps({"SessionId": "s-1", "TokenValue": TOKEN}), "us-east-1",
                                               "StartSession", "", PARAMS, url], {}),
            ("a StreamUrl that is no URL", [json.dumps(dict(good, StreamUrl="not a url")), "us-east-1", "StartSession",
                                            "", PARAMS, url], {}),
            ("parameters that are not JSON", [json.dumps(good), "us-east-1", "StartSession", "", "{", url], {}),
            ("an operation other than StartSession", [json.dumps(good), "us-east-1", "Bogus", "", PARAMS, url], {}),
            ("too few arguments", [json.dumps(good), "us-east-1"], {}),
            ("the response variable unset", ["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", "", PARAMS,
                                             url], {}),
            ("a StreamUrl at a dead port", [json.dumps(good), "us-east-1", "StartSession", "", PARAMS, url], {}),
            ("an unknown standalone option", ["shell", "--target", "i-1", "--no-such-option"], {}),
        ]
        for name, args, extra in rows:
            with self.subTest(name):
                run = Run([PLUGIN, *args], env(**extra))
                # The AWS plugin's text for an unknown argv shape is two lines, kept word for word
                # (protocol.md §1.1) because scripts match it.
                self.assert_one_line_ending(run, expected_lines=2 if name == "too few arguments" else 1)

    # ---- a data-channel peer that misbehaves --------------------------------------------

    def session(self, behaviour, *, stdin=subprocess.DEVNULL, hold_stdout=0.0, **extra):
        with HostileAgent(behaviour) as agent:
            run = Run([PLUGIN, json.dumps(agent.response()), "us-east-1", "StartSession", "", PARAMS, agent.url],
                      env(**extra), stdin=stdin, hold_stdout=hold_stdout)
        self.assertEqual(agent.errors, [])
        self.assertGreaterEqual(agent.connections, 1)
        return run

    def test_truncated_frames(self):
        def behaviour(peer):
            for seq in range(3):
                peer.send_frame(output(seq, b"lost")[:60])
        run = self.session(behaviour)
        self.assert_one_line_ending(run, "malformed frames", "ResumeSession failed", stdout_is_data=True)
        self.assertEqual(run.stdout.split(STARTING_LINE, 1)[-1], b"")

    def test_a_header_length_past_the_frame(self):
        def behaviour(peer):
            peer.send_frame(output(0, b"lost", header_length=1 << 30))
            peer.send_frame(output(0, b"lost", header_length=0xFFFFFFFF))
        run = self.session(behaviour)
        self.assert_one_line_ending(run, "malformed frames", stdout_is_data=True)
        self.assertEqual(run.stdout.split(STARTING_LINE, 1)[-1], b"")

    def test_wrong_digests(self):
        def behaviour(peer):
            for seq in range(5):
                peer.send_frame(output(seq, b"never shown", digest=hashlib.sha256(b"other").digest()))
        run = self.session(behaviour)
        self.assert_one_line_ending(run, "malformed frames", stdout_is_data=True)
        self.assertEqual(run.stdout.split(STARTING_LINE, 1)[-1], b"")

    def test_an_oversized_websocket_frame(self):
        """A frame that announces a terabyte: refused on sight, not buffered."""
        def behaviour(peer):
            peer.send_raw(struct.pack(">BBQ", 0x82, 127, 1 << 40) + bytes(64 * 1024))
            peer.discard_input()
            time.sleep(TIMEOUT)
        run = self.session(behaviour)
        self.assert_one_line_ending(run, "exceeded", stdout_is_data=True)
        self.assertLess(run.seconds, 30)

    def test_a_flood_while_stdout_is_not_read(self):
        """48 MiB as fast as the socket takes it while nobody reads the plugin's stdout, from a
        peer that never resends: the plugin keeps a bounded amount, acknowledges only what it
        keeps, and everything it acknowledged reaches stdout, intact and in order."""
        chunk = 64 * 1024
        blocks = [os.urandom(chunk) for _ in range(8)]
        count = (48 << 20) // chunk
        peers = []

        def behaviour(peer):
            peers.append(peer)
            peer.discard_input()
            for seq in range(count):
                peer.send_frame(output(seq, blocks[seq % len(blocks)]))
            time.sleep(1)  # let the last acks arrive before hanging up

        run = self.session(behaviour, hold_stdout=3.0)
        acked = peers[0].acked
        contiguous = next(n for n in range(count + 1) if n not in acked)  # messages 0..contiguous-1
        self.assertGreater(contiguous, 0)
        delivered = run.stdout.split(STARTING_LINE, 1)[-1]
        expected = b"".join(blocks[i % len(blocks)] for i in range(count))
        self.assertGreaterEqual(len(delivered), contiguous * chunk, "acknowledged, then lost")
        self.assertTrue(expected.startswith(delivered), "out of order or corrupted")
        self.assert_one_line_ending(run, "ResumeSession failed", stdout_is_data=True)

    def test_a_flood_ahead_of_a_gap(self):
        """Message 0 never comes; 48 MiB of later ones do: the receive buffer keeps what its limit
        allows and drops the rest, and nothing is delivered out of order."""
        chunk = 64 * 1024

        def behaviour(peer):
            peer.discard_input()
            payload = os.urandom(chunk)
            for seq in range(1, (48 << 20) // chunk + 1):
                peer.send_frame(output(seq, payload))
            time.sleep(1)

        run = self.session(behaviour, SSM_PLUGIN_RECEIVE_BUFFER_MIB="8")
        self.assertEqual(run.stdout.split(STARTING_LINE, 1)[-1], b"")
        self.assert_one_line_ending(run, "ResumeSession failed", stdout_is_data=True)

    def test_a_peer_that_stops_reading(self):
        """The agent says one thing, then reads nothing more while 32 MiB of input wait to go:
        what the plugin holds stays bounded, and it gives up when nothing is acknowledged."""
        with tempfile.TemporaryFile() as stdin:
            stdin.write(os.urandom(32 << 20))
            stdin.seek(0)

            def behaviour(peer):
                peer.send_frame(output(0, b"$ "))
                time.sleep(TIMEOUT)  # reads nothing, acknowledges nothing

            run = self.session(behaviour, stdin=stdin, SSM_PLUGIN_RESEND_TIMEOUT_SECONDS="3")
        self.assertEqual(run.stdout.split(STARTING_LINE, 1)[-1], b"$ ")
        self.assert_one_line_ending(run, stdout_is_data=True)
        self.assertLess(run.seconds, 45)


if __name__ == "__main__":
    unittest.main()
