#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The universal transport against the real wampd: one port (plain TCP, and
one with TLS from a test PKI made at test time) serves an AutobahnPython
WebSocket client and an AutobahnPython RawSocket client, which exchange
events and calls; plain HTTP is answered there too; a first octet that is
neither RawSocket's magic nor HTTP, and a peer that sends nothing, are
dropped. Prints TAP."""

import asyncio
import os
import ssl
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import host_port, leave  # noqa: E402


HANDSHAKE_TIMEOUT = 1  # seconds, the universal transports' option
PKI = tempfile.mkdtemp(prefix="wampd-interop-pki-")


def pki(name):
    return os.path.join(PKI, name)


def tls_kwargs(url):
    if not url.startswith("universal+tls://"):
        return {}
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=pki("ca.pem"))
    return {"ssl": ctx, "server_hostname": "localhost"}


async def connect_websocket(url):
    host, port = host_port(url)
    scheme = "wss" if url.startswith("universal+tls://") else "ws"
    return await autobahn_fixture.connect_websocket(
        "%s://%s:%d/ws" % (scheme, host, port), session_options={"lost_is_left": True},
        **tls_kwargs(url))


async def connect_rawsocket(url):
    return await autobahn_fixture.connect_rawsocket(
        url, session_options={"lost_is_left": True}, **tls_kwargs(url))


async def exchange(url):
    """A WebSocket and a RawSocket session on @url: events and calls both ways."""
    ws = await connect_websocket(url)
    rs = await connect_rawsocket(url)
    try:
        await autobahn_fixture.exchange(ws, rs, "tls" if url.startswith("universal+tls://") else "tcp")
    finally:
        await leave(ws)
        await leave(rs)


async def check_ready_file_urls(wampd):
    assert wampd.listeners["uni"].startswith("universal+tcp://127.0.0.1:"), wampd.listeners
    assert wampd.listeners["uni_tls"].startswith("universal+tls://127.0.0.1:"), wampd.listeners


async def check_plain_port_serves_both(wampd):
    await exchange(wampd.listeners["uni"])


async def check_tls_port_serves_both(wampd):
    await exchange(wampd.listeners["uni_tls"])


async def read_until_eof(reader, seconds):
    """Returns what arrived before EOF; fails when the peer keeps it open."""
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = await asyncio.wait_for(reader.read(4096), deadline - time.monotonic())
        except (ConnectionResetError, ssl.SSLError):
            return data
        if not chunk:
            return data
        data += chunk
    raise AssertionError("the connection stayed open (got %r)" % data[:80])


async def check_http_answered_on_the_port(wampd):
    """libsoup answers, and closes when asked to (plain and TLS)."""
    for name in ("uni", "uni_tls"):
        url = wampd.listeners[name]
        reader, writer = await asyncio.open_connection(*host_port(url), **tls_kwargs(url))
        writer.write(b"GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await read_until_eof(reader, STEP_TIMEOUT)
        writer.close()
        assert data.startswith(b"HTTP/1.1 404"), (name, data[:80])


async def check_unknown_first_octet_closed(wampd):
    for octet in (b"\x00", b"\x16", b"a", b"\xff"):
        reader, writer = await asyncio.open_connection(*host_port(wampd.listeners["uni"]))
        started = time.monotonic()
        writer.write(octet + b"\x01\x02\x03")
        data = await read_until_eof(reader, STEP_TIMEOUT)
        writer.close()
        assert data == b"", (octet, data)
        # Closed for the octet, not by the timeout.
        assert time.monotonic() - started < HANDSHAKE_TIMEOUT, octet


async def check_silent_peer_dropped_after_timeout(wampd):
    for name in ("uni", "uni_tls"):
        reader, writer = await asyncio.open_connection(*host_port(wampd.listeners[name]))
        started = time.monotonic()
        await read_until_eof(reader, HANDSHAKE_TIMEOUT + STEP_TIMEOUT)
        writer.close()
        elapsed = time.monotonic() - started
        assert elapsed >= HANDSHAKE_TIMEOUT * 0.8, (name, elapsed)


async def check_sessions_undisturbed(wampd):
    """After all the bad input, both protocols still join."""
    await exchange(wampd.listeners["uni"])


CHECKS = [
    ("ready file: universal+tcp:// and universal+tls:// URLs", check_ready_file_urls),
    ("plain port: WebSocket and RawSocket sessions exchange events and calls",
     check_plain_port_serves_both),
    ("TLS port: WebSocket and RawSocket sessions exchange events and calls",
     check_tls_port_serves_both),
    ("plain HTTP and HTTPS on the ports get libsoup's 404, then EOF", check_http_answered_on_the_port),
    ("a first octet neither 0x7F nor HTTP: closed at once", check_unknown_first_octet_closed),
    ("a peer that sends nothing is dropped after the handshake timeout",
     check_silent_peer_dropped_after_timeout),
    ("afterwards both protocols still serve", check_sessions_undisturbed),
]


def config():
    anonymous = {"anonymous": {"role": "anonymous"}}
    tcp = {"type": "tcp", "host": "127.0.0.1", "port": 0}
    tls = dict(tcp, tls={"certificate": pki("server.pem"), "key": pki("server.key")})
    universal = {"type": "universal", "serializers": ["json"], "auth": anonymous,
                 "websocket": {"path": "/ws"}, "rawsocket": {"options": {}},
                 "options": {"handshake_timeout": HANDSHAKE_TIMEOUT}}
    return {
        "version": 1,
        "realms": [wampd_fixture.realm("realm1")],
        "transports": [
            {"name": "ws", "type": "websocket", "endpoint": tcp, "path": "/ws",
             "serializers": ["json"], "auth": anonymous},
            dict(universal, name="uni", endpoint=tcp),
            dict(universal, name="uni_tls", endpoint=tls),
        ],
    }


if __name__ == "__main__":
    with wampd_fixture.pki_folder(PKI):
        status = wampd_fixture.main(CHECKS, config())
    sys.exit(status)
