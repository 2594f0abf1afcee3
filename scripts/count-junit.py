#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count the test cases in meson's JUnit logs and print `N passed, M failed`.

A <testcase> with a <failure> or <error> child is failed, one with <skipped> is
skipped, any other is passed. meson writes one <testcase> per TAP line for TAP
tests and one per test for exit-code tests.

meson's JUnit log alone misses some failures: a TAP test that crashes, times out
or runs fewer tests than its plan after printing only `ok` lines keeps just
those passing test cases, and an exit-code test that timed out or passed
unexpectedly gets a <testcase> without any child. With --testlog (meson's
testlog.json) each test whose overall result is bad but whose test cases show
no failure counts as failed: an exit-code test's lone test case moves from
passed to failed, a TAP test gets one failed test case more.

Exit status: 0 only when nothing failed and something passed.
"""

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET

# meson's TestResult values that mean the test did not succeed.
BAD_RESULTS = {"FAIL", "ERROR", "TIMEOUT", "INTERRUPT", "UNEXPECTEDPASS"}

# Characters XML 1.0 forbids; meson copies test output into the JUnit file as is.
INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));", re.I)


def count_junit(path, counts, failed_names, passed_names):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = INVALID_XML.sub("?", f.read())
    tree = ET.ElementTree(ET.fromstring(text))
    for case in tree.iter("testcase"):
        tags = {child.tag for child in case}
        name = case.get("name", "")
        classname = case.get("classname", "")
        if "failure" in tags or "error" in tags:
            counts["failed"] += 1
            # The test's name as meson prints it ("test" or "project:suite /
            # test") is the name of an exit-code test's case and follows
            # "<project>." in the classname of a TAP test's cases.
            failed_names.add(name)
            failed_names.add(classname)
        elif "skipped" in tags:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
            passed_names.add(name)


def junit_shows_failure(test_name, failed_names):
    if test_name in failed_names:
        return True
    suffix = "." + test_name
    return any(n.endswith(suffix) for n in failed_names)


def count_unrecorded_failures(path, failed_names):
    extra = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            if entry.get("result") not in BAD_RESULTS:
                continue
            name = entry.get("name", "")
            if not junit_shows_failure(name, failed_names):
                extra.append((name, entry.get("result")))
    return extra


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("junit", nargs="*", help="JUnit XML files written by meson test")
    parser.add_argument("--testlog", action="append", default=[],
                        help="meson's testlog.json, to catch failures the JUnit log omits")
    parser.add_argument("--extra-passed", type=int, default=0, metavar="N",
                        help="add N passed test cases (e.g. fuzz smoke runs)")
    parser.add_argument("--extra-failed", type=int, default=0, metavar="N",
                        help="add N failed test cases")
    parser.add_argument("--extra-skipped", type=int, default=0, metavar="N",
                        help="add N skipped test cases")
    args = parser.parse_args()

    counts = {"passed": args.extra_passed, "failed": args.extra_failed,
              "skipped": args.extra_skipped}
    failed_names = set()
    passed_names = set()

    for path in args.junit:
        try:
            count_junit(path, counts, failed_names, passed_names)
        except (OSError, ET.ParseError) as e:
            print(f"count-junit: cannot read {path}: {e}", file=sys.stderr)
            counts["failed"] += 1

    for path in args.testlog:
        try:
            extra = count_unrecorded_failures(path, failed_names)
        except (OSError, ValueError) as e:
            print(f"count-junit: cannot read {path}: {e}", file=sys.stderr)
            counts["failed"] += 1
            continue
        for name, result in extra:
            print(f"count-junit: {name}: {result} (not recorded as a failed test case in JUnit)",
                  file=sys.stderr)
            counts["failed"] += 1
            if name in passed_names:
                # An exit-code test's only test case, counted as passed above.
                passed_names.discard(name)
                counts["passed"] -= 1

    line = f"{counts['passed']} passed, {counts['failed']} failed"
    if counts["skipped"] > 0:
        line += f", {counts['skipped']} skipped"
    sys.stdout.flush()
    sys.stderr.flush()
    print(line)
    return 0 if counts["failed"] == 0 and counts["passed"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
