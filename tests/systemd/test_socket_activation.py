#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wampd started by systemd-socket-activate (package systemd): the passed
socket named "ws" becomes transport "ws"'s listener (its configured port
is never bound), a real AutobahnPython client is served through it, and a
passed socket whose name matches no transport is named in a warning.
Prints TAP."""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import systemd_fixture as fx  # noqa: E402
from systemd_fixture import wampd_fixture  # noqa: E402
from wampd_fixture import START_TIMEOUT, STOP_TIMEOUT  # noqa: E402

CHECKS = [
    "a client connecting to the passed socket starts wampd and joins realm1",
    "calls are routed for the client on the passed socket",
    "the ready file names the passed socket's address",
    "a passed socket whose name matches no transport is named in a warning",
    "SIGTERM: wampd exits 0",
]


def free_port():
    """A port nobody listens on now (systemd-socket-activate cannot bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config():
    cfg = wampd_fixture.config()
    # Never bound: the transport must take the passed socket. Binding port 1
    # would fail for a normal user, and would show in the ready file for root.
    cfg["transports"][0]["endpoint"]["port"] = 1
    return cfg


async def checks(tap, proc, port, ready_path, log):
    url = "ws://127.0.0.1:%d/ws" % port
    session = None
    try:
        # wampd is launched by this very connection, and starts slowly
        # under sanitizers: the first join gets the start-up bound.
        session = await asyncio.wait_for(fx.connect(url, "127.0.0.1", port, "realm1"), START_TIMEOUT)
        tap.result(True, CHECKS[0])
    except Exception as e:
        tap.result(False, CHECKS[0], "%s: %s" % (type(e).__name__, e))
        return

    try:
        await fx.echo_works(session, "com.example.echo")
        tap.result(True, CHECKS[1])
    except Exception as e:
        tap.result(False, CHECKS[1], "%s: %s" % (type(e).__name__, e))

    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(ready_path) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        with open(ready_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        assert "ws " + url in lines, "ready file: %r" % lines
        assert not any(":1/" in line for line in lines), "port 1 was bound: %r" % lines
        tap.result(True, CHECKS[2])
    except Exception as e:
        tap.result(False, CHECKS[2], "%s: %s" % (type(e).__name__, e))

    try:
        text = log()
        assert "no transport is named \"nosuch\"" in text, "no warning about \"nosuch\""
        tap.result(True, CHECKS[3])
    except Exception as e:
        tap.result(False, CHECKS[3], "%s: %s" % (type(e).__name__, e))

    await fx.leave(session)


def main():
    tap = wampd_fixture.Tap(CHECKS)
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        tap.skip_rest("systemd-socket-activate is not installed (Debian package systemd)")
        return 1
    wampd = wampd_fixture.Wampd(config(), prefix="wampd-activation-")
    port, spare = free_port(), free_port()
    env = wampd.environment(drop=["NOTIFY_SOCKET"])
    # systemd-socket-activate binds both, waits for the first connection,
    # then execs wampd (same PID) with LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES
    # and only the environment it is told to pass (plugin path, sanitizer
    # options, locale, ...).
    argv = [activate, "-l", "127.0.0.1:%d" % port, "-l", "127.0.0.1:%d" % spare,
            "--fdname=ws:nosuch"]
    argv += ["--setenv=%s" % name for name in sorted(env)]
    try:
        wampd.spawn(argv, env)
        proc = wampd.proc
        # Until it listens, a connection would be refused.
        deadline = time.monotonic() + START_TIMEOUT
        while "Listening on" not in wampd.log() or wampd.log().count("Listening on") < 2:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("systemd-socket-activate did not listen:\n" + wampd.log())
            time.sleep(0.05)
        asyncio.run(checks(tap, proc, port, wampd.ready_path, wampd.log))
        if tap.n == len(CHECKS) - 1:
            proc.send_signal(signal.SIGTERM)
            try:
                status = proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                status = None
            tap.result(status == 0, CHECKS[4], None if status == 0 else "exit status %r" % status)
        tap.skip_rest("not reached")
    except Exception as e:
        tap.skip_rest(str(e))
    finally:
        if tap.failed:
            wampd.print_log_tail("log")
        wampd.cleanup()
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
