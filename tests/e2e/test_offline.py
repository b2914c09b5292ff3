"""The end-to-end suite runs sealed off the network (scripts/offline, which scripts/test uses):
only loopback exists, so no test can reach instance metadata, DNS or AWS whatever its
environment says. These check the seal itself, and that the plugin, left to find AWS on its
own there, fails with one line instead of hanging. Standard library only."""
import errno
import os
import socket
import subprocess
import time
import unittest

from endpoint import PLUGIN

OFFLINE = os.environ.get("SSM_E2E_OFFLINE") == "1"


@unittest.skipUnless(OFFLINE, "not run through scripts/offline (scripts/test runs the suite that way)")
class SealedOffTheNetwork(unittest.TestCase):
    def test_only_loopback_exists(self):
        self.assertEqual([name for _, name in socket.if_nameindex()], ["lo"])

    def test_instance_metadata_is_unreachable_at_once(self):
        s = socket.socket()
        s.settimeout(5)
        try:
            with self.assertRaises(OSError) as caught:
                s.connect(("169.254.169.254", 80))
            self.assertIn(caught.exception.errno, (errno.ENETUNREACH, errno.EHOSTUNREACH))
        finally:
            s.close()

    def test_dns_answers_nothing(self):
        with self.assertRaises(socket.gaierror):
            socket.getaddrinfo("ssm.us-east-1.amazonaws.com", 443)

    def test_the_plugin_on_its_own_fails_with_one_line(self):
        """Standalone with the default endpoint: AWS cannot be reached, so StartSession fails
        after its few quick retries, in one line, with no secret in it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        env.update(AWS_ACCESS_KEY_ID="AKIDOFFLINE", AWS_SECRET_ACCESS_KEY="offline/secret", HOME="/nonexistent")
        start = time.monotonic()
        p = subprocess.run([PLUGIN, "shell", "--target", "i-0123456789abcdef0", "--region", "us-east-1"],
                           capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
        self.assertEqual(p.returncode, 255, p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        self.assertIn("StartSession failed: cannot resolve ssm.us-east-1.amazonaws.com", p.stderr)
        self.assertNotIn("offline/secret", p.stderr)
        self.assertLess(time.monotonic() - start, 30)


if __name__ == "__main__":
    unittest.main()
