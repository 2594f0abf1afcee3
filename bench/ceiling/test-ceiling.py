#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the transport ceiling's echo servers with raw sockets: each binary
given on the command line is started with --port 0, --unix and --ready-file;
then the WebSocket upgrade and the echo of masked text, binary, fragmented,
control and back-to-back frames; the RawSocket handshake and the echo of
small, 1 MiB and 16 MiB frames and of PINGs; both over the Unix socket; bad
handshakes and bad frames closing only their own connection; and a clean
exit on SIGTERM. Prints TAP."""

import base64
import hashlib
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

TIMEOUT = 5  # seconds, for any one step
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, name, fn):
        self.count += 1
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            self.failed += 1
            print(f"not ok {self.count} - {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        else:
            print(f"ok {self.count} - {name}")
        sys.stdout.flush()


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def recv_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError(f"connection closed after {got} of {n} bytes")
        got += k
    return bytes(buf)


def expect_closed(sock):
    """Reads until the server closes (EOF or a reset); returns what came
    before the close."""
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            expect(len(data) < 1024, "no close, data keeps coming")
    except ConnectionResetError:
        pass
    sock.close()
    return data


class Server:
    def __init__(self, binary, tmp, index):
        self.name = os.path.basename(binary)
        self.unix_path = os.path.join(tmp, f"{index}.sock")
        ready = os.path.join(tmp, f"{index}.ready")
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0",
                                      "--unix", self.unix_path, "--ready-file", ready])
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{binary} did not become ready")
            time.sleep(0.01)
        with open(ready) as f:
            self.urls = dict(line.split(" ", 1) for line in f.read().splitlines())
        port = int(self.urls["rs"].rsplit(":", 1)[1])
        self.tcp = ("127.0.0.1", port)

    def connect(self, unix=False):
        if unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT)
            sock.connect(self.unix_path)
        else:
            sock = socket.create_connection(self.tcp, timeout=TIMEOUT)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


# WebSocket

def ws_request(protocols="wamp.2.json, wamp.2.msgpack", key=None):
    key = key or base64.b64encode(os.urandom(16)).decode()
    req = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
           f"Sec-WebSocket-Key: {key}\r\n")
    if protocols is not None:
        req += f"Sec-WebSocket-Protocol: {protocols}\r\n"
    return (req + "\r\n").encode(), key


def ws_frame(opcode, payload, fin=True, mask=True):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    # Mask a word at a time through int arithmetic: fast enough for MiBs.
    pad = key * (n // 4 + 1)
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(pad[:n], "big")).to_bytes(n, "big")
    return head + key + masked


def ws_read_frame(sock):
    b0, b1 = recv_exact(sock, 2)
    expect(not b1 & 0x80, "the server masked a frame")
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", recv_exact(sock, 2))
        expect(n >= 126, "non-minimal 16-bit length")
    elif n == 127:
        (n,) = struct.unpack("!Q", recv_exact(sock, 8))
        expect(n > 0xFFFF, "non-minimal 64-bit length")
    return bool(b0 & 0x80), b0 & 0x0F, recv_exact(sock, n)


def read_http_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        expect(chunk, f"closed during the upgrade response: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, rest


def ws_connect(server, unix=False, protocols="wamp.2.json, wamp.2.msgpack"):
    sock = server.connect(unix)
    req, key = ws_request(protocols)
    sock.sendall(req)
    status, headers, rest = read_http_response(sock)
    expect(status.startswith("HTTP/1.1 101"), f"status {status!r}")
    accept = base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()
    expect(headers.get("sec-websocket-accept") == accept, "wrong Sec-WebSocket-Accept")
    expect(headers.get("upgrade", "").lower() == "websocket", "no Upgrade: websocket")
    expect(rest == b"", "bytes after the 101 response")
    return sock, headers


def ws_echo(sock, opcode, payload):
    sock.sendall(ws_frame(opcode, payload))
    fin, op, data = ws_read_frame(sock)
    expect(fin and op == opcode, f"frame fin={fin} opcode={op}, sent opcode {opcode}")
    expect(data == payload, f"payload of {len(data)} bytes differs from the {len(payload)} sent")


# RawSocket

def rs_connect(server, unix=False, hello=b"\x7f\xf1\x00\x00"):
    sock = server.connect(unix)
    sock.sendall(hello)
    reply = recv_exact(sock, 4)
    expect(reply == bytes([0x7F, 0xF0 | (hello[1] & 0x0F), 0, 0]), f"handshake reply {reply.hex()}")
    return sock


def rs_frame(kind, payload):
    n = len(payload)
    if n == 1 << 24:
        return struct.pack("!B", 0x08 | kind) + b"\0\0\0" + payload
    return struct.pack("!I", (kind << 24) | n) + payload


def rs_read_frame(sock):
    head = recv_exact(sock, 4)
    n = int.from_bytes(head[1:], "big")
    if head[0] & 0x08:
        expect(n == 0, "X bit with a length")
        n = 1 << 24
    return head[0] & 0x07, recv_exact(sock, n)


def rs_echo(sock, payload, kind=0, reply_kind=0):
    sock.sendall(rs_frame(kind, payload))
    got_kind, data = rs_read_frame(sock)
    expect(got_kind == reply_kind, f"frame type {got_kind}, expected {reply_kind}")
    expect(data == payload, f"payload of {len(data)} bytes differs from the {len(payload)} sent")


def run_checks(tap, server):
    n = server.name
    t = tap.check

    def ready_file():
        port = server.tcp[1]
        expect(server.urls.get("ws") == f"ws://127.0.0.1:{port}/ws", f"ws: {server.urls}")
        expect(server.urls.get("rs") == f"rawsocket+tcp://127.0.0.1:{port}", f"rs: {server.urls}")
        expect(server.urls.get("rs-unix") == "rawsocket+unix://" + server.unix_path,
               f"rs-unix: {server.urls}")
    t(f"{n}: ready file names the ws, rs and rs-unix listeners", ready_file)

    def ws_handshake():
        sock, headers = ws_connect(server, protocols="wamp.2.cbor.batched, wamp.2.json")
        expect(headers.get("sec-websocket-protocol") == "wamp.2.cbor.batched",
               f"protocol {headers.get('sec-websocket-protocol')!r}")
        sock.close()
    t(f"{n}: ws upgrade answers 101 with the accept key and the first offered subprotocol",
      ws_handshake)

    def ws_text_and_binary():
        sock, _ = ws_connect(server)
        ws_echo(sock, 0x1, b'[1,{"realm":"realm1"}]')
        for size in (1, 125, 126, 70_000, 300_000):
            ws_echo(sock, 0x2, os.urandom(size))
        sock.close()
    t(f"{n}: ws masked text and binary frames (1 B .. 300 KB) come back unmasked", ws_text_and_binary)

    def ws_back_to_back():
        sock = server.connect()
        req, _ = ws_request()
        a, b = os.urandom(10), os.urandom(200)
        # The request and two frames in one send: the frames follow the request.
        sock.sendall(req + ws_frame(0x2, a) + ws_frame(0x2, b))
        status, _, rest = read_http_response(sock)
        expect(status.startswith("HTTP/1.1 101"), status)
        expected = ws_frame(0x2, a, mask=False) + ws_frame(0x2, b, mask=False)
        rest += recv_exact(sock, len(expected) - len(rest))
        expect(rest == expected, "the two echoes differ")
        sock.close()
    t(f"{n}: ws frames sent with the request, two in one send, are both echoed", ws_back_to_back)

    def ws_fragments_and_control():
        sock, _ = ws_connect(server)
        sock.sendall(ws_frame(0x1, b"frag", fin=False) + ws_frame(0x9, b"ping!")
                     + ws_frame(0x0, b"ment", fin=True))
        expect(ws_read_frame(sock) == (False, 0x1, b"frag"), "first fragment")
        expect(ws_read_frame(sock) == (True, 0xA, b"ping!"), "pong")
        expect(ws_read_frame(sock) == (True, 0x0, b"ment"), "continuation")
        sock.sendall(ws_frame(0xA, b"unsolicited pong") + ws_frame(0x9, b""))
        expect(ws_read_frame(sock) == (True, 0xA, b""), "pong to an empty ping, none to a pong")
        close = struct.pack("!H", 1000) + b"bye"
        sock.sendall(ws_frame(0x8, close))
        expect(ws_read_frame(sock) == (True, 0x8, close), "close echoed")
        expect(expect_closed(sock) == b"", "data after the close frame")
    t(f"{n}: ws fragments keep opcode and FIN, ping gets pong, close is echoed then closed",
      ws_fragments_and_control)

    def rs_echoes():
        sock = rs_connect(server)
        rs_echo(sock, b'[1,"realm1",{}]')
        rs_echo(sock, os.urandom(1 << 20))
        rs_echo(sock, b"ping payload", kind=1, reply_kind=2)
        a, b = os.urandom(3), os.urandom(70_000)
        sock.sendall(rs_frame(0, a) + rs_frame(2, b"pong: no answer") + rs_frame(0, b))
        expect(rs_read_frame(sock) == (0, a), "first of two")
        expect(rs_read_frame(sock) == (0, b), "second of two")
        sock.close()
        sock = rs_connect(server, hello=b"\x7f\x72\x00\x00")
        rs_echo(sock, os.urandom(1 << 24))
        sock.close()
    t(f"{n}: rs handshake echoes the serializer; small, 1 MiB, 16 MiB frames and pings echo",
      rs_echoes)

    def unix_socket():
        sock = rs_connect(server, unix=True)
        rs_echo(sock, os.urandom(100_000))
        sock.close()
        sock, _ = ws_connect(server, unix=True)
        ws_echo(sock, 0x2, os.urandom(1000))
        sock.close()
    t(f"{n}: rs and ws over the Unix socket", unix_socket)

    def bad_input():
        keep = rs_connect(server)
        keep_ws, _ = ws_connect(server)

        def bad(name, send, reply=b"", unix=False, prefix=None):
            sock = server.connect(unix)
            if prefix is not None:
                sock.sendall(prefix[0])
                if prefix[1] == "rs":
                    recv_exact(sock, 4)
                else:
                    read_http_response(sock)
            sock.sendall(send)
            got = expect_closed(sock)
            expect(got.startswith(reply), f"{name}: got {got!r} before the close")

        bad("garbage", b"\x00\x01garbage\r\n\r\n", b"HTTP/1.1 400")
        bad("not GET", b"POST /ws HTTP/1.1\r\n\r\n", b"HTTP/1.1 400")
        bad("no key", b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", b"HTTP/1.1 400")
        bad("long request", b"GET /ws HTTP/1.1\r\n" + b"X-Pad: " + b"a" * 9000 + b"\r\n")
        bad("rs reserved bits", b"\x7f\xf1\x00\x01", b"\x7f\x30\x00\x00")
        bad("rs serializer 0", b"\x7f\xf0\x00\x00", b"\x7f\x10\x00\x00", unix=True)
        rs_hello = (b"\x7f\xf1\x00\x00", "rs")
        bad("rs frame type 3", b"\x03\x00\x00\x01x", prefix=rs_hello)
        bad("rs X bit with a length", b"\x08\x00\x00\x01", prefix=rs_hello)
        bad("rs reserved frame bits", b"\x10\x00\x00\x01x", prefix=rs_hello)
        ws_hello = (ws_request()[0], "ws")
        bad("ws unmasked frame", ws_frame(0x2, b"abc", mask=False), prefix=ws_hello)
        bad("ws frame over 16 MiB", struct.pack("!BBQ", 0x82, 0xFF, (16 << 20) + 1) + b"\0" * 4,
            prefix=ws_hello)
        bad("ws reserved bits", b"\xc2\x81" + b"\0" * 5, prefix=ws_hello)
        bad("ws unknown opcode", b"\x83\x81" + b"\0" * 5, prefix=ws_hello)
        bad("ws long ping", ws_frame(0x9, b"p" * 126), prefix=ws_hello)
        rs_echo(keep, b"still here")
        ws_echo(keep_ws, 0x2, b"still here")
        keep.close()
        keep_ws.close()
    t(f"{n}: bad handshakes and frames close only their own connection", bad_input)

    def many_connections():
        socks = [rs_connect(server) for _ in range(50)]
        for i, s in enumerate(socks):
            s.sendall(rs_frame(0, b"%d" % i))
        for i, s in enumerate(socks):
            expect(rs_read_frame(s) == (0, b"%d" % i), f"connection {i}")
            s.close()
    t(f"{n}: 50 connections at once each get their own echo", many_connections)

    def sigterm():
        # Open connections, one with a half-read frame, must not hold up the exit.
        socks = [rs_connect(server), ws_connect(server)[0]]
        socks[0].sendall(b"\x00\x00\x10\x00partial")
        time.sleep(0.05)
        rc = server.stop()
        expect(rc == 0, f"exit status {rc}")
        expect(not os.path.exists(server.unix_path), "the Unix socket is left behind")
        for s in socks:
            s.close()
    t(f"{n}: SIGTERM exits 0 with connections open and removes the Unix socket", sigterm)


def main():
    binaries = sys.argv[1:]
    if not binaries:
        print("usage: test-ceiling.py ECHO-SERVER...", file=sys.stderr)
        return 2
    tap = Tap()
    with tempfile.TemporaryDirectory(prefix="ceiling-") as tmp:
        for index, binary in enumerate(binaries):
            server = Server(binary, tmp, index)
            try:
                run_checks(tap, server)
            finally:
                server.stop()
    print(f"1..{tap.count}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
