"""Dynamic forwarding end to end (`port-forward -D`, a SOCKS proxy as `ssh -D` is one): real
curl through it with --socks5-hostname, --socks5 and --socks4a to HTTP servers on several
loopback addresses; 50 concurrent connections over 5 destinations open exactly 5 sessions;
malformed SOCKS input is refused without disturbing the other connections; a StartSession
refusal becomes the SOCKS reply. The endpoint dials where each session's parameters point,
as the agent does. Standard library only (and curl)."""
import hashlib
import http.server
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import zlib

from endpoint import Endpoint
from test_port import NamedEchoServer, recv_exactly
from test_standalone import TARGET, TIMEOUT, aws_env, standalone, starts, wait_for_service_ends


def loopback_v6():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class FileServer:
    """An HTTP server on `address` serving one random file ("blob"; `digest` is its SHA-256),
    and `files` (name -> bytes) beside it."""

    def __init__(self, address, size, files=None):
        self._dir = tempfile.TemporaryDirectory(prefix="ssm-socks-www-")
        data = os.urandom(size)
        self.digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self._dir.name, "blob"), "wb") as f:
            f.write(data)
        for name, content in (files or {}).items():
            with open(os.path.join(self._dir.name, name), "wb") as f:
                f.write(content)
        directory = self._dir.name

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=directory, **kwargs)

            def log_message(self, *args):
                pass

        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        server_class = type("Server", (http.server.ThreadingHTTPServer,), {"address_family": family})
        self.server = server_class((address, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self._dir.cleanup()


class Proxy:
    """The plugin's `port-forward -D 0` against `ep`; `port` once its SOCKS port is open."""

    def __init__(self, test, ep, *extra, env=None):
        argv = standalone(ep, "port-forward", "--target", TARGET, "-D", "0", *extra)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or aws_env(),
                                     start_new_session=True)
        test.addCleanup(self.kill)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"SOCKS proxy on 127\.0\.0\.1:(\d+) for ", line)
        if not m:
            raise AssertionError(f"no proxy line: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(m.group(1))

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGINT)
        out, err = self.proc.communicate(timeout=TIMEOUT)
        return self.proc.returncode, out.decode(), err.decode()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def socks5_connect(proxy_port, host, port, timeout=TIMEOUT):
    """A SOCKS5 CONNECT by name; returns (reply code, socket)."""
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=timeout)
    s.sendall(b"\x05\x01\x00")
    assert recv_exactly(s, 2) == b"\x05\x00"
    name = host.encode()
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + struct.pack(">H", port))
    reply = recv_exactly(s, 10)
    return reply[1], s


