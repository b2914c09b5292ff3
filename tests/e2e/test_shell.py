"""Shell and command sessions end to end (issue: interactive shell and command sessions): the
real plugin on a real pty, as a user's terminal runs it, against the endpoint's real `sh` on
its own pty. Standard library only."""
import fcntl
import hashlib
import os
import re
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time
import unittest

from endpoint import Endpoint, plugin_argv

FAULTS = ["--drop-out", "5", "--drop-in", "5", "--duplicate", "2", "--reorder", "2", "--corrupt", "1", "--seed", "11"]
TIMEOUT = 20  # seconds for anything to show up; a hang fails instead of stalling CI


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PluginOnPty:
    """The plugin with a pty as its controlling terminal (stdin, stdout and stderr), as in a
    terminal window. The test holds the master (the 'keyboard' and 'screen') and a slave fd,
    to read the terminal's settings as `stty -g` would."""

    def __init__(self, argv, rows=30, cols=100, env=None):
        self.master, self.slave = os.openpty()
        set_winsize(self.master, rows, cols)
        self.before = termios.tcgetattr(self.slave)
        slave_name = os.ttyname(self.slave)

        def become_terminal_owner():
            os.setsid()
            fd = os.open(slave_name, os.O_RDWR)  # the first tty opened by a session leader
            fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
            os.close(fd)

        self.proc = subprocess.Popen(argv, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                     preexec_fn=become_terminal_owner, env=env)
        self.output = b""
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._cond.notify_all()
                    return
                self.output += data
                self._cond.notify_all()

    def send(self, data):
        os.write(self.master, data)

    def expect(self, pattern, timeout=TIMEOUT, since=0):
        """Waits until the screen output after offset `since` matches; returns the match end."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self.output, since)
                if m:
                    return m.end()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"never saw {pattern!r}; screen: {self.output[-800:]!r}")
                self._cond.wait(min(left, 0.2))

    def mark(self):
        with self._cond:
            return len(self.output)

    def terminal_settings(self):
        return termios.tcgetattr(self.slave)

    def wait(self, timeout=TIMEOUT):
        return self.proc.wait(timeout=timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.slave)
        os.close(self.master)


class ShellOnPty(unittest.TestCase):
    def setUp(self):
        self.ep = Endpoint().__enter__()
        response, params = self.ep.start_session(document="SSM-SessionManagerRunShell", parameters={})
        self.term = PluginOnPty(plugin_argv(response, params, self.ep.url))
        # The shell is up once a computed value comes back (the typed text alone is not it).
        self.term.send(b"echo ready-$((40+2))\r")
        self.term.expect(rb"ready-42")

    def tearDown(self):
        self.term.close()
        self.ep.__exit__(None, None, None)

    def test_typed_command_runs_and_the_terminal_is_raw_meanwhile(self):
        at = self.term.mark()
        self.term.send(b"echo hello-$((6*7))\r")
        self.term.expect(rb"hello-42", since=at)
        during = self.term.terminal_settings()
        self.assertNotEqual(during, self.term.before, "the local terminal is not in raw mode")
        self.assertEqual(during[3] & (termios.ICANON | termios.ECHO | termios.ISIG), 0)
        self.term.send(b"exit\r")
        self.assertEqual(self.term.wait(), 0)
        self.assertEqual(self.term.terminal_settings(), self.term.before)

    def test_status_lines_printed_in_raw_mode_end_with_crlf(self):
        # "Starting session" comes once the terminal is raw (no ONLCR): it must carry its own
        # carriage return, or the next line starts where it ended.
        self.assertRegex(bytes(self.term.output), rb"Starting session with SessionId: [\w-]+\r\n")

    def test_stty_size_follows_the_local_terminal(self):
        at = self.term.mark()
        self.term.send(b"stty size\r")
        self.term.expect(rb"30 100", since=at)
        set_winsize(self.term.master, 41, 123)  # the kernel sends SIGWINCH to the plugin
        # The new size and the typed command race inside the plugin: ask until it shows.
        deadline = time.monotonic() + TIMEOUT
        while True:
            at = self.term.mark()
            self.term.send(b"stty size\r")
            try:
                self.term.expect(rb"41 123", timeout=1, since=at)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

    def test_ctrl_c_interrupts_the_remote_command_and_the_session_goes_on(self):
        self.term.send(b"sleep 100\r")
        time.sleep(0.5)  # let the remote sleep start
        at = self.term.mark()
        self.term.send(b"\x03")
        self.term.send(b"echo after-$((1+1))\r")
        self.term.expect(rb"after-2", timeout=10, since=at)
        self.assertIsNone(self.term.proc.poll())

    def test_sigterm_restores_the_terminal(self):
        self.term.proc.send_signal(signal.SIGTERM)
        self.assertNotEqual(self.term.wait(), 0)
        self.assertEqual(self.term.terminal_settings(), self.term.before)

    def test_ctrl_d_ends_the_remote_shell_and_restores_the_terminal(self):
        # EOF typed at the prompt, as in ssh: the remote shell exits and the session with it.
        self.term.send(b"\x04")
        self.assertEqual(self.term.wait(), 0)
        self.assertEqual(self.term.terminal_settings(), self.term.before)

    def test_tilde_dot_ends_the_session_as_ssh_does(self):
        at = self.term.mark()
        self.term.send(b"\r~.")
        self.assertEqual(self.term.wait(timeout=10), 255)
        self.assertEqual(self.term.terminal_settings(), self.term.before)
        # The plugin has exited, but the reader thread may not yet have read its last line
        # from the pty: wait for it rather than look at what has arrived so far.
        self.term.expect(rb"Connection to [\w.-]+ closed\.\r\n", since=at)

    def test_double_tilde_sends_one_tilde(self):
        self.term.send(b"cat\r")
        time.sleep(0.3)
        at = self.term.mark()
        self.term.send(b"~~marker\r")
        end = self.term.expect(rb"~marker", since=at)
        self.term.send(b"\x04")  # EOF to cat
        self.term.send(b"echo done-$((2+3))\r")
        self.term.expect(rb"done-5", since=end)
        self.assertNotIn(b"~~marker", self.term.output[at:])


class TildeDotTerminates(unittest.TestCase):
    def test_tilde_dot_calls_terminate_session(self):
        # A long resume grace: without the TerminateSession call the endpoint would keep the
        # session for a minute after the plugin left.
        # The endpoint checks the call's SigV4 signature against the same key pair.
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret-for-the-test")
        with Endpoint("--resume-grace", "60000", "--verify-sigv4", env=env) as ep:
            response, params = ep.start_session(document="SSM-SessionManagerRunShell", parameters={})
            term = PluginOnPty(plugin_argv(response, params, ep.url), env=env)
            try:
                term.send(b"echo up-$((1+1))\r")
                term.expect(rb"up-2")
                term.send(b"\r~.")
                self.assertEqual(term.wait(timeout=10), 255)
                ep.session_end_line(response["SessionId"], timeout=5)
            finally:
                term.close()


class ShellWithoutATerminal(unittest.TestCase):
    """stdin a pipe or a file: its end is the end of input to the remote shell, which then
    exits and so ends the session (as ssh); the AWS plugin waits forever."""

    def run_shell(self, stdin_bytes):
        with Endpoint() as ep:
            response, params = ep.start_session(document="SSM-SessionManagerRunShell", parameters={})
            return subprocess.run(plugin_argv(response, params, ep.url), input=stdin_bytes, capture_output=True,
                                  timeout=30)

    def test_a_piped_command_runs_and_the_session_ends(self):
        p = self.run_shell(b"echo piped-$((2+3))\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"piped-5", p.stdout)

    def test_an_unfinished_last_line_still_runs(self):
        p = self.run_shell(b"echo unfinished-$((3+4))")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"unfinished-7", p.stdout)

    def test_piped_input_knows_no_escapes(self):
        """As with ssh, escapes are a terminal's: "~." piped in is data, not the end."""
        p = self.run_shell(b"echo before\n~.\necho after-$((1+1))\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"after-2", p.stdout)
        self.assertNotIn(b"closed", p.stderr)

    def test_empty_input_ends_the_session(self):
        p = self.run_shell(b"")
        self.assertEqual(p.returncode, 0, p.stderr)


class Commands(unittest.TestCase):
    def run_plugin(self, ep, document, command, stdin=subprocess.DEVNULL, **params):
        parameters = {"command": [command], **{k: [v] for k, v in params.items()}}
        response, request = ep.start_session(document=document, parameters=parameters)
        return subprocess.run(plugin_argv(response, request, ep.url), stdin=stdin, capture_output=True, timeout=60)

    def test_exit_code_and_stderr_of_a_non_interactive_command(self):
        with Endpoint() as ep:
            p = self.run_plugin(ep, "AWS-StartNonInteractiveCommand", "sh -c 'echo out; echo err >&2; exit 7'")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(p.stdout, b"out\n")
        self.assertEqual(p.stderr, b"err\n")

    def test_the_remote_command_inherits_no_endpoint_socket(self):
        with Endpoint() as ep:
            p = self.run_plugin(ep, "AWS-StartNonInteractiveCommand",
                                "sh -c 'for f in /proc/$$/fd/*; do echo $f $(readlink $f); done'")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"/fd/0 ", p.stdout)
        self.assertNotIn(b"socket:", p.stdout)

    def test_command_that_cannot_start_says_why(self):
        with Endpoint() as ep:
            p = self.run_plugin(ep, "AWS-StartNonInteractiveCommand", "/nonexistent/tool --flag")
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"/nonexistent/tool", p.stderr)

    def test_interactive_command_reads_stdin_from_a_file(self):
        with tempfile.TemporaryFile() as f, Endpoint() as ep:
            f.write(b"alpha\nbeta\ngamma\n")
            f.seek(0)
            p = self.run_plugin(ep, "AWS-StartInteractiveCommand", "head -n 2", stdin=f)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"alpha\r\nbeta\r\n", p.stdout)

    def ten_megabytes(self, *endpoint_args):
        lines = 1_300_000  # the remote pty makes every \n a \r\n: ~10.5 MB
        expected = "".join(f"{i}\r\n" for i in range(1, lines + 1)).encode()
        with Endpoint(*endpoint_args) as ep:
            p = self.run_plugin(ep, "AWS-StartInteractiveCommand", f"seq 1 {lines}")
        self.assertEqual(p.returncode, 0, p.stderr)
        start = p.stdout.index(b"1\r\n2\r\n")
        body = p.stdout[start:start + len(expected)]
        self.assertGreater(len(expected), 10_000_000)
        self.assertEqual(hashlib.sha256(body).hexdigest(), hashlib.sha256(expected).hexdigest())

    def test_ten_megabytes_of_output_arrive_complete_and_in_order(self):
        self.ten_megabytes()

    def test_ten_megabytes_of_output_survive_injected_faults(self):
        self.ten_megabytes(*FAULTS)


if __name__ == "__main__":
    unittest.main()
