#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""AutobahnPython sessions (asyncio, wamp.2.json) against the real wampd:
publish & subscribe, calls, the router's error URIs, call canceling, and
GOODBYE on shutdown. Prints TAP."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import LeftError, leave  # noqa: E402

import txaio  # noqa: E402

from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.request import (CallRequest, PublishRequest,  # noqa: E402
                                   RegisterRequest, SubscribeRequest,
                                   UnregisterRequest, UnsubscribeRequest)
from autobahn.wamp.types import (CallResult, PublishOptions,  # noqa: E402
                                 SubscribeOptions)


async def connect(wampd, realm="realm1"):
    """Returns a joined Session (raises LeftError when the router refused it)."""
    return await autobahn_fixture.connect_websocket(
        wampd.url, realm=realm, session_options={"quiet_user_errors": True})


async def expect_error(awaitable, uri):
    """Awaits @awaitable, which must fail with ApplicationError @uri."""
    try:
        result = await asyncio.wait_for(awaitable, STEP_TIMEOUT)
    except ApplicationError as e:
        assert e.error == uri, "expected %s, got %s (%s)" % (uri, e.error, e)
        return e
    raise AssertionError("expected %s, got a result: %r" % (uri, result))


def raw_request(session, table, make_request, make_message):
    """Sends a request Autobahn would refuse to send itself (an id it
    considers gone, a URI it considers invalid), routing the router's reply
    back through Autobahn's own request table to the returned future."""
    request_id = session._request_id_gen.next()
    reply = txaio.create_future()
    getattr(session, table)[request_id] = make_request(request_id, reply)
    session._transport.send(make_message(request_id))
    return reply


def raw_unsubscribe(session, subscription_id):
    return raw_request(session, "_unsubscribe_reqs",
                       lambda r, f: UnsubscribeRequest(r, f, subscription_id),
                       lambda r: message.Unsubscribe(r, subscription_id))


def raw_unregister(session, registration_id):
    return raw_request(session, "_unregister_reqs",
                       lambda r, f: UnregisterRequest(r, f, registration_id),
                       lambda r: message.Unregister(r, registration_id))


def raw_call(session, procedure):
    return raw_request(session, "_call_reqs",
                       lambda r, f: CallRequest(r, procedure, f, None),
                       lambda r: message.Call(r, procedure))


def raw_publish_acknowledged(session, topic):
    return raw_request(session, "_publish_reqs",
                       lambda r, f: PublishRequest(r, f, False),
                       lambda r: message.Publish(r, topic, acknowledge=True))


def raw_register(session, procedure):
    return raw_request(session, "_register_reqs",
                       lambda r, f: RegisterRequest(r, f, procedure, None),
                       lambda r: message.Register(r, procedure))


def raw_subscribe(session, topic):
    return raw_request(session, "_subscribe_reqs",
                       lambda r, f: SubscribeRequest(r, topic, f, None),
                       lambda r: message.Subscribe(r, topic))


class Pair:
    """Two joined sessions, closed at the end of a check."""

    async def __aenter__(self):
        self.a = await connect(self.wampd)
        self.b = await connect(self.wampd)
        return self.a, self.b

    def __init__(self, wampd):
        self.wampd = wampd

    async def __aexit__(self, *exc):
        for s in (self.a, self.b):
            try:
                await leave(s)
            except Exception:
                s.disconnect()


async def check_join_welcome(wampd):
    session = await connect(wampd)
    assert session.session_id and session.session_id > 0
    roles = session._router_roles
    assert "broker" in roles and "dealer" in roles, "WELCOME roles: %r" % roles
    await leave(session)
    assert session.left.result().reason == "wamp.close.goodbye_and_out", session.left.result()


