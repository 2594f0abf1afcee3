# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the interop scripts: starts the built wampd on free ports, stops
it with SIGTERM, and prints TAP."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

# Bounds of every wait, in seconds; generous for sanitizer builds.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
STEP_TIMEOUT = 10.0
# How much of wampd's log a failing script shows.
LOG_TAIL_LINES = 120


def wampd_binary():
    """The wampd to test: $WAMPD_BIN, else <MESON_BUILD_ROOT>/daemon/wampd."""
    path = os.environ.get("WAMPD_BIN")
    if path:
        return path
    root = os.environ.get("MESON_BUILD_ROOT")
    if root:
        return os.path.join(root, "daemon", "wampd")
    raise RuntimeError("set WAMPD_BIN (or MESON_BUILD_ROOT) to the wampd to test")


def make_test_pki(directory):
    """Makes the test PKI of tests/tls/make-test-pki.sh (ca.pem, server.pem,
    client.pem, ...) in @directory."""
    root = os.environ.get("WAMPD_SOURCE_ROOT",
                          os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    subprocess.run(["/bin/sh", os.path.join(root, "tests", "tls", "make-test-pki.sh"), directory],
                   check=True, timeout=60)


@contextlib.contextmanager
def pki_folder(directory):
    """The test PKI (make_test_pki) in @directory for the duration of the
    block; the folder is removed afterwards."""
    try:
        make_test_pki(directory)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def anonymous_role():
    return {
        "name": "anonymous",
        "permissions": [
            {"uri": "", "match": "prefix",
             "allow": {"call": True, "register": True, "publish": True, "subscribe": True}},
        ],
    }


def realm(name, **options):
    block = {"name": name, "roles": [anonymous_role()]}
    if options:
        block["options"] = options
    return block


def config(realms=None, transport_options=None):
    """A configuration with one WebSocket+JSON transport on a free port."""
    transport = {
        "name": "ws", "type": "websocket",
        "endpoint": {"type": "tcp", "host": "127.0.0.1", "port": 0},
        "path": "/ws",
        "serializers": ["json"],
        "auth": {"anonymous": {"role": "anonymous"}},
    }
    if transport_options:
        transport["options"] = transport_options
    return {
        "version": 1,
        "realms": realms if realms is not None else [realm("realm1")],
        "transports": [transport],
    }


def same(a, b):
    """Strict equality of values that crossed the router: types must match
    (True is not 1, 1.0 is not 1, bytes are not str; a tuple counts as a
    list), floats bit for bit (-0.0 is not 0.0, NaN equals NaN)."""
    if isinstance(a, tuple):
        a = list(a)
    if isinstance(b, tuple):
        b = list(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack(">d", a) == struct.pack(">d", b)
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


class Wampd:
    """One wampd child process, started on @config and stopped by its PID."""

    def __init__(self, cfg, extra_args=(), prefix="wampd-interop-"):
        self.cfg = cfg
        self.extra_args = list(extra_args)
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.config_path = os.path.join(self.dir, "wampd.json")
        self.ready_path = os.path.join(self.dir, "ready")
        self.log_path = os.path.join(self.dir, "wampd.log")
        self.proc = None
        self.signalled = False
        self.listeners = {}

    @staticmethod
    def environment(extra=None, drop=()):
        """Our environment for wampd: C.UTF-8 messages, plus @extra, without
        the names in @drop."""
        env = dict(os.environ)
        env["LC_ALL"] = "C.UTF-8"
        env.pop("LANGUAGE", None)
        for name in drop:
            env.pop(name, None)
        env.update(extra or {})
        return env

    def spawn(self, argv_prefix=(), env=None):
        """Writes the config and starts wampd, its output in the log, without
        waiting. @argv_prefix runs first and execs wampd (a shell, a socket
        activator); @env: the environment (default: environment())."""
        with open(self.config_path, "w", encoding="utf-8") as f:
            json.dump(self.cfg, f, indent=2)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                list(argv_prefix)
                + [wampd_binary(), "--config", self.config_path,
                   "--ready-file", self.ready_path, "--verbose"] + self.extra_args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=env if env is not None else self.environment())

    def read_ready_file(self):
        """Fills `listeners` (name -> URL) from the ready file."""
        with open(self.ready_path, encoding="utf-8") as f:
            for line in f:
                name, url = line.split()
                self.listeners[name] = url

    def start(self):
        self.spawn()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if os.path.exists(self.ready_path):
                break
            if self.proc.poll() is not None:
                raise RuntimeError("wampd exited with status %d before it was ready:\n%s"
                                   % (self.proc.returncode, self.log()))
            time.sleep(0.05)
        else:
            self.kill()
            raise RuntimeError("wampd wrote no ready file within %ds:\n%s"
                               % (START_TIMEOUT, self.log()))
        self.read_ready_file()
        return self

    @property
    def url(self):
        return self.listeners["ws"]

    def host_port(self):
        parsed = urllib.parse.urlparse(self.url)
        return parsed.hostname, parsed.port

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def print_log_tail(self, title="wampd log"):
        """The last LOG_TAIL_LINES of the log, as TAP comments."""
        print("# %s:" % title, flush=True)
        for line in self.log().splitlines()[-LOG_TAIL_LINES:]:
            print("#   " + line, flush=True)

    def terminate(self):
        """Sends SIGTERM to our child, once: a second signal means "stop now"."""
        if self.proc is not None and not self.signalled and self.proc.poll() is None:
            self.signalled = True
            self.proc.send_signal(signal.SIGTERM)

    def stop(self):
        """SIGTERM to our child; returns its exit status (None: it hung and was killed)."""
        if self.proc is None:
            return None
        self.terminate()
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tap:
    """Prints TAP: the plan first, then one line per check, diagnostics as comments."""

    def __init__(self, names):
        self.names = list(names)
        self.n = 0
        self.failed = 0
        print("1..%d" % len(self.names), flush=True)

    def result(self, ok, name, diag=None):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name), flush=True)
        if diag:
            for line in str(diag).rstrip().splitlines():
                print("# " + line, flush=True)

    def skip_rest(self, reason):
        while self.n < len(self.names):
            self.result(False, self.names[self.n], reason)


