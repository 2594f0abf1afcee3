#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AutobahnPython over wss:// against the real wampd, with a test PKI made at
test time (tests/tls/make-test-pki.sh): pub/sub and calls between a wss://
and a plain ws:// session through one router, and a listener that requires
a client certificate refusing clients without one (or with one from another
CA) and accepting a valid one. Prints TAP."""

import asyncio
import os
import ssl
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import leave  # noqa: E402


PKI = tempfile.mkdtemp(prefix="wampd-interop-pki-")


def pki(name):
    return os.path.join(PKI, name)


def client_context(cert=None, key=None):
    """Trusts only the test CA; presents @cert when given."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=pki("ca.pem"))
    if cert is not None:
        ctx.load_cert_chain(pki(cert), pki(key))
    return ctx


async def connect(url, ctx=None):
    """Returns a joined Session on @url (ws:// or wss://)."""
    kwargs = {}
    if url.startswith("wss://"):
        kwargs = {"ssl": ctx if ctx is not None else client_context(),
                  "server_hostname": "localhost"}
    return await autobahn_fixture.connect_websocket(
        url, session_options={"lost_is_left": True}, **kwargs)


async def check_ready_file_urls(wampd):
    assert wampd.listeners["ws"].startswith("ws://127.0.0.1:"), wampd.listeners
    for name in ("wss", "mtls"):
        url = wampd.listeners[name]
        assert url.startswith("wss://127.0.0.1:") and url.endswith("/ws"), wampd.listeners


async def check_wss_refuses_plain_http(wampd):
    """Speaking plain WebSocket to the TLS port gets no WebSocket."""
    parsed = urllib.parse.urlparse(wampd.listeners["wss"])
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(parsed.hostname, parsed.port), STEP_TIMEOUT)
    writer.write(b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n")
    data = await asyncio.wait_for(reader.read(4096), STEP_TIMEOUT)
    writer.close()
    assert b"HTTP/1.1 101" not in data, data


async def exchange(publisher_url, subscriber_url, tag, pub_ctx=None, sub_ctx=None):
    """Events and calls both ways between two sessions; 100 KB through TLS
    both ways."""
    a = await connect(publisher_url, pub_ctx)
    b = await connect(subscriber_url, sub_ctx)
    try:
        await autobahn_fixture.exchange(a, b, tag, text_size=100000)
    finally:
        await leave(a)
        await leave(b)


async def check_wss_publisher_ws_subscriber(wampd):
    await exchange(wampd.listeners["wss"], wampd.listeners["ws"], "wss_ws")


async def check_ws_publisher_wss_subscriber(wampd):
    await exchange(wampd.listeners["ws"], wampd.listeners["wss"], "ws_wss")


async def expect_refused(url, ctx):
    """The TLS handshake or the first read fails (TLS 1.3 verifies the client
    certificate after the client finished its handshake): no session."""
    try:
        session = await connect(url, ctx)
    except (ConnectionError, ssl.SSLError, OSError, asyncio.TimeoutError):
        return
    await leave(session)
    raise AssertionError("joined without an acceptable client certificate")


async def check_mtls_refuses_client_without_certificate(wampd):
    await expect_refused(wampd.listeners["mtls"], client_context())


async def check_mtls_refuses_certificate_from_other_ca(wampd):
    await expect_refused(wampd.listeners["mtls"], client_context("stranger.pem", "stranger.key"))


async def check_mtls_accepts_valid_certificate(wampd):
    ctx = client_context("client.pem", "client.key")
    await exchange(wampd.listeners["mtls"], wampd.listeners["ws"], "mtls_ws", pub_ctx=ctx)


async def check_wrong_ca_client_refuses_server(wampd):
    """A client that does not trust the test CA refuses the server."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=pki("other-ca.pem"))
    try:
        session = await connect(wampd.listeners["wss"], ctx)
    except ssl.SSLCertVerificationError:
        return
    await leave(session)
    raise AssertionError("the client accepted a server certificate from an unknown CA")


CHECKS = [
    ("ready file: ws:// and wss:// URLs", check_ready_file_urls),
    ("plain HTTP on the TLS port gets no upgrade", check_wss_refuses_plain_http),
    ("wss publisher/caller with ws subscriber/callee: events and calls",
     check_wss_publisher_ws_subscriber),
    ("ws publisher/caller with wss subscriber/callee: events and calls",
     check_ws_publisher_wss_subscriber),
    ("client certificate required: a client without one gets no session",
     check_mtls_refuses_client_without_certificate),
    ("client certificate required: one from another CA gets no session",
     check_mtls_refuses_certificate_from_other_ca),
    ("client certificate required: a valid one joins and exchanges with ws",
     check_mtls_accepts_valid_certificate),
    ("a client trusting another CA refuses the server", check_wrong_ca_client_refuses_server),
]


def config():
    cfg = wampd_fixture.config()
    plain = cfg["transports"][0]
    tls = {"certificate": pki("server.pem"), "key": pki("server.key")}
    wss = dict(plain, name="wss",
               endpoint={"type": "tcp", "host": "127.0.0.1", "port": 0, "tls": tls})
    mtls = dict(plain, name="mtls",
                endpoint={"type": "tcp", "host": "127.0.0.1", "port": 0,
                          "tls": dict(tls, ca_certificates=pki("ca.pem"),
                                      require_client_certificate=True)})
    cfg["transports"] += [wss, mtls]
    return cfg


if __name__ == "__main__":
    with wampd_fixture.pki_folder(PKI):
        status = wampd_fixture.main(CHECKS, config())
    sys.exit(status)
