#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Raw WebSocket clients (Autobahn's WebSocket layer, subprotocol wamp.2.json)
send exact frames that break the WAMP protocol; each must be answered with
ABORT wamp.error.protocol_violation and a closed connection (or, for
frame-level errors, a WebSocket close), after which a fresh session still
joins and completes a call. Prints TAP."""

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import Closed  # noqa: E402

HELLO, WELCOME, ABORT, CHALLENGE, GOODBYE, ERROR = 1, 2, 3, 4, 6, 8
PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED = 16, 17, 32, 33, 34, 35
CALL, RESULT, REGISTER, REGISTERED, UNREGISTERED, INVOCATION, YIELD = 48, 50, 64, 65, 67, 68, 70

CLIENT_ROLES = {"roles": {"caller": {}, "callee": {}, "publisher": {}, "subscriber": {}}}
PROTOCOL_VIOLATION = "wamp.error.protocol_violation"


class RawClient:
    """One WebSocket connection speaking WAMP JSON by hand."""

    async def open(self, wampd, protocols=("wamp.2.json",)):
        self.proto = await autobahn_fixture.open_raw_websocket(wampd.url, protocols)
        self.next_id = 1
        return self

    def send(self, msg):
        self.send_text(json.dumps(msg))

    def send_text(self, text):
        self.proto.sendMessage(text.encode("utf-8"), isBinary=False)

    def send_bytes(self, payload, binary):
        self.proto.sendMessage(payload, isBinary=binary)

    def request_id(self):
        rid = self.next_id
        self.next_id += 1
        return rid

    async def recv(self):
        """The next WAMP message as a list; raises Closed when the connection closed."""
        kind, *rest = await asyncio.wait_for(self.proto.incoming.get(), STEP_TIMEOUT)
        if kind == "close":
            raise Closed(*rest)
        payload, is_binary = rest
        assert not is_binary, "binary frame on a JSON session: %r" % payload
        msg = json.loads(payload.decode("utf-8"))
        assert isinstance(msg, list) and msg and isinstance(msg[0], int), msg
        return msg

    async def expect(self, type_id):
        msg = await self.recv()
        assert msg[0] == type_id, "expected type %d, got %r" % (type_id, msg)
        return msg

    async def hello(self, realm="realm1"):
        self.send([HELLO, realm, CLIENT_ROLES])
        welcome = await self.expect(WELCOME)
        assert isinstance(welcome[1], int) and welcome[1] > 0, welcome
        return welcome

    async def expect_closed(self):
        code, reason = await asyncio.wait_for(self.proto.closed, STEP_TIMEOUT)
        return code

    def drop(self):
        if self.proto.transport is not None:
            self.proto.transport.abort()


async def expect_protocol_violation(client, close_codes=()):
    """The next thing must be ABORT protocol_violation followed by the close
    of the connection, or, for a frame-level error, a WebSocket close with
    one of @close_codes."""
    try:
        msg = await client.recv()
    except Closed as e:
        if close_codes:
            assert e.code in close_codes, "closed with code %r, expected %r" % (e.code, close_codes)
            return "close %d" % e.code
        raise AssertionError("closed (code %r) without ABORT" % e.code)
    assert msg[0] == ABORT, "expected ABORT, got %r" % (msg,)
    assert len(msg) == 3 and isinstance(msg[1], dict), "malformed ABORT %r" % (msg,)
    assert msg[2] == PROTOCOL_VIOLATION, "ABORT reason %r" % (msg[2],)
    # The router drops the transport after a protocol violation.
    await client.expect_closed()
    return "abort"


async def fresh_session_calls(wampd, tag):
    """A new session joins, registers, calls itself and says goodbye."""
    client = await RawClient().open(wampd)
    try:
        await client.hello()
        procedure = "com.check.echo_" + tag
        rid = client.request_id()
        client.send([REGISTER, rid, {}, procedure])
        registered = await client.expect(REGISTERED)
        assert registered[1] == rid, registered
        cid = client.request_id()
        client.send([CALL, cid, {}, procedure, [42, tag], {"k": "v"}])
        invocation = await client.expect(INVOCATION)
        assert invocation[2] == registered[2], invocation
        assert invocation[4:] == [[42, tag], {"k": "v"}], invocation
        client.send([YIELD, invocation[1], {}, invocation[4], invocation[5]])
        result = await client.expect(RESULT)
        assert result[1] == cid and result[3:] == [[42, tag], {"k": "v"}], result
        client.send([GOODBYE, {}, "wamp.close.normal"])
        goodbye = await client.expect(GOODBYE)
        assert goodbye[2] == "wamp.close.goodbye_and_out", goodbye
    finally:
        client.drop()


def violation(tag, established, *frames, realm="realm1", close_codes=(), setup=None):
    """A check: optionally join @realm, run @setup, send @frames (lists are
    JSON-encoded, str sent as text, (bytes, binary) raw), expect the
    violation, then prove the router still serves a fresh session."""
    async def check(wampd):
        client = await RawClient().open(wampd)
        try:
            if established:
                await client.hello(realm)
            if setup is not None:
                await setup(client)
            for frame in frames:
                if isinstance(frame, list):
                    client.send(frame)
                elif isinstance(frame, str):
                    client.send_text(frame)
                else:
                    client.send_bytes(*frame)
            await expect_protocol_violation(client, close_codes)
        finally:
            client.drop()
        await fresh_session_calls(wampd, tag)
    return check


async def subscribe_once(client):
    rid = client.request_id()
    client.send([SUBSCRIBE, rid, {}, "com.example.strict"])
    subscribed = await client.expect(SUBSCRIBED)
    assert subscribed[1] == rid, subscribed


async def check_strict_realm_accepts_sequential_ids(wampd):
    client = await RawClient().open(wampd)
    try:
        await client.hello("strict")
        for rid in (1, 2, 3):
            client.send([SUBSCRIBE, rid, {}, "com.example.seq%d" % rid])
            subscribed = await client.expect(SUBSCRIBED)
            assert subscribed[1] == rid, subscribed
    finally:
        client.drop()


async def check_default_realm_accepts_random_ids(wampd):
    # Strict request IDs are off by default (Crossbar's behaviour).
    client = await RawClient().open(wampd)
    try:
        await client.hello()
        for rid in (7, 123456, 42):
            client.send([SUBSCRIBE, rid, {}, "com.example.random%d" % rid])
            subscribed = await client.expect(SUBSCRIBED)
            assert subscribed[1] == rid, subscribed
    finally:
        client.drop()


async def check_duplicate_pending_request_id(wampd):
    # Two CALLs with one id while the first is pending: a protocol violation.
    callee = await RawClient().open(wampd)
    caller = await RawClient().open(wampd)
    try:
        await callee.hello()
        callee.send([REGISTER, 1, {}, "com.example.pending"])
        await callee.expect(REGISTERED)
        await caller.hello()
        caller.send([CALL, 5, {}, "com.example.pending", []])
        await callee.expect(INVOCATION)
        caller.send([CALL, 5, {}, "com.example.pending", []])
        await expect_protocol_violation(caller)
    finally:
        caller.drop()
        callee.drop()
    await fresh_session_calls(wampd, "duplicate")


async def check_handshake_without_subprotocol_refused(wampd):
    await expect_http_status(wampd, None, 400)


async def check_handshake_with_unknown_subprotocol_refused(wampd):
    await expect_http_status(wampd, "wamp.2.yaml", 400)


async def expect_http_status(wampd, subprotocol, status):
    host, port = wampd.host_port()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), STEP_TIMEOUT)
    try:
        request = ("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n" % (host, port))
        if subprotocol:
            request += "Sec-WebSocket-Protocol: %s\r\n" % subprotocol
        writer.write((request + "\r\n").encode("ascii"))
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), STEP_TIMEOUT)
        parts = line.decode("latin-1").split()
        assert len(parts) >= 2 and parts[1] == str(status), "status line %r" % line
    finally:
        writer.close()
    await fresh_session_calls(wampd, "handshake")


async def check_bystander_unaffected(wampd, bystander):
    """Run last: a session that joined before all the violations still works."""
    cid = bystander.request_id()
    bystander.send([CALL, cid, {}, "com.check.bystander", [1]])
    invocation = await bystander.expect(INVOCATION)
    bystander.send([YIELD, invocation[1], {}, [2]])
    result = await bystander.expect(RESULT)
    assert result[1] == cid and result[3] == [2], result


# The transport of this script limits messages to MAX_MESSAGE_SIZE bytes.
MAX_MESSAGE_SIZE = 65536
OVERSIZED_CALL = '[48, 1, {}, "com.example.big", ["%s"]]' % ("x" * (MAX_MESSAGE_SIZE + 1))

INVALID_UTF8 = (b'[1, "realm1", {"roles": {"caller": {}}}, "\xff\xfe"]', False)

CHECKS = [
    # The spec's list of protocol errors (basic/building_blocks.md).
    ("WELCOME after the session is established",
     violation("welcome", True, [WELCOME, 123, {"roles": {"broker": {}}}])),
    ("HELLO after the session is established (a second HELLO)",
     violation("hello2", True, [HELLO, "realm1", CLIENT_ROLES])),
    ("CHALLENGE after the session is established",
     violation("challenge", True, [CHALLENGE, "ticket", {}])),
    ("GOODBYE before the session is established",
     violation("goodbye", False, [GOODBYE, {}, "wamp.close.close_realm"])),
    ("ERROR before the session is established",
     violation("error", False, [ERROR, INVOCATION, 1, {}, "wamp.error.runtime_error"])),
    ("SUBSCRIBED before the session is established",
     violation("subscribed", False, [SUBSCRIBED, 1, 2])),
    ("UNSUBSCRIBED before the session is established",
     violation("unsubscribed", False, [UNSUBSCRIBED, 1])),
    ("PUBLISHED before the session is established",
     violation("published", False, [PUBLISHED, 1, 2])),
    ("RESULT before the session is established",
     violation("result", False, [RESULT, 1, {}])),
    ("REGISTERED before the session is established",
     violation("registered", False, [REGISTERED, 1, 2])),
    ("UNREGISTERED before the session is established",
     violation("unregistered", False, [UNREGISTERED, 1])),
    ("INVOCATION before the session is established",
     violation("invocation", False, [INVOCATION, 1, 2, {}])),
    ("SUBSCRIBE before the session is established",
     violation("subscribe_early", False, [SUBSCRIBE, 1, {}, "com.example.t"])),
    ("ERROR with an invalid REQUEST.Type (HELLO)",
     violation("error_type", True, [ERROR, HELLO, 1, {}, "wamp.error.runtime_error"])),
    ("ERROR with an unknown REQUEST.Type (99)",
     violation("error_type99", True, [ERROR, 99, 1, {}, "wamp.error.runtime_error"])),
    ("YIELD for an INVOCATION id never issued",
     violation("yield", True, [YIELD, 987654, {}])),
    ("non-sequential request ID on a realm with strict_request_ids",
     violation("strict", True, [SUBSCRIBE, 5, {}, "com.example.strict2"],
               realm="strict", setup=subscribe_once)),
    ("sequential request IDs accepted on the strict realm", check_strict_realm_accepts_sequential_ids),
    ("random request IDs accepted on a default realm", check_default_realm_accepts_random_ids),
    ("duplicate request ID of a pending CALL", check_duplicate_pending_request_id),
    ("empty array", violation("empty", True, [])),
    ("empty array before HELLO", violation("empty_early", False, [])),
    ("invalid message type id", violation("typeid", True, [999, 1, {}])),
    ("message type id not an integer", violation("typestr", True, ["32", 1, {}, "com.a"])),
    ("undecodable frame (truncated JSON)", violation("truncated", True, '[48, 1, {}, "com.a"')),
    # Malformed frames.
    ("garbage text frame", violation("garbage", True, "this is not JSON at all")),
    ("garbage text frame before HELLO", violation("garbage_early", False, "\x01\x02 nope")),
    ("JSON object instead of an array", violation("object", False, '{"hello": "realm1"}')),
    ("binary frame on a JSON session",
     violation("binary", True, (b"\x93\x01\xa6realm1\x80", True), close_codes=(1003,))),
    ("text frame with invalid UTF-8: WebSocket close 1007",
     violation("utf8", False, INVALID_UTF8, close_codes=(1007,))),
    ("message above max_message_size: WebSocket close 1009",
     violation("oversized", True, OVERSIZED_CALL, close_codes=(1009,))),
    ("SUBSCRIBE with a missing topic (wrong arity)",
     violation("arity", True, [SUBSCRIBE, 1, {}])),
    ("CALL with too many elements (wrong arity)",
     violation("arity2", True, [CALL, 1, {}, "com.a", [], {}, "extra"])),
    ("HELLO without details (wrong arity)", violation("hello_arity", False, [HELLO, "realm1"])),
    ("SUBSCRIBE with a string request id (wrong type)",
     violation("types", True, [SUBSCRIBE, "one", {}, "com.a"])),
    ("CALL with a list as options (wrong type)",
     violation("types2", True, [CALL, 1, [], "com.a"])),
    ("PUBLISH with a dict as arguments (wrong type)",
     violation("types3", True, [PUBLISH, 1, {}, "com.a", {"not": "a list"}])),
    ("HELLO with a number as realm (wrong type)",
     violation("types4", False, [HELLO, 42, CLIENT_ROLES])),
    ("HELLO without roles", violation("noroles", False, [HELLO, "realm1", {}])),
    ("request id above 2^53", violation("bigid", True, [SUBSCRIBE, 2 ** 53 + 1, {}, "com.a"])),
    ("WebSocket handshake without a subprotocol: HTTP 400",
     check_handshake_without_subprotocol_refused),
    ("WebSocket handshake with only an unknown subprotocol: HTTP 400",
     check_handshake_with_unknown_subprotocol_refused),
]


async def run_all(tap, wampd):
    # A session that stays joined through everything: violations by others
    # must not touch it.
    bystander = None
    bystander_error = None
    try:
        bystander = await RawClient().open(wampd)
        await bystander.hello()
        bystander.send([REGISTER, bystander.request_id(), {}, "com.check.bystander"])
        await bystander.expect(REGISTERED)
    except Exception as e:
        bystander_error = e
    await wampd_fixture.run_checks(tap, CHECKS, wampd)
    if bystander_error is not None:
        tap.result(False, BYSTANDER, "could not set up: %r" % bystander_error)
    else:
        await wampd_fixture.run_checks(tap, [(BYSTANDER, check_bystander_unaffected)],
                                       wampd, bystander)
        bystander.drop()


BYSTANDER = "a session joined throughout is unaffected by the violations of others"


def main():
    cfg = wampd_fixture.config(realms=[
        wampd_fixture.realm("realm1"),
        wampd_fixture.realm("strict", strict_request_ids=True),
    ], transport_options={"max_message_size": MAX_MESSAGE_SIZE})
    names = [name for name, _ in CHECKS] + [BYSTANDER, "wampd exits 0 on SIGTERM"]
    tap = wampd_fixture.Tap(names)
    return wampd_fixture.serve(tap, wampd_fixture.Wampd(cfg), lambda wampd: run_all(tap, wampd))

if __name__ == "__main__":
    sys.exit(main())
