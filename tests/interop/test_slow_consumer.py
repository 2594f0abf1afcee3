#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A subscriber that stops reading, against the real wampd with a small
outgoing queue bound: the others get every event, wampd's memory stays
bounded, the slow one is disconnected (the default queue_overflow policy)
and the router keeps serving. Prints TAP."""

import asyncio
import base64
import json
import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import leave  # noqa: E402

from autobahn.wamp.types import PublishOptions  # noqa: E402

TOPIC = "com.example.firehose"
PROCEDURE = "com.example.still_there"
MAX_QUEUE_BYTES = 256 * 1024
EVENTS = 3000
EVENT_SIZE = 4096
# Events the fast subscriber may lag behind: ~128 KiB in flight, below the
# queue bound, so only the slow consumer can overflow.
WINDOW = 32
RSS_MARGIN_KIB = 64 * 1024


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for pid %d" % pid)


async def connect(wampd):
    return await autobahn_fixture.connect_websocket(wampd.url)


class RawSubscriber:
    """WebSocket and WAMP by hand on a plain socket, so that nothing reads
    it once it has subscribed (an asyncio transport would keep reading)."""

    def __init__(self):
        self.sock = None
        self.buf = b""

    async def open(self, wampd):
        loop = asyncio.get_running_loop()
        host, port = wampd.host_port()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small window before connecting: the kernel buffers fill quickly.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.setblocking(False)
        await asyncio.wait_for(loop.sock_connect(self.sock, (host, port)), STEP_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        request = ("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n"
                   % (host, port, key))
        await loop.sock_sendall(self.sock, request.encode())
        while b"\r\n\r\n" not in self.buf:
            self.buf += await self.recv_some()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    async def recv_some(self):
        data = await asyncio.wait_for(
            asyncio.get_running_loop().sock_recv(self.sock, 65536), STEP_TIMEOUT)
        if not data:
            raise ConnectionError("wampd closed the connection")
        return data

    async def send(self, msg):
        payload = json.dumps(msg).encode()
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        else:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        await asyncio.get_running_loop().sock_sendall(self.sock, header + mask + masked)

    async def recv(self):
        """One WAMP message (server frames are unmasked, small here)."""
        while True:
            if len(self.buf) >= 2:
                n = self.buf[1] & 0x7F
                off = 2
                if n == 126:
                    if len(self.buf) >= 4:
                        n = struct.unpack("!H", self.buf[2:4])[0]
                    off = 4
                elif n == 127:
                    if len(self.buf) >= 10:
                        n = struct.unpack("!Q", self.buf[2:10])[0]
                    off = 10
                if len(self.buf) >= off + n:
                    opcode = self.buf[0] & 0x0F
                    payload = self.buf[off:off + n]
                    self.buf = self.buf[off + n:]
                    assert opcode == 0x1, "expected a text frame, got opcode %d" % opcode
                    return json.loads(payload)
            self.buf += await self.recv_some()

    async def join_and_subscribe(self, wampd, topic):
        await self.open(wampd)
        await self.send([1, "realm1", {"roles": {"subscriber": {}}}])
        welcome = await self.recv()
        assert welcome[0] == 2, welcome
        await self.send([32, 1, {}, topic])
        subscribed = await self.recv()
        assert subscribed[:2] == [33, 1], subscribed

    async def drain_until_closed(self, timeout):
        """Reads everything to EOF; returns how many bytes came."""
        loop = asyncio.get_running_loop()
        total = 0

        async def drain():
            nonlocal total
            while True:
                try:
                    data = await loop.sock_recv(self.sock, 1 << 20)
                except ConnectionResetError:
                    return
                if not data:
                    return
                total += len(data)

        await asyncio.wait_for(drain(), timeout)
        return total

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class State:
    slow = None
    fast = None
    publisher = None
    received = []
    baseline_rss = 0
    peak_rss = 0


STATE = State()


async def check_setup(wampd):
    STATE.slow = RawSubscriber()
    await STATE.slow.join_and_subscribe(wampd, TOPIC)
    STATE.fast = await connect(wampd)
    STATE.publisher = await connect(wampd)
    await asyncio.wait_for(STATE.fast.subscribe(lambda n, blob: STATE.received.append((n, len(blob))),
                                                TOPIC), STEP_TIMEOUT)
    await asyncio.wait_for(STATE.fast.register(lambda: "yes", PROCEDURE), STEP_TIMEOUT)
    STATE.baseline_rss = STATE.peak_rss = vm_rss_kib(wampd.proc.pid)


async def check_fast_subscriber_gets_every_event(wampd):
    assert STATE.publisher is not None, "setup failed"
    blob = "x" * EVENT_SIZE
    ack = PublishOptions(acknowledge=True)
    for n in range(EVENTS):
        # Paced on the fast subscriber, never on the slow one.
        while n - len(STATE.received) > WINDOW:
            await asyncio.sleep(0.001)
        publication = await asyncio.wait_for(STATE.publisher.publish(TOPIC, n, blob, options=ack),
                                             STEP_TIMEOUT)
        assert publication is not None and publication.id > 0, publication
        if n % 100 == 0:
            STATE.peak_rss = max(STATE.peak_rss, vm_rss_kib(wampd.proc.pid))
    for _ in range(int(STEP_TIMEOUT * 100)):
        if len(STATE.received) >= EVENTS:
            break
        await asyncio.sleep(0.01)
    STATE.peak_rss = max(STATE.peak_rss, vm_rss_kib(wampd.proc.pid))
    assert len(STATE.received) == EVENTS, "got %d of %d events" % (len(STATE.received), EVENTS)
    assert STATE.received == [(n, EVENT_SIZE) for n in range(EVENTS)], "events out of order or cut"


async def check_rss_bounded(wampd):
    assert STATE.baseline_rss > 0, "setup failed"
    growth = STATE.peak_rss - STATE.baseline_rss
    assert growth < RSS_MARGIN_KIB, "VmRSS grew by %d KiB (baseline %d KiB)" % (
        growth, STATE.baseline_rss)
    print("# VmRSS baseline %d KiB, peak %d KiB" % (STATE.baseline_rss, STATE.peak_rss), flush=True)


async def check_slow_consumer_disconnected(wampd):
    assert STATE.slow is not None, "setup failed"
    # It gets what was already on its way, then EOF: wampd dropped it.
    got = await STATE.slow.drain_until_closed(STEP_TIMEOUT)
    assert got < EVENTS * EVENT_SIZE, "the slow consumer got everything (%d bytes)" % got
    STATE.slow.close()
    # Logged for the operator, once for that connection.
    hits = re.findall(r"outgoing queue overflow.*disconnecting", wampd.log())
    assert len(hits) == 1, "expected one overflow log line, got %d" % len(hits)


async def check_new_session_joins_and_calls(wampd):
    session = await connect(wampd)
    try:
        result = await asyncio.wait_for(session.call(PROCEDURE), STEP_TIMEOUT)
        assert result == "yes", result
    finally:
        await leave(session)
    for s in (STATE.fast, STATE.publisher):
        if s is not None:
            await leave(s)


CHECKS = [
    ("a raw subscriber, a fast subscriber and a publisher join", check_setup),
    ("%d acknowledged events of %d bytes: the fast subscriber gets each, in order"
     % (EVENTS, EVENT_SIZE), check_fast_subscriber_gets_every_event),
    ("wampd's VmRSS stays below baseline + %d MiB" % (RSS_MARGIN_KIB // 1024), check_rss_bounded),
    ("the subscriber that stopped reading is disconnected, logged once",
     check_slow_consumer_disconnected),
    ("afterwards a new session joins and calls", check_new_session_joins_and_calls),
]

if __name__ == "__main__":
    # Under AddressSanitizer every freed event would sit in its quarantine
    # (256 MiB by default) and count as RSS: bound it, so that the check
    # measures wampd's queues. Ignored by a build without ASan.
    asan = os.environ.get("ASAN_OPTIONS", "")
    if "quarantine_size_mb" not in asan:
        os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "quarantine_size_mb=8"
    sys.exit(wampd_fixture.main(
        CHECKS, wampd_fixture.config(transport_options={"max_queue_bytes": MAX_QUEUE_BYTES})))
