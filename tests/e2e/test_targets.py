"""Targets by name end to end (issue 18): the plugin turns a Name tag, tag:KEY=VALUE, a computer
name or an IP address into a node ID through DescribeInstanceInformation, answered by the
endpoint's fake nodes (--node), signed and verified; real ssh through `ssh-proxy %h %p` to a real
sshd; the pick list on a pty; `list` over 250 nodes, with and without EC2 DescribeInstances.
Standard library only."""
import json
import os
import re
import shlex
import stat
import subprocess
import tempfile
import unittest

import harness
from endpoint import PLUGIN, Endpoint
from test_shell import PluginOnPty

TIMEOUT = 60
REGION = "us-east-1"
WEB_1 = "i-0a00000000000e001"
WEB_2A, WEB_2B = "i-0a00000000000e002", "i-0a00000000000e003"
API = "i-0a00000000000e004"
DB = "i-0a00000000000e005"
BUILD = "mi-0b00000000000e006"
NODES = [
    f"{WEB_1},web-1,10.0.0.5,Linux,Online,Role=web",
    f"{WEB_2A},web-2,10.0.0.6,Linux,Online,Role=web",
    f"{WEB_2B},web-2,10.0.0.7,Linux,Online,Role=web",
    f"{API},api,10.0.1.9,Linux,Online,Role=api",
    f"{DB},db,10.0.2.4,Linux,ConnectionLost,Role=db",
    f"{BUILD},build-box,192.168.7.20,Windows,Online",
]


def node_options(nodes):
    return [a for n in nodes for a in ("--node", n)]


