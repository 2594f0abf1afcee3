# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the AutobahnPython scripts (tests/interop, tests/systemd):
sessions whose join and leave are futures, the helpers that open and
close them, an exchange of calls and events between two of them, a
patched RawSocket client protocol, and raw WebSocket connections for
exact frames. Importing it skips the script (TAP "1..0 # SKIP") when
python3-autobahn is missing."""

import asyncio
import struct
import urllib.parse

import wampd_fixture
from wampd_fixture import STEP_TIMEOUT

wampd_fixture.require_autobahn()

import txaio  # noqa: E402

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import (WampRawSocketClientFactory,  # noqa: E402
                                        WampRawSocketClientProtocol)
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import (WampWebSocketClientFactory,  # noqa: E402
                                        WebSocketClientFactory,
                                        WebSocketClientProtocol)
from autobahn.wamp.serializer import JsonSerializer  # noqa: E402
from autobahn.wamp.types import ComponentConfig, PublishOptions  # noqa: E402


class LeftError(ConnectionError):
    """The router ended the session (ABORT or GOODBYE) before it joined.
    A ConnectionError, so that "could not join" catches it too."""

    def __init__(self, reason, message=None):
        super().__init__("%s: %s" % (reason, message))
        self.reason = reason
        self.message = message


class Session(ApplicationSession):
    """An ApplicationSession whose join and leave are futures: `joined`
    resolves to the SessionDetails or fails (LeftError, ConnectionError);
    `left` resolves to the CloseDetails of GOODBYE/ABORT. A transport lost
    without either fails `left`, or with @lost_is_left resolves it to None
    (for checks where the router may just hang up). @quiet_user_errors: the
    session's callees raise application errors on purpose, which Autobahn
    would log as user errors. @authid: asked for in HELLO."""

    def __init__(self, cfg, lost_is_left=False, quiet_user_errors=False, authid=None):
        super().__init__(cfg)
        loop = asyncio.get_running_loop()
        self.joined = loop.create_future()
        self.left = loop.create_future()
        self.lost_is_left = lost_is_left
        self.quiet_user_errors = quiet_user_errors
        self.requested_authid = authid

    def onConnect(self):
        if self.requested_authid is None:
            super().onConnect()
        else:
            self.join(self.config.realm, authid=self.requested_authid)

    def onUserError(self, fail, msg):
        if not self.quiet_user_errors:
            super().onUserError(fail, msg)

    def onJoin(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details):
        if not self.joined.done():
            self.joined.set_exception(LeftError(details.reason, details.message))
        if not self.left.done():
            self.left.set_result(details)
        self.disconnect()

    def onDisconnect(self):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("disconnected before joining"))
        if not self.left.done():
            if self.lost_is_left:
                self.left.set_result(None)
            else:
                self.left.set_exception(ConnectionError("disconnected without GOODBYE/ABORT"))


def host_port(url):
    parsed = urllib.parse.urlparse(url)
    return parsed.hostname, parsed.port


async def join(session, connecting):
    """Awaits @connecting (a loop.create_*connection() whose factory builds
    @session), then WELCOME; on failure drops the connection. Returns
    @session, joined."""
    _, protocol = await asyncio.wait_for(connecting, STEP_TIMEOUT)
    try:
        # A connection lost before the WebSocket opened never reaches the
        # session: watch the protocol too.
        closed = protocol.is_closed
        await asyncio.wait([session.joined, closed], timeout=STEP_TIMEOUT,
                           return_when=asyncio.FIRST_COMPLETED)
        if not session.joined.done():
            if closed.done():
                raise ConnectionError("connection closed before the session joined")
            raise asyncio.TimeoutError("no WELCOME within %ds" % STEP_TIMEOUT)
        session.joined.result()
    except BaseException:
        if session._transport is not None:
            session.disconnect()
        raise
    return session


async def connect_websocket(url, serializer=None, realm="realm1", session_class=Session,
                            session_options=None, host=None, port=None, **connection_kwargs):
    """A joined @session_class (built with @session_options, a dict) on the
    WebSocket @url, speaking @serializer (an Autobahn serializer; JSON
    unless given). Connects to @host:@port (default: those of @url) with
    @connection_kwargs (ssl=..., server_hostname=...) for
    loop.create_connection()."""
    session = session_class(ComponentConfig(realm=realm), **(session_options or {}))
    factory = WampWebSocketClientFactory(
        lambda: session, url=url,
        serializers=[serializer if serializer is not None else JsonSerializer()])
    if host is None:
        host, port = host_port(url)
    loop = asyncio.get_running_loop()
    return await join(session, loop.create_connection(factory, host, port, **connection_kwargs))


async def connect_rawsocket(url, serializer=None, realm="realm1", protocol=None,
                            session_options=None, **connection_kwargs):
    """A joined Session (built with @session_options) over RawSocket to
    @url: the socket path of a rawsocket+unix:// URL, else its host and
    port. Speaks @serializer (JSON unless given), with @protocol
    (RawSocketClientProtocol unless given) and @connection_kwargs for
    loop.create_connection()."""
    session = Session(ComponentConfig(realm=realm), **(session_options or {}))
    factory = WampRawSocketClientFactory(
        lambda: session, serializer=serializer if serializer is not None else JsonSerializer())
    factory.protocol = protocol or RawSocketClientProtocol
    loop = asyncio.get_running_loop()
    if url.startswith("rawsocket+unix://"):
        connecting = loop.create_unix_connection(factory, url[len("rawsocket+unix://"):])
    else:
        host, port = host_port(url)
        connecting = loop.create_connection(factory, host, port, **connection_kwargs)
    return await join(session, connecting)


async def leave(*sessions):
    """GOODBYE for each attached session, waiting for the router's reply."""
    for s in sessions:
        if s.is_attached():
            s.leave()
            await asyncio.wait_for(s.left, STEP_TIMEOUT)


