#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AutobahnPython's asyncio RawSocket client against the real wampd, over TCP
and over a Unix socket, with JSON, MessagePack and CBOR: calls and events in
both directions with a WebSocket session on the same router; over TLS (a test
PKI made at test time, tests/tls/make-test-pki.sh) and through a universal
port that serves WebSocket on the same port; keepalive PINGs;
an event larger than the client's announced maximum is not sent to it; and
raw sockets that misbehave at every step of the stream (wrong magic, reserved
bits, unsupported serializer, a slow loris, a length beyond the limit,
garbage frames, one connection too many), each followed by a check that an
established session is undisturbed. Prints TAP."""

import asyncio
import os
import shutil
import ssl
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import RawSocketClientProtocol, host_port, leave  # noqa: E402

from autobahn.exception import PayloadExceededError  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import (CBORSerializer, JsonSerializer,  # noqa: E402
                                      MsgPackSerializer)
from autobahn.wamp.types import PublishOptions  # noqa: E402

SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}
HANDSHAKE_TIMEOUT = 1     # seconds, the rs transport's option
MAX_MESSAGE_SIZE = 65536  # the rs transport's option: announced as 2^16
PING_INTERVAL = 1         # seconds, the rs_ping transport's option
TLS_HANDSHAKE_TIMEOUT = 2 # seconds, the rs_tls transport's option


def client_context(pki):
    """Trusts only the test CA and presents the test client certificate."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "client.pem"), os.path.join(pki, "client.key"))
    return ctx


def make_config(unix_path, pki):
    serializers = list(SERIALIZERS)
    anonymous = {"anonymous": {"role": "anonymous"}}

    def rawsocket(name, endpoint, **options):
        return {"name": name, "type": "rawsocket", "endpoint": endpoint,
                "serializers": serializers, "auth": anonymous, "options": options}

    tcp = {"type": "tcp", "host": "127.0.0.1", "port": 0}
    tls = dict(tcp, tls={"certificate": os.path.join(pki, "server.pem"),
                         "key": os.path.join(pki, "server.key"),
                         "ca_certificates": os.path.join(pki, "ca.pem")})
    return {
        "version": 1,
        "realms": [wampd_fixture.realm("realm1")],
        "transports": [
            {"name": "ws", "type": "websocket", "endpoint": tcp, "path": "/ws",
             "serializers": serializers, "auth": anonymous},
            rawsocket("rs", tcp, handshake_timeout=HANDSHAKE_TIMEOUT,
                      max_message_size=MAX_MESSAGE_SIZE),
            rawsocket("rs_unix", {"type": "unix", "path": unix_path}),
            rawsocket("rs_ping", tcp, ping_interval=PING_INTERVAL, ping_timeout=5),
            rawsocket("rs_one", tcp, max_connections=1),
            rawsocket("rs_tls", tls, handshake_timeout=TLS_HANDSHAKE_TIMEOUT),
            {"name": "uni", "type": "universal", "endpoint": tcp,
             "serializers": serializers, "auth": anonymous},
            {"name": "uni_tls", "type": "universal", "endpoint": tls,
             "serializers": serializers, "auth": anonymous},
        ],
    }


async def connect_rawsocket(url, serializer, announced_max=None, ssl_context=None):
    """A joined session over rawsocket+tcp://, rawsocket+tls:// (with
    @ssl_context), rawsocket+unix:// or a universal port."""
    protocol = type("Protocol", (RawSocketClientProtocol,), {"announced_max": announced_max})
    return await autobahn_fixture.connect_rawsocket(
        url, SERIALIZERS[serializer](), protocol=protocol, session_options={"lost_is_left": True},
        ssl=ssl_context, server_hostname="localhost" if ssl_context else None)


async def connect_websocket(wampd, url=None, ssl_context=None):
    """A joined JSON session over ws:// (the "ws" transport unless @url)."""
    return await autobahn_fixture.connect_websocket(
        url or wampd.url, session_options={"lost_is_left": True},
        ssl=ssl_context, server_hostname="localhost" if ssl_context else None)