async def check_publish_args_kwargs_acknowledged(wampd):
    async with Pair(wampd) as (a, b):
        loop = asyncio.get_running_loop()
        got = loop.create_future()

        def on_event(*args, **kwargs):
            if not got.done():
                got.set_result((args, kwargs))

        await asyncio.wait_for(b.subscribe(on_event, "com.example.topic1"), STEP_TIMEOUT)
        publication = await asyncio.wait_for(
            a.publish("com.example.topic1", 1, "two", [3], x={"y": None}, z=True,
                      options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
        assert publication is not None and publication.id > 0, publication
        args, kwargs = await asyncio.wait_for(got, STEP_TIMEOUT)
        assert args == (1, "two", [3]), args
        assert kwargs == {"x": {"y": None}, "z": True}, kwargs


async def check_publisher_excluded_unless_exclude_me_false(wampd):
    async with Pair(wampd) as (a, b):
        loop = asyncio.get_running_loop()
        a_events, b_events = [], []
        b_got_two = loop.create_future()

        def on_a(n):
            a_events.append(n)

        def on_b(n):
            b_events.append(n)
            if len(b_events) == 2 and not b_got_two.done():
                b_got_two.set_result(None)

        await asyncio.wait_for(a.subscribe(on_a, "com.example.topic2"), STEP_TIMEOUT)
        await asyncio.wait_for(b.subscribe(on_b, "com.example.topic2"), STEP_TIMEOUT)
        await asyncio.wait_for(a.publish("com.example.topic2", 1,
                                         options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
        await asyncio.wait_for(a.publish("com.example.topic2", 2,
                                         options=PublishOptions(acknowledge=True, exclude_me=False)),
                               STEP_TIMEOUT)
        await asyncio.wait_for(b_got_two, STEP_TIMEOUT)
        # Events are delivered in order per publisher; give the 2nd to A a moment.
        for _ in range(50):
            if a_events:
                break
            await asyncio.sleep(0.02)
        assert b_events == [1, 2], b_events
        assert a_events == [2], "publisher got %r (default must exclude it)" % a_events


async def check_call_args_kwargs(wampd):
    async with Pair(wampd) as (a, b):
        def add(x, y, scale=1):
            return CallResult(x + y, (x + y) * scale, sum=x + y, scale=scale)

        await asyncio.wait_for(b.register(add, "com.example.add"), STEP_TIMEOUT)
        result = await asyncio.wait_for(a.call("com.example.add", 2, 3, scale=10), STEP_TIMEOUT)
        assert isinstance(result, CallResult), result
        assert list(result.results) == [5, 50], result.results
        assert result.kwresults == {"sum": 5, "scale": 10}, result.kwresults
        plain = await asyncio.wait_for(a.call("com.example.add", 1, 1), STEP_TIMEOUT)
        assert plain.results[0] == 2, plain


async def check_callee_application_error_reaches_caller(wampd):
    async with Pair(wampd) as (a, b):
        def fail(n):
            raise ApplicationError("com.example.error.too_big", n, "limit", limit=10)

        await asyncio.wait_for(b.register(fail, "com.example.fail"), STEP_TIMEOUT)
        e = await expect_error(a.call("com.example.fail", 11), "com.example.error.too_big")
        assert list(e.args) == [11, "limit"], e.args
        assert e.kwargs == {"limit": 10}, e.kwargs


async def check_call_unknown_procedure(wampd):
    async with Pair(wampd) as (a, _):
        await expect_error(a.call("com.example.nobody_here"), "wamp.error.no_such_procedure")


async def check_second_register_refused(wampd):
    async with Pair(wampd) as (a, b):
        await asyncio.wait_for(a.register(lambda: 1, "com.example.once"), STEP_TIMEOUT)
        await expect_error(b.register(lambda: 2, "com.example.once"),
                           "wamp.error.procedure_already_exists")
        # The first registration is untouched.
        result = await asyncio.wait_for(b.call("com.example.once"), STEP_TIMEOUT)
        assert result == 1, result


async def check_unsubscribe_twice(wampd):
    async with Pair(wampd) as (a, _):
        subscription = await asyncio.wait_for(a.subscribe(lambda: None, "com.example.topic3"),
                                              STEP_TIMEOUT)
        sid = subscription.id
        await asyncio.wait_for(subscription.unsubscribe(), STEP_TIMEOUT)
        await expect_error(raw_unsubscribe(a, sid), "wamp.error.no_such_subscription")


async def check_unregister_twice(wampd):
    async with Pair(wampd) as (a, _):
        registration = await asyncio.wait_for(a.register(lambda: None, "com.example.proc3"),
                                              STEP_TIMEOUT)
        rid = registration.id
        await asyncio.wait_for(registration.unregister(), STEP_TIMEOUT)
        await expect_error(raw_unregister(a, rid), "wamp.error.no_such_registration")


async def check_invalid_uris(wampd):
    async with Pair(wampd) as (a, _):
        # Autobahn checks URIs itself, so these bypass its check.
        await expect_error(raw_call(a, "com.example.has space"), "wamp.error.invalid_uri")
        await expect_error(raw_publish_acknowledged(a, "com..example"), "wamp.error.invalid_uri")
        await expect_error(raw_register(a, "com.example#hash"), "wamp.error.invalid_uri")
        await expect_error(raw_subscribe(a, "com.example. x"), "wamp.error.invalid_uri")
        # The session is still usable.
        await asyncio.wait_for(a.subscribe(lambda: None, "com.example.fine",
                                           options=SubscribeOptions(match="exact")), STEP_TIMEOUT)


async def check_unknown_realm_aborted(wampd):
    try:
        session = await connect(wampd, realm="no.such.realm")
    except LeftError as e:
        assert e.reason == "wamp.error.no_such_realm", e.reason
        return
    await leave(session)
    raise AssertionError("joined a realm that does not exist")


class SlowCallee:
    """A procedure that runs until released, recording how it ended."""

    def __init__(self):
        loop = asyncio.get_running_loop()
        self.started = loop.create_future()
        self.release = asyncio.Event()
        self.outcome = loop.create_future()

    async def __call__(self):
        if not self.started.done():
            self.started.set_result(None)
        try:
            await asyncio.wait_for(self.release.wait(), STEP_TIMEOUT * 2)
        except asyncio.CancelledError:
            if not self.outcome.done():
                self.outcome.set_result("interrupted")
            # Autobahn 22.7 (txaio) cannot turn a cancelled invocation into
            # the ERROR that answers INTERRUPT on Python 3.8+ (CancelledError
            # is a BaseException there), so answer it explicitly.
            raise ApplicationError("wamp.error.canceled", "interrupted")
        if not self.outcome.done():
            self.outcome.set_result("finished")
        return "late"


async def start_call(caller, procedure):
    """CALL @procedure; returns (future, request id) so a CANCEL can name it."""
    before = set(caller._call_reqs)
    future = asyncio.ensure_future(caller.call(procedure))
    for _ in range(100):
        new = set(caller._call_reqs) - before
        if new:
            return future, new.pop()
        await asyncio.sleep(0.01)
    raise AssertionError("Autobahn sent no CALL")


async def cancel_check(wampd, mode):
    async with Pair(wampd) as (caller, callee):
        slow = SlowCallee()
        procedure = "com.example.slow_" + mode
        await asyncio.wait_for(callee.register(slow, procedure), STEP_TIMEOUT)
        future, request_id = await start_call(caller, procedure)
        await asyncio.wait_for(slow.started, STEP_TIMEOUT)
        caller._transport.send(message.Cancel(request_id, mode=mode))
        try:
            await asyncio.wait_for(future, STEP_TIMEOUT)
            raise AssertionError("call with CANCEL %s returned a result" % mode)
        except ApplicationError as e:
            error = e
        if mode == "kill":
            # The caller's ERROR comes after the callee answered the INTERRUPT.
            assert slow.outcome.done() and slow.outcome.result() == "interrupted", \
                "ERROR %s before the callee was interrupted" % error.error
        else:
            assert error.error == "wamp.error.canceled", error.error
        if mode == "skip":
            # No INTERRUPT: the callee runs on; its late YIELD is discarded.
            await asyncio.sleep(0.3)
            assert not slow.outcome.done(), "callee was interrupted in skip mode"
            slow.release.set()
            assert await asyncio.wait_for(slow.outcome, STEP_TIMEOUT) == "finished"
        else:
            outcome = await asyncio.wait_for(slow.outcome, STEP_TIMEOUT)
            assert outcome == "interrupted", outcome
        # Both sessions are still fine.
        await asyncio.wait_for(callee.register(lambda: 7, procedure + ".after"), STEP_TIMEOUT)
        assert await asyncio.wait_for(caller.call(procedure + ".after"), STEP_TIMEOUT) == 7


async def check_cancel_skip(wampd):
    await cancel_check(wampd, "skip")


async def check_cancel_kill(wampd):
    await cancel_check(wampd, "kill")


async def check_cancel_killnowait(wampd):
    await cancel_check(wampd, "killnowait")


async def check_caller_leaving_interrupts_callee(wampd):
    async with Pair(wampd) as (_, callee):
        caller = await connect(wampd)
        slow = SlowCallee()
        await asyncio.wait_for(callee.register(slow, "com.example.orphan"), STEP_TIMEOUT)
        future, _ = await start_call(caller, "com.example.orphan")
        await asyncio.wait_for(slow.started, STEP_TIMEOUT)
        # The call fails when the caller leaves; only its callee matters here.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        await leave(caller)
        outcome = await asyncio.wait_for(slow.outcome, STEP_TIMEOUT)
        assert outcome == "interrupted", outcome


async def check_shutdown_sends_system_shutdown(wampd):
    session = await connect(wampd)
    wampd.terminate()
    details = await asyncio.wait_for(session.left, STEP_TIMEOUT * 2)
    assert details.reason == "wamp.close.system_shutdown", details.reason


CHECKS = [
    ("join realm1, WELCOME announces broker and dealer, GOODBYE answered", check_join_welcome),
    ("publish with args/kwargs is acknowledged and delivered", check_publish_args_kwargs_acknowledged),
    ("publisher excluded by default, included with exclude_me=false",
     check_publisher_excluded_unless_exclude_me_false),
    ("call with args/kwargs returns results and kwresults", check_call_args_kwargs),
    ("callee ApplicationError reaches the caller with args/kwargs",
     check_callee_application_error_reaches_caller),
    ("call of an unknown procedure: wamp.error.no_such_procedure", check_call_unknown_procedure),
    ("second register: wamp.error.procedure_already_exists", check_second_register_refused),
    ("unsubscribe twice: wamp.error.no_such_subscription", check_unsubscribe_twice),
    ("unregister twice: wamp.error.no_such_registration", check_unregister_twice),
    ("invalid URIs: wamp.error.invalid_uri", check_invalid_uris),
    ("HELLO to an unknown realm: ABORT wamp.error.no_such_realm", check_unknown_realm_aborted),
    ("CANCEL skip: caller gets wamp.error.canceled, callee not interrupted", check_cancel_skip),
    ("CANCEL kill: callee interrupted, then caller gets ERROR", check_cancel_kill),
    ("CANCEL killnowait: caller gets wamp.error.canceled, callee interrupted",
     check_cancel_killnowait),
    ("caller leaving interrupts its pending invocation", check_caller_leaving_interrupts_callee),
    # Last: it stops wampd.
    ("SIGTERM: joined session gets GOODBYE wamp.close.system_shutdown",
     check_shutdown_sends_system_shutdown),
]

if __name__ == "__main__":
    sys.exit(wampd_fixture.main(CHECKS, wampd_fixture.config()))
