#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wampd under a stand-in for systemd's notify socket: READY=1 only once the
ready file's listeners accept, STATUS= with realm and session counts,
WATCHDOG=1 when WATCHDOG_USEC/WATCHDOG_PID ask for it, SIGHUP reloads
(RELOADING=1 + MONOTONIC_USEC, then READY=1) that add and remove realms
without dropping other sessions and reject a broken file, and STOPPING=1 on
SIGTERM. AutobahnPython clients. Prints TAP."""

import asyncio
import json
import os
import signal
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import systemd_fixture as fx  # noqa: E402
from systemd_fixture import wampd_fixture  # noqa: E402
from wampd_fixture import START_TIMEOUT, STEP_TIMEOUT, STOP_TIMEOUT  # noqa: E402

# Short, so that several pings arrive during the test; wampd pings at half.
WATCHDOG_USEC = 600000

CHECKS = [
    "READY=1 arrives once, after the ready file's listeners accept",
    "STATUS= reports the realm and session counts at READY",
    "STATUS= follows a session joining",
    "STATUS= is sent at most once a second while sessions come and go",
    "WATCHDOG=1 arrives at about half of WATCHDOG_USEC",
    "SIGHUP: RELOADING=1 with MONOTONIC_USEC of now, then READY=1",
    "reload: an added realm is joinable, the existing session keeps working",
    "reload: a removed realm's session gets GOODBYE wamp.close.close_realm",
    "reload: a broken file keeps the old config and the log names the reason",
    "SIGTERM: STOPPING=1, then wampd exits 0",
]


def make_config(realms):
    return wampd_fixture.config(realms=[wampd_fixture.realm(name) for name in realms])


class Run(wampd_fixture.Wampd):
    """wampd with a stand-in notify socket and a watchdog, started without
    waiting for its ready file."""

    def __init__(self):
        super().__init__(make_config(["realm1", "realm2"]), prefix="wampd-sdnotify-")
        self.notify = fx.NotifySocket(os.path.join(self.dir, "notify"), self.listener_state)

    def write_config(self, cfg):
        # Written and renamed, so a reload never reads half a file.
        tmp = self.config_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            if isinstance(cfg, str):
                f.write(cfg)
            else:
                json.dump(cfg, f)
        os.rename(tmp, self.config_path)

    def listener_state(self, fields):
        """At the moment a READY=1 is read: does the ready file exist, and
        does its first listener accept a TCP connection?"""
        if fields.get("READY") != "1":
            return None
        if not os.path.exists(self.ready_path):
            return "no ready file"
        with open(self.ready_path, encoding="utf-8") as f:
            url = f.readline().split()[1]
        parsed = urllib.parse.urlparse(url)
        try:
            socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
        except OSError as e:
            return "listener %s does not accept: %s" % (url, e)
        return "accepting"

    def start(self):
        # WATCHDOG_PID must be wampd's own PID: the shell exports its PID and
        # execs wampd, which keeps it.
        self.spawn(["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$0" "$@"'],
                   self.environment({"NOTIFY_SOCKET": self.notify.path,
                                     "WATCHDOG_USEC": str(WATCHDOG_USEC)}))

    async def connect(self, realm):
        host, port = self.host_port()
        return await fx.connect(self.url, host, port, realm)

    def cleanup(self):
        super().cleanup()
        self.notify.close()


def is_ready(fields):
    return fields.get("READY") == "1"


def status_counts(fields):
    """(realms, sessions) from "STATUS=Serving R realm(s), S session(s)", or None."""
    status = fields.get("STATUS", "")
    words = status.replace(",", "").split()
    if len(words) == 5 and words[0] == "Serving":
        return int(words[1]), int(words[3])
    return None


async def log_contains(run, text, timeout=STEP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while text not in run.log():
        if time.monotonic() > deadline:
            raise AssertionError("wampd's log does not say %r" % text)
        await asyncio.sleep(0.05)


async def sighup_and_wait_ready(run):
    """SIGHUP; returns the RELOADING message's fields once READY=1 followed it."""
    start = len(run.notify.messages)
    run.proc.send_signal(signal.SIGHUP)
    i = await run.notify.wait_for(lambda f: f.get("RELOADING") == "1", start=start)
    await run.notify.wait_for(is_ready, start=i + 1)
    return run.notify.messages[i][1]


