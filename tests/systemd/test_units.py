#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`systemd-analyze verify` on copies of data/wampd.service and wampd.socket
whose ExecStart names the built wampd (configure_file in data/meson.build),
and the unit settings wampd relies on. Prints TAP.

usage: test_units.py VERIFY-SERVICE VERIFY-SOCKET WAMPD"""

import configparser
import json
import os
import shutil
import subprocess
import sys
import tempfile

CHECKS = [
    "systemd-analyze verify accepts wampd.service and wampd.socket without a warning",
    "wampd.service: Type=notify, ExecStart runs the built wampd, ExecReload sends SIGHUP",
    "wampd.service: hardening settings are present",
    "wampd.socket: FileDescriptorName names a transport of the default config",
]


def read_unit(path):
    # strict=False: keys such as ListenStream= may repeat.
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def main():
    service_in, socket_in, wampd = sys.argv[1:4]
    print("1..%d" % len(CHECKS), flush=True)
    failed = 0
    n = 0

    def result(ok, diag=None):
        nonlocal failed, n
        n += 1
        failed += 0 if ok else 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, CHECKS[n - 1]), flush=True)
        for line in (diag or "").rstrip().splitlines():
            print("# " + line, flush=True)

    tmp = tempfile.mkdtemp(prefix="wampd-units-")
    try:
        # The names matter: wampd.socket's Service= and the verifier's
        # checks refer to wampd.service.
        service = os.path.join(tmp, "wampd.service")
        socket = os.path.join(tmp, "wampd.socket")
        shutil.copy(service_in, service)
        shutil.copy(socket_in, socket)

        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            result(False, "systemd-analyze is not installed (Debian package systemd)")
        else:
            proc = subprocess.run([analyze, "verify", "--man=no", service, socket],
                                  capture_output=True, text=True, timeout=60)
            output = (proc.stdout + proc.stderr).strip()
            # verify returns 0 on unknown keys and bad values and only
            # warns: any output is a defect of the units.
            result(proc.returncode == 0 and output == "",
                   "exit status %d\n%s" % (proc.returncode, output))

        unit = read_unit(service)
        svc = unit["Service"]
        problems = []
        if svc.get("Type") != "notify":
            problems.append("Type=%s" % svc.get("Type"))
        exec_start = svc.get("ExecStart", "").split()
        if not exec_start or os.path.realpath(exec_start[0]) != os.path.realpath(wampd):
            problems.append("ExecStart=%s does not run %s" % (svc.get("ExecStart"), wampd))
        if "--config" not in exec_start:
            problems.append("ExecStart has no --config")
        if "-HUP" not in svc.get("ExecReload", ""):
            problems.append("ExecReload=%s" % svc.get("ExecReload"))
        result(not problems, "\n".join(problems))

        expected = {
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
            "PrivateTmp": "yes", "PrivateDevices": "yes",
            "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
            "SystemCallFilter": "@system-service", "SystemCallArchitectures": "native",
            "CapabilityBoundingSet": "", "RuntimeDirectory": "wampd",
        }
        problems = ["%s=%r, expected %r" % (k, svc.get(k), v)
                    for k, v in expected.items() if svc.get(k) != v]
        if int(svc.get("LimitNOFILE", "0")) < 65536:
            problems.append("LimitNOFILE=%s is too low for many sessions" % svc.get("LimitNOFILE"))
        if "WatchdogSec" not in svc:
            problems.append("no WatchdogSec")
        result(not problems, "\n".join(problems))

        sock = read_unit(socket)["Socket"]
        default = json.loads(subprocess.run([wampd, "--print-default-config"], capture_output=True,
                                            text=True, check=True, timeout=60).stdout)
        names = [t["name"] for t in default["transports"]]
        name = sock.get("FileDescriptorName")
        result(name in names and sock.get("Service") == "wampd.service",
               "FileDescriptorName=%s, transports %r, Service=%s" % (name, names, sock.get("Service")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