def next_event(session, topic):
    """(box, handler): subscribe @handler on @session to @topic; box["future"]
    then resolves to the (args, kwargs) of the first event."""
    loop = asyncio.get_running_loop()
    box = {"future": loop.create_future()}

    def on_event(*args, **kwargs):
        if not box["future"].done():
            box["future"].set_result((args, kwargs))

    return box, on_event


async def exchange(a, b, tag, text_size=20000):
    """Calls and events both ways between the joined sessions @a and @b
    (their URIs kept apart by @tag): arguments, keyword arguments, binary
    and a @text_size-character string arrive intact."""
    assert a.session_id != b.session_id
    # @b calls a procedure @a registered.
    await asyncio.wait_for(a.register(lambda x, y, k=None: [x + y, k, tag],
                                      "com.example.add." + tag), STEP_TIMEOUT)
    result = await asyncio.wait_for(b.call("com.example.add." + tag, 2, 3, k={"n": [1, None]}),
                                    STEP_TIMEOUT)
    assert result == [5, {"n": [1, None]}, tag], result
    # @a calls a procedure @b registered.
    text = ("abcdefghij" * (text_size // 10 + 1))[:text_size]
    await asyncio.wait_for(b.register(lambda s: s[::-1], "com.example.reverse." + tag),
                           STEP_TIMEOUT)
    result = await asyncio.wait_for(a.call("com.example.reverse." + tag, text), STEP_TIMEOUT)
    assert result == text[::-1], (len(result), result[:20])
    # Events both ways, binary (each serializer's own form) and a long string.
    a_box, a_handler = next_event(a, "com.example.topic." + tag)
    b_box, b_handler = next_event(b, "com.example.topic." + tag)
    await asyncio.wait_for(a.subscribe(a_handler, "com.example.topic." + tag), STEP_TIMEOUT)
    await asyncio.wait_for(b.subscribe(b_handler, "com.example.topic." + tag), STEP_TIMEOUT)
    await asyncio.wait_for(b.publish("com.example.topic." + tag, b"\x00\x01\xff", "from b", n=1.5,
                                     options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
    args, kwargs = await asyncio.wait_for(a_box["future"], STEP_TIMEOUT)
    assert args == (b"\x00\x01\xff", "from b") and kwargs == {"n": 1.5}, (args, kwargs)
    await asyncio.wait_for(a.publish("com.example.topic." + tag, "from a", big=text,
                                     options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
    args, kwargs = await asyncio.wait_for(b_box["future"], STEP_TIMEOUT)
    assert args == ("from a",) and kwargs == {"big": text}, (args, len(kwargs))


class Closed(ConnectionError):
    """The raw WebSocket connection closed (with @code, @reason)."""

    def __init__(self, code, reason):
        super().__init__("connection closed (code %r, %r)" % (code, reason))
        self.code = code
        self.reason = reason


class RawWebSocketProtocol(WebSocketClientProtocol):
    """A WebSocket connection without a WAMP session, for scripts that send
    exact frames: `opened`, `closed` ((code, reason); the router's code when
    it sent one) and the `incoming` queue of ("message", payload, is_binary)
    and, last, ("close", code, reason)."""

    def __init__(self):
        super().__init__()
        loop = asyncio.get_event_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.incoming = asyncio.Queue()

    def onOpen(self):
        if not self.opened.done():
            self.opened.set_result(None)

    def onMessage(self, payload, isBinary):
        self.incoming.put_nowait(("message", payload, isBinary))

    def onClose(self, wasClean, code, reason):
        code = self.remoteCloseCode if self.remoteCloseCode is not None else code
        if not self.opened.done():
            self.opened.set_exception(Closed(code, reason))
        if not self.closed.done():
            self.closed.set_result((code, reason))
        self.incoming.put_nowait(("close", code, reason))


async def open_raw_websocket(url, protocols):
    """A RawWebSocketProtocol on @url offering the subprotocols @protocols,
    once the WebSocket is open."""
    loop = asyncio.get_running_loop()
    factory = WebSocketClientFactory(url, protocols=list(protocols))
    factory.protocol = RawWebSocketProtocol
    host, port = host_port(url)
    _, proto = await asyncio.wait_for(loop.create_connection(factory, host, port), STEP_TIMEOUT)
    await asyncio.wait_for(proto.opened, STEP_TIMEOUT)
    return proto


class RawSocketClientProtocol(WampRawSocketClientProtocol):
    """Works around two bugs of AutobahnPython 22.7's asyncio RawSocket
    client (the router is not bent to them): its protocol has no
    transport_details, which the session reads on WELCOME (so it aborts right
    after joining), and PING raises NotImplementedError instead of being
    answered with a PONG carrying the same payload, as the spec requires.
    Counts the PINGs it answered; a subclass may set announced_max (the
    message size limit it announces; None: Autobahn's 16 MiB)."""

    pings_received = 0
    announced_max = None

    def __init__(self):
        super().__init__()
        if self.announced_max is not None:
            self._length_exp = self.announced_max.bit_length() - 1 - 9
            self.max_length = self.announced_max

    @property
    def transport_details(self):
        return self._transport_details

    def ping(self, data):
        RawSocketClientProtocol.pings_received += 1
        self.transport.write(struct.pack("!L", (2 << 24) | len(data)) + data)

    def pong(self, data):
        pass