async def checks(run, tap):
    state = {}

    # READY=1: exactly one, and the listeners were accepting when it came.
    try:
        i = await run.notify.wait_for(is_ready, timeout=START_TIMEOUT)
        seen = run.notify.messages[i][2]
        await asyncio.sleep(0.3)
        run.notify.drain()
        n_ready = sum(1 for m in run.notify.messages if is_ready(m[1]))
        assert seen == "accepting", seen
        assert n_ready == 1, "%d READY=1 before any reload" % n_ready
        run.read_ready_file()
        tap.result(True, CHECKS[0])
    except Exception as e:
        tap.result(False, CHECKS[0], "%s: %s" % (type(e).__name__, e))
        return

    try:
        counts = status_counts(run.notify.messages[i][1])
        assert counts == (2, 0), "READY=1 message: %r" % (run.notify.messages[i][1],)
        tap.result(True, CHECKS[1])
    except Exception as e:
        tap.result(False, CHECKS[1], "%s: %s" % (type(e).__name__, e))

    try:
        start = len(run.notify.messages)
        state["s1"] = await run.connect("realm1")
        await run.notify.wait_for(lambda f: status_counts(f) == (2, 1), start=start, timeout=5)
        tap.result(True, CHECKS[2])
    except Exception as e:
        tap.result(False, CHECKS[2], "%s: %s" % (type(e).__name__, e))

    try:
        start = len(run.notify.messages)
        extra = [await run.connect("realm1") for _ in range(3)]
        await run.notify.wait_for(lambda f: status_counts(f) == (2, 4), start=start, timeout=5)
        for session in extra:
            await fx.leave(session)
        await run.notify.wait_for(lambda f: status_counts(f) == (2, 1), start=start, timeout=5)
        stamps = [m[0] for m in run.notify.messages[start:] if "STATUS" in m[1]]
        gaps = [b - a for a, b in zip(stamps, stamps[1:])]
        # Six changes in quick succession, yet STATUS= stays spaced (the
        # reader's polling adds some jitter to the 1 s).
        assert all(gap > 0.8 for gap in gaps), "STATUS= gaps %r" % gaps
        tap.result(True, CHECKS[3])
    except Exception as e:
        tap.result(False, CHECKS[3], "%s: %s" % (type(e).__name__, e))

    try:
        start = len(run.notify.messages)
        await asyncio.sleep(1.5)
        run.notify.drain()
        pings = [m[0] for m in run.notify.messages[start:] if m[1].get("WATCHDOG") == "1"]
        # Every 0.3 s: 5 in 1.5 s; a loaded machine may lose one or two.
        assert len(pings) >= 3, "%d WATCHDOG=1 in 1.5 s" % len(pings)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert max(gaps) < WATCHDOG_USEC / 1e6, "gaps %r" % gaps
        tap.result(True, CHECKS[4])
    except Exception as e:
        tap.result(False, CHECKS[4], "%s: %s" % (type(e).__name__, e))

    # Reload 1: realm3 added (realm1 and realm2 stay).
    try:
        run.write_config(make_config(["realm1", "realm2", "realm3"]))
        before_us = time.monotonic() * 1e6
        reloading = await sighup_and_wait_ready(run)
        after_us = time.monotonic() * 1e6
        stamp = int(reloading.get("MONOTONIC_USEC", "0"))
        # Python's time.monotonic() is CLOCK_MONOTONIC as well.
        assert before_us - 1e6 <= stamp <= after_us, \
            "MONOTONIC_USEC=%d not within [%d, %d]" % (stamp, before_us, after_us)
        tap.result(True, CHECKS[5])
    except Exception as e:
        tap.result(False, CHECKS[5], "%s: %s" % (type(e).__name__, e))

    try:
        s3 = await run.connect("realm3")
        await fx.echo_works(s3, "com.example.echo3")
        assert "s1" in state, "no session from before the reload"
        assert state["s1"].is_attached(), "the realm1 session was dropped"
        await fx.echo_works(state["s1"], "com.example.echo1")
        await fx.leave(s3)
        tap.result(True, CHECKS[6])
    except Exception as e:
        tap.result(False, CHECKS[6], "%s: %s" % (type(e).__name__, e))

    # Reload 2: realm2 removed while a session is in it.
    try:
        s2 = await run.connect("realm2")
        run.write_config(make_config(["realm1", "realm3"]))
        await sighup_and_wait_ready(run)
        details = await asyncio.wait_for(s2.left, STEP_TIMEOUT)
        assert details.reason == "wamp.close.close_realm", details.reason
        try:
            await run.connect("realm2")
            raise AssertionError("realm2 is still joinable")
        except fx.LeftError as e:
            assert e.reason == "wamp.error.no_such_realm", e.reason
        await fx.echo_works(state["s1"], "com.example.echo1")
        tap.result(True, CHECKS[7])
    except Exception as e:
        tap.result(False, CHECKS[7], "%s: %s" % (type(e).__name__, e))

    # Reload 3: a file that is not a valid config.
    try:
        broken = make_config(["realm1"])
        broken["realms"][0]["roles"][0]["permissions"][0]["match"] = "sometimes"
        run.write_config(broken)
        await sighup_and_wait_ready(run)
        await log_contains(run, "reload failed")
        await log_contains(run, "$.realms[0].roles[0].permissions[0].match")
        # realm3 (gone from the broken file) is still there, and realm1 works.
        s3 = await run.connect("realm3")
        await fx.echo_works(s3, "com.example.echo3")
        await fx.echo_works(state["s1"], "com.example.echo1")
        await fx.leave(s3)
        run.write_config("{ not json")
        await sighup_and_wait_ready(run)
        await log_contains(run, run.config_path)
        await fx.echo_works(state["s1"], "com.example.echo1")
        tap.result(True, CHECKS[8])
    except Exception as e:
        tap.result(False, CHECKS[8], "%s: %s" % (type(e).__name__, e))

    try:
        start = len(run.notify.messages)
        run.proc.send_signal(signal.SIGTERM)
        await run.notify.wait_for(lambda f: f.get("STOPPING") == "1", start=start)
        status = await asyncio.get_running_loop().run_in_executor(
            None, lambda: run.proc.wait(timeout=STOP_TIMEOUT))
        assert status == 0, "exit status %d" % status
        tap.result(True, CHECKS[9])
    except Exception as e:
        tap.result(False, CHECKS[9], "%s: %s" % (type(e).__name__, e))


def main():
    tap = wampd_fixture.Tap(CHECKS)
    run = Run()
    try:
        run.start()
        asyncio.run(checks(run, tap))
        tap.skip_rest("not reached")
        if tap.failed:
            run.print_log_tail()
    finally:
        run.cleanup()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