async def exchange_with_websocket(wampd, url, serializer, tag, ssl_context=None, ws_url=None,
                                  ws_ssl_context=None):
    """Calls and events both ways between a RawSocket and a WebSocket session."""
    rs = await connect_rawsocket(url, serializer, ssl_context=ssl_context)
    ws = await connect_websocket(wampd, ws_url, ws_ssl_context)
    try:
        await autobahn_fixture.exchange(rs, ws, tag)
    finally:
        await leave(rs, ws)


def exchange_check(listener, serializer):
    async def check(wampd):
        await exchange_with_websocket(wampd, wampd.listeners[listener], serializer,
                                      "%s_%s" % (listener, serializer))
    return check


async def check_ready_file_urls(wampd):
    urls = wampd.listeners
    for name in ("rs", "rs_ping", "rs_one"):
        assert urls[name].startswith("rawsocket+tcp://127.0.0.1:"), urls
    assert urls["rs_unix"] == "rawsocket+unix://" + wampd.unix_path, urls
    assert urls["rs_tls"].startswith("rawsocket+tls://127.0.0.1:"), urls
    assert urls["uni"].startswith("universal+tcp://127.0.0.1:"), urls


async def check_tls(wampd):
    ctx = client_context(wampd.pki)
    for serializer in SERIALIZERS:
        await exchange_with_websocket(wampd, wampd.listeners["rs_tls"], serializer,
                                      "tls_" + serializer, ssl_context=ctx)


async def check_tls_refuses_plain_rawsocket(wampd):
    """A plain RawSocket handshake to the TLS port gets no RawSocket reply:
    four octets are not even a TLS record header, so the peer is dropped
    after the handshake timeout; one frame more is a broken TLS record."""
    for data in (b"\x7f\xf1\x00\x00", b"\x7f\xf1\x00\x00\x00\x00\x00\x02[]"):
        async with Witness(wampd, "tls%d" % len(data)):
            reader, writer = await raw_open(wampd.listeners["rs_tls"])
            start = time.monotonic()
            writer.write(data)
            reply = await read_until_eof(reader)
            assert not reply.startswith(b"\x7f"), reply
            assert time.monotonic() - start < TLS_HANDSHAKE_TIMEOUT + 5
            writer.close()


async def check_universal(wampd):
    """RawSocket and WebSocket clients on one universal port."""
    host, port = host_port(wampd.listeners["uni"])
    ws_url = "ws://%s:%d/ws" % (host, port)
    for serializer in SERIALIZERS:
        await exchange_with_websocket(wampd, wampd.listeners["uni"], serializer,
                                      "uni_" + serializer, ws_url=ws_url)


async def check_universal_tls(wampd):
    ctx = client_context(wampd.pki)
    host, port = host_port(wampd.listeners["uni_tls"])
    # RawSocket over TLS on the universal port, with a plain WebSocket session...
    await exchange_with_websocket(wampd, wampd.listeners["uni_tls"], "cbor", "uni_tls",
                                  ssl_context=ctx)
    # ...and with a wss:// session on that same port.
    await exchange_with_websocket(wampd, wampd.listeners["uni_tls"], "json", "uni_tls_wss",
                                  ssl_context=ctx, ws_url="wss://%s:%d/ws" % (host, port),
                                  ws_ssl_context=ctx)


async def check_keepalive_pings_answered(wampd):
    before = RawSocketClientProtocol.pings_received
    rs = await connect_rawsocket(wampd.listeners["rs_ping"], "json")
    try:
        await asyncio.sleep(PING_INTERVAL * 2.5)
        assert RawSocketClientProtocol.pings_received - before >= 2, \
            RawSocketClientProtocol.pings_received - before
        # Still routed after the pings.
        await asyncio.wait_for(rs.register(lambda: "alive", "com.rs.alive"), STEP_TIMEOUT)
        assert await asyncio.wait_for(rs.call("com.rs.alive"), STEP_TIMEOUT) == "alive"
    finally:
        await leave(rs)


