# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the systemd tests: a NOTIFY_SOCKET that records what wampd
tells systemd, and AutobahnPython sessions whose join and leave are futures.
Builds on tests/interop/wampd_fixture.py (TAP, configs, the wampd binary)
and tests/interop/autobahn_fixture.py (the sessions)."""

import asyncio
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))

import wampd_fixture  # noqa: E402  (re-exported for the scripts)
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import LeftError, leave  # noqa: E402  (re-exported)

__all__ = ["LeftError", "NotifySocket", "connect", "echo_works", "leave", "wampd_fixture"]


class NotifySocket:
    """A unix datagram socket standing in for systemd's notify socket. Each
    datagram is kept with the monotonic time it was read at and the result
    of @on_receive (called at that moment, e.g. to look at the ready file)."""

    def __init__(self, path, on_receive=None):
        self.path = path
        self.on_receive = on_receive
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.messages = []  # (time, {key: value}, on_receive result)

    def close(self):
        self.sock.close()

    def drain(self):
        """Reads every datagram waiting now."""
        while True:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return
            fields = {}
            for line in data.decode("utf-8", "replace").splitlines():
                key, _, value = line.partition("=")
                fields[key] = value
            seen = self.on_receive(fields) if self.on_receive else None
            self.messages.append((time.monotonic(), fields, seen))

    async def wait_for(self, predicate, timeout=STEP_TIMEOUT, start=0):
        """Returns the index of the first message from @start on that
        satisfies @predicate (fields -> bool), reading as they come."""
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            for i in range(start, len(self.messages)):
                if predicate(self.messages[i][1]):
                    return i
            if time.monotonic() > deadline:
                raise AssertionError("no such notification within %.0fs; got %r"
                                     % (timeout, [m[1] for m in self.messages[start:]]))
            await asyncio.sleep(0.02)


async def connect(url, host, port, realm="realm1"):
    """Returns a joined Session on @url, connecting to @host:@port (raises
    LeftError when the router refused it)."""
    return await autobahn_fixture.connect_websocket(url, realm=realm, host=host, port=port)


async def echo_works(session, procedure):
    """Registers @procedure on @session and calls it there: the session is
    joined and routed."""
    registration = await asyncio.wait_for(session.register(lambda x: x, procedure), STEP_TIMEOUT)
    try:
        result = await asyncio.wait_for(session.call(procedure, 42), STEP_TIMEOUT)
        assert result == 42, "echo returned %r" % (result,)
    finally:
        await asyncio.wait_for(registration.unregister(), STEP_TIMEOUT)