class Targets(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ssm-e2e-targets-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        self.env.update(AWS_ACCESS_KEY_ID="AKIDTARGETS", AWS_SECRET_ACCESS_KEY="targets/secret", HOME=self.tmp,
                        XDG_CACHE_HOME=os.path.join(self.tmp, "cache"), AWS_EC2_METADATA_DISABLED="true",
                        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def endpoint(self, *args, nodes=NODES):
        ep = Endpoint("--verify-sigv4", *node_options(nodes), *args, env=self.env)
        ep.__enter__()
        self.addCleanup(ep.stop)
        self.env["AWS_ENDPOINT_URL_EC2"] = ep.url
        return ep

    def plugin(self, ep, *args):
        return [PLUGIN, *args, "--endpoint-url", ep.url, "--region", REGION]

    def started_targets(self, ep):
        return [m.group(1) for m in (re.match(r"start session=\S+ target=(\S+) ", l) for l in ep.lines) if m]

    def lookups(self, ep):
        return len([l for l in ep.lines if l.startswith("describe-instance-information ")])

    def test_ssh_by_name_tag_and_by_ip_through_ssh_proxy(self):
        if not harness.Sshd.available():
            self.skipTest("needs ssh, ssh-keygen and /usr/sbin/sshd (scripts/setup installs openssh)")
        with harness.Sshd() as sshd:
            ep = self.endpoint("--stream-target", f"dial:127.0.0.1:{sshd.port}")
            proxy = " ".join(shlex.quote(a) for a in self.plugin(ep, "ssh-proxy", "%h", "%p"))
            for host in ("web-1", "tag:Role=api", "10.0.1.9", "build-box", "ip-10-0-0-5"):
                p = harness.run(["ssh", *sshd.ssh_options(), "-o", f"ProxyCommand={proxy}",
                                 f"{sshd.user()}@{host}", "echo hello from $((6*7))"], env=self.env, timeout=TIMEOUT)
                self.assertEqual(p.returncode, 0, f"{host}: {p.stderr}\nsshd: {sshd.log()}")
                self.assertEqual(p.stdout, "hello from 42\n")
            self.assertEqual(self.started_targets(ep), [WEB_1, API, API, BUILD, WEB_1])
            # web-1 and build-box by their Name tags and tag:Role=api by its tag: one lookup each;
            # 10.0.1.9 (an IP) and ip-10-0-0-5 (a computer name's first label): the Name-tag
            # lookup, then the online nodes.
            self.assertEqual(self.lookups(ep), 1 + 1 + 2 + 1 + 2)

            # Within a minute, ssh to web-1 again asks the service nothing: the cache answers.
            before = self.lookups(ep)
            p = harness.run(["ssh", *sshd.ssh_options(), "-o", f"ProxyCommand={proxy}", f"{sshd.user()}@web-1",
                             "true"], env=self.env, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.lookups(ep), before)
            self.assertEqual(self.started_targets(ep)[-1], WEB_1)
        cache = os.path.join(self.tmp, "cache", "session-manager-plugin", "targets.json")
        self.assertEqual(stat.S_IMODE(os.stat(cache).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(cache)).st_mode), 0o700)
        with open(cache) as f:
            self.assertIn(WEB_1, f.read())

    def test_a_tag_names_the_nodes_that_carry_it(self):
        ep = self.endpoint("--stream-target", "source:1000")
        p = harness.run(self.plugin(ep, "ssh-proxy", "tag:Role=api", "22"), env=self.env, text=False, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout), 1000)
        self.assertEqual(self.started_targets(ep), [API])

    def test_several_matches_list_the_candidates_and_exit_2(self):
        ep = self.endpoint()
        for target in ("web-2", "tag:Role=web"):
            p = harness.run(self.plugin(ep, "ssh-proxy", target, "22"), env=self.env, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 2, p.stderr)
            lines = p.stderr.splitlines()
            self.assertRegex(lines[0], rf"^session-manager-plugin: {re.escape(target)} matches \d online managed "
                                       r"nodes; give one of their IDs, or --pick first$")
            self.assertRegex(lines[1], r"^ID\s+NAME\s+IP\s+PLATFORM\s+STATUS$")
            for node in (WEB_2A, WEB_2B):
                self.assertTrue(any(l.startswith(node) and "Online" in l for l in lines[2:]), p.stderr)
            self.assertNotIn(DB, p.stderr)  # not online: never a candidate
        self.assertEqual(self.started_targets(ep), [])

    def test_pick_first_takes_the_first_match(self):
        ep = self.endpoint("--stream-target", "source:10")
        p = harness.run(self.plugin(ep, "ssh-proxy", "web-2", "22", "--pick", "first"), env=self.env, text=False,
                        timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.started_targets(ep), [WEB_2A])

    def test_unknown_and_offline_names_give_one_line_and_255(self):
        ep = self.endpoint()
        for target in ("nosuchhost", "db", "10.9.9.9", "tag:Role=nothing"):
            p = harness.run(self.plugin(ep, "shell", "--target", target), env=self.env, timeout=TIMEOUT)
            self.assertEqual(p.returncode, 255, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
            self.assertIn(target.split("=")[-1], p.stderr)
            self.assertIn("online managed node", p.stderr)
        self.assertEqual(self.started_targets(ep), [])

    def test_a_caller_who_may_not_describe_nodes_is_told_the_id_still_works(self):
        ep = self.endpoint("--assume-role-only")  # the plugin's keys may call STS and nothing else
        p = harness.run(self.plugin(ep, "ssh-proxy", "web-1", "22"), env=self.env, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 255, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn("AccessDeniedException", p.stderr)
        self.assertTrue(p.stderr.rstrip().endswith("(a node ID needs no lookup)"), p.stderr)

    def test_no_target_off_a_terminal_is_a_usage_error(self):
        ep = self.endpoint()
        p = harness.run(self.plugin(ep, "shell"), env=self.env, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--target is required", p.stderr)
        self.assertEqual(self.lookups(ep), 0)

    def test_the_pick_list_on_a_terminal(self):
        ep = self.endpoint("--shell", "/bin/sh")
        for argv, choice, expected in ((["shell", "--target", "web-2"], b"2", WEB_2B),
                                       (["shell"], None, None)):
            term = PluginOnPty(self.plugin(ep, *argv), env=self.env)
            try:
                term.expect(rb"Pick a node \[1-(\d+)\], or q to quit: ", timeout=TIMEOUT)
                screen = term.output.decode(errors="replace")
                if choice is None:
                    # No target: every online node, numbered; the offline one is not offered.
                    rows = re.findall(r"^\s*(\d+)\s+(\S+)", screen, re.M)
                    ids = [i for _, i in rows if i.startswith(("i-", "mi-"))]
                    self.assertEqual(sorted(ids), sorted([WEB_1, WEB_2A, WEB_2B, API, BUILD]), screen)
                    self.assertNotIn(DB, screen)
                    choice = str(ids.index(API) + 1).encode()
                    expected = API
                term.send(b"x\r")
                term.expect(rb"Not a number from 1 to \d+", timeout=TIMEOUT)
                term.send(choice + b"\r")
                term.expect(rb"Starting session with SessionId: ", timeout=TIMEOUT)
                term.send(b"exit\r")
                self.assertEqual(term.wait(timeout=TIMEOUT), 0, term.output[-500:])
            finally:
                term.close()
            self.assertEqual(self.started_targets(ep)[-1], expected)

        # q leaves without a session.
        term = PluginOnPty(self.plugin(ep, "shell", "--target", "web-2"), env=self.env)
        try:
            term.expect(rb"Pick a node", timeout=TIMEOUT)
            term.send(b"q\r")
            self.assertEqual(term.wait(timeout=TIMEOUT), 2)
        finally:
            term.close()
        self.assertEqual(len(self.started_targets(ep)), 2)


    def test_ssh_proxy_without_a_host_picks_one_on_the_terminal(self):
        """ssh-proxy run by hand with no HOST: the pick list on the controlling terminal, then
        stdin and stdout bridged to the chosen node's port 22 (here the endpoint's echo)."""
        ep = self.endpoint("--stream-target", "echo")
        term = PluginOnPty(self.plugin(ep, "ssh-proxy"), env=self.env)
        try:
            term.expect(rb"Pick a node \[1-5\], or q to quit: ", timeout=TIMEOUT)
            rows = re.findall(r"^\s*(\d+)\s+(\S+)", term.output.decode(errors="replace"), re.M)
            ids = [i for _, i in rows if i.startswith(("i-", "mi-"))]
            term.send(str(ids.index(WEB_1) + 1).encode() + b"\r")
            at = term.mark()
            term.send(b"ping-through-the-node\r")
            # The terminal echoes the line once; the node's echo brings it back a second time.
            term.expect(rb"ping-through-the-node[\s\S]*ping-through-the-node", since=at, timeout=TIMEOUT)
            term.send(b"\x04")  # end of input: the session ends
            self.assertEqual(term.wait(timeout=TIMEOUT), 0, term.output[-500:])
        finally:
            term.close()
        self.assertEqual(self.started_targets(ep), [WEB_1])
        self.assertIn("document=AWS-StartSSHSession", [l for l in ep.lines if l.startswith("start session=")][0])


class ListNodes(unittest.TestCase):
    COUNT = 250

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="ssm-e2e-list-")
        self.addCleanup(tmp.cleanup)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSM_PLUGIN_"))}
        self.env.update(AWS_ACCESS_KEY_ID="AKIDLIST", AWS_SECRET_ACCESS_KEY="list/secret", HOME=tmp.name,
                        AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
                        AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        statuses = ("Online", "ConnectionLost", "Inactive")
        self.nodes = [f"i-0c{n:015x},host-{n:03d},10.1.{n // 256}.{n % 256},{'Windows' if n % 7 == 0 else 'Linux'},"
                      f"{statuses[n % 3]},Team={'blue' if n % 2 else 'red'}" for n in range(self.COUNT)]

    def run_list(self, *args, deny=False):
        extra = ["--deny-describe-instances"] if deny else []
        with Endpoint("--verify-sigv4", *node_options(self.nodes), *extra, env=self.env) as ep:
            self.env["AWS_ENDPOINT_URL_EC2"] = ep.url
            p = harness.run([PLUGIN, "list", *args, "--endpoint-url", ep.url, "--region", REGION], env=self.env,
                            timeout=TIMEOUT)
            ep.stop()
        return p, ep

    def test_every_page_and_the_ec2_names(self):
        p, ep = self.run_list()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^ID\s+NAME\s+COMPUTER NAME\s+IP\s+PLATFORM\s+AGENT\s+STATUS$")
        self.assertEqual(len(lines), 1 + self.COUNT)
        self.assertRegex(lines[1 + 42], r"^i-0c00000000000002a\s+host-042\s+ip-10-1-0-42\.ec2\.internal\s+10\.1\.0\.42\s+"
                                        r"Windows\s+\S+\s+Online$")
        pages = [l for l in ep.lines if l.startswith("describe-instance-information ")]
        self.assertEqual(len(pages), 5)  # 50 per page, the API's most
        self.assertEqual([l for l in ep.lines if l.startswith("describe-instances")],
                         ["describe-instances ids=100", "describe-instances ids=100", "describe-instances ids=50"])

    def test_names_are_blank_when_describe_instances_is_denied(self):
        p, ep = self.run_list("--json", deny=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        nodes = json.loads(p.stdout)
        self.assertEqual(len(nodes), self.COUNT)
        self.assertTrue(all(n["Name"] == "" for n in nodes))
        self.assertEqual(set(nodes[0]), {"InstanceId", "Name", "ComputerName", "IPAddress", "PlatformType",
                                         "AgentVersion", "PingStatus"})
        self.assertEqual(p.stderr.strip(), "session-manager-plugin: names left blank: EC2 DescribeInstances: "
                                           "UnauthorizedOperation (HTTP 403)")

    def test_filters(self):
        p, _ = self.run_list("--json", "--filter", "host-1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(n["Name"] for n in json.loads(p.stdout)), [f"host-{n:03d}" for n in range(100, 200)])
        p, ep = self.run_list("--json", "--filter", "tag:Team=red")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(json.loads(p.stdout)), self.COUNT // 2)
        self.assertTrue(all(l.startswith("describe-instance-information filters=1 ")
                            for l in ep.lines if l.startswith("describe-instance-information")))


if __name__ == "__main__":
    unittest.main()
