#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AutobahnPython sessions on every serializer against the real wampd: for
each (sender, receiver) pair of {json, msgpack, cbor}, plus one batched
pairing each, a value set crosses pub/sub and RPC (call arguments to the
callee, the result back) unchanged; values JSON cannot carry (a string
starting with U+0000, NaN) sent from MessagePack/CBOR reach those
subscribers but not JSON ones, and a JSON callee's caller gets
wamp.error.invalid_argument. Prints TAP."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

from wampd_fixture import assert_same  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)

from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import (CBORSerializer, JsonSerializer,  # noqa: E402
                                      MsgPackSerializer)
from autobahn.wamp.types import CallResult  # noqa: E402

SERIALIZERS = ["json", "msgpack", "cbor"]
SERIALIZER_CLASSES = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}
# One batched pairing per serializer, sender's side batched; the reverse
# direction of each (RPC results) exercises the receiver's side too.
BATCHED_PAIRS = [("json.batched", "msgpack"), ("msgpack.batched", "cbor"), ("cbor.batched", "json")]
# Formats that carry what JSON cannot.
NON_JSON = ["msgpack", "cbor"]

# What must arrive unchanged, through every pair.
ARGS = [
    -2 ** 63, 2 ** 63 - 1, 2 ** 64 - 1, 2 ** 53, 0, -1, 255,
    -0.0, 0.0, 1.0, -2.0, 0.1, 1e300, 5e-324,
    "", "h\u00e9llo \u2603 \U0001d11e \u2028 \uffff", "a\x00b", "\x7f\x01",
    b"", b"\x00\x01\xfe\xff", b"binary \x00 inside",
    None, True, False,
    [], {}, [[1, [2, {}]], {"a": {"b": []}}],
]
KWARGS = {
    "int_min": -2 ** 63, "uint_max": 2 ** 64 - 1, "id_max": 2 ** 53,
    "neg_zero": -0.0, "whole": 1.0,
    "bin": b"\x00\xff", "text": "\u00fc\U0001d11e\x00end",
    "nested": {"l": [None, True, {"x": "y"}], "e": {}},
    "empty_list": [], "empty_dict": {},
    "": "empty key", "k\u00e9y \U0001f600": [False],
}


def make_serializer(name):
    base, _, variant = name.partition(".")
    return SERIALIZER_CLASSES[base](batched=(variant == "batched"))


async def connect(wampd, serializer):
    """A joined session speaking @serializer ("json", "cbor.batched", ...)."""
    session = await autobahn_fixture.connect_websocket(
        wampd.url, make_serializer(name=serializer),
        session_options={"lost_is_left": True, "quiet_user_errors": True})
    protocol = session._transport.websocket_protocol_in_use
    assert protocol == "wamp.2." + serializer, "negotiated %s, wanted wamp.2.%s" % (protocol, serializer)
    return session


async def leave(*sessions):
    for s in sessions:
        try:
            if s.is_attached():
                s.leave()
                await asyncio.wait_for(s.left, STEP_TIMEOUT)
        except Exception:
            s.disconnect()


class Inbox:
    """Collects events of one subscription in order."""

    def __init__(self):
        self.queue = asyncio.Queue()

    def __call__(self, *args, **kwargs):
        self.queue.put_nowait((list(args), kwargs))

    async def next(self):
        return await asyncio.wait_for(self.queue.get(), STEP_TIMEOUT)


def topic_for(sender, receiver):
    return "com.example.matrix.%s.%s" % (sender.replace(".", "_"), receiver.replace(".", "_"))


def pubsub_check(sender, receiver):
    async def check(wampd):
        pub = await connect(wampd, sender)
        sub = await connect(wampd, receiver)
        try:
            inbox = Inbox()
            topic = topic_for(sender, receiver)
            await asyncio.wait_for(sub.subscribe(inbox, topic), STEP_TIMEOUT)
            pub.publish(topic, *ARGS, **KWARGS)
            args, kwargs = await inbox.next()
            assert_same(ARGS, args, "event args")
            assert_same(KWARGS, kwargs, "event kwargs")
        finally:
            await leave(pub, sub)
    return check


