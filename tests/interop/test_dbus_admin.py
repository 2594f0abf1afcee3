#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""wampctl against the real wampd on a private D-Bus session bus, with
AutobahnPython sessions connected: wampctl lists them, kills one (the client
sees the reason and message), shows their registrations and subscriptions,
reloads without disconnecting anyone, and speaks German when asked.
Prints TAP."""

import asyncio
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wampd_fixture  # noqa: E402
from wampd_fixture import STEP_TIMEOUT  # noqa: E402

import autobahn_fixture  # noqa: E402  (skips the script without python3-autobahn)
from autobahn_fixture import leave  # noqa: E402

from autobahn.wamp.types import PublishOptions  # noqa: E402


def wampctl_binary():
    path = os.environ.get("WAMPCTL_BIN")
    if path:
        return path
    return os.path.join(os.path.dirname(wampd_fixture.wampd_binary()), "wampctl")


async def wampctl(*args, language=None):
    """Runs wampctl on the private session bus without blocking the loop the
    WAMP sessions live on. Returns (exit status, stdout, stderr)."""
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"
    env.pop("LANGUAGE", None)
    if language:
        env["LANGUAGE"] = language
    proc = await asyncio.create_subprocess_exec(
        wampctl_binary(), "--session", *args, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), STEP_TIMEOUT * 2)
    return proc.returncode, out.decode("utf-8"), err.decode("utf-8")


async def connect(wampd, realm="realm1", authid=None):
    session = await autobahn_fixture.connect_websocket(
        wampd.url, realm=realm, session_options={"authid": authid})
    session.details = session.joined.result()
    return session


def lines_with(text, *parts):
    return [line for line in text.splitlines() if all(p in line for p in parts)]


async def check_sessions_listed(wampd):
    a = await connect(wampd)
    b = await connect(wampd)
    c = await connect(wampd, "realm2")
    try:
        status, out, err = await wampctl("sessions", "realm1")
        assert status == 0, (status, err)
        assert out.splitlines()[0].split()[:3] == ["ID", "REALM", "AUTHID"], out
        for s in (a, b):
            assert lines_with(out, str(s.details.session), "realm1", s.details.authid), out
        assert str(c.details.session) not in out, out

        status, out, err = await wampctl("--json", "sessions")
        assert status == 0, (status, err)
        listed = {s["session"]: s for s in json.loads(out)}
        assert set(listed) == {a.details.session, b.details.session, c.details.session}, listed
        assert listed[c.details.session]["realm"] == "realm2"
        assert listed[a.details.session]["authrole"] == "anonymous"
        assert "publisher" in listed[a.details.session]["roles"]

        status, out, err = await wampctl("session", str(b.details.session))
        assert status == 0, (status, err)
        assert lines_with(out, "Authid:", b.details.authid), out
        assert lines_with(out, "Transport:", "ws"), out
    finally:
        for s in (a, b, c):
            await leave(s)


async def check_kill_reaches_client(wampd):
    a = await connect(wampd)
    b = await connect(wampd)
    try:
        status, out, err = await wampctl("kill", str(a.details.session),
                                         "--reason", "com.example.maintenance",
                                         "--message", "Back in five minutes")
        assert status == 0, (status, err)
        details = await asyncio.wait_for(a.left, STEP_TIMEOUT)
        assert details.reason == "com.example.maintenance", details
        assert details.message == "Back in five minutes", details
        # The other session stays and still routes.
        assert b.is_attached()
        await asyncio.wait_for(b.publish("com.example.still.here",
                                         options=PublishOptions(acknowledge=True)), STEP_TIMEOUT)
        status, out, err = await wampctl("--json", "sessions", "realm1")
        assert [s["session"] for s in json.loads(out)] == [b.details.session], out

        status, out, err = await wampctl("kill", str(a.details.session))
        assert status == 1 and "No such session" in err, (status, err)
    finally:
        await leave(b)


async def check_routes_listed(wampd):
    a = await connect(wampd)
    try:
        reg = await asyncio.wait_for(a.register(lambda x, y: x + y, "com.example.add"), STEP_TIMEOUT)
        sub = await asyncio.wait_for(a.subscribe(lambda *args: None, "com.example.topic"), STEP_TIMEOUT)
        status, out, err = await wampctl("registrations", "realm1")
        assert status == 0, (status, err)
        assert lines_with(out, str(reg.id), "com.example.add", "single", str(a.details.session)), out
        status, out, err = await wampctl("subscriptions", "realm1")
        assert status == 0, (status, err)
        assert lines_with(out, str(sub.id), "com.example.topic", str(a.details.session)), out
        status, out, err = await wampctl("--json", "registrations", "realm2")
        assert status == 0 and json.loads(out) == [], (status, out, err)
    finally:
        await leave(a)


async def check_reload_keeps_sessions(wampd):
    a = await connect(wampd)
    try:
        await asyncio.wait_for(a.register(lambda: "pong", "com.example.ping"), STEP_TIMEOUT)
        try:
            await connect(wampd, "realm3")
            raise AssertionError("joined realm3 before it existed")
        except ConnectionError:
            pass
        # A realm added to the file: wampctl reload applies it live.
        cfg = json.loads(json.dumps(wampd.cfg))
        cfg["realms"].append(wampd_fixture.realm("realm3"))
        with open(wampd.config_path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        status, out, err = await wampctl("reload")
        assert status == 0, (status, err)
        assert "Configuration reloaded." in out, out
        assert "restart" not in out, out
        c = await connect(wampd, "realm3")
        await leave(c)
        assert a.is_attached()
        assert await asyncio.wait_for(a.call("com.example.ping"), STEP_TIMEOUT) == "pong"

        # A broken file is refused, with the reason, and the running one stays.
        with open(wampd.config_path, "w", encoding="utf-8") as f:
            f.write('{ "version": 1, "realms": [] }')
        status, out, err = await wampctl("reload")
        assert status == 1, (status, out, err)
        assert "$.realms" in err, err
        assert a.is_attached()
        b = await connect(wampd, "realm3")
        await leave(b)
    finally:
        with open(wampd.config_path, "w", encoding="utf-8") as f:
            json.dump(wampd.cfg, f)
        await leave(a)


async def check_status_in_german(wampd):
    status, out, err = await wampctl("status", language="de")
    assert status == 0, (status, err)
    assert "läuft auf dem Sitzungsbus" in out, out
    assert lines_with(out, "Sitzungen:"), out
    status, out, err = await wampctl("sessions", "nirgendwo", language="de")
    assert status == 1 and "Kein solcher Realm" in err, (status, err)
    # German plural forms, through kill by authid.
    a = await connect(wampd, authid="schicht-3")
    b = await connect(wampd, authid="schicht-3")
    assert a.details.authid == "schicht-3", a.details
    status, out, err = await wampctl("kill", "--authid", "schicht-3", "--realm", "realm1", language="de")
    assert status == 0, (status, err)
    assert "2 Sitzungen der Authid schicht-3 wurden zum Verlassen aufgefordert" in out, out
    for s in (a, b):
        details = await asyncio.wait_for(s.left, STEP_TIMEOUT)
        assert details.reason == "wamp.close.killed", details


CHECKS = [
    ("wampctl sessions lists the AutobahnPython sessions (table, --json, one session)",
     check_sessions_listed),
    ("wampctl kill: the client gets GOODBYE with the reason and message, the other stays",
     check_kill_reaches_client),
    ("wampctl registrations/subscriptions show a session's registration and subscription",
     check_routes_listed),
    ("wampctl reload adds a realm live and keeps sessions; a broken file is refused, the old config stays",
     check_reload_keeps_sessions),
    ("wampctl status, errors and plurals in German with LANGUAGE=de; kill by authid",
     check_status_in_german),
]


def start_private_bus():
    """A dbus-daemon of our own; returns (process, address)."""
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    address = proc.stdout.readline().decode().strip()
    if not address:
        proc.kill()
        raise RuntimeError("dbus-daemon printed no address")
    return proc, address


def main():
    bus, address = start_private_bus()
    try:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        cfg = wampd_fixture.config(realms=[wampd_fixture.realm("realm1"), wampd_fixture.realm("realm2")])
        return wampd_fixture.main(CHECKS, cfg, extra_args=["--session-bus"])
    finally:
        # Our own child, by its PID.
        bus.terminate()
        bus.wait(timeout=wampd_fixture.STOP_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main())