async def run_checks(tap, checks, *args):
    """Runs each (name, coroutine function) in order, bounded by STEP_TIMEOUT x 3."""
    for name, func in checks:
        try:
            await asyncio.wait_for(func(*args), STEP_TIMEOUT * 3)
            tap.result(True, name)
        except Exception as e:  # each check reports its own failure
            detail = "".join(traceback.format_exception_only(type(e), e))
            if not isinstance(e, (AssertionError, asyncio.TimeoutError)):
                detail += traceback.format_exc(limit=-3)
            tap.result(False, name, detail)


def serve(tap, wampd, body, prepare=None):
    """Calls @prepare(wampd) when given, starts @wampd, runs the coroutine
    function @body(wampd) (which reports its checks on @tap), stops wampd
    and reports "wampd exits 0 on SIGTERM", with the log's tail when
    anything failed. Removes wampd's folder. Returns the exit code."""
    try:
        try:
            if prepare is not None:
                prepare(wampd)
            wampd.start()
        except Exception as e:
            tap.skip_rest("wampd did not start: %s" % e)
            return 1
        try:
            asyncio.run(body(wampd))
        finally:
            status = wampd.stop()
        tap.result(status == 0, "wampd exits 0 on SIGTERM",
                   None if status == 0 else "exit status %r" % status)
        if tap.failed:
            wampd.print_log_tail()
    finally:
        wampd.cleanup()
    return 1 if tap.failed else 0


def main(checks, cfg, extra_args=()):
    """Starts wampd (with @extra_args), runs @checks (list of (name, async
    func(wampd))), stops wampd and checks it exited 0. Returns the exit
    code of the TAP result."""
    tap = Tap([name for name, _ in checks] + ["wampd exits 0 on SIGTERM"])
    return serve(tap, Wampd(cfg, extra_args), lambda wampd: run_checks(tap, checks, wampd))


def require_autobahn():
    try:
        import autobahn  # noqa: F401
    except ImportError:
        print("1..0 # SKIP python3-autobahn is not installed", flush=True)
        sys.exit(0)