async def check_oversize_event_not_sent(wampd):
    """The client announces 512 octets: a larger EVENT is not sent to it (the
    router never exceeds a peer's maximum), a small one still is."""
    small_client = await connect_rawsocket(wampd.listeners["rs"], "msgpack", announced_max=512)
    ws = await connect_websocket(wampd)
    try:
        got = []
        await asyncio.wait_for(small_client.subscribe(lambda x: got.append(x), "com.rs.sizes"),
                               STEP_TIMEOUT)
        await asyncio.wait_for(ws.publish("com.rs.sizes", "L" * 2000,
                                          options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
        await asyncio.wait_for(ws.publish("com.rs.sizes", "small",
                                          options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
        deadline = time.monotonic() + STEP_TIMEOUT
        while not got and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert got == ["small"], got
        assert small_client.is_attached()
    finally:
        await leave(small_client, ws)


async def expect_payload_size_exceeded(awaitable):
    """The call must fail with ERROR wamp.error.payload_size_exceeded, which
    Autobahn raises as PayloadExceededError carrying the router's message."""
    try:
        result = await asyncio.wait_for(awaitable, STEP_TIMEOUT)
    except PayloadExceededError as e:
        assert "exceeds the 512 the peer accepts" in str(e), e
        return
    except ApplicationError as e:
        assert e.error == "wamp.error.payload_size_exceeded", e
        return
    raise AssertionError("expected wamp.error.payload_size_exceeded, got a result: %r" % (result,))


async def check_oversize_result_is_error(wampd):
    """A RESULT longer than the RawSocket caller announced (512 octets) is
    not sent: the caller gets ERROR wamp.error.payload_size_exceeded and
    stays joined."""
    caller = await connect_rawsocket(wampd.listeners["rs"], "json", announced_max=512)
    ws = await connect_websocket(wampd)
    try:
        await asyncio.wait_for(ws.register(lambda n: "R" * n, "com.rs.sized_result"), STEP_TIMEOUT)
        await expect_payload_size_exceeded(caller.call("com.rs.sized_result", 2000))
        assert caller.is_attached()
        result = await asyncio.wait_for(caller.call("com.rs.sized_result", 10), STEP_TIMEOUT)
        assert result == "R" * 10, result
    finally:
        await leave(caller, ws)


async def check_oversize_invocation_is_error(wampd):
    """An INVOCATION longer than the RawSocket callee announced is not sent:
    the caller gets ERROR wamp.error.payload_size_exceeded, the callee stays."""
    callee = await connect_rawsocket(wampd.listeners["rs"], "cbor", announced_max=512)
    ws = await connect_websocket(wampd)
    try:
        await asyncio.wait_for(callee.register(lambda s: len(s), "com.rs.sized_arg"), STEP_TIMEOUT)
        await expect_payload_size_exceeded(ws.call("com.rs.sized_arg", "A" * 2000))
        assert callee.is_attached()
        assert await asyncio.wait_for(ws.call("com.rs.sized_arg", "A" * 10), STEP_TIMEOUT) == 10
    finally:
        await leave(callee, ws)


# Raw sockets

async def raw_open(url):
    host, port = host_port(url)
    return await asyncio.wait_for(asyncio.open_connection(host, port), STEP_TIMEOUT)


async def read_until_eof(reader, timeout=STEP_TIMEOUT):
    """Everything the router sends until it closes the connection."""
    data = b""
    while True:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


class Witness:
    """A RawSocket session joined before the bad input, checked after it."""

    async def __aenter__(self):
        self.session = await connect_rawsocket(self.wampd.listeners["rs"], "cbor")
        self.n = 0
        await asyncio.wait_for(self.session.register(lambda x: x * 2, "com.rs.witness" + self.tag),
                               STEP_TIMEOUT)
        return self

    def __init__(self, wampd, tag):
        self.wampd = wampd
        self.tag = tag

    async def __aexit__(self, *exc):
        if exc[0] is None:
            assert self.session.is_attached(), "the witness session was disturbed"
            result = await asyncio.wait_for(self.session.call("com.rs.witness" + self.tag, 21),
                                            STEP_TIMEOUT)
            assert result == 42, result
        await leave(self.session)


async def check_ping_answered_then_hello(wampd):
    """Through the real wampd: a PING is answered with a PONG echoing it, and
    the connection then carries a session (HELLO -> WELCOME)."""
    reader, writer = await raw_open(wampd.listeners["rs"])
    writer.write(b"\x7f\xf1\x00\x00")
    assert await asyncio.wait_for(reader.readexactly(4), STEP_TIMEOUT) == b"\x7f\x71\x00\x00"
    payload = b"\x00keepalive\xff"
    writer.write(struct.pack("!L", (1 << 24) | len(payload)) + payload)
    pong = await asyncio.wait_for(reader.readexactly(4 + len(payload)), STEP_TIMEOUT)
    assert pong == struct.pack("!L", (2 << 24) | len(payload)) + payload, pong
    hello = b'[1,"realm1",{"roles":{"caller":{}}}]'
    writer.write(struct.pack("!L", len(hello)) + hello)
    prefix = await asyncio.wait_for(reader.readexactly(4), STEP_TIMEOUT)
    assert prefix[0] == 0, prefix
    welcome = await asyncio.wait_for(reader.readexactly(struct.unpack("!L", prefix)[0]), STEP_TIMEOUT)
    assert welcome.startswith(b"[2,"), welcome
    writer.close()


async def check_wrong_magic(wampd):
    async with Witness(wampd, "magic"):
        reader, writer = await raw_open(wampd.listeners["rs"])
        writer.write(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
        assert await read_until_eof(reader) == b"", "a reply to a non-RawSocket peer"
        writer.close()


async def check_reserved_bits(wampd):
    async with Witness(wampd, "reserved"):
        reader, writer = await raw_open(wampd.listeners["rs"])
        writer.write(b"\x7f\xf1\x00\x01")
        assert await read_until_eof(reader) == b"\x7f\x30\x00\x00"
        writer.close()


async def check_unsupported_serializer(wampd):
    async with Witness(wampd, "serializer"):
        for octet in (b"\xf5", b"\xf0"):  # FlatBuffers (not offered), and the illegal 0
            reader, writer = await raw_open(wampd.listeners["rs"])
            writer.write(b"\x7f" + octet + b"\x00\x00")
            assert await read_until_eof(reader) == b"\x7f\x10\x00\x00"
            writer.close()


async def check_handshake_reply_announces_limit(wampd):
    reader, writer = await raw_open(wampd.listeners["rs"])
    writer.write(b"\x7f\x32\x00\x00")  # MessagePack, 4 KiB
    reply = await asyncio.wait_for(reader.readexactly(4), STEP_TIMEOUT)
    # max_message_size 65536 is exponent 7; the serializer is echoed.
    assert reply == b"\x7f\x72\x00\x00", reply
    writer.close()


async def check_slow_loris(wampd):
    async with Witness(wampd, "loris"):
        reader, writer = await raw_open(wampd.listeners["rs"])
        start = time.monotonic()
        writer.write(b"\x7f\xf1")  # half a handshake, then silence
        assert await read_until_eof(reader) == b""
        elapsed = time.monotonic() - start
        assert HANDSHAKE_TIMEOUT * 0.8 <= elapsed < HANDSHAKE_TIMEOUT + 5, elapsed
        writer.close()


async def check_length_beyond_limit(wampd):
    async with Witness(wampd, "length"):
        reader, writer = await raw_open(wampd.listeners["rs"])
        writer.write(b"\x7f\xf1\x00\x00")
        assert await asyncio.wait_for(reader.readexactly(4), STEP_TIMEOUT) == b"\x7f\x71\x00\x00"
        # One octet more than the 64 KiB announced; no payload needs to follow.
        writer.write(struct.pack("!L", MAX_MESSAGE_SIZE + 1))
        assert await read_until_eof(reader) == b""
        writer.close()


async def check_garbage_after_handshake(wampd):
    async with Witness(wampd, "garbage"):
        for garbage in (b"\xff\xff\xff\xff" * 4,          # reserved bits and type 7
                        b"\x03\x00\x00\x01x",             # frame type 3
                        b"\x00\x00\x00\x05" + b"\x93\x00\x01\x02\x03"):  # not JSON
            reader, writer = await raw_open(wampd.listeners["rs"])
            writer.write(b"\x7f\xf1\x00\x00" + garbage)
            data = await read_until_eof(reader)
            assert data.startswith(b"\x7f\x71\x00\x00"), data
            rest = data[4:]
            if garbage.startswith(b"\x00"):
                # A well-framed message that is no WAMP: ABORT, then closed.
                assert rest[:1] == b"\x00" and b"wamp.error.protocol_violation" in rest, rest
            else:
                assert rest == b"", rest
            writer.close()


async def check_max_connections(wampd):
    first = await connect_rawsocket(wampd.listeners["rs_one"], "json")
    try:
        reader, writer = await raw_open(wampd.listeners["rs_one"])
        writer.write(b"\x7f\xf1\x00\x00")
        assert await read_until_eof(reader) == b"\x7f\x40\x00\x00"
        writer.close()
        assert first.is_attached()
    finally:
        await leave(first)
    # Room again once the first one left.
    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        try:
            again = await connect_rawsocket(wampd.listeners["rs_one"], "json")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
    await leave(again)


CHECKS = [("ready file lists rawsocket+tcp:// and rawsocket+unix:// URLs", check_ready_file_urls)]
for _listener, _kind in (("rs", "TCP"), ("rs_unix", "a Unix socket")):
    for _serializer in SERIALIZERS:
        CHECKS.append(("%s over %s: calls and events both ways with a WebSocket session"
                       % (_serializer, _kind), exchange_check(_listener, _serializer)))
CHECKS += [
    ("rawsocket+tls:// with a client certificate, each serializer, with a WebSocket session",
     check_tls),
    ("rawsocket+tls:// port: a plain RawSocket handshake gets no RawSocket reply",
     check_tls_refuses_plain_rawsocket),
    ("universal port: RawSocket (each serializer) and WebSocket on one port", check_universal),
    ("universal port over TLS: RawSocket and wss:// on one port", check_universal_tls),
    ("keepalive PINGs are sent and the PONGs keep the session", check_keepalive_pings_answered),
    ("an EVENT beyond the client's 512-octet maximum is not sent, a small one is",
     check_oversize_event_not_sent),
    ("a RESULT beyond the RawSocket caller's maximum: ERROR payload_size_exceeded",
     check_oversize_result_is_error),
    ("an INVOCATION beyond the RawSocket callee's maximum: ERROR payload_size_exceeded",
     check_oversize_invocation_is_error),
    ("handshake reply echoes the serializer and announces max_message_size",
     check_handshake_reply_announces_limit),
    ("a PING through wampd is answered with its PONG, then HELLO gets WELCOME",
     check_ping_answered_then_hello),
    ("wrong magic: closed without a reply; others undisturbed", check_wrong_magic),
    ("reserved bits: error 3, closed; others undisturbed", check_reserved_bits),
    ("unsupported or illegal serializer: error 1, closed; others undisturbed",
     check_unsupported_serializer),
    ("slow loris dropped after handshake_timeout; others undisturbed", check_slow_loris),
    ("length prefix beyond the limit: closed; others undisturbed", check_length_beyond_limit),
    ("garbage after the handshake: closed; others undisturbed", check_garbage_after_handshake),
    ("max_connections: error 4 for one too many, room again after", check_max_connections),
]


def main():
    names = [name for name, _ in CHECKS] + ["wampd exits 0 on SIGTERM"]
    tap = wampd_fixture.Tap(names)
    wampd = wampd_fixture.Wampd(None)
    wampd.unix_path = os.path.join(wampd.dir, "rs.sock")
    wampd.pki = tempfile.mkdtemp(prefix="wampd-interop-pki-")

    def prepare(wampd):
        wampd_fixture.make_test_pki(wampd.pki)
        wampd.cfg = make_config(wampd.unix_path, wampd.pki)

    try:
        return wampd_fixture.serve(tap, wampd, lambda wampd: wampd_fixture.run_checks(tap, CHECKS, wampd),
                                   prepare)
    finally:
        shutil.rmtree(wampd.pki, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
