"""The real plugin against every agent the endpoint can play around the handshake (agent-side.md
§2): shells that never hand-shake, hand-shake only with KMS (the real agent) or always
(--shell-handshake); input that arrives during the handshake acked and dropped (the real agent),
left unacked so that the channel stalls behind it (stricter agents), or kept for the session
(--pre-handshake-input); with KMS, an agent that insists on the random challenge
(--require-kms-challenge). With each, a shell on a pty, an interactive and a non-interactive
command and a port-forwarding session must work, input typed from the start included. And an
agent that refuses the challenge (--refuse-kms-challenge) must end the plugin with one error line
and status 255. Standard library only."""
import concurrent.futures
import re
import subprocess
import tempfile
import unittest

from endpoint import Endpoint, plugin_argv
from test_kms import ENCRYPTED, EXIT_CONNECTION_FAILURE, kms_endpoint
from test_kms import plugin_env as kms_plugin_env
from test_port import Forwarder, converse
from test_shell import PluginOnPty

SHELL_HANDSHAKES = ("never", "kms", "always")
PRE_HANDSHAKE_INPUTS = ("ack-and-drop", "drop", "process")
# Per step. Below the agent's 15 s handshake timeout, so that a stalled handshake fails as one.
TIMEOUT = 10


class Agent:
    """An endpoint playing one agent, and the environment the plugin needs for it (with KMS:
    credentials, and the endpoint as KMS)."""

    def __init__(self, shell_handshake, pre_handshake_input, kms):
        self.shell_handshake, self.kms = shell_handshake, kms
        args = ["--shell-handshake", shell_handshake, "--pre-handshake-input", pre_handshake_input]
        self.endpoint = kms_endpoint(*args, "--require-kms-challenge") if kms else Endpoint(*args)

    def __enter__(self):
        self.ep = self.endpoint.__enter__()
        self.env = kms_plugin_env(self.ep) if self.kms else None
        return self

    def __exit__(self, *exc):
        self.endpoint.__exit__(*exc)

    @property
    def encrypts_shells(self):
        return self.kms and self.shell_handshake != "never"

    def argv(self, document, parameters):
        response, params = self.ep.start_session(document=document, parameters=parameters)
        return plugin_argv(response, params, self.ep.url)


# The sessions each agent must serve. Each raises AssertionError saying what went wrong.

def pty_shell(agent):
    term = PluginOnPty(agent.argv("SSM-SessionManagerRunShell", {}), env=agent.env)
    try:
        # Typed at once, as a user types ahead: before any handshake is over.
        term.send(b"echo typed-$((40+2))\r")
        term.expect(rb"typed-42", timeout=TIMEOUT)
        term.send(b"exit\r")
        status = term.wait(timeout=TIMEOUT)
        term.expect(rb"Exiting session with sessionId", timeout=TIMEOUT)  # all of the screen read
        screen = term.output
    finally:
        term.close()
    assert status == 0, f"status {status}; screen: {screen[-400:]!r}"
    assert (ENCRYPTED.encode() in screen) == agent.encrypts_shells, f"screen: {screen[-400:]!r}"


def interactive_command(agent):
    # stdin is there from the start; only the command's own output is upper case.
    with tempfile.TemporaryFile() as f:
        f.write(b"alpha\nbeta\ngamma\n")
        f.seek(0)
        argv = agent.argv("AWS-StartInteractiveCommand", {"command": ["head -n 2 | tr a-z A-Z"]})
        p = subprocess.run(argv, env=agent.env, stdin=f, capture_output=True, timeout=TIMEOUT)
    assert p.returncode == 0, f"status {p.returncode}: {p.stderr!r}"
    assert b"ALPHA\r\nBETA\r\n" in p.stdout, p.stdout


def non_interactive_command(agent):
    argv = agent.argv("AWS-StartNonInteractiveCommand",
                      {"command": ['sh -c "echo out-$((6*7)); echo err-$((2+3)) >&2; exit 3"']})
    p = subprocess.run(argv, env=agent.env, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    assert (p.returncode, p.stdout, p.stderr) == (3, b"out-42\n", b"err-5\n"), (p.returncode, p.stdout, p.stderr)


def port_forwarding(agent):
    data = b"through the forwarded port " * 100
    fwd = Forwarder(agent.ep, env=agent.env)  # --stream-target echo behind it
    try:
        _, echoed = converse(fwd.port, 0, data)
    finally:
        status, out, err = fwd.stop()
    assert echoed == data, f"{len(echoed)} of {len(data)} bytes came back"
    assert status == 0, f"status {status}: {err!r}"
    assert (ENCRYPTED.encode() in out) == agent.kms, out  # Port sessions always hand-shake


SESSIONS = (pty_shell, interactive_command, non_interactive_command, port_forwarding)


class EveryAgent(unittest.TestCase):
    """One test per agent (test_<shell handshake>_<pre-handshake input>[_kms]); its sessions
    run side by side against one endpoint, each reported as a subtest."""

    def serve_every_session(self, shell_handshake, pre_handshake_input, kms):
        with Agent(shell_handshake, pre_handshake_input, kms) as agent, \
                concurrent.futures.ThreadPoolExecutor(len(SESSIONS)) as pool:
            runs = {session.__name__: pool.submit(session, agent) for session in SESSIONS}
            for name, run in runs.items():
                with self.subTest(session=name):
                    run.result()


def _add_agent_test(shell_handshake, pre_handshake_input, kms):
    name = f"test_{shell_handshake}_{pre_handshake_input.replace('-', '_')}" + ("_kms" if kms else "")
    setattr(EveryAgent, name, lambda self: self.serve_every_session(shell_handshake, pre_handshake_input, kms))


for _shell in SHELL_HANDSHAKES:
    for _input in PRE_HANDSHAKE_INPUTS:
        for _kms in (False, True):
            _add_agent_test(_shell, _input, _kms)


class RefusedKmsChallenge(unittest.TestCase):
    """The agent takes the client's acknowledged challenge as wrong: the handshake fails, the
    agent closes the channel, and the plugin says so once and exits 255."""

    def run_refused(self, document, parameters):
        with kms_endpoint("--refuse-kms-challenge") as ep:
            response, params = ep.start_session(document=document, parameters=parameters)
            p = subprocess.run(plugin_argv(response, params, ep.url), env=kms_plugin_env(ep),
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT * 3)
            self.assertEqual(p.returncode, EXIT_CONNECTION_FAILURE, (p.stdout, p.stderr))
            lines = p.stderr.decode().strip().splitlines()
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertIn("the agent ended the session during the handshake", lines[0])
            ep.wait_for(rf"^session {re.escape(response['SessionId'])} cancelled: Encountered error while "
                        r"initiating handshake\. KMSEncryption: kms:Decrypt failed: InvalidCiphertextException",
                        timeout=TIMEOUT)
        return p

    def test_command_session(self):
        p = self.run_refused("AWS-StartNonInteractiveCommand", {"command": ["echo never"]})
        self.assertEqual(p.stdout, b"")

    def test_port_session(self):
        p = self.run_refused("AWS-StartPortForwardingSession", {"portNumber": ["80"], "localPortNumber": ["0"]})
        self.assertNotIn(b"Waiting for connections", p.stdout)


if __name__ == "__main__":
    unittest.main()
