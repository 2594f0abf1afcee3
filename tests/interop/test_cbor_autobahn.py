#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AutobahnPython sessions on wamp.2.cbor (cbor2 underneath) against the real
wampd: the value set travels unchanged through pub/sub and RPC (payload
passthrough: CBOR in, the same CBOR out), and malformed CBOR frames get
ABORT wamp.error.protocol_violation without disturbing anyone else. Prints
TAP."""

import asyncio
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT, same  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import leave  # noqa: E402

import cbor2  # noqa: E402

from autobahn.wamp.serializer import CBORSerializer  # noqa: E402
from autobahn.wamp.types import CallResult  # noqa: E402

HELLO, WELCOME, ABORT = 1, 2, 3
PROTOCOL_VIOLATION = "wamp.error.protocol_violation"
CLIENT_ROLES = {"roles": {"caller": {}, "callee": {}, "publisher": {}, "subscriber": {}}}

# The value set of issue 3: extremes of int64/uint64, IDs up to 2^53, floats
# (-0.0, whole numbers, NaN, infinities), any Unicode and NUL anywhere,
# binary, null, bools, empty and nested containers.
VALUES = [
    -2**63, 2**63 - 1, 2**64 - 1, 2**53, -1, 0,
    -0.0, 1.0, 0.1, float("inf"), float("-inf"), float("nan"),
    "", "caf\u00e9 \u20ac \U0001f600 \u65e5\u672c", "a\x00b", "\x00leading",
    b"", b"\x00\x01\xfe\xff",
    None, True, False,
    [], {}, [[], {}], {"a": {"b": [1, {"c": None}]}},
]
KWARGS = {"int_min": -2**63, "uint_max": 2**64 - 1, "neg_zero": -0.0, "nul": "\x00",
          "bin": b"\x00", "nested": {"": [[]]}}


async def connect(wampd):
    return await autobahn_fixture.connect_websocket(wampd.url, CBORSerializer())


async def check_join_and_leave(wampd):
    session = await connect(wampd)
    assert session._transport._serializer.SERIALIZER_ID == "cbor", \
        session._transport._serializer
    assert session.session_id and session.session_id > 0
    await leave(session)
    assert session.left.result().reason == "wamp.close.goodbye_and_out", session.left.result()


async def check_event_values_unchanged(wampd):
    publisher = await connect(wampd)
    subscriber = await connect(wampd)
    try:
        got = asyncio.get_running_loop().create_future()

        def on_event(*args, **kwargs):
            if not got.done():
                got.set_result((list(args), kwargs))

        await asyncio.wait_for(subscriber.subscribe(on_event, "com.example.values"), STEP_TIMEOUT)
        publisher.publish("com.example.values", *VALUES, **KWARGS)
        args, kwargs = await asyncio.wait_for(got, STEP_TIMEOUT)
        for i, (sent, received) in enumerate(zip(VALUES, args)):
            assert same(sent, received), "argument %d: sent %r, received %r" % (i, sent, received)
        assert len(args) == len(VALUES), args
        assert same(kwargs, KWARGS), kwargs
    finally:
        await leave(publisher)
        await leave(subscriber)


async def check_call_values_unchanged(wampd):
    callee = await connect(wampd)
    caller = await connect(wampd)
    try:
        def echo(*args, **kwargs):
            return CallResult(*args, **kwargs)

        await asyncio.wait_for(callee.register(echo, "com.example.echo"), STEP_TIMEOUT)
        result = await asyncio.wait_for(caller.call("com.example.echo", *VALUES, **KWARGS),
                                        STEP_TIMEOUT)
        assert isinstance(result, CallResult), result
        assert same(list(result.results), VALUES), result.results
        assert same(result.kwresults, KWARGS), result.kwresults
        assert math.copysign(1.0, result.results[6]) == -1.0
    finally:
        await leave(callee)
        await leave(caller)


async def raw_cbor_client(wampd):
    return await autobahn_fixture.open_raw_websocket(wampd.url, ["wamp.2.cbor"])


async def recv(proto):
    kind, *item = await asyncio.wait_for(proto.incoming.get(), STEP_TIMEOUT)
    assert kind == "message", "connection closed"
    payload, is_binary = item
    assert is_binary, "text frame on a CBOR session: %r" % payload
    return cbor2.loads(payload)


# Each frame is sent after WELCOME; names say what is wrong with it.
BAD_FRAMES = {
    "garbage": b"\x16\xff\x00\x01",
    "array claiming 2^64 items": b"\x9b" + b"\xff" * 8,
    "Arguments claiming 2^32 items": bytes.fromhex("851001a0617a9affffffff"),
    "string claiming 2^64 bytes": b"\x82\x10\x7b" + b"\xff" * 8,
    "trailing bytes": cbor2.dumps([16, 1, {}, "t"]) + b"\x00",
    "truncated": cbor2.dumps([16, 1, {}, "com.example.t", [1, 2, 3]])[:-2],
    # The message array and 32 nested lists, Arguments the outermost.
    "nesting 33 deep": bytes.fromhex("851001a06174") + b"\x81" * 31 + b"\x80",
    "integer map key": cbor2.dumps([16, 1, {1: 2}, "t"]),
    "invalid UTF-8": bytes.fromhex("841001a061ff"),
    "unsupported tag": bytes.fromhex("851001a0617481c001"),
}


async def check_bad_frames_get_protocol_violation(wampd):
    bystander = await connect(wampd)
    try:
        got = asyncio.get_running_loop().create_future()
        await asyncio.wait_for(bystander.subscribe(
            lambda *a: got.done() or got.set_result(a), "com.example.after"), STEP_TIMEOUT)
        for name, frame in BAD_FRAMES.items():
            proto = await raw_cbor_client(wampd)
            proto.sendMessage(cbor2.dumps([HELLO, "realm1", CLIENT_ROLES]), isBinary=True)
            welcome = await recv(proto)
            assert welcome[0] == WELCOME, "%s: %r" % (name, welcome)
            proto.sendMessage(frame, isBinary=True)
            abort = await recv(proto)
            assert abort[0] == ABORT and abort[2] == PROTOCOL_VIOLATION, "%s: %r" % (name, abort)
            await asyncio.wait_for(proto.closed, STEP_TIMEOUT)

        # The bystander's session went on undisturbed.
        publisher = await connect(wampd)
        publisher.publish("com.example.after", "still here")
        assert await asyncio.wait_for(got, STEP_TIMEOUT) == ("still here",)
        await leave(publisher)
    finally:
        await leave(bystander)


CHECKS = [
    ("AutobahnPython joins over wamp.2.cbor and leaves with GOODBYE", check_join_and_leave),
    ("cbor -> cbor: EVENT carries the value set unchanged", check_event_values_unchanged),
    ("cbor -> cbor: RESULT carries the value set unchanged", check_call_values_unchanged),
    ("malformed CBOR frames: ABORT protocol_violation, bystander unaffected",
     check_bad_frames_get_protocol_violation),
]


def main():
    cfg = wampd_fixture.config()
    cfg["transports"][0]["serializers"] = ["cbor", "json"]
    return wampd_fixture.main(CHECKS, cfg)


if __name__ == "__main__":
    sys.exit(main())