def rpc_check(caller_serializer, callee_serializer):
    async def check(wampd):
        caller = await connect(wampd, caller_serializer)
        callee = await connect(wampd, callee_serializer)
        try:
            received = []

            def echo(*args, **kwargs):
                received.append((list(args), kwargs))
                return CallResult(*args, **kwargs)

            procedure = topic_for(caller_serializer, callee_serializer) + ".echo"
            await asyncio.wait_for(callee.register(echo, procedure), STEP_TIMEOUT)
            result = await asyncio.wait_for(caller.call(procedure, *ARGS, **KWARGS), STEP_TIMEOUT)
            assert len(received) == 1, received
            assert_same(ARGS, received[0][0], "invocation args at the callee")
            assert_same(KWARGS, received[0][1], "invocation kwargs at the callee")
            assert isinstance(result, CallResult), "result: %r" % (result,)
            assert_same(ARGS, result.results, "result args at the caller")
            assert_same(KWARGS, result.kwresults, "result kwargs at the caller")
        finally:
            await leave(caller, callee)
    return check


UNREPRESENTABLE = [("leading-NUL string", "\x00abc"), ("NaN", float("nan"))]


def unrepresentable_event_check(sender, label, value):
    """JSON subscribers do not get the event; the other formats do; the
    JSON subscriber's next event is the one after it."""
    async def check(wampd):
        pub = await connect(wampd, sender)
        subs = {name: await connect(wampd, name) for name in SERIALIZERS}
        try:
            topic = "com.example.unrepresentable.%s" % sender
            inboxes = {}
            for name, s in subs.items():
                inboxes[name] = Inbox()
                await asyncio.wait_for(s.subscribe(inboxes[name], topic), STEP_TIMEOUT)
            pub.publish(topic, value, k=[value])
            pub.publish(topic, "after")
            for name in SERIALIZERS:
                args, kwargs = await inboxes[name].next()
                if name == "json":
                    assert_same(["after"], args, "JSON subscriber's first event")
                else:
                    assert_same([value], args, "%s subscriber's args" % name)
                    assert_same({"k": [value]}, kwargs, "%s subscriber's kwargs" % name)
                    args, _ = await inboxes[name].next()
                    assert_same(["after"], args, "%s subscriber's second event" % name)
        finally:
            await leave(pub, *subs.values())
    return check


def unrepresentable_call_check(sender, label, value):
    """A call with @value to a JSON callee, and a @value result from a
    @sender callee to a JSON caller: the caller gets invalid_argument."""
    async def check(wampd):
        caller = await connect(wampd, sender)
        json_callee = await connect(wampd, "json")
        json_caller = await connect(wampd, "json")
        callee = await connect(wampd, sender)
        try:
            invoked = []
            base = "com.example.unrepresentable.%s" % sender
            await asyncio.wait_for(json_callee.register(lambda *a: invoked.append(a) or "ok",
                                                        base + ".json_callee"), STEP_TIMEOUT)
            await asyncio.wait_for(callee.register(lambda: value, base + ".answer"), STEP_TIMEOUT)
            for who, call in (("call to a JSON callee", caller.call(base + ".json_callee", value)),
                              ("result to a JSON caller", json_caller.call(base + ".answer"))):
                try:
                    result = await asyncio.wait_for(call, STEP_TIMEOUT)
                except ApplicationError as e:
                    assert e.error == "wamp.error.invalid_argument", "%s: %s" % (who, e)
                else:
                    raise AssertionError("%s: got a result %r" % (who, result))
            assert invoked == [], "the JSON callee was invoked: %r" % invoked
            # Nothing is corrupted: representable calls still work both ways.
            result = await asyncio.wait_for(caller.call(base + ".json_callee", 1.0), STEP_TIMEOUT)
            assert result == "ok", result
            assert_same([(1.0,)], invoked, "the next invocation")
        finally:
            await leave(caller, json_callee, json_caller, callee)
    return check


def checks():
    result = []
    pairs = [(s, r) for s in SERIALIZERS for r in SERIALIZERS] + BATCHED_PAIRS
    for sender, receiver in pairs:
        result.append(("pub/sub %s -> %s: every value arrives unchanged" % (sender, receiver),
                       pubsub_check(sender, receiver)))
        result.append(("rpc %s caller -> %s callee and back: every value unchanged" % (sender, receiver),
                       rpc_check(sender, receiver)))
    for sender in NON_JSON:
        for label, value in UNREPRESENTABLE:
            result.append(("%s from %s: not delivered to JSON subscribers, delivered to others"
                           % (label, sender), unrepresentable_event_check(sender, label, value)))
            result.append(("%s from %s: JSON callee's or caller's call gets invalid_argument"
                           % (label, sender), unrepresentable_call_check(sender, label, value)))
    return result


def config():
    cfg = wampd_fixture.config()
    cfg["transports"][0]["serializers"] = list(SERIALIZERS)
    return cfg


if __name__ == "__main__":
    sys.exit(wampd_fixture.main(checks(), config()))
