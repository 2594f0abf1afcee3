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
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

wampd_fixture.require_autobahn()

import txaio  # noqa: E402

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import (CBORSerializer, JsonSerializer,  # noqa: E402
                                      MsgPackSerializer)
from autobahn.wamp.types import CallResult, ComponentConfig  # noqa: E402

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


def same(a, b):
    """Strict equality: types must match (True is not 1, 1.0 is not 1, bytes
    are not str), -0.0 is not 0.0, NaN equals NaN."""
    if isinstance(a, tuple):
        a = list(a)
    if isinstance(b, tuple):
        b = list(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def first_difference(expected, got):
    """A readable note on where @got differs from @expected."""
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(expected) != len(got):
            return "length %d != %d: %r" % (len(got), len(expected), got)
        for i, (x, y) in enumerate(zip(expected, got)):
            if not same(x, y):
                return "[%d]: expected %r (%s), got %r (%s)" % (i, x, type(x).__name__,
                                                               y, type(y).__name__)
    if isinstance(expected, dict) and isinstance(got, dict):
        if expected.keys() != got.keys():
            return "keys %r != %r" % (sorted(got), sorted(expected))
        for k in expected:
            if not same(expected[k], got[k]):
                return "[%r]: expected %r (%s), got %r (%s)" % (
                    k, expected[k], type(expected[k]).__name__, got[k], type(got[k]).__name__)
    return "expected %r, got %r" % (expected, got)


def assert_same(expected, got, what):
    assert same(expected, got), "%s: %s" % (what, first_difference(expected, got))


class Session(ApplicationSession):
    def __init__(self, cfg):
        super().__init__(cfg)
        loop = asyncio.get_running_loop()
        self.joined = loop.create_future()
        self.left = loop.create_future()

    def onUserError(self, fail, msg):
        pass

    def onJoin(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("left: %s" % details.reason))
        if not self.left.done():
            self.left.set_result(details)
        self.disconnect()

    def onDisconnect(self):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("disconnected before joining"))
        if not self.left.done():
            self.left.set_result(None)


def make_serializer(name):
    base, _, variant = name.partition(".")
    return SERIALIZER_CLASSES[base](batched=(variant == "batched"))


async def connect(wampd, serializer):
    """A joined session speaking @serializer ("json", "cbor.batched", ...)."""
    loop = asyncio.get_running_loop()
    session = Session(ComponentConfig(realm="realm1"))
    factory = WampWebSocketClientFactory(lambda: session, url=wampd.url,
                                         serializers=[make_serializer(name=serializer)])
    host, port = wampd.host_port()
    await asyncio.wait_for(loop.create_connection(factory, host, port), STEP_TIMEOUT)
    await asyncio.wait_for(session.joined, STEP_TIMEOUT)
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