@unittest.skipUnless(shutil.which("curl"), "needs curl (scripts/setup installs it)")
class DynamicForwarding(unittest.TestCase):
    def test_curl_through_socks5_socks5_hostname_and_socks4a(self):
        servers = [FileServer("127.0.0.2", 3 << 20), FileServer("127.0.0.3", 2 << 20)]
        if loopback_v6():
            servers.append(FileServer("::1", 1 << 20))
        for s in servers:
            self.addCleanup(s.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep)
            for server in servers:
                host = server.server.server_address[0]
                url_host = f"[{host}]" if ":" in host else host
                for flavour in ("--socks5-hostname", "--socks5", "--socks4a"):
                    if flavour == "--socks4a" and ":" in host:
                        continue  # SOCKS4 has no IPv6
                    with self.subTest(host=host, flavour=flavour):
                        p = subprocess.run(["curl", "-sS", "--max-time", str(TIMEOUT), flavour,
                                            f"127.0.0.1:{proxy.port}", f"http://{url_host}:{server.port}/blob"],
                                           capture_output=True, timeout=TIMEOUT + 10)
                        self.assertEqual(p.returncode, 0, p.stderr.decode())
                        self.assertEqual(hashlib.sha256(p.stdout).hexdigest(), server.digest)
            code, out, err = proxy.stop()
            self.assertEqual(code, 0, err)
            # One session per destination, whichever way curl named it.
            self.assertEqual(len(starts(ep)), len(servers), ep.lines)

    def test_fifty_connections_over_five_destinations_open_five_sessions(self):
        addresses = ["127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
        servers = [NamedEchoServer(f"dest-{i}", address=a) for i, a in enumerate(addresses)]
        for s in servers:
            self.addCleanup(s.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep)
            results, errors = [], []

            def one(i):
                server = servers[i % len(servers)]
                try:
                    code, s = socks5_connect(proxy.port, server.address if hasattr(server, "address") else
                                             addresses[i % len(servers)], server.port)
                    with s:
                        if code != 0:
                            return errors.append(f"{i}: reply {code}")
                        name = recv_exactly(s, len(f"dest-{i % len(servers)}"))
                        data = os.urandom(32 * 1024)
                        s.sendall(data)
                        echoed = recv_exactly(s, len(data))
                        results.append((name.decode(), echoed == data, i % len(servers)))
                except Exception as e:  # reported below, with the others
                    errors.append(f"{i}: {e!r}")

            threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(TIMEOUT)
            code, out, err = proxy.stop()
            self.assertEqual(errors, [])
            self.assertEqual(len(results), 50)
            for name, intact, i in results:
                self.assertEqual((name, intact), (f"dest-{i}", True))
            self.assertEqual(len(starts(ep)), 5, ep.lines)
            self.assertEqual(code, 0, err)

    def test_bad_socks_input_is_refused_and_the_others_go_on(self):
        server = NamedEchoServer("fine")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep)
            code, good = socks5_connect(proxy.port, "127.0.0.1", server.port)
            self.addCleanup(good.close)
            self.assertEqual(code, 0)
            self.assertEqual(recv_exactly(good, 4), b"fine")
            rows = [
                ("BIND", b"\x05\x01\x00" + b"\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50", b"\x05\x00\x05\x07"),
                ("UDP ASSOCIATE", b"\x05\x01\x00" + b"\x05\x03\x00\x01\x7f\x00\x00\x01\x00\x50", b"\x05\x00\x05\x07"),
                ("unknown address type", b"\x05\x01\x00" + b"\x05\x01\x00\x09\x00", b"\x05\x00\x05\x08"),
                ("no acceptable method", b"\x05\x01\x02", b"\x05\xff"),
                ("not SOCKS", b"GET / HTTP/1.1\r\n\r\n", b""),
                ("SOCKS4 BIND", b"\x04\x02\x00\x50\x7f\x00\x00\x01\x00", b"\x00\x5b"),
                ("a name with a newline", b"\x05\x01\x00\x05\x01\x00\x03\x03a\nb\x00\x50", b"\x05\x00\x05\x04"),
                ("an endless SOCKS4 user id", b"\x04\x01\x00\x50\x7f\x00\x00\x01" + b"u" * 2000, b"\x00\x5b"),
                ("a truncated greeting, then silence", b"\x05", None),
            ]
            for name, sent, expected in rows:
                with self.subTest(name):
                    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
                        s.sendall(sent)
                        if expected is None:
                            continue  # the client gives up; the proxy drops it after its timeout
                        got = b""
                        try:
                            while chunk := s.recv(64):
                                got += chunk
                        except (ConnectionResetError, socket.timeout):
                            pass
                        self.assertTrue(got.startswith(expected), got)
                        if expected:
                            self.assertLessEqual(len(got) - len(expected), 8)
            # The first connection still works, and so does a new one.
            good.sendall(b"still here")
            self.assertEqual(recv_exactly(good, 10), b"still here")
            code, again = socks5_connect(proxy.port, "127.0.0.1", server.port)
            again.close()
            self.assertEqual(code, 0)
            self.assertEqual(proxy.stop()[0], 0)

    def test_an_idle_destination_session_ends_and_the_next_connection_opens_another(self):
        server = NamedEchoServer("idle")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep, "--idle-session", "1")
            code, s = socks5_connect(proxy.port, "127.0.0.1", server.port)
            self.assertEqual((code, recv_exactly(s, 4)), (0, b"idle"))
            time.sleep(1.5)  # an open connection keeps its session, however quiet
            self.assertEqual([l for l in ep.lines if l.startswith("terminate ")], [])
            s.close()
            ep.wait_for(r"^terminate session=", timeout=TIMEOUT)  # TerminateSession, ~1 s later
            code, s = socks5_connect(proxy.port, "127.0.0.1", server.port)
            self.assertEqual((code, recv_exactly(s, 4)), (0, b"idle"))
            s.close()
            self.assertEqual(len(starts(ep)), 2, ep.lines)
            self.assertEqual(proxy.stop()[0], 0)

    def test_past_max_sessions_the_least_recently_used_idle_one_ends(self):
        servers = [NamedEchoServer(f"s{i}", address=f"127.0.0.{i + 2}") for i in range(3)]
        for s in servers:
            self.addCleanup(s.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep, "--max-sessions", "2")
            held = []
            for i in (0, 1):
                code, s = socks5_connect(proxy.port, f"127.0.0.{i + 2}", servers[i].port)
                self.assertEqual((code, recv_exactly(s, 2)), (0, f"s{i}".encode()))
                held.append(s)
            # Both sessions have a connection: a third destination is refused.
            code, s = socks5_connect(proxy.port, "127.0.0.4", servers[2].port)
            s.close()
            self.assertEqual(code, 0x01)
            # Once the first is idle, it makes room (the least recently used).
            held[0].close()
            time.sleep(0.3)
            code, s = socks5_connect(proxy.port, "127.0.0.4", servers[2].port)
            self.assertEqual((code, recv_exactly(s, 2)), (0, b"s2"))
            s.close()
            held[1].close()
            ep.wait_for(r"^terminate session=", timeout=TIMEOUT)
            code, out, err = proxy.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(len(starts(ep)), 3, ep.lines)
        self.assertIn("sessions, all in use (--max-sessions)", err)

    def test_destinations_survive_three_ends_of_their_sessions_by_the_service(self):
        """The service ends each session after 2 s idle: the proxy forgets it, and the next
        connection to that destination opens a new one and gets through."""
        server = NamedEchoServer("again")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", "--idle-timeout", "2", "--max-session-duration", "5",
                      env=aws_env()) as ep:
            proxy = Proxy(self, ep, "-v")
            for round in range(4):
                code, s = socks5_connect(proxy.port, "127.0.0.1", server.port)
                with s:
                    self.assertEqual((code, recv_exactly(s, 5)), (0, b"again"), f"round {round}")
                    s.sendall(b"ping")
                    self.assertEqual(recv_exactly(s, 4), b"ping")
                if round < 3:
                    wait_for_service_ends(ep, round + 1)
                    # Once the proxy has heard of it: a connection made in the moment before
                    # still reaches the ending session, and is closed with it.
                    while "is over" not in (line := proxy.proc.stderr.readline().decode()):
                        self.assertTrue(line, "the proxy ended")
            self.assertEqual(len(starts(ep)), 4, ep.lines)
            self.assertEqual(proxy.stop()[0], 0)

    def test_a_destination_that_refuses_closes_its_connection(self):
        """The node cannot connect (nothing listens there): the SOCKS client's connection is
        closed, the proxy says so and stays up for the next request."""
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dead_port = dead.getsockname()[1]
        dead.close()
        server = NamedEchoServer("alive")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep)
            code, s = socks5_connect(proxy.port, "127.0.0.1", dead_port)
            with s:
                s.settimeout(TIMEOUT)
                self.assertEqual(s.recv(16), b"", "closed, not left hanging")
            code, s = socks5_connect(proxy.port, "127.0.0.1", server.port)
            with s:
                self.assertEqual((code, recv_exactly(s, 5)), (0, b"alive"))
            self.assertEqual(proxy.stop()[0], 0)

    def test_a_refused_start_session_is_the_socks_reply_and_the_proxy_stays_up(self):
        server = NamedEchoServer("never")
        self.addCleanup(server.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep:
            proxy = Proxy(self, ep, env=aws_env(AWS_SECRET_ACCESS_KEY="not-the-secret"))
            for _ in range(2):
                code, s = socks5_connect(proxy.port, "127.0.0.1", server.port)
                s.close()
                self.assertEqual(code, 0x02)  # connection not allowed by ruleset
            status, out, err = proxy.stop()
        self.assertEqual(status, 0, err)
        self.assertEqual(err.count("StartSession failed"), 2, err)
        self.assertNotIn("not-the-secret", err)


def png_1x1():
    """The smallest valid PNG: one opaque pixel."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


CHROMIUM = shutil.which("chromium")


@unittest.skipUnless(CHROMIUM, "needs Debian's chromium (scripts/setup installs it)")
class RealBrowser(unittest.TestCase):
    def test_headless_chromium_loads_a_page_whose_parts_come_from_three_hosts(self):
        """A page on one loopback address whose script and image come from two others, all
        through the proxy (loopback is not exempt: <-loopback>); the rendered DOM shows that the
        script ran and the image decoded, and the endpoint saw a session per host."""
        third = "::1" if loopback_v6() else "127.0.0.4"
        image = FileServer(third, 16, {"dot.png": png_1x1()})
        script = FileServer("127.0.0.3", 16, {"app.js": b"document.getElementById('s').textContent = 'script: ran';"})
        third_url = f"[{third}]" if ":" in third else third
        page_html = (f'<html><body><p id="s">script: no</p><p id="i">image: no</p>'
                     f'<script src="http://127.0.0.3:{script.port}/app.js"></script>'
                     f'<img src="http://{third_url}:{image.port}/dot.png" onload="document.getElementById(\'i\')'
                     f'.textContent = \'image: \' + this.naturalWidth + \'x\' + this.naturalHeight"></body></html>')
        page = FileServer("127.0.0.2", 16, {"index.html": page_html.encode()})
        for s in (image, script, page):
            self.addCleanup(s.close)
        with Endpoint("--verify-sigv4", "--stream-target", "agent", env=aws_env()) as ep, \
                tempfile.TemporaryDirectory(prefix="ssm-chromium-") as profile:
            proxy = Proxy(self, ep, "-v")
            p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                f"--user-data-dir={profile}", f"--proxy-server=socks5://127.0.0.1:{proxy.port}",
                                "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=15000", "--dump-dom",
                                f"http://127.0.0.2:{page.port}/index.html"],
                               capture_output=True, timeout=120, env=dict(os.environ, HOME=profile))
            dom = p.stdout.decode(errors="replace")
            self.assertIn("script: ran", dom, p.stderr.decode(errors="replace")[-2000:])
            self.assertIn("image: 1x1", dom)
            code, out, err = proxy.stop()
            self.assertEqual(code, 0, err)
            # A session for each of the three hosts (the browser may try others of its own).
            opened = set(re.findall(r"opening a session for (\S+)", err))
            self.assertLessEqual({f"127.0.0.2:{page.port}", f"127.0.0.3:{script.port}", f"{third_url}:{image.port}"},
                                 opened, err)


if __name__ == "__main__":
    unittest.main()
