"""A data-channel peer that misbehaves on purpose, written from the protocol description
(docs/protocol.md §2-§4), not from the plugin's code: one loopback port serves the API (every
POST, ResumeSession and TerminateSession alike, is refused with DoesNotExistException, so a
lost connection ends the session instead of resuming it) and the WebSocket. After the
plugin's OpenDataChannel, `behaviour(peer)` runs on the connection's own thread and does what
it likes with it: frames that are truncated, oversized or carry wrong digests, a flood, or no
reading at all. Standard library only."""
import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def client_message(message_type, seq, payload, payload_type=1, flags=0, digest=None, header_length=116):
    """One ClientMessage (§3.1): the 120-byte header, then the payload."""
    message_id = uuid.uuid4().bytes
    return (struct.pack(">I", header_length) + message_type.encode().ljust(32)
            + struct.pack(">IQqQ", 1, int(time.time() * 1000), seq, flags)
            + message_id[8:] + message_id[:8]
            + (digest if digest is not None else hashlib.sha256(payload).digest())
            + struct.pack(">II", payload_type, len(payload)) + payload)


def output(seq, payload, **kwargs):
    return client_message("output_stream_data", seq, payload, flags=1 if seq == 0 else 0, **kwargs)


class Peer:
    """The server end of one WebSocket connection."""

    def __init__(self, sock):
        self.sock = sock
        self._buffer = b""
        self.acked = set()  # sequence numbers the plugin acknowledged (discard_input reads them)

    def _read_exactly(self, n):
        while len(self._buffer) < n:
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("the plugin closed the connection")
            self._buffer += data
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def read_frame(self):
        """(opcode, payload) of the next frame from the client (masked, as clients send)."""
        b0, b1 = self._read_exactly(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", self._read_exactly(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self._read_exactly(8))[0]
        mask = self._read_exactly(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytearray(self._read_exactly(length))
        for i in range(len(data)):
            data[i] ^= mask[i % 4]
        return b0 & 0x0F, bytes(data)

    def send_frame(self, payload, opcode=OP_BINARY):
        n = len(payload)
        if n < 126:
            header = struct.pack(">BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            header = struct.pack(">BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, n)
        self.sock.sendall(header + payload)

    def send_raw(self, data):
        self.sock.sendall(data)

    def discard_input(self):
        """Reads what the plugin sends on a thread of its own, answering pings and noting acks
        (§4.2); the rest is dropped."""
        def drain():
            try:
                while True:
                    opcode, data = self.read_frame()
                    if opcode == OP_PING:
                        self.send_frame(data, OP_PONG)
                    elif opcode == OP_BINARY and data[4:36].strip() == b"acknowledge":
                        self.acked.add(json.loads(data[120:])["AcknowledgedMessageSequenceNumber"])
            except (OSError, ConnectionError):
                pass
        threading.Thread(target=drain, daemon=True).start()


class HostileAgent:
    """Serves on 127.0.0.1 until closed; `behaviour(peer)` runs once per WebSocket connection.
    `response()` is the StartSession response that points the plugin here."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self.closed_by_plugin = None  # what the connection ended with, when the plugin ended it
        self.errors = []
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def response(self):
        return {"SessionId": "s-hostile", "TokenValue": "hostile-token",
                "StreamUrl": f"ws://127.0.0.1:{self.port}/v1/data-channel/s-hostile"}

    def _serve(self):
        while not self._closed:
            try:
                sock, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(sock,), daemon=True).start()

    def _handle(self, sock):
        try:
            with sock:
                head = b""
                while b"\r\n\r\n" not in head:
                    data = sock.recv(4096)
                    if not data:
                        return
                    head += data
                request, _, rest = head.partition(b"\r\n\r\n")
                lines = request.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
                if lines[0].startswith("POST"):
                    length = int(headers.get("content-length", "0"))
                    while len(rest) < length:  # read it all: closing on unread bytes resets
                        data = sock.recv(4096)
                        if not data:
                            break
                        rest += data
                    return self._refuse_api_call(sock)
                accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest())
                sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
                self.connections += 1
                peer = Peer(sock)
                peer._buffer = rest
                opcode, open_channel = peer.read_frame()
                if opcode != OP_TEXT or "TokenValue" not in json.loads(open_channel):
                    self.errors.append(f"the first frame is not OpenDataChannel: {opcode} {open_channel[:80]!r}")
                    return
                self.behaviour(peer)
        except OSError as e:
            self.closed_by_plugin = repr(e)
        except Exception as e:  # a bug in the test's own peer, reported by the test
            self.errors.append(repr(e))

    @staticmethod
    def _refuse_api_call(sock):
        body = json.dumps({"__type": "DoesNotExistException", "message": "the session is gone"}).encode()
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    def close(self):
        self._closed = True
        self.server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
